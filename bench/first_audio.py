"""First audio: how long an answer's first TTS chunk should be, by first-audio time and CPU.

    .venv/bin/python -m bench.first_audio [--repeats 3]

For the spoken answers to the bench questions (resume engine, spoken form), each way of cutting
them is synthesized with the shared Piper voice, chunk by chunk as the call does: first audio is
the first chunk's synthesis time; CPU per second of speech is the CPU all chunks took over the
audio's length; a gap is a chunk not ready when the audio before it has played (synthesis in
sequence, playback from the first chunk's end). Run alone, so the figures are Piper's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench.machine import describe, percentile
from bench.voice_common import QUESTIONS, RESULTS
from config.settings import Settings
from pipeline.answer_processor import spoken_form
from pipeline.chunking import speech_chunks, split_sentences
from pipeline.models import load_piper, piper_voice_path
from pipeline.tts import synthesize_pcm
from tools.engine import ResumeEngine
from tools.resume_model import load_sample_resume

OPTIONS = ["sentences", "first 8", "first 6", "first 4", "first 3", "first 2"]


def cut(text: str, option: str) -> list[str]:
    if option == "sentences":
        return split_sentences(text)
    return speech_chunks(text, first_words=int(option.split()[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    voice = load_piper(piper_voice_path(Settings(_env_file=None)), 2)  # type: ignore[call-arg]
    rate = voice.config.sample_rate
    engine = ResumeEngine(load_sample_resume())
    answers = [spoken_form(engine.answer(q)[0].answer, 3, 60) for q in QUESTIONS]
    synthesize_pcm(voice, "Warming up the voice.")
    rows: dict[str, dict[str, object]] = {}
    for option in OPTIONS:
        first_ms: list[float] = []
        cpu = audio_s = 0.0
        gaps = chunks_n = 0
        words_first: list[int] = []
        for _ in range(args.repeats):
            for text in answers:
                chunks = cut(text, option)
                chunks_n += len(chunks)
                words_first.append(len(chunks[0].split()))
                playout_end = 0.0
                t0 = time.perf_counter()
                for i, chunk in enumerate(chunks):
                    c0 = time.process_time()
                    pcm = synthesize_pcm(voice, chunk)
                    cpu += time.process_time() - c0
                    done = time.perf_counter() - t0
                    seconds = len(pcm) / 2 / rate
                    audio_s += seconds
                    if i == 0:
                        first_ms.append(done * 1000)
                        playout_end = done + seconds
                    else:
                        gaps += done > playout_end
                        playout_end = max(playout_end, done) + seconds
        rows[option] = {
            "first_audio_p50_ms": round(statistics.median(first_ms), 1),
            "first_audio_p90_ms": round(percentile(first_ms, 0.9), 1),
            "first_chunk_words_median": statistics.median(words_first),
            "cpu_per_speech_s": round(cpu / audio_s, 3),
            "chunks_per_answer": round(chunks_n / (len(answers) * args.repeats), 1),
            "gaps": gaps,
        }
        print(option, rows[option])
    result = {"machine": describe(), "answers": len(answers), "repeats": args.repeats, "options": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "first_audio.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# First audio: first TTS chunk length (Piper en_US-joe-medium)",
        "",
        f"Machine: {result['machine']} (shared with other jobs while measured: noisy).",
        f"{len(answers)} spoken answers x {args.repeats}; synthesis chunk by chunk as in a call.",
        "",
        "| cut | first chunk words (median) | first audio p50 | p90 | CPU per s of speech | chunks | gaps |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {k} | {v['first_chunk_words_median']} | {v['first_audio_p50_ms']} ms"
            f" | {v['first_audio_p90_ms']} ms | {v['cpu_per_speech_s']} s | {v['chunks_per_answer']}"
            f" | {v['gaps']} |"
            for k, v in rows.items()
        ],
        "",
    ]
    (RESULTS / "first_audio.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
