"""Superlatives of size: "the longest structure he has worked on", "the tallest building".

The resume ranks nothing, but it states sizes: the answer is the item sentence with the greatest
figure in a unit of that dimension ("420 metres" beats a "68-metre footbridge"), said as the
resume's own words. Superlatives and units are data (`tools/data/knowledge/measures.json`).
A step of the Planner (tools/planner.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from tools import knowledge
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import alternation, cap, fold, lower_first

_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
POSS = r"(?:xperson'?s?|his|her|their)"
_TENURE_RE = re.compile(r"\b(stay\w*|tenure|served|lasted|kept)\b")
_HOW_BIG_RE = re.compile(r"^\W*how (big|large) (is|was|are|were)\b")


@lru_cache(maxsize=1)
def _data() -> tuple[re.Pattern[str], dict[str, str], dict[str, dict[str, float]]]:
    data = knowledge.measures()
    sup: dict[str, str] = data["superlatives"]
    return re.compile(rf"\b({alternation(sup)})\b"), sup, data["units"]


@lru_cache(maxsize=8)
def _figure_re(dimension: str) -> re.Pattern[str]:
    units = _data()[2][dimension]
    # "420 metres", "68-metre", "3 km": a figure and its unit, joined by a space or a hyphen.
    return re.compile(rf"{_NUMBER}\s?-?\s?({alternation(units)})\b")


@lru_cache(maxsize=1)
def _org_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = knowledge.measures()["organisation_size"]
    asked = alternation([*data["asked"], "xitem"])  # an employer named: masked as xitem
    heads = alternation(data["headcount"])
    question = re.compile(
        rf"\bhow (many (people|staff|employees|workers)|big|large)\b.*\b(the|that|this|{POSS}) ({asked})\b"
        rf"|\b(size of|headcount of) (the|that|this|{POSS}) ({asked})\b"
    )
    return question, re.compile(rf"{_NUMBER}\s?-?\s?({heads})\b")


@lru_cache(maxsize=8)
def _context(dimension: str) -> re.Pattern[str] | None:
    words = knowledge.measures()["context"].get(dimension)
    return re.compile(rf"\b({alternation(words)})\b") if words else None


class MeasureRoutes:
    index: ResumeIndex
    say: ListSpeaker

    def _measure(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.techs:
            return None
        org = self._organisation_size(q)
        if org is not None or q.ents:
            return org
        asked, superlatives, units = _data()
        m = asked.search(q.text)
        # "the longest she stayed in a job" is about time, not size.
        if (
            m is None
            or q.det.kind in ("experience", "project")
            or q.has("dates")
            or _TENURE_RE.search(q.text)
        ):
            return None
        dimension = superlatives[m.group(1)]
        figure = _figure_re(dimension)
        context = _context(dimension)
        best: tuple[float, Entry, str] | None = None
        for e in self.index.of_kind("experience") + self.index.of_kind("project"):
            for s in e.sentences:
                folded = fold(s)
                if context is not None and not context.search(folded):
                    continue
                for f in figure.finditer(folded):
                    size = float(f.group(1).replace(",", "")) * units[dimension][f.group(2)]
                    if best is None or size > best[0]:
                        best = (size, e, s)
        if best is None:
            return None
        _, e, s = best
        where = cap(self.say.at(e)) if e.kind == "experience" else f"In {e.title}"
        said = self.say.claim(s, where, it="" if e.kind == "experience" else e.title)
        text = f"The resume doesn't rank them; the largest it states: {lower_first(said).rstrip('.')}."
        return Outcome("superlative", text, [e])

    def _organisation_size(self, q: Query) -> Outcome | None:
        """ "How many people does the company she works for have?": the employer's stated headcount."""
        question, headcount = _org_res()
        named = [self.index.by_id[m.item_id] for m in q.ents if m.kind == "experience"]
        # "how big is Calder Foods": the employer named, nothing else asked about it.
        bare = bool(named) and bool(_HOW_BIG_RE.search(q.text)) and set(q.stems) <= {"big", "larg"}
        if not (question.search(q.text) or bare) or "team" in q.utt.toks:
            return None
        jobs = named or self.index.ordinal(self.index.of_kind("experience"), "current")
        jobs = jobs or self.index.ordinal(self.index.of_kind("experience"), "latest")
        for e in jobs[:1]:
            for s in e.sentences:
                if headcount.search(fold(s)):
                    said = self.say.claim(
                        s, cap(self.say.at(e)), descriptive=s in e.sentences[: e.lead_count]
                    )
                    return Outcome("metric", f"{said.rstrip('.')}.", [e])
            return Outcome("metric", f"The resume doesn't give the size of {e.title}.", [e])
        return None
