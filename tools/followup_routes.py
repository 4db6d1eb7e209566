"""Follow-up turns: what a question that leans on the previous answer refers to.

"Before that?", "the second one", "which of those used Go?", "and what about 2019?", "when was
that?": answered from the items the last answer named (the focus), or, with no focus, a
question back instead of a guess. A step of the Planner (tools/planner.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from tools.followup import REF_RE, Cue, position
from tools.query import Outcome, Query
from tools.routes import ITEM_ATTRS, Routes
from tools.search import Entry
from tools.state import ConversationState
from tools.text import count_word

# Turns that only make sense as follow-ups ("when was that?", "tell me more", "how long were they there?").
_BARE_REF_RE = re.compile(
    r"^\W*(and\s+)?(when|where|why|how long|how many|how much|what|which|tell me more|more|go on|before|"
    r"after)\b.*\b(that|it|there|then|this|more|before|after)\b\W*$"
    r"|^\W*(tell me more|more|go on|continue)\W*$"
)
HOW_MANY_RE = re.compile(r"\bhow (many|much)\b")


class FollowupRoutes(Routes):
    _vocabulary: frozenset[str]  # the resume's rare stems, built once by the Planner
    _focus: Callable[[ConversationState], list[Entry]]
    technology: Callable[..., Outcome]
    anchor_by_words: Callable[[Query], Entry | None]

    def _followup(self, q: Query, st: ConversationState) -> Outcome | None:
        focus = self._focus(st)
        last = [self.index.by_id[i] for i in st.last_item_ids if i in self.index.by_id]
        if q.dates.anchor:
            after = [self.index.by_id[m.item_id] for m in q.ents if min(m.positions) >= q.dates.anchor_pos]
            if len(after) > 1 and len({e.attr("company") for e in after}) == 1:
                # "before Initech" with two roles there: before the first of them, after the last.
                ordered = self.index.chronological(after)
                after = [ordered[0] if q.dates.anchor == "before" else ordered[-1]]
            anchor = after[0] if after else None
            if anchor is None and not q.ents and (q.has("current_role") or q.dates.ordinal == "current"):
                # "before her current job": the job held now is the anchor.
                current = self.index.ordinal(self.index.of_kind("experience"), "current")
                anchor = current[0] if current else None
            named = anchor is not None
            if anchor is None and not q.ents:
                # "before Glasgow", "before making captain": a place or a role word names the job.
                anchor = self.anchor_by_words(q)
                named = anchor is not None
            if anchor is None and focus and not q.ents:
                ordered = self.index.chronological(focus)
                anchor = ordered[0] if q.dates.anchor == "before" else ordered[-1]
            if anchor is not None:
                return self.neighbours(anchor, q, named)
        pos = position(q.text)
        if pos is not None and len(last) > 1 and not q.ents:
            picked = last[pos] if -len(last) <= pos < len(last) else last[-1]
            return self.about([picked], q, st)
        if q.cue is Cue.WHICH and len(last) > 1 and not q.ents:
            narrowed = self._narrow(q, last, st)
            # "and how many of those as captain?" that no filter narrows is a new count, not a list.
            if not (HOW_MANY_RE.search(q.text) and narrowed.items == last):
                return narrowed
        if (
            q.cue is Cue.REF
            and st.last_intent == "technology"
            and st.last_technology
            and not q.techs
            and not q.ents
            and q.has("where", "work", "projects")
            and not q.has("dates")
        ):
            # "where did they use it?" after "does Jordan know Scala?": "it" is the technology.
            techs = self.tech.find(type(q.utt).of(st.last_technology))
            if techs:
                return self.technology(q, q.det.kind, q.det.project_kind, q.dates.range, techs)
        if q.ents:
            return None
        if q.cue is Cue.WHAT_ABOUT and st.last_intent:
            swapped = self._what_about(q, st, focus)
            # "and what software did they use there?": no slot to swap, but "there" is the focus.
            if swapped is not None or not REF_RE.search(q.text):
                return swapped
            q = replace(q, cue=Cue.REF)
        section = q.has(
            "education", "certifications", "awards", "publications", "contact", "skills"
        ) and not q.has("item_tech")
        # "which projects ..." starts a new list, but "what projects did they do there?" is about the focus.
        new_list = bool(q.det.kind and q.det.plural) and not (
            q.det.kind == "project" and focus and focus[0].kind == "experience"
        )
        if q.cue in (Cue.REF, Cue.MORE) and focus and not section and not new_list:
            if q.cue is Cue.MORE and len(focus) == 1:
                return Outcome("item", self.say.detail(focus[0], q.stems), focus)
            return self.about(focus, q, st)
        # Everyday words one sentence of the resume holds together ("covers a night") name that subject.
        together = len(q.stems) >= 2 and self.index.in_one_sentence(q.stems)
        # "What was the impact?" right after an item: no pronoun, but clearly about that item.
        implicit = (
            focus
            and q.cue is Cue.NONE
            and not (q.person or q.techs or q.det.kind or section or q.dates.range or q.dates.ordinal)
            and self.attribute(q, st) not in (None, "tech_check", "leadership")
            # "what was the MAPE improvement?" names something the focus item never mentions.
            and all(self.index.mentions(focus[0].id, x) for x in q.stems if x in self._vocabulary or together)
        )
        if implicit:
            return self.about(focus, q, st)
        # "when was that?" with nothing said before: ask rather than guess.
        bare = not (q.techs or q.det.kind or section or q.dates.range or q.has("summary", "work", "skills"))
        facet_only = not q.person and not q.ents and self.attribute(q, st) in (
            "item_metric", "item_dates", "item_technologies", "item_location", "item_employer", "item_link",
        ) and not [x for x in q.stems if x in self._vocabulary] and not together  # fmt: skip
        if (
            not focus
            and bare
            and (
                q.dates.anchor
                or (q.cue in (Cue.REF, Cue.MORE) and _BARE_REF_RE.search(q.text))
                or (facet_only and q.cue is Cue.NONE)
            )
        ):
            return Outcome(
                "clarify",
                "Which job or project do you mean? For example, "
                f"{self.say.names(self.index.chronological(self.index.of_kind('experience'))[-2:])}.",
            )
        return None

    def _narrow(self, q: Query, last: list[Entry], st: ConversationState) -> Outcome:
        pool = last
        if q.techs:
            ids = {i for t in q.techs for i in self.tech.items_for(t.name)}
            pool = [e for e in pool if e.id in ids]
        pool = self.index.filter(pool, project_kind=q.det.project_kind, date=q.dates.range, place=q.place)
        if q.dates.ordinal:
            pool = self.index.ordinal(pool, q.dates.ordinal)
        if not pool:
            return Outcome("narrow", "None of those, according to the resume.", [], focus=last)
        if len(pool) == 1:
            # "when did they get the Kubernetes one?": the narrowed item, with the facet asked about.
            if self.attribute(q, st) not in (None, "tech_check"):
                return self.about(pool, q, st)
            return Outcome("narrow", self.say.detail(pool[0], q.stems), pool)
        return Outcome(
            "narrow", f"{count_word(len(pool)).capitalize()} of them: {self.say.names(pool)}.", pool
        )

    def _what_about(self, q: Query, st: ConversationState, focus: list[Entry]) -> Outcome | None:
        rng = q.dates.range or st.last_date_range
        if q.techs and st.last_intent in ("technology", "projects", "experience", "narrow"):
            return self.technology(
                q,
                q.det.kind or st.last_kind,
                q.det.project_kind or st.last_project_kind,
                q.dates.range,
                q.techs,
            )
        if q.techs and st.last_intent in (*ITEM_ATTRS, "tech_check") and focus:
            return self.tech_check(focus, q.techs[0])
        if not q.techs and q.dates.range and st.last_intent == "technology" and st.last_technology:
            techs = self.tech.find(type(q.utt).of(st.last_technology))
            if techs:
                return self.technology(q, st.last_kind, st.last_project_kind, rng, techs)
        if (
            not q.techs
            and (q.dates.range or q.det.project_kind)
            and st.last_intent in ("projects", "experience", "timeline")
        ):
            return self.listing(
                q, q.det.kind or st.last_kind, q.det.project_kind or st.last_project_kind, rng
            )
        return None
