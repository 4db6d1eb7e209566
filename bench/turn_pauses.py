"""Turn-taking with pauses, over a real WebRTC call: does the agent wait for the rest of a question?

    .venv/bin/python -m bench.turn_pauses [--pauses 0.5,0.8] [--label after] [--env KEY=VALUE ...]

The spoken pause set (bench/pause_set.py: questions synthesized whole with a pause inserted at
a random word boundary, five voice styles) is said one question at a time; each question is also
said without its pause, to measure what waiting costs. Then a backchannel set ("mm-hm", "okay",
a cough, a knock) is said over the agent's answers, and real interruptions (new questions of
three or more words) after them.

Per question with a pause:
  * premature: the server closed more than one turn for the question (each closed turn sends a
    user transcript): it ended the turn in the pause;
  * fragment stored: more than one user turn stored for the question (a merged one counts once).
Backchannels: stopped = the agent's answer was cut (an "interrupted" message); interruptions:
time from the interruption's onset to the agent's audio stopping.

Answers are kept to one sentence (SPOKEN_MAX_SENTENCES=1) so a run takes ~20 minutes.
`--env TURN_TEXT_AWARE=false --env TURN_MERGE_WINDOW_S=0` measures the Smart-Turn-only
behaviour it replaced.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bench.machine import describe, percentile
from bench.pause_set import (
    BACKCHANNELS,
    INTERRUPTIONS,
    NOISES,
    QUESTIONS,
    VOICES,
    Clip,
    PauseSet,
    noise,
    voiced_start,
)
from bench.voice_common import RESULTS, service
from tests.caller import Caller

SETTLE_S = 1.2  # the agent silent this long after its answer: the exchange is over


def _messages(caller: Caller, since: int) -> list[tuple[float, dict[str, Any]]]:
    return [
        (float(m["_t"]), m["data"])
        for m in caller.messages[since:]
        if m.get("type") == "server-message" and isinstance(m.get("data"), dict)
    ]


async def ask(caller: Caller, clip: Clip) -> dict[str, Any]:
    since = len(caller.messages)
    await asyncio.wait_for(caller.say(clip.pcm), timeout=len(clip.pcm) / 48000 + 20)
    start = caller.mic.sent_speech_from
    speech_end = start + clip.voiced_end_s
    with contextlib.suppress(TimeoutError, AssertionError):  # no answer, or one that goes on
        await caller.wait_quiet(after=speech_end, quiet_s=SETTLE_S, timeout_s=30)
    await _messages_settled(caller)
    messages = _messages(caller, since)
    users = [(t, m) for t, m in messages if m.get("type") == "transcript" and m.get("role") == "user"]
    first = caller.received.first_speech_after(speech_end)
    return {
        # Each user transcript the server sends closes a turn: two for one question means it
        # closed one in the pause (a merge then replaces the fragment; it still counts here).
        # So is a first turn that lacks the words after the pause (the rest dropped, or lost).
        "premature": len(users) > 1 or (bool(users) and not _covers(users[0][1].get("text", ""), clip.after)),
        "user_turns": len([m for _, m in users if not m.get("replaces")]),
        "heard": [m.get("text", "") for _, m in users],
        "client_ms": round((first - speech_end) * 1000, 1) if first is not None else None,
    }


async def talk_over(caller: Caller, pcm: Any, into_answer_s: float = 0.6) -> dict[str, Any] | None:
    """Say `pcm` `into_answer_s` after the agent starts answering; what happened to the answer."""
    since = len(caller.messages)
    asked_at = time.time()
    await poll_until(lambda: caller.received.first_speech_after(asked_at) is not None, 30)
    first = caller.received.first_speech_after(asked_at)
    assert first is not None
    await asyncio.sleep(max(0.0, first + into_answer_s - time.time()))
    if not caller.received.speaking_at(time.time() - 0.5, time.time()):
        return None  # the answer was already over: not a measurement
    await asyncio.wait_for(caller.say(pcm), timeout=len(pcm) / 48000 + 20)
    onset = caller.mic.sent_speech_from + voiced_start(pcm)
    with contextlib.suppress(TimeoutError, AssertionError):  # no answer, or one that goes on
        await caller.wait_quiet(after=onset, quiet_s=SETTLE_S, timeout_s=30)
    messages = _messages(caller, since)
    stopped_at = _silent_from(caller, onset)
    return {
        # (After the onset: an earlier answer's end can be reported late on a loaded machine.)
        "stopped": any(m.get("type") == "interrupted" and t > onset for t, m in messages),
        "answered": any(
            m.get("type") == "transcript" and m.get("role") == "user" and t > onset for t, m in messages
        ),
        "stop_ms": round((stopped_at - onset) * 1000, 1) if stopped_at is not None else None,
    }


def _covers(heard: str, words: str) -> bool:
    """Whether most of `words` (those of 3+ letters) are in `heard`, allowing STT's misspellings."""
    wanted = [w for w in re.findall(r"[a-z']+", words.lower()) if len(w) >= 3]
    if not wanted:
        return True
    found = sum(fuzz.partial_ratio(w, heard.lower()) >= 80 for w in wanted)
    return found * 2 >= len(wanted)


