"""The timeline's order: which job is before or after another, and which is first, second or last.

- "before Glasgow" / "before making captain": the job held in that place, or with that word in its
  role, anchors "before" and "after" (the earliest of several for "before", the latest for "after");
- the job just before/after an anchor reads a year-only date generously ("2014" ends by August 2014);
- "his first orchestra job": the first of the items the words before the noun fit;
- "his second job", "the second most recent role": the nth item on the timeline.

The words are data (`tools/data/knowledge/order.json`). Mixed into the Planner (tools/planner.py).
"""

from __future__ import annotations

import re

from tools import knowledge
from tools.dates import end_month_of, month_of
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.search import Entry, ResumeIndex
from tools.text import STOPWORDS, alternation, count_word, stem, tokens


class TimelineRoutes:
    index: ResumeIndex
    say: ListSpeaker

    # --- anchors -------------------------------------------------------------------------------

    def anchor_by_words(self, q: Query) -> Entry | None:
        """ "before Glasgow", "before making captain": the job in that place or with that role word."""
        jobs = [e for e in self.index.of_kind("experience") if e.span]
        for t in q.utt.toks[q.dates.anchor_pos :]:
            if t in STOPWORDS or len(t) < 3:
                continue
            s = stem(t)
            by_place = [e for e in jobs if t in e.places]
            by_role = [e for e in jobs if s in {stem(w) for w in tokens(e.attr("role"))}]
            for found in (by_place, by_role):
                if found and len(found) < len(jobs):
                    ordered = self.index.chronological(found)
                    return ordered[0] if q.dates.anchor == "before" else ordered[-1]
        return None

    def anchor_name(self, anchor: Entry, direction: str) -> str:
        """How to name the anchor of "before/after ...": its employer, or its role when another role
        at that employer lies on that side ("before her role as Captain": she was there before)."""
        if anchor.kind != "experience" or not anchor.attr("role") or anchor.span is None:
            return self.say.title_of(anchor)
        start = anchor.span[0]
        siblings = [
            e
            for e in self.index.of_kind("experience")
            if e.title == anchor.title and e is not anchor and e.span
            and (e.span[0] < start if direction == "before" else e.span[0] > start)
        ]  # fmt: skip
        return f"{self.say.poss} role as {anchor.attr('role')}" if siblings else self.say.title_of(anchor)

    def held_next(self, anchor: Entry, kind: str, direction: str) -> list[Entry]:
        """The item held just before `anchor` (the one that ended last by the time it began) or just
        after it (the first to start once it ended). A year alone is read generously: "2014" ends
        by a start in August 2014 and starts by an end in August 2014."""
        if anchor.span is None:
            return []
        pool = [e for e in self.index.of_kind(kind) if e.span and e.id not in (anchor.id, anchor.employer)]

        def began(e: Entry, late: bool) -> int:
            start = e.start or ""
            month = (end_month_of(start) if late else month_of(start)) if len(start) == 4 else None
            return month if month is not None else int(e.span[0]) if e.span else 0

        def ended(e: Entry, early: bool) -> float:
            end = e.end or ""
            if e.ongoing or not end:
                return float("inf")
            month = (month_of(end) if early else end_month_of(end)) if len(end) == 4 else None
            return month if month is not None else e.span[1] if e.span else 0.0

        first = anchor.span[0]
        if direction == "before":
            done = [
                e for e in pool if e.span and e.span[0] < first and ended(e, True) <= began(anchor, True) + 1
            ]
            return [max(done, key=lambda e: (ended(e, True), -began(e, False)))] if done else []
        after = [
            e for e in pool if e.span and e.span[0] > first and began(e, True) >= ended(anchor, True) - 1
        ]
        return [min(after, key=lambda e: (began(e, False), ended(e, True)))] if after else []

    def qualified(self, entries: list[Entry], q: Query, noise: frozenset[str]) -> tuple[list[Entry], str]:
        """ "his first orchestra job": the entries whose text has the words between the ordinal and
        the noun it counts, and those words as said; all entries and "" when no word narrows them."""
        data = knowledge.order()["ordinal_words"]
        toks = q.utt.toks
        start = next((i for i, t in enumerate(toks) if t in data["words"]), None)
        if start is None:
            return entries, ""
        end = next((j for j in range(start + 1, len(toks)) if toks[j] in data["heads"]), None)
        between = [t for t in toks[start + 1 : end] if t not in STOPWORDS] if end is not None else []
        wanted = [stem(t) for t in between if stem(t) not in noise and self.index.idf(stem(t)) > 0]
        if not wanted or len(wanted) != len(between):
            return entries, ""
        narrowed = [e for e in entries if all(self.index.mentions_form(e.id, x) for x in wanted)]
        if not narrowed or len(narrowed) == len(entries):
            return entries, ""
        return narrowed, " ".join(between)

    def _nth(self, q: Query) -> Outcome | None:
        """ "His second job", "the second most recent role": the nth dated item of that kind."""
        data = knowledge.order()["nth"]
        m = re.search(
            # "does she have a second job" asks about a side job, not the timeline.
            rf"(?<!\ba )\b({alternation(data['numbers'])})(?: ({alternation(data['from_end'])}))? "
            rf"({alternation([*data['jobs'], *data['projects']])})\b",
            q.text,
        )
        if m is None or q.ents or q.techs:
            return None
        kind = "project" if m.group(3) in data["projects"] else "experience"
        dated = self.index.chronological([e for e in self.index.of_kind(kind) if e.span])
        n = data["numbers"][m.group(1)]
        what = "jobs" if kind == "experience" else "projects"
        if n > len(dated):
            return Outcome(
                "timeline", f"The resume lists {count_word(len(dated))} dated {what}.", [], kind=kind
            )
        e = dated[-n] if m.group(2) else dated[n - 1]
        lead = f"The {m.group(1)}{' ' + m.group(2) if m.group(2) else ''} of {self.say.poss} {what}:"
        emp = self.index.employer_of(e)
        text = self.say.detail(e, q.stems, lead=lead)
        return Outcome("timeline", text, [e, emp] if emp else [e], focus=[e], kind=kind)
