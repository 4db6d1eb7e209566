"""PJSIP's side of one call: its SIP events and the media port that carries its audio.

Everything here runs on the endpoint's PJSIP thread, except the port's two frame callbacks,
which PJSIP's media clock thread calls every 20 ms; they only touch the call's AudioLink.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pjsua2 as pj

from agent.sip.frames import frame_bytes
from agent.sip.link import FRAME_BYTES, SAMPLE_RATE, AudioLink

if TYPE_CHECKING:
    from agent.sip.endpoint import SipEndpoint

log = logging.getLogger(__name__)

_SILENCE = bytes(FRAME_BYTES)
# Media states whose audio is connected: on hold the caller may still send (music) or nothing.
_LIVE = (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD, pj.PJSUA_CALL_MEDIA_LOCAL_HOLD)


class BridgePort(pj.AudioMediaPort):
    """A conference-bridge port at 8 kHz, 16-bit, 20 ms. Ports are pooled and handed from call to
    call: creating and destroying one per call leaks and crashes PJSIP (pjproject#4200)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.link: AudioLink | None = None
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.init(pj.PJMEDIA_FORMAT_PCM, SAMPLE_RATE, 1, 20000, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 (PJSIP's name)
        link = self.link
        if link is None:
            return
        # Without RTP (a pause in the caller's stream) the bridge passes no audio: the pipeline
        # still gets its 20 ms of silence, as from a phone line, so its VAD and turn clock run on.
        audio = frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size == FRAME_BYTES
        link.received(frame_bytes(frame.buf) if audio else _SILENCE)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802
        link = self.link
        chunk = link.take() if link is not None else None
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = pj.ByteVector(chunk or _SILENCE)
        frame.size = FRAME_BYTES


class AgentCall(pj.Call):
    def __init__(self, endpoint: SipEndpoint, account: pj.Account, call_id: int) -> None:
        super().__init__(account, call_id)
        self.endpoint = endpoint
        self.key = call_id
        self.link: AudioLink | None = None
        self.port: BridgePort | None = None
        self.media_index = -1
        self.answered = False
        self.confirmed = False
        self.disconnected = False
        self.on_hold = False
        self.rx_packets = 0
        self.rx_changed = time.monotonic()

    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # noqa: N802
        try:
            ci = self.getInfo()
            if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and not self.confirmed:
                self.confirmed = True
                self.rx_changed = time.monotonic()
                if self.link is not None:
                    self.link.set_confirmed()
            elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.disconnected:
                self.disconnected = True
                self.endpoint.call_gone(self, "hang-up")
        except Exception:
            log.exception("SIP call state handler failed")

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # noqa: N802
        try:
            ci = self.getInfo()  # kept: iterating a temporary's media vector reads freed memory
            media = ci.media
            for mi in media:
                if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                    continue
                self.on_hold = mi.status != pj.PJSUA_CALL_MEDIA_ACTIVE
                if mi.status in _LIVE and self.link is not None:
                    self._connect(mi.index)
                return
        except Exception:
            log.exception("SIP media state handler failed")

    def _connect(self, index: int) -> None:
        audio = self.getAudioMedia(index)
        if self.port is None:
            self.port = self.endpoint.take_port()
            self.port.link = self.link
        # Idempotent: a re-INVITE (new codec, hold and back) reconnects the same two ports.
        audio.startTransmit(self.port)
        self.port.startTransmit(audio)
        self.media_index = index

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:  # noqa: N802 (RFC 4733 and SIP INFO)
        if self.link is not None and prm.digit:
            self.link.digit(str(prm.digit)[:1])

    def release_port(self) -> BridgePort | None:
        port, self.port = self.port, None
        if port is not None:
            port.link = None
        return port

    def check_rtp(self, timeout_s: float, now: float) -> bool:
        """True if the caller's RTP has stopped for timeout_s (not counting hold)."""
        if not self.confirmed or self.media_index < 0 or self.disconnected:
            return False
        packets = self.getStreamStat(self.media_index).rtcp.rxStat.pkt
        if packets != self.rx_packets or self.on_hold:
            self.rx_packets = packets
            self.rx_changed = now
            return False
        return now - self.rx_changed > timeout_s