async def _messages_settled(caller: Caller, quiet_s: float = 1.5, most_s: float = 15.0) -> None:
    """Until no message of ours has come for `quiet_s` (a loaded machine answers late)."""
    deadline = time.time() + most_s
    while time.time() < deadline:
        ours = [m for m in caller.messages if m.get("type") == "server-message"]
        last = max((float(m["_t"]) for m in ours), default=0.0)
        if time.time() - last >= quiet_s:
            return
        await asyncio.sleep(0.1)


async def poll_until(predicate: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.01)


def _silent_from(caller: Caller, after: float, hold_s: float = 0.8) -> float | None:
    """The first time after `after` from which the agent stays silent for `hold_s`."""
    r = caller.received
    speech = [t for t, rms in zip(r.times, r.rms, strict=False) if t >= after and rms > 300]
    candidate = after
    for t in speech:
        if t - candidate >= hold_s:
            return candidate
        candidate = t
    return candidate if r.times and r.times[-1] - candidate >= hold_s else None


async def _call(base: str, refused_for_s: float = 90.0) -> Caller:
    deadline = time.monotonic() + refused_for_s
    while True:
        caller = Caller(base)
        response = await caller.connect()
        # A loaded machine refuses a call while the last one still winds down (503, Retry-After):
        # wait, as a caller would, rather than lose the run.
        if response.status_code != 503 or time.monotonic() > deadline:
            break
        await caller.close()
        await asyncio.sleep(float(response.headers.get("Retry-After", "2")))
    response.raise_for_status()
    with contextlib.suppress(TimeoutError):
        await caller.wait_quiet(timeout_s=30)  # the greeting
    return caller


async def run(
    base: str, pauses: list[float], n_questions: int, reps: int = 2, talk_over_first: bool = False
) -> dict[str, Any]:
    pause_set = PauseSet()
    jobs: list[list[tuple[int, str, float, Clip]]] = []  # one call per question, as a caller would
    for i in range(n_questions):
        voice = VOICES[i % len(VOICES)]
        jobs.append([(i, voice.name, pause, pause_set.question(i, voice, pause)) for pause in [0.0, *pauses]])
    background = [(kind, noise(kind)) for kind in NOISES] + [
        (text, pause_set.phrase(text)) for text in BACKCHANNELS
    ]
    interruptions = [(text, pause_set.phrase(text)) for text in INTERRUPTIONS]
    lead_in = pause_set.question(6, VOICES[0], 0.0).pcm  # a question with a long answer

    rows: list[dict[str, Any]] = []
    over: list[dict[str, Any]] = []
    if talk_over_first and reps:
        await _talk_over_phase(base, background * reps, interruptions * reps, lead_in, over)
    for call in jobs:
        caller = await _call(base)
        try:
            for i, voice_name, pause, clip in call:
                row = {"question": QUESTIONS[i], "voice": voice_name, "pause_s": pause, "before": clip.before}
                try:
                    row.update(await ask(caller, clip))
                except TimeoutError:
                    row["lost"] = True  # the call broke down (a starved machine): left out
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            await caller.close()
    if not talk_over_first and reps:
        await _talk_over_phase(base, background * reps, interruptions * reps, lead_in, over)
    return summarize(rows, over, pauses)


