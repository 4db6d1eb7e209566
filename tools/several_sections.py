"""Questions that ask for two or more sections at once: "awards or publications", "written or spoken".

Each section asked is answered in turn, in the order the question names them, so neither half of
the question goes unanswered; a section the resume does not have is said to be missing. A step of
the Planner (tools/planner.py), before the one-section routes of section_routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools import knowledge
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import alternation

_JOINED_RE = re.compile(r"\b(or|and|also|plus)\b|,|/")


class SeveralSectionRoutes:
    index: ResumeIndex
    say: ListSpeaker
    _talks: Callable[[Query], list[Entry]]

    def _several_sections(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.techs or q.ents or q.det.kind in ("project", "experience") or not _JOINED_RE.search(q.text):
            return None
        asked = knowledge.sections_asked()
        said: list[tuple[int, str]] = []
        for section, ws in asked.items():
            m = re.search(rf"\b({alternation(ws)})\b", q.text)
            if m:
                said.append((m.start(), section))
        if len({s for _, s in said}) < 2:
            return None
        idx, say = self.index, self.say
        talks = self._talks(q) if any(s == "talks" for _, s in said) else []
        parts: list[str] = []
        items: list[Entry] = []
        for _, section in sorted(said):
            if section == "talks":
                got = [e for e in talks if e not in items]
                parts.append(say.publications(got) if got else "The resume doesn't list any talks.")
            elif section == "publications":
                # Talks filed as publications are said with the talks when those are asked too.
                got = [e for e in idx.of_kind("publication") if e not in items and e not in talks]
                if got or not talks:
                    parts.append(say.publications(got))
            elif section == "awards":
                got = [e for e in idx.of_kind("award") if e not in items]
                parts.append(say.awards(got))
            elif section == "certifications":
                got = idx.of_kind("certification")
                parts.append(say.certifications(got))
            else:
                got = idx.of_kind("education")
                parts.append(say.education(got, q.stems))
            items.extend(got)
        if not items:
            return None
        first = sorted(said)[0][1]
        return Outcome("awards" if first == "talks" else first, " ".join(p for p in parts if p), items)
