"""Shared by the SIP benchmarks: the service with its SIP endpoint, and SIP callers (sipp for
signalling, a real RTP stream for the audio: tests/sip/rtp.py)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx

from signaling.background_server import free_port
from tests.sip.rtp import RtpPeer
from tests.sip.sipp import SippRun, free_sip_port, media_keys, run_sipp, scenario


def sip_env(max_calls: int = 8) -> dict[str, str]:
    return {
        "SIP_PORT": str(free_sip_port()),
        "SIP_HOST": "127.0.0.1",
        "SIP_ALLOWED_ADDRESSES": "127.0.0.1",
        "SIP_RTP_PORT_START": str(free_port() & ~1),
        "SIP_RTP_PORT_RANGE": "400",
        "MAX_CALLS": str(max_calls),
        "MAX_CALLS_PER_IP": "64",
    }


class SipCaller:
    """One call: sipp places it (its SDP names this caller's RTP port) and waits for the agent's BYE."""

    def __init__(self, target: str, folder: Path, number: str) -> None:
        self.target = target
        self.folder = folder
        self.number = number
        self.peer: RtpPeer | None = None
        self._sipp: asyncio.Task[SippRun] | None = None

    async def start(self) -> RtpPeer:
        port = free_port() & ~1
        self.peer = await RtpPeer.open(port)
        calls = scenario("until_bye.xml", self.folder)
        args = (*media_keys(port), "-key", "caller", self.number)
        self._sipp = asyncio.create_task(
            run_sipp(self.target, self.folder, *args, scenario_file=calls, timeout_s=900)
        )
        await asyncio.wait_for(self.peer.heard.wait(), 60)  # answered: the agent's RTP flows
        return self.peer

    async def hang_up(self) -> None:
        """# on the keypad: the agent says goodbye and sends BYE, which ends sipp's scenario."""
        assert self.peer is not None and self._sipp is not None
        try:
            await self.peer.press("#")
            await asyncio.wait_for(self._sipp, 60)
        finally:
            self.peer.close()
            if not self._sipp.done():
                self._sipp.cancel()


async def counter(base: str, name: str) -> float:
    async with httpx.AsyncClient(base_url=base) as http:
        text = (await http.get("/metrics")).text
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0
