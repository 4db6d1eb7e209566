"""Fit questions ("would he suit a section leader role?"): the facts that bear on the role, never a verdict.

The role's own words find what the jobs and projects did; a lead role adds who the person led; a
technology it names adds where it was used. Only the items whose facts fit in the answer are cited.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.search import Entry, ResumeIndex
from tools.technology import TechIndex
from tools.text import STOPWORDS, join_words, stem, tokens, words

FIT_RE = re.compile(
    r"\b(good|great|right|strong|decent|bad|poor|perfect|ideal) (fit|match|candidate|choice|hire)\b"
    r"|\b(fit|suited|suitable|qualified|ready|right) for\b|\bshould (we|i) hire\b"
    r"|\bwhy (should|would) (we|i) hire\b|\bworth (hiring|interviewing)\b"
    r"|\b(would|could|can) (xperson|he|she|they) (do|handle|manage) (a|an|the|this)\b"
    r"|\bcut out for\b|\bcapable of\b|\b(good|senior|experienced|qualified|strong) enough\b"
    r"|\b(would|could|will|does|do|might) (xperson|he|she|they) suit\b|\bsuited to\b"
    r"|\b(is|are|would|will) (xperson|he|she|they) (be )?(good|great) (with|at)\b"
    r"|\b(would|will|could) (xperson|he|she|they) (make|be) (a|an) (good|great|strong|decent|suitable)\b"
)
_ROLE_RE = re.compile(
    r"\b(?:for|as|do|handle|manage|of|suit|suited to|(?:good|great) (?:with|at)) "
    r"(?:a |an |the |this |our )?(.+)$"
)
# Words of a role that say it is a job, not which ("a principal cello *job*").
_JOB_NOUNS = frozenset(stem(w) for w in words("role roles job jobs position positions post opening vacancy"))
ROLE_NOISE = frozenset(
    stem(w)
    for w in words(
        "role roles job jobs position positions opening opportunity fit good great right strong match "
        "candidate "
        "hire hiring senior junior mid level staff principal team company us our we here work kind type "
        "would could should be"
    )
)
_LEAD_ROLE = frozenset(
    stem(w) for w in words("lead leader head manager management director supervisor chief")
)
# Between the sentences of an answer: before a capital, not after an initial or a title ("J. S.", "St.").
_FACT_SPLIT = re.compile(r"(?<!\b[A-Z]\.)(?<!\b(?:St|Dr|Mr|Ms|No|Co|Jr|Sr)\.)(?<=[.!?])\s+(?=[A-Z])")


class FitRoutes:
    index: ResumeIndex
    tech: TechIndex
    say: ListSpeaker
    text_search: Callable[..., Outcome | None]
    leadership: Callable[..., Outcome]
    _headline: Callable[[], str]

    def _opinion(self, q: Query) -> Outcome | None:
        if not FIT_RE.search(q.text):
            return None
        say = self.say
        m = _ROLE_RE.search(q.text.rstrip("?.! "))
        role = m.group(1) if m else ""
        role_stems = {stem(t) for t in tokens(role)}
        wanted = [s for s in q.stems if s in role_stems and s not in ROLE_NOISE] if role else []
        # Groups of sentences: one found answer's sentences stay together and in order.
        facts: list[list[str]] = []
        items: list[Entry] = []
        later: list[list[str]] = []
        later_items: list[Entry] = []
        headline = self._headline()
        if headline:
            facts.append([headline])
        # "a principal cello job": a job held under that title says most.
        asked = {s for s in role_stems if s not in _JOB_NOUNS and s not in STOPWORDS}
        for e in self._held(asked)[:2]:
            facts.append([say.opener(e)])
            items.append(e)
        for t in q.techs[:2]:
            if not t.in_resume:
                facts.append([f"The resume doesn't mention {t.name}"])
                continue
            used = self.index.chronological([self.index.by_id[i] for i in self.tech.items_for(t.name)])[::-1]
            if not used:
                # A listed skill no item tags ("antimicrobial stewardship"): where the items' text says it,
                # after what the role's own words find.
                found = self.text_search(q, [stem(w) for w in tokens(t.name)])
                if found is not None:
                    later.append(_FACT_SPLIT.split(found.answer))
                    later_items += [e for e in found.items if e not in later_items]
                continue
            exps = [e for e in used if e.kind == "experience"] or used
            if exps:
                where = join_words(
                    [say.at(e) if e.kind == "experience" else f"in {e.title}" for e in exps[:3]]
                )
                facts.append([f"{say.first} used {t.name} {where}"])
                items += [e for e in exps[:3] if e not in items]
        # A technology some item lists was said above; a skill only listed is searched by the role's words.
        tech_keys = {stem(w) for t in q.techs if self.tech.items_for(t.name) for w in tokens(t.name)}
        topic = [s for s in wanted if s not in tech_keys]
        if topic:
            # Work done says more about a fit than a paper's title: jobs and projects first.
            found = self.text_search(q, topic, kinds=("experience", "project")) or self.text_search(q, topic)
            if found is not None:
                facts.append(_FACT_SPLIT.split(found.answer))
                items += [e for e in found.items if e not in items]
        if role_stems & _LEAD_ROLE:
            led = self.leadership(q)
            if led.items:
                facts.append(_FACT_SPLIT.split(led.answer))
                items += [e for e in led.items if e not in items]
        facts += later
        items += [e for e in later_items if e not in items]
        if not items:
            current = self.index.ordinal(self.index.of_kind("experience"), "latest")
            if current:
                facts.append([say.opener(current[0])])
                items += current
        lead = "I can't judge fit; that's your call. Here is what the resume shows"
        text = finish([f"{lead}. {x}" if i == 0 else x for i, x in enumerate(_fitting(facts, 70))], 10**6)
        # Only the items whose facts fit in the answer: a fact dropped for length cites nothing.
        said = [e for e in items if e.title in text or (e.attr("company") and e.attr("company") in text)]
        said += [emp for e in said if (emp := self.index.employer_of(e)) and emp in items and emp not in said]
        return Outcome("opinion", text, (said or items)[:4])

    def _held(self, asked: set[str]) -> list[Entry]:
        """The jobs, newest first, whose title has every word of `asked`."""
        if not asked:
            return []
        jobs = self.index.chronological(self.index.of_kind("experience"))[::-1]
        return [e for e in jobs if asked <= {stem(t) for t in tokens(e.attr("role"))}]


def _fitting(groups: list[list[str]], limit: int) -> list[str]:
    """Sentences of the groups in order, each once, within `limit` words (the lead's included) but for
    the first two. A group stops at its first sentence that does not fit, so no sentence is said
    without the one before it ("Senior associate in ..." without "At the firm: ..."); the next group
    may still fit."""
    out: list[str] = []
    words = 13  # "I can't judge fit; that's your call. Here is what the resume shows."
    for group in groups:
        for fact in group:
            if fact in out:
                continue  # the role's words and a skill's may find the same sentence
            n = len(fact.split())
            if len(out) > 1 and words + n > limit:
                break  # the headline and one fact always go in: a fit answer needs some evidence
            out.append(fact)
            words += n
    return out
