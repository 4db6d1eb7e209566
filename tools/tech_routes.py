"""Answer builders for technology questions: who used what, where, together, or not at all."""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.dates import DateRange, date_lead
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.search import Entry, ResumeIndex
from tools.technology import TechIndex, TechMatch
from tools.text import cap, count_word, join_words, sentence, stem, tokens

_BOTH_RE = re.compile(r"\b(both|together|all of|combined|at the same time)\b")


class TechRoutes:
    text_search: Callable[..., Outcome | None]
    retrieval: Retrieval
    resume: Resume
    index: ResumeIndex
    tech: TechIndex
    say: ListSpeaker

    def technology(
        self,
        q: Query,
        kind: str | None,
        project_kind: str | None,
        rng: DateRange | None,
        techs: list[TechMatch],
    ) -> Outcome:
        answers: list[str] = []
        items: list[Entry] = []
        if len(techs) > 1 and _BOTH_RE.search(q.text) and all(t.in_resume for t in techs):
            return self._tech_together(q, kind, project_kind, rng, techs)
        for n, t in enumerate(techs[:3]):
            text, found = self._one_tech(t, kind, project_kind, rng, q, first=n == 0)
            answers.append(text)
            items += [e for e in found if e not in items]
        return Outcome(
            "technology",
            " ".join(answers),
            items,
            kind=kind,
            project_kind=project_kind,
            tech=techs[0].name,
            date=rng,
        )

    def _tech_together(
        self,
        q: Query,
        kind: str | None,
        project_kind: str | None,
        rng: DateRange | None,
        techs: list[TechMatch],
    ) -> Outcome:
        """ "Which projects used both Python and PyTorch?": items using all of them."""
        common = set.intersection(*(set(self.tech.items_for(t.name)) for t in techs))
        pool = [self.index.by_id[i] for i in common if i in self.index.by_id]
        entries = self.index.chronological(
            self.index.filter(pool, kind=kind, project_kind=project_kind, date=rng)
        )
        label = join_words([t.name for t in techs])
        if not entries:
            text = f"The resume doesn't list anything that used {label} together."
        else:
            text = sentence(f"{self.say.first} used {label} together {self._where(entries[::-1])}")
        return Outcome(
            "technology", text, entries, kind=kind, project_kind=project_kind, tech=techs[0].name, date=rng
        )

    def _where(self, entries: list[Entry]) -> str:
        parts = [self.say.at(e) if e.kind == "experience" else f"in {e.title}" for e in entries[:6]]
        return join_words(parts)

    def _one_tech(
        self,
        t: TechMatch,
        kind: str | None,
        project_kind: str | None,
        rng: DateRange | None,
        q: Query,
        first: bool = True,
    ) -> tuple[str, list[Entry]]:
        say = self.say
        if not t.in_resume:
            return say.tech_missing(t.name, self.tech.related(t.name), self.tech.category.get(t.name)), []
        ids = self.tech.items_for(t.name)
        lead_text = ""
        if not ids:
            related = [r for r in self.tech.related(t.name) if self.tech.items_for(r)]
            for r in related:
                ids += [i for i in self.tech.items_for(r) if i not in ids]
            lead_text = say.tech_skill_only(t.name, self.tech.category.get(t.name))
            if not ids:
                # Where the resume's text shows it: the question's own words, the skill's name as a hint.
                hits = self.retrieval.rank(q.stems or [stem(x) for x in tokens(t.name)], limit=2)
                found = [h.entry for h in hits if h.sentence]
                claims = [
                    say.claim(
                        h.sentence,
                        cap(say.at(h.entry)) if h.entry.kind == "experience" else f"In {h.entry.title}",
                    )
                    for h in hits
                    if h.sentence
                ]
                if claims:
                    lead_text = say.tech_skill_only(t.name, self.tech.category.get(t.name), shown=True)
                # "which HR systems has she used": the tools of the item that shows the skill.
                tools_of = list(found[0].techs) if found and q.has("item_tech", "skills") else []
                more = [f"{say.They} used {join_words(tools_of)} there."] if tools_of else []
                return " ".join([lead_text, *[c.rstrip(".") + "." for c in claims[:1]], *more]), found[:1]
            name = join_related(related)
        else:
            name = t.name
        pool = [self.index.by_id[i] for i in ids]
        if q.negated and kind in ("project", "experience"):
            # "Which projects didn't use Python?": every item of that kind except those that did.
            others = [e for e in self.index.of_kind(kind) if e.id not in ids]
            found = self.index.filter(others, project_kind=project_kind, date=rng)
            what = "projects" if kind == "project" else "jobs"
            if not found:
                return f"Every one of {self.say.first}'s {what} on the resume used {t.name}.", []
            names = self.say.names(self.index.chronological(found)[::-1], cap=7)
            return sentence(
                f"{count_word(len(found)).capitalize()} {what} didn't list {t.name}: {names}"
            ), found
        entries = self.index.filter(pool, kind=kind, project_kind=project_kind, date=rng)
        if q.dates.ordinal in ("first", "latest", "current") and entries:
            entries = self.index.ordinal(entries, q.dates.ordinal) or entries
        if not entries:
            where = say.names(self.index.chronological(pool)[-3:])
            what = {"project": "projects", "experience": "jobs"}.get(kind or "", "items")
            label = f" {rng.label}" if rng else ""
            return (
                f"The resume doesn't list {t.name} in any {project_kind + ' ' if project_kind else ''}{what}"
                f"{label}. It does show up in {where}."
            ), []
        # One "Yes." per answer; and after "X is listed in skills, but..." it would jar.
        yes = q.yes_no and first and not lead_text
        text = say.tech(name, self.index.chronological(entries)[::-1], kind, lead=date_lead(rng), yes=yes)
        return (f"{lead_text} {text}".strip(), entries)

    # --- lists and timelines -------------------------------------------------------------------

    def category_answer(self, q: Query, category: str) -> Outcome:
        """ "Any cloud experience?": the skills of that category and where they were used."""
        names = self.resume.skills.get(category, [])
        canon = {self.tech.canonical(n) or n for n in names}
        used = [e for e in self.index.of_kind("experience") if canon & set(e.techs)]
        text = self.say.skills(category)
        if used:
            where = join_words([self.say.at(e) for e in used[:3]])
            text += " " + sentence(f"{self.say.first} used them {where}")
        elif q.has("work"):
            # "What medical experience does she have?": the jobs that show it, then the skills.
            found = self.text_search(q)
            if found is not None:
                return Outcome("search", f"{found.answer} {text}", found.items, category=category)
        return Outcome("skills", text, used[:3], category=category)


def join_related(names: list[str]) -> str:
    return join_words(names, "or")
