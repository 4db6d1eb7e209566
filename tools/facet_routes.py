"""Facets of the item(s) in focus, asked as follow-ups: "by how much?", "how long did it take?",
"did he start anything there?", "anything notable there?".

The previous turn's words (`ConversationState.last_stems`) say which of the item's sentences the talk
is about, so "by how much?" after "did they cut emissions" gives the emissions figure; of several items
in focus, the one whose sentence fits best answers. Called from `Routes.about` (tools/routes.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from tools import focus, knowledge
from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.retrieval import Retrieval
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import alternation, cap, fold

_NUMBER_WORDS = (
    r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|"
    r"thirty|forty|fifty|sixty|ninety|a few|a couple of"
)
# "it" / "its": one item, where "there" / "them" may be several.
_SINGULAR_RE = re.compile(r"\b(it|its|it's|this one|that one)\b")


@lru_cache(maxsize=1)
def _res() -> dict[str, re.Pattern[str]]:
    data = knowledge.order()
    took, deed = data["took"], data["deed_objects"]
    return {
        "took": re.compile(rf"\b({alternation(took['asked'])})\b"),
        "span": re.compile(
            rf"\b({alternation(took['prepositions'])})\s+(?:about |around |just |only |under )?"
            rf"(\d[\d,.]*|{_NUMBER_WORDS})\s+({alternation(took['units'])})\b"
        ),
        "total": re.compile(rf"\b({alternation(data['total']['words'])})\b"),
        "deed": re.compile(rf"\b({alternation(deed['verbs'])}) ({alternation(deed['objects'])})\b"),
        "founding": re.compile(rf"^\W*({alternation(deed['founding'])})\b"),
    }


class FacetRoutes:
    index: ResumeIndex
    say: ListSpeaker
    employer_total: Callable[[list[Entry]], Outcome | None]
    text_search: Callable[..., Outcome | None]
    retrieval: Retrieval

    def facet(self, items: list[Entry], q: Query, st: ConversationState, attr: str | None) -> Outcome | None:
        """A better answer than the item's generic one for this facet, or None."""
        stems = list(dict.fromkeys([*q.stems, *st.last_stems]))
        res = _res()
        if res["took"].search(q.text) and not any(e.kind == "project" and e.span for e in items[:1]):
            # A dated project took its dates; a job's dates are a tenure, not how long a deed took.
            return self._took(items, stems)
        if (attr == "item_dates" or res["total"].search(q.text)) and len(items) > 1:
            # "how long has she been there altogether", "total time at X": its roles summed.
            total = self.employer_total(items)
            if total is not None or attr == "item_dates":
                return total
        own = [x for x in q.stems if self.index.idf(x) > 0]
        if (
            attr == "item_metric"
            and own
            and not any(self.index.mentions(e.id, x) for e in items for x in own)
        ):
            # "how many students?" when the item in focus never mentions students: the figure the
            # resume states with that word, wherever it is.
            found = self.text_search(q, own, figures=True)
            if found is not None:
                return found
        if attr == "item_metric" and (len(items) > 1 or st.last_stems):
            e, _ = self._best(items, stems, figures=True)
            if e is not None:
                return Outcome("item_metric", self.say.metric(e, stems), [e], focus=[e])
        if attr is not None:
            return None
        if res["deed"].search(q.text):
            found = self._founded(items)
            if found is not None:
                return found
        if len(items) > 1 and _SINGULAR_RE.search(q.text):
            # "how was it received": of the items in focus, the one whose sentence answers it (by the
            # question's words or related ones, "praised"), else the one the talk was about.
            answering = focus.by_words(self.retrieval, items, q.stems)
            e = answering[0] if len(answering) == 1 else self._best(items, stems, figures=False)[0]
            e = e or items[0]
            return Outcome("item", self.say.detail(e, stems), [e], focus=[e])
        if len(items) > 1 and not q.has("title", "current_role"):
            return self._each(items[:3], stems)
        return None

    def _score(self, e: Entry, stems: list[str], figures: bool) -> tuple[float, str]:
        best: tuple[float, str] = (0.0, "")
        for i, (s, own) in enumerate(self.index.sentence_stems(e)):
            if figures and not any(c.isdigit() for c in s):
                continue
            score = sum(self.index.idf(x) or 1.0 for x in stems if x in own)
            if figures:
                score += 0.5 if i >= e.lead_count else 0.25
            if score > best[0]:
                best = (score, s)
        return best

    def _best(self, items: list[Entry], stems: list[str], figures: bool) -> tuple[Entry | None, str]:
        scored = [(self._score(e, stems, figures), -n, e) for n, e in enumerate(items)]
        (score, sent), _, e = max(scored, key=lambda x: (x[0][0], x[1]))
        return (e, sent) if score > 0 else (None, "")

    def _said(self, e: Entry, s: str) -> str:
        descriptive = s in e.sentences[: e.lead_count]
        if e.kind == "experience":
            said = self.say.claim(s, cap(self.say.at(e)), descriptive=descriptive)
        else:
            said = self.say.claim(s, f"In {e.title}", it=e.title)
        return said.rstrip(".") + "."

    def _took(self, items: list[Entry], stems: list[str]) -> Outcome | None:
        """ "How long did it take?": the sentence stating a duration ("in 7 months"), best on the words."""
        best: tuple[int, int, Entry, str] | None = None
        for e in items:
            for i, (s, own) in enumerate(self.index.sentence_stems(e)):
                if not _res()["span"].search(fold(s)):
                    continue
                score = (len(own & set(stems)), -i)
                if best is None or score > best[:2]:
                    best = (score[0], score[1], e, s)
        if best is None:
            return None
        e, s = best[2], best[3]
        return Outcome("item_metric", self._said(e, s), [e], focus=[e])

    def _founded(self, items: list[Entry]) -> Outcome | None:
        """ "Did he start anything there?": the highlight that founded, launched or set something up."""
        for e in items:
            for s in e.sentences[e.lead_count :]:
                if _res()["founding"].search(fold(s)):
                    return Outcome("item", self._said(e, s), [e], focus=[e])
        return None

    def _each(self, items: list[Entry], stems: list[str]) -> Outcome:
        """Several items in focus and no facet asked: each one's opener and its best highlight."""
        parts: list[str] = []
        for e in items:
            parts.append(self.say.opener(e))
            highlights = list(e.sentences[e.lead_count :])
            if not highlights:
                continue
            best = self.index.best_sentence(e, stems, prefer_highlights=True) if stems else None
            pick = best if best in highlights else highlights[0]
            parts.append(self.say.claim(pick, subject=self.say.They, descriptive=False))
        return Outcome("item", finish(parts), items)
