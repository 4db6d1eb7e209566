"""The agent's audio into a LiveKit room: 10 ms frames handed straight to the encoder, paced here.

Pipecat's LiveKit output hands its audio to an SDK AudioSource with a 1 s queue that a native
10 ms timer drains. Measured on this machine (two SDK participants on a real livekit-server,
bench/livekit_latency.py splits the legs): the queued path put 50-60 ms between handing the
first frame over and the listener hearing it, against 15-20 ms with no queue; and on a loaded
machine that timer falls behind, so a continuous stream drifts later and later (130 ms to
540 ms within 30 s). With no queue (queue_size_ms=0) the SDK passes each 10 ms frame to the
encoder at once; this transport keeps real time itself, on an absolute schedule, the way the
WebRTC P2P path's audio track does. Nothing is queued beyond the frame being written, so a
barge-in also stops the agent's voice at once.
"""

from __future__ import annotations

import asyncio
import time

from pipecat.frames.frames import OutputAudioRawFrame
from pipecat.transports.livekit.transport import LiveKitOutputTransport, LiveKitTransport

FRAME_S = 0.01  # the SDK's direct capture takes exactly 10 ms frames
# Behind schedule by more than this (a pause between utterances, or a stalled loop), the
# schedule restarts from now instead of bursting out the backlog.
RESYNC_S = 0.06


class PacedLiveKitOutput(LiveKitOutputTransport):
    _next_at = 0.0

    async def write_audio_frame(self, frame: OutputAudioRawFrame) -> bool:
        channels = self._params.audio_out_channels
        samples = self.sample_rate // 100 * channels
        audio = frame.audio
        for start in range(0, len(audio), samples * 2):
            piece = audio[start : start + samples * 2]
            if len(piece) < samples * 2:  # the SDK refuses a short frame: pad the tail
                piece = piece + bytes(samples * 2 - len(piece))
            now = time.monotonic()
            if now - self._next_at > RESYNC_S:
                self._next_at = now
            elif self._next_at > now:
                await asyncio.sleep(self._next_at - now)
            self._next_at += FRAME_S
            if not await self._client.publish_audio(self._convert_pipecat_audio_to_livekit(piece)):
                return False
        return True


class PacedLiveKitTransport(LiveKitTransport):
    """LiveKitTransport whose output is PacedLiveKitOutput (use with audio_out_queue_size_ms=0)."""

    def output(self) -> LiveKitOutputTransport:
        if not self._output:
            self._output = PacedLiveKitOutput(self, self._client, self._params, name=self._output_name)
        return self._output