async def _talk_over_phase(
    base: str,
    background: list[tuple[str, Any]],
    interruptions: list[tuple[str, Any]],
    lead_in: Any,
    over: list[dict[str, Any]],
) -> None:
    """Backchannels and noises, then real interruptions, said over the answers of one call."""
    caller = await _call(base)
    try:
        for kind, items in (("backchannel", background), ("interruption", interruptions)):
            for label, pcm in items:
                task = asyncio.create_task(talk_over(caller, pcm))
                try:
                    await asyncio.wait_for(caller.say(lead_in), timeout=30)
                    result = await task
                except TimeoutError:
                    result = None
                if result is not None:
                    over.append({"kind": kind, "said": label, **result})
                    print(json.dumps(over[-1]), flush=True)
                with contextlib.suppress(TimeoutError, AssertionError):
                    await caller.wait_quiet(quiet_s=SETTLE_S, timeout_s=60)
                await _messages_settled(caller)
    finally:
        await caller.close()


def summarize(rows: list[dict[str, Any]], over: list[dict[str, Any]], pauses: list[float]) -> dict[str, Any]:
    by_pause: dict[str, Any] = {}
    # A question the server heard nothing of (the call broke down on a starved machine) is left out.
    lost = len([r for r in rows if r.get("lost") or not r.get("heard")])
    rows = [r for r in rows if not r.get("lost") and r.get("heard")]
    for pause in pauses:
        subset = [r for r in rows if r["pause_s"] == pause]
        by_pause[f"{int(pause * 1000)}ms"] = {
            "questions": len(subset),
            "premature_pct": round(100 * sum(r["premature"] for r in subset) / max(1, len(subset)), 1),
            "fragment_stored_pct": round(
                100 * sum(r["user_turns"] > 1 for r in subset) / max(1, len(subset)), 1
            ),
        }
    whole = [r["client_ms"] for r in rows if r["pause_s"] == 0 and r["client_ms"] is not None]
    bc = [o for o in over if o["kind"] == "backchannel"]
    real = [o for o in over if o["kind"] == "interruption"]
    stops = [o["stop_ms"] for o in real if o["stop_ms"] is not None]
    return {
        "machine": describe(),
        "lost": lost,
        "pauses": by_pause,
        "no_pause": {
            "questions": len(whole),
            "client_p50_ms": round(percentile(whole, 0.5), 1),
            "client_p90_ms": round(percentile(whole, 0.9), 1),
            "premature_pct": round(
                100 * sum(r["premature"] for r in rows if r["pause_s"] == 0) / max(1, len(whole)), 1
            ),
        },
        "backchannels": {
            "said": len(bc),
            "stopped_pct": round(100 * sum(o["stopped"] for o in bc) / max(1, len(bc)), 1),
            "answered_pct": round(100 * sum(o["answered"] for o in bc) / max(1, len(bc)), 1),
        },
        "interruptions": {
            "said": len(real),
            "stopped_pct": round(100 * sum(o["stopped"] for o in real) / max(1, len(real)), 1),
            "stop_p50_ms": round(percentile(stops, 0.5), 1),
            "stop_max_ms": max(stops) if stops else None,
        },
        "rows": rows,
        "talk_over": over,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pauses", default="0.5,0.8")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--label", default="after")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the service")
    parser.add_argument(
        "--talk-over-reps", type=int, default=2, help="each backchannel/interruption this often"
    )
    parser.add_argument("--talk-over-first", action="store_true")
    parser.add_argument("--from-log", help="summarize the rows a run printed (e.g. one cut short)")
    args = parser.parse_args()
    if args.from_log:
        lines = [json.loads(x) for x in Path(args.from_log).read_text().splitlines() if x.startswith("{")]
        rows = [x for x in lines if "question" in x]
        over = [x for x in lines if "kind" in x]
        pauses_seen = sorted({r["pause_s"] for r in rows if r["pause_s"] > 0})
        _write(summarize(rows, over, pauses_seen), args.label, {"from_log": "true"})
        return
    env = {"SPOKEN_MAX_SENTENCES": "1", **dict(e.split("=", 1) for e in args.env)}
    pauses = [float(p) for p in args.pauses.split(",")]
    with service(**env) as base:
        result = asyncio.run(run(base, pauses, args.questions, args.talk_over_reps, args.talk_over_first))
    _write(result, args.label, env)


def _write(result: dict[str, Any], label: str, env: dict[str, str]) -> None:
    result["label"], result["env"] = label, env
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"turn_pauses_{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("rows", "talk_over")}, indent=2))


if __name__ == "__main__":
    main()
