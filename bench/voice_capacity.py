"""Capacity with cloud speech, the production set-up: how many calls one process holds.

    .venv/bin/python -m bench.voice_capacity [--calls 25] [--every-s 10] [--duration-s 60]

The service (its own process) uses cloud STT and TTS, played here by local stand-ins with
realistic delays (tests/standins/speech_server.py: Whisper transcription 250 ms, speech 150 ms to
the first byte, streamed), with admission at its default LOAD_THRESHOLD. N aiortc callers
connect, hear the greeting, then each asks a question every EVERY_S seconds (staggered) for
DURATION_S. Reported: calls admitted, questions answered, answers with an audio gap over 100 ms
(a frame > 100 ms behind its real-time schedule), the server's load figure, and its CPU per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import time
from typing import Any

import httpx

from bench.machine import describe, percentile
from bench.voice_common import QUESTIONS, RESULTS, Speaker, cpu_s, service_process
from tests.caller import Caller
from tests.standins.speech_server import SpeechStandIn

GAP_MS = 100.0


def lateness_ms(times: list[float], pts: list[float], since: float) -> list[float]:
    """Per frame after `since`: how far behind its real-time schedule it arrived.

    The schedule is the frame's RTP timestamp, anchored at the earliest (arrival - timestamp)
    seen so far; a timestamp jump of over a second (a new sending track) starts a new anchor.
    """
    out: list[float] = []
    anchor = float("inf")
    last_pts: float | None = None
    for t, p in zip(times, pts, strict=False):
        if t < since:
            continue
        if last_pts is not None and abs(p - last_pts) > 1.0:
            anchor = float("inf")
        last_pts = p
        anchor = min(anchor, t - p)
        out.append((t - p - anchor) * 1000)
    return out


async def server_load(base: str) -> float:
    async with httpx.AsyncClient(base_url=base) as http:
        text = (await http.get("/metrics")).text
    match = re.search(r"^resume_agent_load (\S+)$", text, re.M)
    return float(match.group(1)) if match else float("nan")


async def caller_loop(
    caller: Caller, clips: list[Any], offset_s: float, every_s: float, until: float
) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []
    await asyncio.sleep(offset_s)
    i = 0
    while time.time() + every_s / 2 < until:
        t_next = time.time() + every_s
        pcm, tail = clips[i % len(clips)]
        end = await caller.say(pcm) - tail
        asked.append({"end": end})
        i += 1
        await asyncio.sleep(max(0.0, t_next - time.time()))
    return asked


async def run(base: str, pid: int, n: int, every_s: float, duration_s: float) -> dict[str, Any]:
    speaker = Speaker()
    clips = [speaker.say(q) for q in QUESTIONS]
    callers = [Caller(base) for _ in range(n)]
    try:
        responses = await asyncio.gather(*(c.connect(timeout_s=120) for c in callers), return_exceptions=True)
        admitted = [
            c
            for c, r in zip(callers, responses, strict=True)
            if isinstance(r, httpx.Response) and r.status_code == 200
        ]
        refused = n - len(admitted)
        await asyncio.gather(
            *(c.wait_quiet(quiet_s=2.0, timeout_s=180) for c in admitted), return_exceptions=True
        )
        cpu0, wall0 = cpu_s(pid), time.monotonic()
        until = time.time() + duration_s
        loads: list[float] = []

        async def sample_load() -> None:
            while time.time() < until:
                loads.append(await server_load(base))
                await asyncio.sleep(2)

        sampler = asyncio.create_task(sample_load())
        asked = await asyncio.gather(
            *(
                caller_loop(c, clips, every_s * k / max(1, len(admitted)), every_s, until)
                for k, c in enumerate(admitted)
            )
        )
        await asyncio.sleep(every_s / 2)  # the last answers
        cpu = cpu_s(pid) - cpu0
        wall = time.monotonic() - wall0
        await sampler
        questions = answered = gapped = 0
        firsts: list[float] = []
        for c, qs in zip(admitted, asked, strict=True):
            for k, q in enumerate(qs):
                questions += 1
                nxt = qs[k + 1]["end"] if k + 1 < len(qs) else float("inf")
                first = c.received.first_speech_after(q["end"])
                if first is None or first > nxt:
                    continue
                answered += 1
                firsts.append((first - q["end"]) * 1000)
                idx = [i for i, t in enumerate(c.received.times) if first <= t < min(nxt, first + 8)]
                times, pts = [c.received.times[i] for i in idx], [c.received.pts[i] for i in idx]
                gapped += max(lateness_ms(times, pts, first), default=0.0) > GAP_MS
    finally:
        await asyncio.gather(*(c.close() for c in callers), return_exceptions=True)
    calls = len(admitted)
    return {
        "machine": describe(),
        "load_average": round(os.getloadavg()[0], 1),
        "calls_offered": n,
        "calls_admitted": calls,
        "calls_refused": refused,
        "questions": questions,
        "answered": answered,
        "answers_with_gap_over_100ms": gapped,
        "first_audio_p50_ms": round(percentile(firsts, 0.5), 1),
        "first_audio_p90_ms": round(percentile(firsts, 0.9), 1),
        "server_load_p50": round(percentile(loads, 0.5), 2),
        "server_load_max": round(max(loads, default=float("nan")), 2),
        "server_cpu_cores": round(cpu / wall, 2),
        "cpu_per_call_pct_of_core": round(100 * cpu / wall / max(1, calls), 1),
    }


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "voice_capacity.json").write_text(json.dumps(result, indent=2) + "\n")
    r = result
    lines = [
        "# Capacity with cloud speech (stand-ins: STT 250 ms, TTS 150 ms to first byte)",
        "",
        f"Machine: {r['machine']}; shared with other jobs while measured (load average {r['load_average']}),",
        "and the callers (aiortc, one process) run on the same 2 cores: figures are noisy.",
        "",
        "| offered | admitted | questions | answered | gaps > 100 ms | first audio p50 / p90"
        " | load p50 / max | server CPU | CPU per call |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {r['calls_offered']} | {r['calls_admitted']} | {r['questions']} | {r['answered']}"
        f" | {r['answers_with_gap_over_100ms']} | {r['first_audio_p50_ms']} / {r['first_audio_p90_ms']} ms"
        f" | {r['server_load_p50']} / {r['server_load_max']} | {r['server_cpu_cores']} cores"
        f" | {r['cpu_per_call_pct_of_core']}% of a core |",
        "",
    ]
    (RESULTS / "voice_capacity.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--every-s", type=float, default=10.0)
    parser.add_argument("--duration-s", type=float, default=60.0)
    args = parser.parse_args()
    standin = SpeechStandIn(
        stt_delay_s=0.25, tts_first_byte_s=0.15, transcript=lambda k: QUESTIONS[k % len(QUESTIONS)]
    ).start()
    env = {
        "MAX_CALLS": str(args.calls + 5),
        "STT_PROVIDER": "groq",
        "GROQ_API_KEY": "standin",
        "STT_BASE_URL": standin.base_url,
        "TTS_PROVIDER": "openai",
        "OPENAI_API_KEY": "standin",
        "TTS_BASE_URL": standin.base_url,
    }
    try:
        with service_process(None, **env) as (base, pid):
            result = asyncio.run(run(base, pid, args.calls, args.every_s, args.duration_s))
    finally:
        standin.stop()
    write(result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
