"""Whether a turn that sounds and reads finished may still be a fragment of a question.

Smart Turn's verdict and the grammar (`pipeline/unfinished.py`) miss the fragments that are
sentences of their own, above all those Whisper completes itself ("What did Jordan build at"
-> "What did Jordan build it?"). Three weaker signals catch most of them, each general, with
its threshold in `data/turn_doubt.json`:

  * Smart Turn's probability of a complete turn, not only its verdict: a whole question scores
    >= 0.9 nine times in ten, a fragment it calls complete often far less;
  * Whisper's own confidence (the mean log-probability of its tokens): a transcript it had to
    finish itself is a guess;
  * the resume engine: words it has no specific answer for (a refusal, "not understood", a
    request to clarify) are more likely a fragment than a question.

A doubtful turn is not made to wait longer: its answer is prepared at once and only its first
audio waits (`pipeline/turn_stop.py`), so a whole question pays little for the doubt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DOUBT_PATH = Path(__file__).parent / "data" / "turn_doubt.json"

# What the resume engine makes of a text: its intent, or None when it cannot say.
EngineIntent = Callable[[str], str | None]


@dataclass(frozen=True)
class TurnSignals:
    text: str
    probability: float | None = None  # Smart Turn's P(complete); None when it gave none
    stt_logprob: float | None = None  # Whisper's mean token log-probability, when it reports one


class TurnDoubt:
    def __init__(self, data: dict[str, Any]) -> None:
        self._probability_below = float(data["smart_turn_probability_below"]["value"])
        self._logprob_below = float(data["stt_logprob_below"]["value"])
        self._unsure_intents = set(data["engine_unsure_intents"]["intents"])

    @classmethod
    def load(cls, path: Path = DOUBT_PATH) -> TurnDoubt:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def reason(self, signals: TurnSignals, engine_intent: EngineIntent | None = None) -> str | None:
        """Why the turn is doubtful, or None; the cheap signals first, the engine last."""
        if signals.probability is not None and signals.probability < self._probability_below:
            return "smart turn unsure"
        if signals.stt_logprob is not None and signals.stt_logprob < self._logprob_below:
            return "stt unsure"
        if engine_intent is not None and engine_intent(signals.text) in self._unsure_intents:
            return "no specific answer"
        return None


def engine_intent(answerer: Any) -> EngineIntent:
    """The intent the resume engine gives `text` (the `Answerer`'s engine, as last loaded)."""

    def intent(text: str) -> str | None:
        try:
            result, _ = answerer.source.cached_engine.answer(text)
        except Exception:  # a doubt signal must never cost the turn
            log.exception("engine failed on a turn's words")
            return None
        return str(result.intent)

    return intent


@cache
def default_doubt() -> TurnDoubt:
    return TurnDoubt.load()
