"""The end-of-turn decision on the whole pause set, offline: real models, no real-time call.

    .venv/bin/python -m bench.turn_decisions [--voices joe,joe-slow,...] [--rejudge LOG]

For each question of the pause set (bench/pause_set.py) and voice style, the words before the
pause (cut from the question spoken whole, so they keep its intonation) go through what the
pipeline runs when VAD calls a stretch over: Smart Turn v3 (fed 20 ms chunks, then VAD's 0.2 s
of silence, through its public analyzer API) and Whisper tiny.en with the resume's vocabulary,
and `pipeline/unfinished.py` judges the transcript. The whole question goes through the same.

Each row also keeps Smart Turn's probability, Whisper's mean token log-probability and
no-speech probability, and the resume engine's intent and items for the words.

From the verdicts, when each policy would end the turn (seconds after the caller stopped):
  * before (Smart Turn alone): 0.2 s + STT if it says complete, else its 3 s silence timeout;
  * words: the grammar's waits (the table in docs/turn-taking.md);
  * after (this pipeline): words, plus the doubt hold to TURN_HOLD_S (pipeline/turn_doubt.py).
For whole questions, also when the first audio is ready: the answer (ANSWER_S) and Piper's first
phrase (TTS_S) after the turn's end, or at the end of a hold, when they were prepared in it.
With the caller resuming after a pause P, VAD reports the speech VAD_START_S later; the turn was
ended prematurely if it ended before that. STT_S is the median Whisper stage measured in
bench/voice_latency (a live call adds the load of the machine to it; this does not).

A real-time call on a loaded machine (bench/turn_pauses) measures the same thing end to end,
plus the fragment merge, but its figures swing with the machine's load; these do not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from bench.machine import describe, percentile
from bench.pause_set import QUESTIONS, VOICES, PauseSet
from bench.voice_common import RESULTS
from config.settings import Settings
from pipeline.analyzers import SharedSmartTurn
from pipeline.models import load_models
from pipeline.stt import LocalWhisper, vocabulary_prompt
from pipeline.turn_doubt import TurnSignals, default_doubt
from pipeline.unfinished import default_grammar
from tools.engine import ResumeEngine
from tools.resume_model import load_sample_resume

VAD_STOP_S = 0.2
VAD_START_S = 0.15
STT_S = 0.31
SMART_TURN_STOP_S = 3.0
PAUSES = [0.3, 0.5, 0.8, 1.2]
# The answer and Piper's first phrase, medians of bench/voice_latency.
ANSWER_S = 0.01
TTS_S = 0.236


def to_16k(pcm48k: np.ndarray) -> np.ndarray:
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 3]
    return usable.reshape(-1, 3).mean(axis=1).astype(np.int16)


async def smart_turn(analyzer: SharedSmartTurn, pcm16k: np.ndarray) -> tuple[bool, float]:
    """Smart Turn's verdict and its probability of a complete turn, as the call would get them."""
    analyzer.clear()
    chunk = 320  # 20 ms
    speech = np.concatenate([np.zeros(chunk * 5, np.int16), pcm16k])
    for i in range(0, len(speech), chunk):
        analyzer.append_audio(speech[i : i + chunk].tobytes(), True)
    silence = np.zeros(chunk, np.int16).tobytes()
    for _ in range(int(VAD_STOP_S / 0.02)):
        analyzer.append_audio(silence, False)
    state, metrics = await analyzer.analyze_end_of_turn()
    return state.name == "COMPLETE", float(
        getattr(metrics, "probability", 1.0 if state.name == "COMPLETE" else 0.0)
    )


def whisper_scores(whisper: LocalWhisper, pcm16k: np.ndarray) -> dict[str, float]:
    """Whisper's own confidence in a clip: mean log-probability of its tokens, and of no speech."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim

    audio = pcm16k.astype(np.float32) / 32768.0
    features = whisper.model.feature_extractor(audio)
    frames = min(3000, max(features.shape[1] + 100, 1000))
    window = ctranslate2.StorageView.from_array(np.ascontiguousarray(pad_or_trim(features, frames)[None]))
    tok = whisper.tokenizer
    prompt = ([tok.sot_prev, *whisper._prompt_ids] if whisper._prompt_ids else []) + [
        *tok.sot_sequence,
        tok.no_timestamps,
    ]
    max_length = min(448, len(prompt) + 12 + int(6.0 * len(audio) / 16000))
    result = whisper.model.model.generate(
        window, [prompt], beam_size=1, max_length=max_length, return_no_speech_prob=True, return_scores=True
    )[0]
    return {"logprob": round(float(result.scores[0]), 3), "no_speech": round(float(result.no_speech_prob), 3)}


def end_before(complete: bool) -> float:
    return VAD_STOP_S + STT_S if complete else SMART_TURN_STOP_S


def end_words(complete: bool, weight: float, max_wait_s: float) -> float:
    ready = VAD_STOP_S + STT_S
    if complete:
        return max(ready, weight * max_wait_s)
    if weight == 0:
        return max(ready, max_wait_s)
    return max(ready, min(SMART_TURN_STOP_S, max_wait_s * (1 + weight)))


def end_held(heard: dict[str, Any], max_wait_s: float, hold_s: float) -> tuple[float, bool]:
    """The turn's end with the doubt hold (pipeline/turn_doubt.py), and whether it was held."""
    end = end_words(heard["complete"], heard["weight"], max_wait_s)
    if end >= hold_s:
        return end, False
    signals = TurnSignals(heard["heard"], heard.get("probability"), heard.get("logprob"))
    doubtful = default_doubt().reason(signals, lambda _text: heard.get("intent")) is not None
    return (hold_s, True) if doubtful else (end, False)


