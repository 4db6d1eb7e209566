"""A Pipecat transport around one PJSIP call's audio (8 kHz PCM both ways, through an AudioLink).

The input side resamples the caller's 8 kHz audio to the pipeline's rate and turns keypad
digits into InputDTMFFrames; the output side takes audio resampled to 8 kHz by Pipecat's
output transport and paces it like a sound card, so at most three 20 ms frames wait in front of
PJSIP (the speech hold and barge-in act within 60 ms). Events: on_client_connected when
the caller's ACK arrives, on_client_disconnected when the call ends, from either side.
"""

from __future__ import annotations

import asyncio
import contextlib

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.audio.utils import create_stream_resampler
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
    StartFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import BaseTransport, TransportParams

from agent.sip.link import FRAME_BYTES, SAMPLE_RATE, AudioLink

DRAIN_MAX_S = 2.0  # the last words (a goodbye) are played out before the BYE, up to this long
FRAME_S = 0.02
LEAD_FRAMES = 3  # 60 ms of agent audio ahead of PJSIP


class SipInputTransport(BaseInputTransport):
    def __init__(self, transport: SipTransport, link: AudioLink, params: TransportParams) -> None:
        super().__init__(params)
        self._transport = transport
        self._link = link
        self._resampler = create_stream_resampler()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, frame: StartFrame) -> None:
        await super().start(frame)
        await self.set_transport_ready(frame)
        if not self._tasks:
            self._tasks = [self.create_task(self._receive()), self.create_task(self._watch())]

    async def stop(self, frame: EndFrame) -> None:
        await super().stop(frame)
        await self._stop_tasks()

    async def cancel(self, frame: CancelFrame) -> None:
        await super().cancel(frame)
        await self._stop_tasks()

    async def cleanup(self) -> None:
        await super().cleanup()
        await self._stop_tasks()

    async def _stop_tasks(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            await self.cancel_task(task)

    async def _receive(self) -> None:
        while True:
            kind, value = await self._link.items.get()
            if kind == "audio" and isinstance(value, bytes):
                audio = await self._resampler.resample(value, SAMPLE_RATE, self.sample_rate)
                await self.push_audio_frame(InputAudioRawFrame(audio, self.sample_rate, 1))
            elif kind == "dtmf" and isinstance(value, str):
                with contextlib.suppress(ValueError):  # a key Pipecat has no name for (A-D)
                    await self.push_frame(InputDTMFFrame(KeypadEntry(value)))

    async def _watch(self) -> None:
        confirmed = asyncio.ensure_future(self._link.confirmed.wait())
        ended = asyncio.ensure_future(self._link.ended.wait())
        try:
            await asyncio.wait({confirmed, ended}, return_when=asyncio.FIRST_COMPLETED)
            if confirmed.done() and not ended.done():
                await self._transport.call_event("on_client_connected")
            await ended
            await self._transport.call_event("on_client_disconnected")
        finally:
            confirmed.cancel()
            ended.cancel()


class SipOutputTransport(BaseOutputTransport):
    def __init__(self, link: AudioLink, params: TransportParams) -> None:
        super().__init__(params)
        self._link = link

    async def start(self, frame: StartFrame) -> None:
        await super().start(frame)
        await self.set_transport_ready(frame)

    async def stop(self, frame: EndFrame) -> None:
        await super().stop(frame)
        # PJSIP takes 20 ms every 20 ms: what is buffered is played in its own duration.
        left_s = self._link.buffered / (2 * SAMPLE_RATE) + FRAME_S
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._link.ended.wait(), timeout=min(DRAIN_MAX_S, left_s))

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InterruptionFrame):
            self._link.clear()  # what PJSIP has not sent yet is stale

    async def write_audio_frame(self, frame: OutputAudioRawFrame) -> bool:
        if self._link.ended.is_set():
            return False
        self._link.write(frame.audio)
        # Paced by PJSIP's own clock, like a sound card: return once no more than LEAD_FRAMES
        # wait in front of it (enough to ride out a late wake-up of this loop).
        excess = self._link.buffered - LEAD_FRAMES * FRAME_BYTES
        if excess > 0:
            await asyncio.sleep(excess / (2 * SAMPLE_RATE))
        return True


class SipTransport(BaseTransport):
    def __init__(self, link: AudioLink) -> None:
        super().__init__()
        params = TransportParams(
            audio_in_enabled=True,
            audio_out_enabled=True,
            audio_out_sample_rate=SAMPLE_RATE,  # Pipecat resamples the TTS to the call's 8 kHz
            audio_out_10ms_chunks=2,
        )
        self._link = link
        self._input = SipInputTransport(self, link, params)
        self._output = SipOutputTransport(link, params)
        self._register_event_handler("on_client_connected")
        self._register_event_handler("on_client_disconnected")

    def input(self) -> SipInputTransport:
        return self._input

    def output(self) -> SipOutputTransport:
        return self._output

    async def call_event(self, name: str) -> None:
        await self._call_event_handler(name, self._link)
