"""Questions about becoming a professional: "is he a registered social worker?", "before she qualified".

- a credential adjective before a profession asks for the certificates or degrees that make one,
  found by the profession's words (or words related to them);
- "before / after <qualifying>" places jobs against the first registration or licence, else the end
  of the last degree.
(The summary's own "years as a social worker" lives in recruiter_routes, "her most recent
qualification" in section_routes: the only routes that ask them.)

The words are data (`categories.json`, "milestones"). A step of the Planner (tools/planner.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from tools import knowledge
from tools.intent import SUBJECT as _P
from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import STOPWORDS, alternation, fold, join_words, stem, tokens


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = knowledge.milestones()
    cred = alternation(words["credential"])
    credential = re.compile(rf"\b(is|are) {_P} (an? )?(fully )?({cred}) (?P<what>[a-z][a-z ]*?)\s*\??$")
    qualifying = re.compile(rf"\b(before|after|since) {_P} ({alternation(words['qualifying'])})\b")
    return credential, qualifying


@lru_cache(maxsize=1)
def _registration() -> re.Pattern[str]:
    return re.compile(rf"\b({alternation(knowledge.milestones()['registration'])})\b")


class MilestoneRoutes:
    resume: Resume
    index: ResumeIndex
    retrieval: Retrieval
    say: ListSpeaker

    def _milestones(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.ents or q.techs:
            return None
        return self._credential(q) or self._around_qualifying(q)

    def _credential(self, q: Query) -> Outcome | None:
        """ "Is he a qualified social worker?": the certificates and degrees naming the profession."""
        m = _patterns()[0].search(q.text)
        if m is None:
            return None
        wanted = [stem(t) for t in tokens(m.group("what")) if t not in STOPWORDS]
        if not wanted:
            return None
        pool = self.index.of_kind("certification") + self.index.of_kind("education")

        related = {x: self.retrieval.related(x) for x in wanted}  # once per word, not per item

        def names(e: Entry, x: str) -> bool:
            return self.index.mentions_form(e.id, x) or any(self.index.mentions(e.id, r) for r in related[x])

        found = [e for e in pool if all(names(e, x) for x in wanted)]
        if not found:
            return None
        parts = [
            e.title if e.kind == "certification" else f"{e.attr('degree') or 'a degree'} from {e.title}"
            for e in found[:3]
        ]
        return Outcome("certifications", finish([f"The resume lists {join_words(parts)}"]), found[:3])

    def _around_qualifying(self, q: Query) -> Outcome | None:
        """ "What did he do before he qualified?": the jobs that ended before the last degree did."""
        m = _patterns()[1].search(q.text)
        if m is None:
            return None
        # A licence to practise is when one qualified; without one, the end of the last degree.
        registered = [
            e for e in self.index.of_kind("certification") if e.span and _registration().search(fold(e.title))
        ]
        ends = [e.span[1] for e in self.index.of_kind("education") if e.span and e.span[1] != float("inf")]
        if registered:
            first = self.index.chronological(registered)[0]
            qualified = float(first.span[0]) if first.span else 0.0
            since = f"qualifying ({first.title}, {self.say.when(first)})"
        elif ends:
            qualified, since = max(ends), f"{self.say.poss} last degree ended"
        else:
            return None
        jobs = self.index.chronological([e for e in self.index.of_kind("experience") if e.span])
        before = m.group(1) == "before"
        picked = [e for e in jobs if e.span and (e.span[0] < qualified if before else e.span[0] >= qualified)]
        if not picked:
            return Outcome("relative", f"The resume doesn't list any jobs {m.group(1)} {since}.", [])
        lead = f"{'Before' if before else 'After'} {since}"
        shown = picked[::-1] if before else picked
        return Outcome("relative", self.say.experiences(shown[:3], lead), shown[:3], kind="experience")
