"""Yes-no questions about something done ("has he ever had to retrain a whole office on new software").

A word of such a question may name a skill category or the skills section ("software", "gear"), which
would list skills; when a highlight covers the question's other words, that deed is the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.followup import Cue
from tools.intent import IntentDetector
from tools.query import Outcome, Query
from tools.retrieval import Retrieval
from tools.search import ResumeIndex
from tools.section_routes import KNOW_RE
from tools.state import ConversationState
from tools.text import fold, stem, tokens

# "has she done", "did he ever have to": a past deed, not what the person knows or uses.
_DEED_RE = re.compile(r"^\W*(has|have|did) (xperson|he|she|they)\b")
_USE_RE = re.compile(r"\b(use[ds]?|using|work(ed|s)? (with|on))\b")
_LISTING_TOPICS = ("skills", "item_tech")


class DeedRoutes:
    index: ResumeIndex
    retrieval: Retrieval
    text_search: Callable[..., Outcome | None]

    def _deed(self, q: Query, st: ConversationState) -> Outcome | None:
        if not _DEED_RE.search(q.text) or q.techs or q.ents or q.cue is not Cue.NONE:
            return None
        if (
            not (q.det.category or q.has(*_LISTING_TOPICS))
            or KNOW_RE.search(q.text)
            or _USE_RE.search(q.text)
        ):
            return None
        listing = {
            stem(t)
            for topic in _LISTING_TOPICS
            for w in IntentDetector.triggers(q.text, topic)
            for t in tokens(w)
        }
        if q.det.category:
            listing |= {stem(p) for p in re.split(r"[_\s/&-]+", fold(q.det.category)) if p}
        rest = [s for s in q.stems if s not in listing]
        if not rest:
            return None
        wanted = set(rest) | {r for s in rest for r in self.retrieval.related(s)}
        found = self.retrieval.rank(q.stems, external=q.retrieved, limit=1)
        top = found[0] if found else None
        if top is None or not set(top.matched) & wanted:
            return None
        # Only a highlight (what was done), not a job's description, answers "has she done ...".
        if top.sentence not in top.entry.sentences[top.entry.lead_count :]:
            return None
        return self.text_search(q)
