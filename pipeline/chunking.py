"""Cut a spoken answer into growing chunks for TTS, so the first audio leaves early.

Piper synthesizes a chunk whole before any of its audio exists, at about 25 ms + 30 ms a word
on this machine: a 20-word first sentence is ~0.6 s of silence, a 4-word first phrase ~0.15 s.
Later chunks only have to be ready before the audio in front of them has played (a word lasts
~0.35 s), so each chunk may be `growth` times longer than the one before, which keeps the number
of cuts (each an audible phrase break, and a fixed cost per synthesis) small. Cuts fall at clause
punctuation or before a phrase-starting word (pipeline/data/phrasing.json), never after a word
that leaves the listener hanging ("the", "of"). bench/first_audio.py measured the first length.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_CLAUSE_END = (",", ";", ":")

FIRST_WORDS = 4
GROWTH = 2.0
MAX_WORDS = 40


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


@lru_cache(maxsize=1)
def _phrasing() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(resources.files("pipeline").joinpath("data/phrasing.json").read_text(encoding="utf-8"))
    return frozenset(data["phrase_starts"]), frozenset(data["no_end"])


def _bare(word: str) -> str:
    return word.strip("\"'()[],.;:!?").lower()


def _cut(words: list[str], lo: int, hi: int, target: float) -> int | None:
    """Where to end the chunk (`words[:i]`), lo <= i <= hi: a clause end first, then a phrase start."""
    starts, no_end = _phrasing()
    clause = [i for i in range(lo, hi + 1) if words[i - 1].endswith(_CLAUSE_END)]
    phrase = [i for i in range(lo, hi + 1) if _bare(words[i]) in starts and _bare(words[i - 1]) not in no_end]
    for found in (clause, phrase):
        if found:
            return min(found, key=lambda i: abs(i - target))
    return None


def speech_chunks(
    text: str, first_words: int = FIRST_WORDS, growth: float = GROWTH, max_words: int = MAX_WORDS
) -> list[str]:
    """The text as TTS chunks: ~first_words, then each up to `growth` times the previous."""
    _, no_end = _phrasing()
    chunks: list[str] = []
    target = float(max(1, first_words))
    for sentence in split_sentences(text):
        words = sentence.split()
        while words:
            n = len(words)
            cut: int | None
            if n <= math.ceil(target * 1.5):
                cut = n
            else:
                lo, hi = max(2, round(target * 0.75)), min(n - 2, round(target * 1.5))
                cut = _cut(words, lo, hi, target) if lo <= hi else None
                if cut is None:
                    # No natural break near the target: the next one, else the whole sentence
                    # when it is not much longer, else a cut that at least avoids a hanging word.
                    cut = _cut(words, hi + 1, min(n - 2, round(target * 3)), target)
                if cut is None:
                    if n <= target * 3:
                        cut = n
                    else:
                        cut = max(lo, hi)
                        while cut > 2 and _bare(words[cut - 1]) in no_end:
                            cut -= 1
            assert cut is not None
            chunks.append(" ".join(words[:cut]))
            words = words[cut:]
            target = min(float(max_words), target * growth)
    return chunks
