"""Free-text retrieval over every item's text, fused from two rankings of the same stems.

The in-memory ranking (`ResumeIndex.search`, Snowball stems, field weights, idf) always runs, so
the engine works with no database. When the caller has asked Postgres full-text search (the
`content` table's GIN index, 'english' configuration: the same Snowball stemmer) it passes those
ranked item ids in as `Retrieved`; both rankings are merged by reciprocal-rank fusion.

Whether a hit is good enough to answer with is decided the same way for every resume, by how much
of the question it covers, never by an absolute score: a score depends on how many items a resume
has, coverage does not.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from tools import knowledge
from tools.english import basic_words, common_words
from tools.search import Entry, ResumeIndex
from tools.text import quoted_in, stem

_RRF_K = 10.0
MIN_COVERAGE = 0.5  # share of the question's weight (idf) a hit must match
SYNONYM_WEIGHT = 0.6  # a synonym match counts a little less than the word itself
SENTENCE_SYNONYM_WEIGHT = 0.1  # ... and much less when choosing which of an item's sentences to say


@dataclass(frozen=True)
class Retrieved:
    """One item found by an external full-text search, best first."""

    item_id: str
    score: float


@dataclass(frozen=True)
class Found:
    entry: Entry
    coverage: float
    sentence: str
    matched: tuple[str, ...]


PREFIX_MIN = 5  # "physio" may stand for "physiotherapist", "admin" for "administration"


def _has_figure(text: str) -> bool:
    return any(c.isdigit() for c in text)


class Retrieval:
    def __init__(self, index: ResumeIndex) -> None:
        self.index = index
        self._sorted = sorted(index.vocabulary())
        self._basic = frozenset(stem(w) for w in basic_words())
        self._common = frozenset(stem(w) for w in common_words())

    def prefixed(self, s: str) -> list[str]:
        """Resume stems that a clipped word ("physio") starts, when the word itself is not there."""
        if len(s) < PREFIX_MIN or self.index.idf(s) > 0:
            return []
        i = bisect.bisect_left(self._sorted, s)
        out: list[str] = []
        while i < len(self._sorted) and self._sorted[i].startswith(s) and len(out) < 4:
            out.append(self._sorted[i])
            i += 1
        return out

    def base_forms(self, s: str) -> list[str]:
        """Resume stems a word the resume lacks is made from ("trainer" -> "train", "teacher" -> "teach")."""
        if len(s) < 6 or self.index.idf(s) > 0:
            return []
        return [s[:n] for n in range(len(s) - 1, len(s) - 4, -1) if n >= 4 and self.index.idf(s[:n]) > 0][:1]

    def affixed(self, s: str) -> list[str]:
        """Resume stems a word the resume lacks becomes with an English prefix taken off or put on
        ("retrain" -> "train", "contamin" -> "decontamin")."""
        if len(s) < 5 or self.index.idf(s) > 0:
            return []
        out = [s[len(p) :] for p in knowledge.prefixes() if s.startswith(p) and len(s) - len(p) >= 4]
        out += [p + s for p in knowledge.prefixes()]
        return [x for x in out if self.index.idf(x) > 0][:2]

    def related(self, s: str) -> list[str]:
        return [*knowledge.synonyms().get(s, ()), *self.prefixed(s), *self.base_forms(s), *self.affixed(s)]

    def support(self, e: Entry, stems: Sequence[str]) -> int:
        """How many of `stems` (or their related words) the item's best sentence holds."""
        wanted = [{s, *self.related(s)} for s in stems]
        return max((sum(1 for w in wanted if w & ss) for _, ss in self.index.sentence_stems(e)), default=0)

    def figure_support(self, e: Entry, stems: Sequence[str], said: str = "") -> tuple[int, bool, bool]:
        """How well the item answers a figure question: how many of `stems` (or related words) its best
        sentence with a figure holds, whether the last answer (`said`) quoted such a sentence, and
        whether it states a figure at all."""
        wanted = [{s, *self.related(s)} for s in stems]
        figures = [(text, ss) for text, ss in self.index.sentence_stems(e) if _has_figure(text)]
        support = max((sum(1 for w in wanted if w & ss) for _, ss in figures), default=0)
        quoted = bool(said) and any(quoted_in(text, said) for text, _ in figures)
        return support, quoted, bool(figures)

    def evidence(self, e: Entry, stems: Sequence[str]) -> list[str]:
        """The highlight that shows what a job's description names ("an opera season" -> "the 2017
        production of ..."): the one holding most related words of `stems`, if any does."""
        wanted = [set(knowledge.synonyms().get(s, ())) for s in stems]
        scored = [
            (sum(1 for w in wanted if w & ss), text)
            for text, ss in self.index.sentence_stems(e)[e.lead_count :]
        ]
        best = max(scored, default=(0, ""), key=lambda x: x[0])
        return [best[1]] if best[0] else []

    def expand(self, stems: Sequence[str]) -> dict[str, float]:
        """Stems to search with their weights: the question's own, then synonyms and expansions."""
        out = {s: 1.0 for s in stems}
        for s in stems:
            for x in self.related(s):
                out.setdefault(x, SYNONYM_WEIGHT)
        return out

    def _missing_factor(self, s: str) -> float:
        """How much a question word the resume lacks counts against a hit: the more everyday, the less."""
        if s in self._basic:
            return 0.3
        return 0.5 if s in self._common else 1.0

    def coverage(self, e: Entry, stems: Sequence[str], weights: dict[str, float]) -> tuple[float, list[str]]:
        """Share of the question's idf mass the item matches (a synonym stands in for its word)."""
        idx = self.index
        total = 0.0
        got = 0.0
        matched: list[str] = []
        unknown_idf = idx.max_idf  # a word the resume lacks weighs like its rarest word
        for s in stems:
            # An ordinary word the resume lacks ("record" in "safety record") says little either way;
            # a rare one ("kubernetes") says the resume does not cover the question.
            w = idx.idf(s) or (unknown_idf * self._missing_factor(s))
            total += w
            if idx.mentions(e.id, s):
                got += w
                matched.append(s)
                continue
            alt = [x for x in self.related(s) if idx.mentions(e.id, x)]
            if alt:
                got += w * weights.get(alt[0], SYNONYM_WEIGHT)
                matched.append(alt[0])
        return (got / total if total else 0.0), matched

    def rank(
        self,
        stems: Sequence[str],
        kinds: tuple[str, ...] | None = None,
        external: Sequence[Retrieved] | None = None,
        limit: int = 3,
    ) -> list[Found]:
        """Items that cover enough of `stems`, best first."""
        weights = self.expand(stems)
        idx = self.index
        memory = idx.search(list(weights), kinds=kinds, limit=len(idx.entries), weights=weights)
        fused: dict[str, float] = {}
        for rank, h in enumerate(memory):
            fused[h.entry.id] = fused.get(h.entry.id, 0.0) + 1.0 / (_RRF_K + rank)
        for rank, r in enumerate(external or ()):
            e = idx.by_id.get(r.item_id)
            if e is not None and (kinds is None or e.kind in kinds):
                fused[r.item_id] = fused.get(r.item_id, 0.0) + 1.0 / (_RRF_K + rank)
        found: list[tuple[float, float, Found]] = []
        for item_id, score in fused.items():
            e = idx.by_id[item_id]
            cov, matched = self.coverage(e, stems, weights)
            if cov < MIN_COVERAGE:
                continue
            # The question's own word picks the sentence; a synonym ("cost" for "budget") only breaks ties.
            own = {x: 1.0 for x in stems}
            sentence = (
                idx.best_sentence(
                    e,
                    list(dict.fromkeys([*stems, *matched])),
                    prefer_highlights=True,
                    weights={x: own.get(x, SENTENCE_SYNONYM_WEIGHT) for x in matched} | own,
                )
                or ""
            )
            found.append((cov, score, Found(e, cov, sentence, tuple(matched))))
        found.sort(key=lambda x: (-round(x[0], 2), -x[1]))
        return [f for _, _, f in found[:limit]]
