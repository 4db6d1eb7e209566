"""The PJSIP endpoint: one dedicated thread owns PJSIP, everything else talks to it by message.

PJSIP is run with no worker threads of its own for SIP (threadCnt=0, mainThreadOnly) and
`libHandleEvents` in a loop on this thread; commands from asyncio (answer, refuse, hang up,
shut down) are queued to it. A null sound device supplies the media clock. Audio reaches the
asyncio loop through each call's AudioLink.

An INVITE is checked here (source address, digest), rung (180), and handed to `on_invite` on
the asyncio loop, which admits it (answer) or refuses it (486 when the process is full).
PJSIP itself answers a malformed SDP (400) and an offer without G.711 (488).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pjsua2 as pj

from agent.sip.auth import TrunkAuth
from agent.sip.call import AgentCall, BridgePort
from agent.sip.link import AudioLink, Invite
from agent.sip.message import InviteHeaders

log = logging.getLogger(__name__)

CODECS = ("PCMU/8000", "PCMA/8000", "opus/48000")  # opus when the PJSIP build has it (the wheel does not)
EVENT_POLL_MS = 20
RTP_CHECK_S = 1.0
# PJSIP's call slots (its compile-time maximum is 32): refused INVITEs hold one briefly too.
PJSUA_MAX_CALLS = 32
SHUTDOWN_HANGUP_S = 2.0


@dataclass(frozen=True)
class SipConfig:
    port: int
    host: str = "0.0.0.0"
    public_address: str | None = None
    rtp_port_start: int = 10000
    rtp_port_range: int = 1000
    rtp_timeout_s: float = 30.0
    max_calls: int = 8
    user_agent: str = "resume-agent"


InviteHandler = Callable[[Invite, AudioLink], None]


class AgentAccount(pj.Account):
    def __init__(self, endpoint: SipEndpoint) -> None:
        super().__init__()
        self.endpoint = endpoint

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:  # noqa: N802 (PJSIP's name)
        try:
            self.endpoint.incoming(self, prm)
        except Exception:
            log.exception("SIP incoming call handler failed")


class SipEndpoint:
    def __init__(
        self,
        config: SipConfig,
        auth: TrunkAuth,
        on_invite: InviteHandler,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.config = config
        self.auth = auth
        self._on_invite = on_invite
        self._loop = loop
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._calls: dict[int, AgentCall] = {}
        self._gone: list[AgentCall] = []  # dropped on the next loop turn, outside their callbacks
        self._ports: list[BridgePort] = []
        self._port_count = 0
        self._stopping = False
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pjsip", daemon=True)
        self._ep: pj.Endpoint | None = None
        self._account: AgentAccount | None = None

    # --- any thread ---
    def start(self, timeout_s: float = 10.0) -> None:
        self._thread.start()
        if not self._started.wait(timeout_s):
            raise RuntimeError("the SIP endpoint did not start")
        if self._error is not None:
            raise RuntimeError(f"the SIP endpoint could not start: {self._error}") from self._error

    def stop(self, timeout_s: float = 10.0) -> None:
        self._commands.put(self._begin_stop)
        self._thread.join(timeout_s)

    def answer(self, key: int) -> None:
        self._commands.put(lambda: self._answer(key))

    def refuse(self, key: int, status: int) -> None:
        self._commands.put(lambda: self._end(key, status))

    def hang_up(self, key: int) -> None:
        self._commands.put(lambda: self._end(key, 200))

    @property
    def live_calls(self) -> int:
        return len(self._calls)

    # --- the PJSIP thread ---
    def _run(self) -> None:
        try:
            self._init()
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._started.set()
            self._destroy()
            return
        self._started.set()
        next_rtp_check = time.monotonic() + RTP_CHECK_S
        stop_deadline: float | None = None
        assert self._ep is not None
        while True:
            self._ep.libHandleEvents(EVENT_POLL_MS)
            self._drain_commands()
            self._gone.clear()
            now = time.monotonic()
            if now >= next_rtp_check:
                next_rtp_check = now + RTP_CHECK_S
                self._check_rtp(now)
            if self._stopping:
                stop_deadline = stop_deadline or now + SHUTDOWN_HANGUP_S
                if not self._calls or now > stop_deadline:
                    break
        self._destroy()

    def _init(self) -> None:
        c = self.config
        ep = self._ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = PJSUA_MAX_CALLS
        cfg.uaConfig.userAgent = c.user_agent
        # Warnings and errors only; message dumps would put callers' headers in the logs.
        cfg.logConfig.level = 2
        cfg.logConfig.consoleLevel = 2
        cfg.logConfig.msgLogging = 0
        cfg.medConfig.clockRate = 8000  # G.711 end to end: no resampling in the bridge
        cfg.medConfig.sndClockRate = 8000
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        for kind in (pj.PJSIP_TRANSPORT_UDP, pj.PJSIP_TRANSPORT_TCP):
            ep.transportCreate(kind, self._transport_config(c.port))
        ep.libStart()
        for info in ep.codecEnum2():
            wanted = next((i for i, name in enumerate(CODECS) if info.codecId.startswith(name)), None)
            ep.codecSetPriority(info.codecId, 0 if wanted is None else 200 - wanted)
        acfg = pj.AccountConfig()
        host = c.public_address or (c.host if c.host != "0.0.0.0" else "127.0.0.1")
        acfg.idUri = f"sip:agent@{host}:{c.port}"
        media = self._transport_config(c.rtp_port_start)
        media.portRange = c.rtp_port_range
        acfg.mediaConfig.transportConfig = media
        self._account = AgentAccount(self)
        self._account.create(acfg, True)
        log.info("SIP endpoint listening on %s:%d (UDP and TCP)", c.host, c.port)

    def _transport_config(self, port: int) -> pj.TransportConfig:
        tc = pj.TransportConfig()
        tc.port = port
        if self.config.host != "0.0.0.0":
            tc.boundAddress = self.config.host
        public = self.config.public_address or (self.config.host if self.config.host != "0.0.0.0" else "")
        if public:
            tc.publicAddress = public  # else PJSIP advertises whichever interface it finds first
        return tc

    def _drain_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command()
            except Exception:
                log.exception("SIP command failed")

    def incoming(self, account: pj.Account, prm: pj.OnIncomingCallParam) -> None:
        call = AgentCall(self, account, prm.callId)
        rdata = prm.rdata
        headers = InviteHeaders.parse(rdata.wholeMsg)
        source = rdata.srcAddress
        self._calls[call.key] = call
        if self._stopping:
            self._end(call.key, 503)
            return
        verdict = self.auth.check(source, "INVITE", headers.first("authorization"))
        if verdict.status:
            log.warning("SIP INVITE from %s refused: %d", source.rsplit(":", 1)[0], verdict.status)
            extra = {"WWW-Authenticate": verdict.challenge} if verdict.challenge else {}
            self._end(call.key, verdict.status, extra)
            return
        invite = Invite(
            key=call.key,
            sip_call_id=headers.first("call-id") or "",
            caller=headers.caller_number(),
            source=source,
        )
        call.link = AudioLink(self._loop, self, invite)
        ring = pj.CallOpParam()
        ring.statusCode = 180
        call.answer(ring)
        self._loop.call_soon_threadsafe(self._on_invite, invite, call.link)

    def _answer(self, key: int) -> None:
        call = self._calls.get(key)
        if call is None or call.disconnected or call.answered:
            return
        call.answered = True
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)

    def _end(self, key: int, status: int, headers: dict[str, str] | None = None) -> None:
        call = self._calls.get(key)
        if call is None or call.disconnected:
            return
        op = pj.CallOpParam()
        op.statusCode = status  # before the answer, the final response; after it, a BYE
        for name, value in (headers or {}).items():
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            op.txOption.headers.append(header)
        if not call.answered and status >= 300:
            call.answered = True
            call.answer(op)  # a final response carrying our headers (hangup drops them)
        else:
            call.hangup(op)

    def call_gone(self, call: AgentCall, reason: str) -> None:
        self._calls.pop(call.key, None)
        port = call.release_port()
        if port is not None:
            self._ports.append(port)
        if call.link is not None:
            call.link.set_ended(reason)
        self._gone.append(call)

    def take_port(self) -> BridgePort:
        if self._ports:
            return self._ports.pop()
        self._port_count += 1
        return BridgePort(f"agent-{self._port_count}")

    def _check_rtp(self, now: float) -> None:
        for call in list(self._calls.values()):
            try:
                if call.check_rtp(self.config.rtp_timeout_s, now):
                    log.warning("SIP call %d: no RTP from the caller, hanging up", call.key)
                    if call.link is not None:
                        call.link.set_ended("peer lost")
                    self._end(call.key, 200)
            except Exception:
                log.exception("SIP RTP check failed")

    def _begin_stop(self) -> None:
        self._stopping = True
        for key in list(self._calls):
            self._end(key, 503)

    def _destroy(self) -> None:
        ep = self._ep
        if ep is None:
            return
        # Every Call and port must be gone before libDestroy, or PJSIP asserts and aborts.
        for call in list(self._calls.values()):
            call.release_port()
            if call.link is not None:
                call.link.set_ended("shutdown")
        self._calls.clear()
        self._gone.clear()
        self._ports.clear()
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        ep.libDestroy()
        self._ep = None
