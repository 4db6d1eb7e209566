"""A phone call that reached the agent's own SIP endpoint: the shared call session on a PJSIP call."""

from __future__ import annotations

import asyncio
import uuid

from pipecat.transports.base_transport import BaseTransport

from agent.session import CallDeps, CallSession
from agent.sip.link import AudioLink
from agent.sip.transport import SipTransport


class SipCallSession(CallSession):
    def __init__(self, deps: CallDeps, session_id: uuid.UUID, link: AudioLink) -> None:
        super().__init__(deps, None, session_id)
        self.link = link

    async def hang_up(self, reason: str) -> None:
        if reason == "hang-up" and self.link.ended.is_set():
            reason = self.link.end_reason  # "peer lost" when its RTP stopped
        await super().hang_up(reason)

    def _make_transport(self) -> BaseTransport:
        return SipTransport(self.link)

    async def _close_peer(self) -> None:
        self.link.hang_up()  # a BYE, unless the caller has hung up already

    async def _watch_peer(self) -> None:
        # The end of the call (BYE, RTP timeout) reaches the transport, which hangs up.
        await asyncio.Event().wait()
