"""Phone-path latency: end of caller speech to first agent audio at a Twilio Media Streams peer.

    .venv/bin/python -m bench.phone_latency [--questions 10]

Same questions, voice and models as bench.voice_latency (the browser path), but 8 kHz mu-law
over the media-stream WebSocket, so the two figures compare the transports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

import numpy as np

from bench.machine import describe, percentile
from bench.voice_common import QUESTIONS, RESULTS, Speaker, service
from tests.phone.twilio_client import TwilioPeer

SECRET = "bench-phone-secret-0123456789"


def to_8k(pcm48k: np.ndarray) -> np.ndarray:
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 6]
    return usable.reshape(-1, 6).mean(axis=1).astype(np.int16)


async def wait_quiet(peer: TwilioPeer, after: float, quiet_s: float = 1.0, timeout_s: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        first = peer.speech_after(after)
        if first is not None:
            loud = [
                at
                for at, pcm in peer.received
                if at >= first and np.abs(np.frombuffer(pcm, np.int16)).max() > 600
            ]
            if loud and loop.time() - loud[-1] > quiet_s:
                return
        await asyncio.sleep(0.05)
    raise RuntimeError("the agent never finished speaking")


async def run(base: str, n: int) -> dict[str, object]:
    speaker = Speaker()
    clips = [speaker.say(QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
    peer = TwilioPeer(
        base.replace("http://", "ws://") + "/api/phone/twilio/stream", {"secret": SECRET, "from": "+15550100"}
    )
    await peer.connect()
    latencies: list[float] = []
    try:
        await wait_quiet(peer, after=0.0)  # the greeting
        for i, (pcm, tail_s) in enumerate(clips):
            speech_end = await peer.play(to_8k(pcm)) - tail_s
            await wait_quiet(peer, after=speech_end)
            first = peer.speech_after(speech_end)
            assert first is not None
            latencies.append((first - speech_end) * 1000)
            print(f"{QUESTIONS[i % len(QUESTIONS)]:42} {latencies[-1]:7.1f} ms")
    finally:
        await peer.hang_up()
    return {
        "machine": describe(),
        "questions": n,
        "p50_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(percentile(latencies, 0.9), 1),
        "all_ms": [round(v, 1) for v in latencies],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    with service(PHONE_STREAM_SECRET=SECRET) as base:
        result = asyncio.run(run(base, args.questions))
    (RESULTS / "phone_latency.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
