"""A phone call arriving as a Twilio or Telnyx media stream (WebSocket, 8 kHz mu-law)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from fastapi import WebSocket
from pipecat.serializers.base_serializer import FrameSerializer
from pipecat.transports.base_transport import BaseTransport
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport

from agent.session import CallDeps, CallSession
from pipeline.noise_filter import noise_filter


class MediaStreamCall(CallSession):
    def __init__(
        self, deps: CallDeps, session_id: uuid.UUID, websocket: WebSocket, serializer: FrameSerializer
    ) -> None:
        super().__init__(deps, None, session_id)
        self.websocket = websocket
        self.serializer = serializer

    def _make_transport(self) -> BaseTransport:
        return FastAPIWebsocketTransport(
            self.websocket,
            FastAPIWebsocketParams(
                audio_in_enabled=True,
                audio_out_enabled=True,
                add_wav_header=False,
                serializer=self.serializer,
                audio_out_10ms_chunks=2,
                audio_in_filter=noise_filter(self.deps.settings),
            ),
        )

    async def _close_peer(self) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close()

    async def _watch_peer(self) -> None:
        await asyncio.Event().wait()  # a closed socket ends the transport, which hangs up
