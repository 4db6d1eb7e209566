"""Is a transcript a whole question, or one that stops short of its end?

Rules over the shape of English questions, with the word lists in `data/turn_grammar.json`:
a question cannot end on an article ("the"), a possessive ("Jordan's"), a dangling conjunction
("and"), a bare auxiliary ("What is"), a wh-word with nothing after it, a filler ("um"), an
opening with no question yet ("tell me", "can you tell me"), a yes/no question that has only
its subject ("Has Jordan") or a verb still missing its object ("Does Jordan have"). A
preposition at the end is unfinished too ("Has Jordan worked with"), less surely so in a
wh-question, where it may be stranded ("What did Jordan work on").

Each rule carries a weight, the share of the longest wait it earns; 0 means finished. A few
microseconds a call, no model: it runs on every end of speech.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

GRAMMAR_PATH = Path(__file__).parent / "data" / "turn_grammar.json"

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")


@dataclass(frozen=True)
class Verdict:
    weight: float  # 0 finished .. 1 surely unfinished
    reason: str

    @property
    def unfinished(self) -> bool:
        return self.weight > 0


FINISHED = Verdict(0.0, "finished")


class TurnGrammar:
    def __init__(self, data: dict[str, Any]) -> None:
        classes = data["ending_classes"]
        self._endings: dict[str, tuple[str, float]] = {}
        # Later classes do not override earlier ones: a word's first class is its strongest reading.
        for name in (
            "determiner",
            "wh_word",
            "filler",
            "conjunction",
            "preposition",
            "auxiliary",
            "leading_adverb",
        ):
            for word in classes[name]["words"]:
                self._endings.setdefault(word, (name, float(classes[name]["weight"])))
        self._stranded_weight = float(classes["preposition"]["stranded_weight"])
        self._wh_alone_weight = float(classes["wh_word"]["alone_weight"])
        possessive = classes["possessive"]
        self._possessive = (
            tuple(possessive["suffixes"]),
            set(possessive["except"]),
            float(possessive["weight"]),
        )
        self._phrases = [tuple(p.split()) for p in data["ending_phrases"]["phrases"]]
        self._phrase_weight = float(data["ending_phrases"]["weight"])
        self._whole = {tuple(p.split()) for p in data["whole_phrases"]["phrases"]}
        self._whole_weight = float(data["whole_phrases"]["weight"])
        marks = data["trailing_marks"]
        self._marks = [(tuple(marks[k]["marks"]), float(marks[k]["weight"])) for k in ("strong", "weak")]
        self._yes_no = set(data["yes_no_openers"])
        self._do_modal = set(data["do_support_and_modals"])
        self._wh = set(data["wh_openers"])
        self._object_verbs = set(data["object_taking_verbs"]["words"])
        self._object_weight = float(data["object_taking_verbs"]["weight"])
        self._starts = set(data["whole_turn"]["words"])
        self._start_weight = float(data["whole_turn"]["weight"])
        self._fillers = set(classes["filler"]["words"])
        self._prepositions = set(classes["preposition"]["words"])
        slot = data["object_pronoun_without_slot"]
        self._slotless = (
            set(slot["pronouns"]),
            [tuple(p.split()) for p in slot["imperative_openers"]],
            set(slot["complement_verbs"]),
            float(slot["weight"]),
        )

    @classmethod
    def load(cls, path: Path = GRAMMAR_PATH) -> TurnGrammar:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def judge(self, text: str) -> Verdict:
        words = [w.replace("’", "'") for w in _WORD.findall(text.lower())]
        words = [w for w in words if w not in self._fillers] or words
        if not words:
            return FINISHED
        last = words[-1]
        n = len(words)
        if all(w in self._starts for w in words):
            return Verdict(self._start_weight, "opening only")
        if tuple(words) in self._whole:
            return Verdict(self._whole_weight, "opening only")
        for phrase in self._phrases:
            if tuple(words[-len(phrase) :]) == phrase:
                return Verdict(self._phrase_weight, f"ends '{' '.join(phrase)}'")
        if _filler_at_end(text.lower(), self._fillers):
            return Verdict(1.0, "trails off")
        wh_question = words[0] in self._wh
        ending = self._endings.get(last)
        if ending is not None:
            name, weight = ending
            if name == "preposition" and wh_question:
                return Verdict(self._stranded_weight, "preposition, maybe stranded")
            if name == "wh_word" and n == 1:
                return Verdict(self._wh_alone_weight, "a wh-word alone")
            if name == "auxiliary" and self._embedded_question(words):
                return FINISHED  # "Do you know where Jordan is"
            if name == "auxiliary" and wh_question and any(w in self._yes_no for w in words[1:-2]):
                # The main verb after the wh-phrase's auxiliary and its subject: "What did Jordan
                # do", "Which certifications does Jordan have", "How many years does she have".
                return FINISHED
            return Verdict(weight, name)
        suffixes, exceptions, weight = self._possessive
        if last.endswith(suffixes) and last not in exceptions:
            return Verdict(weight, "possessive")
        if words[0] in self._yes_no:
            if n <= 2:
                return Verdict(1.0, "subject only")  # "Has Jordan", "Does she"
            if last in self._object_verbs:
                return Verdict(self._object_weight, "verb without its object")
        if wh_question and n <= 3 and n >= 2 and words[1] in self._do_modal:
            return Verdict(1.0, "subject only")  # "Where did Jordan", "What can they"
        if self._object_without_slot(words):
            return Verdict(self._slotless[3], "object pronoun with no place")
        for marks, weight in self._marks:
            if text.rstrip().endswith(marks):
                return Verdict(weight, "trailing mark")
        return FINISHED

    def _object_without_slot(self, words: list[str]) -> bool:
        """ "What did Jordan build it": a final "it" the question has no place for (Whisper's
        reading of a cut-off "at"), after a verb whose object the wh-word already is, or after a
        noun in "what is ..." and "tell me about ..."; never after a preposition ("about it")."""
        pronouns, openers, complement_verbs, _ = self._slotless
        if len(words) < 4 or words[-1] not in pronouns or words[-2] in self._prepositions:
            return False
        if words[0] in ("what", "which") and any(w in self._do_modal for w in words[1:4]):
            return words[-2] not in complement_verbs  # "what did they call it" has its place
        if words[0] == "what's" or (words[0] == "what" and words[1] in ("is", "are", "was", "were")):
            return len(words) >= 5
        return any(tuple(words[: len(o)]) == o and len(words) >= len(o) + 3 for o in openers)

    def _embedded_question(self, words: list[str]) -> bool:
        """A wh-word with words between it and the final auxiliary: 'where Jordan is'."""
        return any(w in self._wh for w in words[1:-2])


def _filler_at_end(text: str, fillers: set[str]) -> bool:
    tail = re.findall(r"[a-z]+", text[-12:])
    return bool(tail) and tail[-1] in fillers


@cache
def default_grammar() -> TurnGrammar:
    return TurnGrammar.load()
