"""Either-or questions about the person: "is she a surgeon or more medicine?".

The resume weighs nothing, so the answer gives what it says on each side: the sentence of an item
that uses the side's word or a word related to it ("surgeon" -> "surgery"), or that it says nothing.
Technologies ("Python or Java?") and spoken languages are other routes' questions. A step of the
Planner (tools/planner.py).
"""

from __future__ import annotations

import re

from tools.intent import SUBJECT as _P
from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import SENTENCE_SYNONYM_WEIGHT, Retrieval
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import STOPWORDS, cap, join_words, stem, tokens

_EITHER_RE = re.compile(
    rf"^\W*(is|are|was|were|does|do|did) {_P} (more )?(of )?(an? |into |do |in )?"
    rf"(?P<a>[a-z-]+( [a-z-]+)?) or (more )?(an? |into |in )?(?P<b>[a-z-]+( [a-z-]+)?)\s*\??$"
)
_KINDS = ("experience", "project", "certification", "education", "publication", "award")


class ChoiceRoutes:
    resume: Resume
    index: ResumeIndex
    retrieval: Retrieval
    say: ListSpeaker

    def _either(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.techs or q.ents or q.has("spoken", "languages"):
            return None
        m = _EITHER_RE.search(q.text)
        if m is None:
            return None
        sides = [[stem(t) for t in tokens(m.group(g)) if t not in STOPWORDS] for g in ("a", "b")]
        if not all(sides):
            return None
        parts: list[str] = []
        items: list[Entry] = []
        for words, said in zip(sides, (m.group("a"), m.group("b")), strict=True):
            found = self._evidence(words)
            if found is None:
                parts.append(self._skills_on(words, said) or f"On {said}, the resume says nothing")
                continue
            e, text = found
            where = cap(self.say.at(e)) if e.kind == "experience" else f"In {e.title}"
            descriptive = text in e.sentences[: e.lead_count]
            claim = self.say.claim(text, where, descriptive=descriptive) if text else self.say.opener(e)
            parts.append(f"On {said}: {claim}")
            items += [e] if e not in items else []
        if not items:
            return None
        return Outcome(
            "search", finish(["The resume doesn't weigh one against the other", *parts], 80), items
        )

    def _skills_on(self, words: list[str], said: str) -> str | None:
        """ "On lab: her skills list eDNA sampling and microscopy under lab." when only skills say it."""
        for cat, names in self.resume.skills.items():
            own = {stem(t) for t in tokens(cat)}
            if names and any(w in own for w in words):
                return f"On {said}: {self.say.poss} skills list {join_words(names[:3])} under {cat}"
        return None

    def _evidence(self, words: list[str]) -> tuple[Entry, str] | None:
        """The item sentence that best says one side: its own words first, then related ones."""
        # "site based": the words the resume uses say the side ("site"); the rest are how it is put.
        used = [
            w
            for w in words
            if self.index.idf(w) > 0 or any(self.index.idf(r) > 0 for r in self.retrieval.related(w))
        ]
        words = used or words
        weights = self.retrieval.expand(words)
        hits = self.index.search(list(weights), kinds=_KINDS, limit=4, weights=weights)
        # The side's own word picks the sentence; related words count much less ("surgical" for "surgery").
        pick = {x: (1.0 if x in words else SENTENCE_SYNONYM_WEIGHT) for x in weights}
        for h in hits:
            best = self.index.best_sentence(h.entry, list(weights), prefer_highlights=True, weights=pick)
            own = {stem(t) for t in tokens(best or "")}
            # Every word of the side is said, itself or by a related word ("lab scientist": both).
            if best and all({w, *self.retrieval.related(w)} & own for w in words):
                return h.entry, best
        named = [h.entry for h in hits if all(self.index.mentions(h.entry.id, w) for w in words)]
        return (named[0], "") if named else None