def first_audio(end: float, speculated: bool) -> float:
    """When the first audio is ready: after the turn's end, or at it if it was prepared meanwhile."""
    ready = VAD_STOP_S + STT_S + ANSWER_S + TTS_S
    return max(end, ready) if speculated else max(end, VAD_STOP_S + STT_S) + ANSWER_S + TTS_S


async def run(voices: list[str]) -> dict[str, Any]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    models = load_models(settings)
    whisper = LocalWhisper(models.whisper, vocabulary_prompt(load_sample_resume()))
    analyzer = SharedSmartTurn(models.turn_session)
    analyzer.set_sample_rate(16000)
    grammar = default_grammar()
    engine = ResumeEngine(load_sample_resume())
    pause_set = PauseSet()
    rows: list[dict[str, Any]] = []
    for voice in [v for v in VOICES if v.name in voices]:
        for i in range(len(QUESTIONS)):
            clip = pause_set.question(i, voice, 0.0)
            whole = to_16k(clip.pcm)
            cut = int(pause_set.question(i, voice, 0.5).split_s * 16000)
            row: dict[str, Any] = {"voice": voice.name, "question": QUESTIONS[i], "before": clip.before}
            for name, audio in (("fragment", whole[:cut]), ("whole", whole)):
                text = whisper.transcribe(audio.tobytes())
                verdict = grammar.judge(text)
                complete, probability = await smart_turn(analyzer, audio)
                result, _ = engine.answer(text)
                row[name] = {
                    "heard": text,
                    "complete": complete,
                    "probability": round(probability, 3),
                    "weight": verdict.weight,
                    "reason": verdict.reason,
                    "intent": result.intent,
                    "items": len(result.items),
                    "refused": result.refused,
                    **whisper_scores(whisper, audio),
                }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return summarize(rows, settings.turn_unfinished_wait_s, settings.turn_hold_s)


def summarize(rows: list[dict[str, Any]], max_wait_s: float, hold_s: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "machine": describe(),
        "fragments": len(rows),
        "max_wait_s": max_wait_s,
        "hold_s": hold_s,
        "policies": {
            "before": "Smart Turn alone",
            "words": "Smart Turn + the grammar's waits",
            "after": "words + the doubt hold, answer prepared meanwhile",
        },
    }
    for policy in ("before", "words", "after"):

        def timed(r: dict[str, Any], p: str = policy) -> tuple[float, bool]:
            if p == "before":
                return end_before(r["complete"]), False
            if p == "words":
                return end_words(r["complete"], r["weight"], max_wait_s), False
            return end_held(r, max_wait_s, hold_s)

        def end(r: dict[str, Any]) -> float:
            return timed(r)[0]

        audio = [first_audio(*timed(r["whole"])) for r in rows]

        out[policy] = {
            "premature_pct": {
                f"{int(p * 1000)}ms": round(
                    100 * sum(end(r["fragment"]) < p + VAD_START_S for r in rows) / len(rows), 1
                )
                for p in PAUSES
            },
            # Whole questions: when the turn ends after the caller stopped (what waiting costs).
            "whole_end_p50_ms": round(1000 * statistics.median(end(r["whole"]) for r in rows)),
            "whole_end_p90_ms": round(1000 * percentile([end(r["whole"]) for r in rows], 0.9)),
            "whole_end_mean_ms": round(1000 * statistics.mean(end(r["whole"]) for r in rows)),
            # ...and when its first audio is ready (the caller hears it ~0.2 s later, over WebRTC).
            "whole_first_audio_p50_ms": round(1000 * statistics.median(audio)),
            "whole_first_audio_p90_ms": round(1000 * percentile(audio, 0.9)),
            "whole_held_pct": round(100 * sum(timed(r["whole"])[1] for r in rows) / len(rows), 1),
        }
    out["smart_turn_complete_pct"] = {
        k: round(100 * sum(r[k]["complete"] for r in rows) / len(rows), 1) for k in ("fragment", "whole")
    }
    out["text_unfinished_pct"] = {
        k: round(100 * sum(r[k]["weight"] > 0 for r in rows) / len(rows), 1) for k in ("fragment", "whole")
    }
    out["rows"] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", default=",".join(v.name for v in VOICES), help="voice styles, by name")
    parser.add_argument("--rejudge", help="a run's log: judge its transcripts again with the current grammar")
    args = parser.parse_args()
    if args.rejudge:
        lines = Path(args.rejudge).read_text().splitlines()
        rows = [json.loads(x) for x in lines if x.startswith('{"voice"')]
        for row in rows:
            for name in ("fragment", "whole"):
                verdict = default_grammar().judge(row[name]["heard"])
                row[name].update(weight=verdict.weight, reason=verdict.reason)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        result = summarize(rows, settings.turn_unfinished_wait_s, settings.turn_hold_s)
    else:
        result = asyncio.run(run(args.voices.split(",")))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "turn_decisions.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
