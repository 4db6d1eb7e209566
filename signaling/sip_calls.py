"""The agent's own SIP endpoint in the service: started in the lifespan when SIP_PORT is set.

Each INVITE that passes the trunk checks is admitted like any other call: the caller number's
cap, then a slot in the process (486 Busy Here when either is full), then a session of
channel 'sip' and the shared call pipeline on the PJSIP call's audio.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from signaling.context import AppContext
from signaling.phone_admission import LinesBusy, NumberBusy, admit_phone_call

if TYPE_CHECKING:
    from agent.sip.endpoint import SipEndpoint
    from agent.sip.link import AudioLink, Invite

log = logging.getLogger(__name__)

BUSY_HERE = 486
SERVER_ERROR = 500


class SipCalls:
    """Admits the endpoint's INVITEs on the serving loop."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._admitting: set[asyncio.Task[None]] = set()

    def on_invite(self, invite: Invite, link: AudioLink) -> None:
        task = asyncio.create_task(self._admit(invite, link), name=f"sip-admit-{invite.key}")
        self._admitting.add(task)
        task.add_done_callback(self._admitting.discard)

    async def _admit(self, invite: Invite, link: AudioLink) -> None:
        from agent.sip.session import SipCallSession  # PJSIP only loads when SIP is on

        caller = {"number": invite.caller, "call_id": invite.sip_call_id, "provider": "sip"}
        try:
            await admit_phone_call(
                self.ctx, "sip", caller, lambda deps, session_id: SipCallSession(deps, session_id, link)
            )
        except NumberBusy:
            log.warning("SIP call refused: this number already has its calls in progress")
            link.refuse(BUSY_HERE)
            return
        except LinesBusy:
            link.refuse(BUSY_HERE)
            return
        except BaseException:
            link.refuse(SERVER_ERROR)
            raise
        link.answer()

    async def close(self) -> None:
        for task in list(self._admitting):
            task.cancel()
        if self._admitting:
            await asyncio.wait(self._admitting, timeout=5)


@asynccontextmanager
async def sip_endpoint(ctx: AppContext) -> AsyncIterator[SipEndpoint | None]:
    """The endpoint for the service's lifetime, or None when SIP_PORT is unset."""
    settings = ctx.settings
    if settings.sip_port is None:
        yield None
        return
    from agent.sip.auth import TrunkAuth
    from agent.sip.endpoint import SipConfig, SipEndpoint

    password = settings.sip_auth_password
    auth = TrunkAuth(
        settings.sip_allowed_addresses,
        settings.sip_auth_username,
        password.get_secret_value() if password is not None else None,
        # Shared by every process with the same SECRET_KEY: a challenge answered elsewhere verifies.
        hashlib.sha256(b"sip-nonce:" + ctx.secret.encode()).digest(),
    )
    if auth.open_to_nobody:
        log.warning("SIP_PORT is set but neither SIP_ALLOWED_ADDRESSES nor SIP_AUTH_*: every call is refused")
    config = SipConfig(
        port=settings.sip_port,
        host=settings.sip_host,
        public_address=settings.sip_public_address,
        rtp_port_start=settings.sip_rtp_port_start,
        rtp_port_range=settings.sip_rtp_port_range,
        rtp_timeout_s=settings.sip_rtp_timeout_s,
        max_calls=settings.max_calls,
    )
    calls = SipCalls(ctx)
    endpoint = SipEndpoint(config, auth, calls.on_invite, asyncio.get_running_loop())
    await asyncio.to_thread(endpoint.start)
    try:
        yield endpoint
    finally:
        await calls.close()
        await asyncio.to_thread(endpoint.stop)
