"""SIP-path latency: end of caller speech to the first agent RTP audio at a SIP caller, beside
the browser path (bench.voice_latency) measured on the same service in the same run.

    .venv/bin/python -m bench.sip_latency [--questions 12]

The service runs as its own process with its PJSIP endpoint on loopback; sipp places the call
and a real RTP stream (G.711 mu-law, 20 ms packets) carries the Piper-spoken questions, one at
a time, each answer waited for. The agent's RTP flows all call long (silence between answers),
so its first audio is its first loud packet after the question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from pathlib import Path

from bench import voice_latency
from bench.machine import describe, percentile
from bench.sip_common import SipCaller, sip_env
from bench.voice_common import QUESTIONS, RESULTS, Speaker, service
from tests.sip.rtp import to_8k


async def sip_run(target: str, n: int, speaker: Speaker) -> list[float]:
    clips = [speaker.say(QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="bench-sip-") as folder:
        caller = SipCaller(target, Path(folder), "+15550100")
        peer = await caller.start()
        latencies: list[float] = []
        try:
            await peer.wait_quiet(after=0.0, quiet_s=1.5)  # the greeting
            for i, (pcm, tail_s) in enumerate(clips):
                speech_end = await peer.say(to_8k(pcm)) - tail_s
                await peer.wait_quiet(after=speech_end, quiet_s=1.0)
                first = peer.speech_after(speech_end)
                assert first is not None
                latencies.append(round((first - speech_end) * 1000, 1))
                print(f"SIP  {QUESTIONS[i % len(QUESTIONS)]:42} {latencies[-1]:7.1f} ms")
        finally:
            await caller.hang_up()
    return latencies


async def run(base: str, target: str, n: int) -> dict[str, object]:
    sip = await sip_run(target, n, Speaker())
    browser = await voice_latency.run(base, n)
    return {
        "machine": describe(),
        "load_average_1m": round(os.getloadavg()[0], 1),  # other work on the machine meanwhile
        "questions": n,
        "sip_p50_ms": round(percentile(sip, 0.5), 1),
        "sip_p90_ms": round(percentile(sip, 0.9), 1),
        "browser_p50_ms": browser["client_p50_ms"],
        "browser_p90_ms": browser["client_p90_ms"],
        "sip_all_ms": sip,
        "browser_all_ms": [r["client_ms"] for r in browser["rows"]],  # type: ignore[attr-defined]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=12)
    args = parser.parse_args()
    env = sip_env()
    with service(**env) as base:
        result = asyncio.run(run(base, f"127.0.0.1:{env['SIP_PORT']}", args.questions))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sip_latency.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("all_ms")}, indent=2))


if __name__ == "__main__":
    main()
