"""Superlatives and totals on the resume's own dates and figures: tenure, time at one employer, money.

- "where have they stayed the longest": the job (or employer, all its roles together) held longest;
- "how long has she been at X altogether": the roles at one employer summed;
- "the biggest project by budget": the greatest sum of money any job's or project's sentence states;
- "has he toured abroad": the sentence naming a place away from home; "what did he do in Portugal".

The words are data (`tools/data/knowledge/order.json`). Mixed into the Planner (tools/planner.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from tools import knowledge
from tools.dates import spoken
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.text import STOPWORDS, alternation, cap, fold, join_words, lower_first, stem, tokens


@lru_cache(maxsize=1)
def _res() -> dict[str, re.Pattern[str]]:
    data = knowledge.order()
    tenure, money = data["tenure"], data["money"]
    currency = "|".join(re.escape(c) for c in sorted(money["currencies"], key=len, reverse=True))
    scales = alternation(money["scales"])
    return {
        "superlative": re.compile(rf"\b({alternation(tenure['superlatives'])})\b"),
        "stay": re.compile(rf"\b({alternation(tenure['verbs'])})\b"),
        "employer": re.compile(rf"\b({alternation(tenure['employer'])})\b"),
        "role": re.compile(rf"\b({alternation(tenure['role'])})\b"),
        "money_sup": re.compile(rf"\b({alternation(money['superlatives'])})\b"),
        "money_asked": re.compile(rf"\b({alternation(money['asked'])})\b"),
        # "$120 million", "€9.5m", "USD 30 million"; or the currency after it: "40 million euros".
        "sum": re.compile(
            rf"(?:{currency})\s?(\d[\d,]*(?:\.\d+)?)(?:\s?({scales})\b)?"
            rf"|\b(\d[\d,]*(?:\.\d+)?)\s?(?:({scales})\s)?(?:{alternation(money['currency_words'])})\b",
            re.IGNORECASE,
        ),
    }


def _month(today: date) -> int:
    return today.year * 12 + today.month - 1


def months_spoken(months: int) -> str:
    """ "10 years and 6 months": a computed total, in digits so it can be checked against the dates."""
    years, rest = divmod(max(months, 0), 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts) or "under a month"


class OrderRoutes:
    resume: Resume
    index: ResumeIndex
    say: ListSpeaker
    today: date
    _nth: Callable[[Query], Outcome | None]

    # --- tenure --------------------------------------------------------------------------------

    def _held_months(self, e: Entry) -> int:
        if e.span is None:
            return 0
        lo, hi = e.span
        end = _month(self.today) if hi == float("inf") else int(hi)
        return max(end - lo + 1, 0)

    def _order(self, q: Query, st: ConversationState) -> Outcome | None:
        """A Planner step: tenure and money superlatives, deeds abroad, the nth job (timeline_routes)."""
        return self._longest_stay(q) or self._money(q) or self._done_abroad(q) or self._nth(q)

    @staticmethod
    def _rough(jobs: list[Entry]) -> str:
        """ "about ": a year-only date ("2008 to 2009") makes the count of months a guess."""
        dates = [d for e in jobs for d in (e.start, e.end) if d]
        return "about " if any(len(d) == 4 for d in dates) else ""

    def _longest_stay(self, q: Query) -> Outcome | None:
        res, tenure = _res(), knowledge.order()["tenure"]
        m = res["superlative"].search(q.text)
        if m is None or q.ents or q.techs:
            return None
        after = q.text[m.end() :].split()
        noun = re.sub(r"\W", "", after[0].split("'")[0]) if after else ""
        timed = noun in tenure["time_nouns"]  # "her longest stint"
        if not (res["stay"].search(q.text) or q.det.kind == "experience" or timed):
            return None
        small = noun in STOPWORDS or noun == "xperson" or timed
        if noun and not small and not res["role"].match(noun) and not res["employer"].match(noun):
            return None  # "the longest bridge he has been involved in" is a size
        jobs = [e for e in self.index.of_kind("experience") if e.span]
        if len(jobs) < 2:
            return None
        longest = tenure["superlatives"][m.group(1)] == "max"
        by_employer = bool(res["employer"].search(q.text)) and not res["role"].search(q.text)
        groups: dict[str, list[Entry]] = {}
        for e in jobs:
            key = fold(e.attr("company") or e.title) if by_employer else e.id
            groups.setdefault(key, []).append(e)
        ranked = sorted(groups.values(), key=lambda g: sum(self._held_months(e) for e in g), reverse=longest)
        best = self.index.chronological(ranked[0])
        say = self.say
        first, last = best[0], best[-1]
        when = say.when(first)
        if len(best) > 1:
            start = spoken(first.start)
            when = f"since {start}" if last.ongoing else f"from {start} to {spoken(last.end)}"
        total = sum(self._held_months(e) for e in best)
        roles = [e.attr("role") for e in best if e.attr("role")]
        role_part = f" as {join_words(roles)}" if roles else ""
        how = "longest" if longest else "shortest"
        unit = "with one employer" if by_employer else "in one role"
        text = (
            f"The {how} {say.first} has stayed {unit} is {say.at(first)}{role_part}, {when}: "
            f"{self._rough(best)}{months_spoken(total)}, counted from the resume's dates."
        )
        return Outcome("tenure", text, best, focus=best)

    def employer_total(self, items: list[Entry]) -> Outcome | None:
        """ "How long has she been at Cascade altogether?": every role at that employer, summed."""
        jobs = self.index.chronological([e for e in items if e.kind == "experience" and e.span])
        companies = {fold(e.attr("company")) for e in jobs}
        if len(jobs) < 2 or len(companies) != 1 or "" in companies:
            return None
        say = self.say
        first, last = jobs[0], jobs[-1]
        total = sum(self._held_months(e) for e in jobs)
        start = spoken(first.start)
        lead = (
            f"{say.first} has been at {first.title} since {start}"
            if last.ongoing
            else f"{say.first} was at {first.title} from {start} to {spoken(last.end)}"
        )
        roles = [f"{e.attr('role')} {say.when(e)}" for e in jobs if e.attr("role")]
        text = f"{lead}: {self._rough(jobs)}{months_spoken(total)} in all, counted from the resume's dates"
        text += f", as {join_words(roles)}." if roles else "."
        return Outcome("item_dates", text, jobs)

    # --- money ---------------------------------------------------------------------------------

    def _money(self, q: Query) -> Outcome | None:
        """ "The biggest project he's worked on by budget": the greatest sum a sentence states."""
        res = _res()
        if q.ents or q.techs or not res["money_sup"].search(q.text) or not res["money_asked"].search(q.text):
            return None
        scales = {fold(k): float(v) for k, v in knowledge.order()["money"]["scales"].items()}
        # "the biggest budget": sums said to be budgets first, any sum when none is.
        asked = {stem(m.group(1).split()[-1]) for m in res["money_asked"].finditer(q.text)}
        sums: list[tuple[bool, float, Entry, str]] = []
        for e in self.index.of_kind("experience") + self.index.of_kind("project"):
            for s, own in self.index.sentence_stems(e):
                for f in res["sum"].finditer(s):
                    figure, scale = (f.group(1), f.group(2)) if f.group(1) else (f.group(3), f.group(4))
                    value = float(figure.replace(",", "")) * scales.get(fold(scale or ""), 1.0)
                    sums.append((bool(asked & own), value, e, s))
        if not sums:
            return None
        _, _, e, s = max(sums, key=lambda x: (x[0], x[1]))
        emp = self.index.employer_of(e)
        where = cap(self.say.at(e)) if e.kind == "experience" else f"In {e.title}"
        said = self.say.claim(s, where, it="" if e.kind == "experience" else e.title)
        text = f"The resume doesn't rank them; the largest sum it states: {lower_first(said).rstrip('.')}."
        return Outcome("superlative", text, [e, emp] if emp else [e], focus=[e])

    def _done_abroad(self, q: Query) -> Outcome | None:
        """ "Has he toured abroad?": the sentence where that deed is followed by a place that is neither
        home nor any job's location ("the 2024 tour of Japan"). Working abroad is recruiter_routes'."""
        data = knowledge.order()["abroad"]
        if q.ents or q.techs or not re.search(rf"\b({alternation(data['words'])})\b", q.text):
            return None
        skip = {stem(w) for w in data["not_deeds"]} | {stem(w) for w in tokens(" ".join(data["words"]))}
        deeds = [x for x in q.stems if x not in skip and self.index.idf(x) > 0]
        if len(deeds) != 1:
            return None
        deed = deeds[0]
        home = self.resume.profile.location or ""
        preps = alternation(data["prepositions"])
        found = re.compile(rf"\b(\w+)\s+(?:{preps})\s+(?:the\s+)?([A-Z][\w-]+)")
        jobs = self.index.chronological(self.index.of_kind("experience") + self.index.of_kind("project"))
        # Not home, nor where any job was: a job abroad is the jobs-abroad answer's, not this one's.
        located = " ".join(e.attr("location") for e in jobs)
        local = {t[:5] for t in tokens(f"{home} {located}") if len(t) > 2}
        for e in jobs[::-1]:
            for s in e.sentences:
                for m in found.finditer(s):
                    if stem(m.group(1).lower()) == deed and fold(m.group(2))[:5] not in local:
                        where = cap(self.say.at(e)) if e.kind == "experience" else f"In {e.title}"
                        said = self.say.claim(s, where, it="" if e.kind == "experience" else e.title)
                        return Outcome("abroad", f"Yes. {said.rstrip('.')}.", [e], focus=[e])
        return None

    # --- places --------------------------------------------------------------------------------

    def placed(self, entries: list[Entry], place: str) -> str | None:
        """ "What did he do in Portugal?": each job there with its town, role and dates."""
        jobs = [e for e in entries if e.kind == "experience"]
        if len(jobs) != len(entries) or len(jobs) < 2:
            return None
        parts = []
        for e in jobs:
            loc = [p.strip() for p in e.attr("location").split(",") if p.strip()]
            town = next((p for p in loc if place not in tokens(p)), "")
            role = e.attr("role")
            head = f"{role} {self.say.at(e)}" if role else self.say.at(e)
            parts.append(f"{head}{' in ' + town if town else ''}, {self.say.years(e)}")
        text = f"In {place.capitalize()}, {self.say.first} was {join_words(parts)}"
        return text.rstrip(".") + "."
