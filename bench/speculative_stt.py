"""What starting STT during the end-of-speech silence costs in accuracy and gains in time.

At the end of a question the call's VAD waits 0.2 s of silence (Silero `stop_secs`) before it
hands the utterance to STT. Speculative STT (STT_SPECULATE_AFTER_S) starts transcribing once the
VAD has heard that much of the silence, so the transcript is ready sooner. This replays every
utterance of the spoken set (bench/speech_set.py) through the call's own Silero VAD in 20 ms
frames, cuts it where a speculation would start, and transcribes both the cut and the whole
utterance as a call does (Whisper with the resume's prompt, then the resume-word correction).
It reports keyword accuracy and WER of each, how often the two transcripts differ, the time
won, and how many speculations a pause mid-question would have wasted.

    python -m bench.speculative_stt [--limit N] [--after 0.03 0.06 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass, field

from pipecat.audio.vad.vad_analyzer import VADParams, VADState

from bench.machine import describe, percentile
from bench.speech_set import RATE, Utterance, load
from bench.stt_accuracy import Score, whisper_engine
from bench.voice_common import RESULTS
from config.settings import Settings
from pipeline.analyzers import SharedSileroVAD
from pipeline.models import load_models
from pipeline.stt import vocabulary_prompt
from pipeline.stt_correction import TranscriptCorrector
from tools.resume_model import load_sample_resume
from tools.vocabulary import build_vocabulary

FRAME_BYTES = RATE // 50 * 2  # 20 ms, as WebRTC delivers it
TRAILING_SILENCE = bytes(RATE // 2 * 2)  # Pipecat's segmented STT pads 0.5 s
STOP_S = 0.2


@dataclass
class Replay:
    stop_at: int  # bytes fed when the VAD reported the end of speech
    # Each pause the VAD heard: (bytes fed at its onset, bytes it lasted before speech resumed).
    pauses: list[tuple[int, int]] = field(default_factory=list)


async def replay(vad: SharedSileroVAD, pcm: bytes) -> Replay:
    """Feed the utterance (plus silence) frame by frame; where did the VAD pause and stop?"""
    audio = pcm + bytes(RATE * 2)  # a second of silence: the VAD surely stops
    result = Replay(stop_at=len(audio))
    previous = VADState.QUIET
    for offset in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES):
        state = await vad.analyze_audio(audio[offset : offset + FRAME_BYTES])
        fed = offset + FRAME_BYTES
        if state == VADState.STOPPING and previous == VADState.SPEAKING:
            result.pauses.append((fed, 0))
        elif state == VADState.STOPPING and result.pauses:
            onset, _ = result.pauses[-1]
            result.pauses[-1] = (onset, fed - onset)
        if state == VADState.QUIET and previous in (VADState.SPEAKING, VADState.STOPPING):
            result.stop_at = fed
            break
        previous = state
    return result


async def run(limit: int | None, afters: list[float]) -> dict:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    models = load_models(settings)
    resume = load_sample_resume()
    vocabulary = build_vocabulary(resume)
    corrector = TranscriptCorrector(vocabulary)
    transcribe = whisper_engine(None, vocabulary_prompt(resume))
    utterances: list[Utterance] = [u for u in load(settings) if u.condition in ("clean", "phone")]
    if limit:
        utterances = utterances[:: max(1, len(utterances) // limit)]
    transcribe(utterances[0].pcm)  # warm up
    whole, cut = Score(), {a: Score() for a in afters}
    differ = dict.fromkeys(afters, 0)
    wasted = dict.fromkeys(afters, 0)
    won_ms: dict[float, list[float]] = {a: [] for a in afters}
    for u in utterances:
        vad = SharedSileroVAD(
            models.vad_session, params=VADParams(start_secs=settings.vad_start_s, stop_secs=STOP_S)
        )
        vad.set_sample_rate(RATE)
        r = await replay(vad, u.pcm)
        padded = u.pcm + bytes(RATE * 2)
        full_text = corrector.correct(transcribe(padded[: r.stop_at] + TRAILING_SILENCE))
        whole.add(u, full_text, vocabulary, 0.0)
        final_pause = r.pauses[-1][0] if r.pauses else r.stop_at
        for after in afters:
            point = final_pause + int(after * RATE) * 2
            # A speculation starts at every pause that lasts `after`; all but the last are wasted.
            wasted[after] += sum(1 for onset, lasted in r.pauses[:-1] if lasted >= after * RATE * 2)
            text = corrector.correct(transcribe(padded[:point] + TRAILING_SILENCE))
            cut[after].add(u, text, vocabulary, 0.0)
            differ[after] += text.strip().lower() != full_text.strip().lower()
            won_ms[after].append((r.stop_at - point) / 2 / RATE * 1000)
    n = len(utterances)
    return {
        "machine": describe(),
        "utterances": n,
        "conditions": ["clean", "phone"],
        "whole": _row(whole),
        "speculative": {
            f"{after:.2f}s": {
                **_row(cut[after]),
                "transcript_differs_pct": round(100 * differ[after] / n, 1),
                "won_ms_p50": round(percentile(won_ms[after], 0.5), 1),
                "wasted_per_utterance": round(wasted[after] / n, 2),
            }
            for after in afters
        },
    }


def _row(score: Score) -> dict[str, float]:
    row = score.row()
    return {"keywords": row["keywords"], "wer": row["wer"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="use about N utterances")
    parser.add_argument("--after", type=float, nargs="+", default=[0.03, 0.06, 0.1])
    args = parser.parse_args()
    result = asyncio.run(run(args.limit, args.after))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speculative_stt.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
