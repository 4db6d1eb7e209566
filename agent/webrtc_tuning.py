"""Latency and capacity fixes for aiortc and Pipecat's SmallWebRTC audio path (process-wide).

Measured with bench/voice_capacity.py on this 2-core machine, audio frames to callers ran up
to 3 s late at 3 simultaneous calls while the event loop itself was never more than 30 ms late.
The cost was per-frame overhead, paid 100 times a second per call:

* Pipecat's output track hands aiortc 10 ms frames; Opus sends 20 ms. Handing 20 ms frames
  halves the sender's iterations.
* aiortc encodes every audio frame on asyncio's default thread pool. An Opus frame takes
  ~0.1 ms to encode; the thread hand-off, on a busy machine, takes several. Encoding audio
  inline removes the hand-off (video, whose frames are costly, keeps the pool).
* The RFC 6465 audio level is computed with numpy (agent/audio_sender.py), not aiortc's Python
  loop over every sample (6 % of the loop's py-spy samples at a burst of 8). Opus encoding itself
  was 65 %; sending silence as a fixed packet was tried and broke the audio callers heard under
  load (measured: the same burst re-transcribed empty with it, intelligible without), so every
  frame is still encoded.
* aiortc's audio jitter buffer waits for 4 packets (80 ms) before decoding one; 1 is enough on
  loopback and LAN, and saves 60 ms on every turn and every barge-in.

Each patch checks the internals it relies on and leaves the library alone if they changed.
"""

from __future__ import annotations

import logging
from typing import Any

from aiortc import RTCPeerConnection
from aiortc import rtcrtpsender as aiortc_sender
from aiortc.codecs import get_encoder
from aiortc.jitterbuffer import JitterBuffer
from av import AudioFrame
from pipecat.transports.smallwebrtc import transport as smallwebrtc

from agent.audio_sender import audio_level_dbov
from pipeline import internals

log = logging.getLogger(__name__)

OUTPUT_FRAME_MS = 20
_applied = False


def apply() -> None:
    """Install the patches once per process (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    _twenty_ms_output_frames()
    _inline_audio_encoding()


def _twenty_ms_output_frames() -> None:
    base = smallwebrtc.RawAudioTrack
    if not all(hasattr(base(8000), a) for a in ("_samples_per_10ms", "_bytes_per_10ms")):
        log.warning("Pipecat's RawAudioTrack changed; keeping its 10 ms frames")
        return

    class TwentyMsAudioTrack(base):  # type: ignore[misc, valid-type]
        def __init__(self, sample_rate: int, auto_silence: bool = True) -> None:
            super().__init__(sample_rate, auto_silence)
            # (The names say 10 ms; the track uses them as its frame size throughout.)
            self._samples_per_10ms = sample_rate * OUTPUT_FRAME_MS // 1000
            self._bytes_per_10ms = self._samples_per_10ms * 2

    internals.mark_patch(TwentyMsAudioTrack, base)
    smallwebrtc.RawAudioTrack = TwentyMsAudioTrack  # type: ignore[misc]


def _inline_audio_encoding() -> None:
    sender = aiortc_sender.RTCRtpSender
    original = sender._next_encoded_frame
    if not hasattr(aiortc_sender, "RTCEncodedFrame"):
        log.warning("aiortc's sender changed; keeping its threaded audio encoding")
        return

    async def next_encoded_frame(self: Any, codec: Any) -> Any:
        if self.kind != "audio":
            return await original(self, codec)
        data = await self._RTCRtpSender__track.recv()
        if not self._enabled:
            return None
        if self._RTCRtpSender__encoder is None:
            self._RTCRtpSender__encoder = get_encoder(codec)
        if not isinstance(data, AudioFrame):  # already-encoded packets are only packed
            payloads, timestamp = self._RTCRtpSender__encoder.pack(data)
            return aiortc_sender.RTCEncodedFrame(payloads, timestamp, None) if payloads else None  # type: ignore[arg-type]
        audio_level = audio_level_dbov(data.to_ndarray().reshape(-1))
        payloads, timestamp = self._RTCRtpSender__encoder.encode(data, False)
        if not payloads:
            return None
        return aiortc_sender.RTCEncodedFrame(payloads, timestamp, audio_level)

    internals.mark_patch(next_encoded_frame, original)
    sender._next_encoded_frame = next_encoded_frame  # type: ignore[method-assign]


def low_latency_receivers(pc: RTCPeerConnection) -> None:
    """Decode each incoming audio packet once the next one arrives, not four later."""
    for transceiver in pc.getTransceivers():
        receiver = transceiver.receiver
        if transceiver.kind == "audio" and hasattr(receiver, "_RTCRtpReceiver__jitter_buffer"):
            receiver._RTCRtpReceiver__jitter_buffer = JitterBuffer(capacity=16, prefetch=1)
