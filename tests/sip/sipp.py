"""Running sipp (Debian's sip-tester) as a real SIP caller against the agent's endpoint."""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from string import Template

from tests.sip.g711 import MU_LAW, Codec

SCENARIOS = Path(__file__).parent / "scenarios"


def free_port(kind: int = socket.SOCK_DGRAM, host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def free_sip_port() -> int:
    """A port free for both UDP and TCP (the endpoint listens on both)."""
    while True:
        port = free_port(socket.SOCK_STREAM)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def scenario(name: str, folder: Path, **values: object) -> Path:
    """A scenario file; templates ($name placeholders) are filled in first."""
    text = Template((SCENARIOS / name).read_text(encoding="utf-8")).substitute(values)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def media_keys(rtp_port: int, codec: Codec = MU_LAW) -> tuple[str, ...]:
    """The -key values of until_bye.xml's SDP offer: a test's RtpPeer port and its one codec."""
    return (
        *("-key", "rtp_port", str(rtp_port)),
        *("-key", "codec_pt", str(codec.payload_type)),
        *("-key", "codec_name", codec.name),
    )


@dataclass
class SippRun:
    returncode: int
    stdout: str
    errors: str
    logs: str  # what the scenario's log actions wrote (until_bye.xml: the 200 OK)

    def answered_formats(self) -> dict[int, str]:
        """The logged SDP answer's audio formats: payload type -> rtpmap name ('' if none)."""
        media = re.search(r"^m=audio \d+ RTP/AVP ([\d ]+?)\s*$", self.logs, re.MULTILINE)
        assert media is not None, f"no SDP answer in sipp's log: {self.logs[-2000:]}"
        names = dict(re.findall(r"^a=rtpmap:(\d+) ([^/\s]+)", self.logs, re.MULTILINE))
        return {int(pt): names.get(pt, "") for pt in media.group(1).split()}


async def run_sipp(
    target: str,
    folder: Path,
    *args: str,
    scenario_file: Path | None = None,
    local_ip: str = "127.0.0.1",
    calls: int = 1,
    timeout_s: float = 60.0,
) -> SippRun:
    """One sipp run (its own SIP and media ports), until its calls are done; exit code 0 means
    every call went as its scenario says."""
    which = ["-sf", str(scenario_file)] if scenario_file is not None else ["-sn", "uac"]
    run_id = free_port()
    error_file = folder / f"sipp-errors-{run_id}.log"
    log_file = folder / f"sipp-logs-{run_id}.log"
    process = await asyncio.create_subprocess_exec(
        "sipp",
        target,
        *which,
        "-i",
        local_ip,
        "-p",
        str(free_port(host=local_ip)),
        "-mp",
        str(free_port(host=local_ip)),
        "-m",
        str(calls),
        "-nostdin",
        "-timeout",
        f"{int(timeout_s)}s",
        "-timeout_error",
        "-trace_err",
        "-error_file",
        str(error_file),
        "-trace_logs",
        "-log_file",
        str(log_file),
        *args,
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout_s + 15)
    errors = error_file.read_text(errors="replace") if error_file.exists() else ""
    logs = log_file.read_text(errors="replace") if log_file.exists() else ""
    assert process.returncode is not None
    return SippRun(process.returncode, out.decode(errors="replace"), errors, logs)
