"""Memory per call: RSS of `resume-agent serve` over many sequential one-question browser calls.

    .venv/bin/python -m bench.memory [--calls 100]

Each call connects over WebRTC (aiortc on loopback), hears the greeting, asks one Piper-spoken
question, hears the answer and hangs up; the next starts once the server has no call left. The
service's RSS is read after the first call and every 10 calls after it. Target: < 20 MB of
growth over 100 calls after the first (issue 14).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from bench.machine import describe
from bench.voice_common import QUESTIONS, RESULTS, Speaker, rss_mb, service_process
from tests.caller import Caller


async def active_calls(base: str) -> float:
    async with httpx.AsyncClient(base_url=base) as http:
        text = (await http.get("/metrics")).text
    for line in text.splitlines():
        if line.startswith("resume_agent_active_calls "):
            return float(line.split()[1])
    return 0.0


async def no_calls(base: str, timeout_s: float = 30.0) -> None:
    """Until the server has no call left (its cleanup done), polling its /metrics."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await active_calls(base) == 0:
            return
        await asyncio.sleep(0.2)  # noqa: ASYNC110  (another process: nothing to wait on but polling)


async def settled_rss(pid: int, timeout_s: float = 15.0, steady_s: float = 1.5) -> float:
    """RSS once the hang-up's cleanup has handed its pages back (malloc_trim runs in a thread after
    the call's task ends, and a call's freed TTS memory is +100-280 MB until then): until it has
    stayed within 1 MB for `steady_s`. Between calls nothing else runs, so it then stays flat."""
    deadline = time.monotonic() + timeout_s
    reads = [rss_mb(pid)]
    needed = round(steady_s / 0.25)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)  # noqa: ASYNC110  (another process's memory: nothing to await)
        reads.append(rss_mb(pid))
        recent = reads[-needed - 1 :]
        if len(recent) > needed and max(recent) - min(recent) < 1.0:
            return reads[-1]
    return reads[-1]


def load_average() -> float:
    with open("/proc/loadavg", encoding="utf-8") as f:
        return float(f.read().split()[0])


async def one_call(base: str, pcm: object, tail_s: float, phases: dict[str, float] | None = None) -> bool:
    """One call; `phases` gets how long each part took, s (to tell a slow bench from a slow service)."""
    caller = Caller(base)
    times = phases if phases is not None else {}
    t = time.time()

    def mark(name: str) -> None:
        nonlocal t
        now = time.time()
        times[name] = round(now - t, 2)
        t = now

    try:
        (await caller.connect()).raise_for_status()
        mark("connect")
        connected = time.time()
        await caller.wait_quiet(quiet_s=1.0, timeout_s=60)  # the greeting
        greeted = caller.received.first_speech_after(connected)
        mark("greeting")
        end = await caller.say(pcm) - tail_s  # type: ignore[arg-type]
        mark("question")
        await caller.wait_quiet(after=end, quiet_s=1.0, timeout_s=60)
        answered = caller.received.first_speech_after(end)
        mark("answer")
        if greeted is not None and answered is not None:
            times["greeting_first_audio"] = round(greeted - connected, 2)
            times["answer_first_audio"] = round(float(answered - end), 2)
        return answered is not None
    finally:
        await caller.close()
        mark("close")


async def run(base: str, pid: int, n: int) -> dict[str, object]:
    speaker = Speaker()
    clips = [speaker.say(q) for q in QUESTIONS]
    samples: list[dict[str, float]] = []
    answered = 0
    started = time.monotonic()
    for i in range(n):
        pcm, tail = clips[i % len(clips)]
        t0 = time.monotonic()
        phases: dict[str, float] = {}
        ok = await one_call(base, pcm, tail, phases)
        answered += ok
        t1 = time.monotonic()
        await no_calls(base)
        print(
            f"call {i + 1}: {'answered' if ok else 'NOT answered'} in {t1 - t0:.1f} s,"
            f" ended after {time.monotonic() - t1:.1f} s; {phases}"
        )
        if i == 0 or (i + 1) % 5 == 0 or i == n - 1:
            rss = await settled_rss(pid)
            samples.append({"calls": i + 1, "rss_mb": round(rss, 1), "load_1min": load_average()})
            print(f"after {i + 1:3} calls: RSS {samples[-1]['rss_mb']} MB, load {samples[-1]['load_1min']}")
            write(summary(samples, i + 1, answered, started))  # so far: a long run can be stopped
    return summary(samples, n, answered, started)


def summary(samples: list[dict[str, float]], n: int, answered: int, started: float) -> dict[str, object]:
    first = samples[0]["rss_mb"]
    last = samples[-1]["rss_mb"]
    n = int(samples[-1]["calls"])
    return {
        "machine": describe(),
        "calls": n,
        "answered": answered,
        "rss_after_first_mb": first,
        "rss_after_last_mb": last,
        "growth_after_first_mb": round(last - first, 1),
        "growth_per_call_kb": round((last - first) * 1024 / max(1, n - 1), 1),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "load_1min_mean": round(sum(x["load_1min"] for x in samples) / len(samples), 2),
        "samples": samples,
    }


def write(result: dict[str, object]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Memory per call (RSS of `resume-agent serve`)",
        "",
        f"Machine: {result['machine']} (shared with other jobs while measured).",
        f"{result['calls']} sequential one-question browser calls (WebRTC on loopback, local models);",
        f"{result['answered']} answered; 1-minute load average {result['load_1min_mean']} on average"
        " (2 cores).",
        "RSS is read once each sampled call's hang-up cleanup has settled (bench/memory.py).",
        "",
        "| RSS after the first call | after the last | growth after the first | per call |",
        "|---|---|---|---|",
        f"| {result['rss_after_first_mb']} MB | {result['rss_after_last_mb']} MB "
        f"| {result['growth_after_first_mb']} MB | {result['growth_per_call_kb']} kB |",
        "",
        "| calls | RSS MB | load (1 min) |",
        "|---|---|---|",
        *[f"| {s['calls']} | {s['rss_mb']} | {s['load_1min']} |" for s in result["samples"]],  # type: ignore[attr-defined]
        "",
    ]
    (RESULTS / "memory.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    with service_process(LOAD_THRESHOLD="1000") as (base, pid):
        result = asyncio.run(run(base, pid, args.calls))
    write(result)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))


if __name__ == "__main__":
    main()
