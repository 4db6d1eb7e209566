"""How two pieces of speech relate: a backchannel, the rest of the last question, or a new one.

Used when the caller speaks again just after a question was closed (see `ContinuationWindow`):
"Where did Jordan go?" + "to University." is one question cut in two by a pause, while
"Wait, tell me about their education" is a new one and "Mm-hm" is neither. Word lists live in
`data/backchannels.json` and `data/turn_grammar.json`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from pipeline.unfinished import GRAMMAR_PATH, TurnGrammar, default_grammar

BACKCHANNELS_PATH = Path(__file__).parent / "data" / "backchannels.json"

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z]+)*")
# A rest of a question this short carries no question of its own ("Kafka.", "in Python").
SHORT_REST_WORDS = 3
# A question this surely unfinished takes whatever follows (a trailing comma alone is not enough).
SURELY_UNFINISHED = 0.5


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _sound(word: str) -> str:
    """Spellings of one sound made alike: STT writes "Mm-hmm", "MMHM", "Mhm" for the same one."""
    return re.sub(r"(.)\1+", r"\1", word.replace("-", ""))


class Fragments:
    def __init__(self, backchannels: list[str], grammar: TurnGrammar, data: dict[str, object]) -> None:
        self._backchannels = sorted(
            {tuple(_sound(w) for w in _words(p)) for p in backchannels}, key=len, reverse=True
        )
        self._grammar = grammar
        classes: dict[str, dict[str, list[str]]] = data["ending_classes"]  # type: ignore[assignment]
        self._joining = {
            w
            for name in ("determiner", "preposition", "conjunction", "leading_adverb")
            for w in classes[name]["words"]
        }
        openers = data["new_question_openers"]  # type: ignore[index]
        self._openers = (
            set(data["wh_openers"])  # type: ignore[call-overload]
            | set(data["yes_no_openers"])  # type: ignore[call-overload]
            | set(openers)  # type: ignore[call-overload]
        )

    def content_words(self, text: str) -> list[str]:
        """The words of `text` that are not backchannels ("okay so where" -> ["so", "where"])."""
        words = _words(text)
        sounds = [_sound(w) for w in words]
        kept: list[str] = []
        i = 0
        while i < len(words):
            for phrase in self._backchannels:
                if tuple(sounds[i : i + len(phrase)]) == phrase:
                    i += len(phrase)
                    break
            else:
                kept.append(words[i])
                i += 1
        return kept

    def is_backchannel(self, text: str) -> bool:
        return bool(_words(text)) and not self.content_words(text)

    def continues(self, previous: str, text: str) -> bool:
        """Whether `text` reads as the rest of the question `previous`, not as a question of its own."""
        words = self.content_words(text)
        if not words or words[0] in self._openers:
            return False  # nothing said, or a question of its own ("Wait, tell me...", "Does she...")
        if self._grammar.judge(previous).weight >= SURELY_UNFINISHED:
            return True
        return words[0] in self._joining or len(words) <= SHORT_REST_WORDS

    def join(self, previous: str, text: str) -> str:
        head = previous.rstrip().rstrip(".?!…,;:- ").rstrip()
        tail = text.strip()
        first = tail.split()[0] if tail.split() else ""
        if first and first.lower().strip(",.") in self._joining:
            tail = tail[0].lower() + tail[1:]  # "to University." -> "to University."; "With" -> "with"
        return f"{head} {tail}".strip()


@cache
def default_fragments() -> Fragments:
    backchannels = json.loads(BACKCHANNELS_PATH.read_text(encoding="utf-8"))["phrases"]
    data = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
    return Fragments(backchannels, default_grammar(), data)
