"""LiveKit access tokens: a visitor's is scoped to one room; the agent's may also publish data."""

from __future__ import annotations

import datetime

from livekit import api


def visitor_token(key: str, secret: str, room: str, identity: str, ttl_s: int) -> str:
    grants = api.VideoGrants(
        room_join=True,
        room=room,
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        can_publish_sources=["microphone"],
        can_update_own_metadata=False,
    )
    return (
        api.AccessToken(key, secret)
        .with_identity(identity)
        .with_name("Visitor")
        .with_grants(grants)
        .with_ttl(datetime.timedelta(seconds=ttl_s))
        .to_jwt()
    )


def agent_token(key: str, secret: str, room: str, identity: str = "resume-agent", ttl_s: int = 3600) -> str:
    grants = api.VideoGrants(
        room_join=True, room=room, can_publish=True, can_subscribe=True, can_publish_data=True, agent=True
    )
    return (
        api.AccessToken(key, secret)
        .with_identity(identity)
        .with_name("Resume agent")
        .with_kind("agent")
        .with_grants(grants)
        .with_ttl(datetime.timedelta(seconds=ttl_s))
        .to_jwt()
    )
