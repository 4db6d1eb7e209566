"""A call in a LiveKit room: a browser visitor through the SFU, or a phone caller through LiveKit SIP.

The agent joins with its own token, hears the other participant, answers with the same
pipeline as every call, takes text from data messages, and leaves when the caller does
(the transport's client-disconnected event hangs up, as for every call).
"""

from __future__ import annotations

import asyncio
import uuid

from pipecat.transports.base_transport import BaseTransport
from pipecat.transports.livekit.transport import LiveKitParams

from agent.livekit_output import PacedLiveKitTransport
from agent.livekit_tokens import agent_token
from agent.session import CallDeps, CallSession
from pipeline.noise_filter import noise_filter


class RoomCall(CallSession):
    def __init__(self, deps: CallDeps, session_id: uuid.UUID, room: str) -> None:
        super().__init__(deps, None, session_id)
        self.room = room

    def _make_transport(self) -> BaseTransport:
        settings = self.deps.settings
        assert settings.livekit_url and settings.livekit_api_key and settings.livekit_api_secret
        token = agent_token(
            settings.livekit_api_key,
            settings.livekit_api_secret.get_secret_value(),
            self.room,
            ttl_s=int(settings.call_max_s) + 300,
        )
        return PacedLiveKitTransport(
            url=settings.livekit_url,
            token=token,
            room_name=self.room,
            params=LiveKitParams(
                audio_in_enabled=True,
                audio_out_enabled=True,
                audio_out_10ms_chunks=2,
                # No SDK queue: agent/livekit_output.py paces 10 ms frames itself (lower latency,
                # no drift under load, barge-in stops the voice at once).
                audio_out_queue_size_ms=0,
                audio_in_filter=noise_filter(settings),
            ),
        )

    async def _close_peer(self) -> None:
        return None  # the transport leaves the room when the pipeline stops

    async def _watch_peer(self) -> None:
        await asyncio.Event().wait()  # the room's own events report the caller leaving
