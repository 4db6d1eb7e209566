"""RTP in pcap files: a spoken question written as the G.711 stream sipp replays
(`play_pcap_audio`), and tcpdump's capture of a call's RTP read back as timed audio."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.sip.g711 import PCMU, ulaw_decode, ulaw_encode
from tests.sip.rtp import FRAME

ETHERNET = 1  # pcap link type DLT_EN10MB (tcpdump on Linux's lo uses it too)


def write_rtp_pcap(path: Path, pcm8k: np.ndarray, src_port: int = 6000, dst_port: int = 6002) -> None:
    """`pcm8k` as 20 ms PCMU packets, 20 ms apart (sipp rewrites the addresses when it plays)."""
    padded = np.concatenate([pcm8k, np.zeros(-len(pcm8k) % FRAME, dtype=np.int16)])
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, ETHERNET))
    for n, i in enumerate(range(0, len(padded), FRAME)):
        rtp = struct.pack("!BBHII", 0x80, PCMU | (0x80 if n == 0 else 0), n, n * FRAME, 0x5EED) + ulaw_encode(
            padded[i : i + FRAME]
        )
        udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(rtp), 0) + rtp
        ip = struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(udp),
            n,
            0,
            64,
            17,
            0,
            bytes([127, 0, 0, 1]),
            bytes([127, 0, 0, 1]),
        )
        frame = b"\0" * 12 + b"\x08\x00" + ip + udp
        stamp = n * 0.02
        out += struct.pack("<IIII", int(stamp), int(round(stamp % 1 * 1e6)), len(frame), len(frame)) + frame
    path.write_bytes(bytes(out))


@dataclass(frozen=True)
class Packet:
    at: float  # capture time, seconds
    src_port: int
    dst_port: int
    pcm: np.ndarray  # decoded PCMU payload


def read_rtp_pcap(path: Path) -> list[Packet]:
    data = path.read_bytes()
    if len(data) < 24:
        return []
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and link == ETHERNET, (hex(magic), link)
    packets, offset = [], 24
    while offset + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[offset : offset + 16])
        frame = data[offset + 16 : offset + 16 + incl]
        offset += 16 + incl
        if len(frame) < 14 + 20 + 8 + 12 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17:
            continue
        src, dst = struct.unpack("!HH", ip[ihl : ihl + 4])
        rtp = ip[ihl + 8 :]
        if len(rtp) < 12 or rtp[0] >> 6 != 2 or rtp[1] & 0x7F != PCMU:
            continue
        payload = rtp[12 + 4 * (rtp[0] & 0x0F) :]
        packets.append(Packet(sec + usec / 1e6, src, dst, ulaw_decode(payload)))
    return packets


class Capture:
    """tcpdump on loopback for the duration of a `with` block (started once it is listening)."""

    def __init__(self, path: Path, bpf: str) -> None:
        self.path = path
        self.bpf = bpf
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Capture:
        self._process = await asyncio.create_subprocess_exec(
            "tcpdump", "-i", "lo", "-U", "-n", "-w", str(self.path), self.bpf,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self._process.stderr is not None
        async with asyncio.timeout(15):
            while b"listening on" not in await self._process.stderr.readline():
                pass
        return self

    async def __aexit__(self, *exc: object) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)  # tcpdump writes out what it holds and exits
        await asyncio.wait_for(process.wait(), 15)
