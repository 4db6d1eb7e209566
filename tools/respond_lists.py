"""Spoken answers about several items, technologies, resume sections and profile fields."""

from __future__ import annotations

import re

from tools.dates import spoken
from tools.respond import Speaker, finish, short_url
from tools.search import Entry
from tools.text import article, cap, count_word, join_words, lower_first, sentence, tech_key

_CATEGORY_LABEL_RE = re.compile(r"[_\s]+")


def category_label(cat: str) -> str:
    return _CATEGORY_LABEL_RE.sub(" ", cat).strip()


class ListSpeaker(Speaker):
    # --- lists ---------------------------------------------------------------------------------

    def experiences(self, entries: list[Entry], lead: str = "") -> str:
        if len(entries) == 1:
            e = entries[0]
            lead = f"{lead}," if lead and not lead.endswith((",", ":")) else lead
            return finish([f"{lead} {self.opener(e)}" if lead else self.opener(e), *e.sentences[:1]])
        parts = [f"{self.at(e)} {self.years(e)}" for e in entries]
        # "at A 2019 to 2022, at B ..." reads badly: only the first employer keeps its "at".
        parts = [parts[0]] + [p[3:] if p.startswith("at ") else p for p in parts[1:]]
        head = f"{lead}, {self.first} worked" if lead else f"{self.first} has worked"
        if not lead:
            head += f" in {count_word(len(entries))} roles:"
        return finish([f"{head} {join_words(parts)}"])

    def projects(self, entries: list[Entry], lead: str = "", ongoing: bool = False) -> str:
        """`lead` is a scene-setter ("At Initech", "Since 2023") for the list sentence."""
        if len(entries) == 1:
            # The opener already says where and when, so a lead would only repeat it.
            return self.detail(entries[0], [])
        if ongoing:
            head = f"{lead + ', ' if lead else ''}{self.first} has {count_word(len(entries))} ongoing"
            return finish([f"{head} projects: {self.names(entries, cap=7)}"])
        head = f"{lead}, {self.first} worked on" if lead else f"{self.first} has worked on"
        kinds = {e.attr("kind") for e in entries}
        label = f"{kinds.pop()} projects" if len(kinds) == 1 and "work" not in kinds else "projects"
        return finish([f"{head} {count_word(len(entries))} {label}: {self.names(entries, cap=7)}"])

    def timeline(self, entries: list[Entry], lead: str) -> str:
        """Mixed kinds in one period: "In 2018, Jordan worked at X, and on the Y project"."""
        by_kind: dict[str, list[Entry]] = {}
        for e in entries:
            by_kind.setdefault(e.kind, []).append(e)
        clauses = []
        if "experience" in by_kind:
            places = [self.at(e) for e in by_kind["experience"]]
            places = [places[0]] + [p[3:] if p.startswith("at ") else p for p in places[1:]]
            clauses.append("worked " + join_words(places))
        if "project" in by_kind:
            projs = by_kind["project"]
            clauses.append(f"worked on {join_words([e.title for e in projs])}")
        for kind, verb in (
            ("education", "studied at"),
            ("certification", "earned the"),
            ("award", "received"),
            ("publication", "published"),
        ):
            if kind in by_kind:
                clauses.append(f"{verb} {join_words([e.title for e in by_kind[kind]])}")
        return finish([f"{lead}, {self.first} {', and '.join(clauses)}"])

    # --- technologies --------------------------------------------------------------------------

    def tech(
        self, name: str, entries: list[Entry], kind: str | None, lead: str = "", yes: bool = False
    ) -> str:
        exps = [e for e in entries if e.kind == "experience"]
        projs = [e for e in entries if e.kind == "project"]
        certs = [e for e in entries if e.kind == "certification"]
        others = [e for e in entries if e.kind not in ("experience", "project", "certification")]
        prefix = f"{lead}, " if lead else ("Yes. " if yes else "")
        parts: list[str] = []
        if kind == "project" or (projs and not exps):
            n = len(projs)
            parts.append(
                f"{prefix}{self.first} used {name} in {count_word(n)} project{'s' if n != 1 else ''}: "
                f"{self.names(projs, cap=7)}"
            )
        elif kind == "experience" or not projs:
            parts.append(f"{prefix}{self.first} used {name} {join_words([self.at(e) for e in exps])}")
        else:
            parts.append(
                f"{prefix}{self.first} used {name} {join_words([self.at(e) for e in exps])}, "
                f"and in {count_word(len(projs))} project{'s' if len(projs) != 1 else ''}: "
                f"{self.names(projs, cap=5)}"
            )
        if certs:
            n = len(certs)
            parts.append(
                f"{self.They} also {self.verb('hold', 'holds')} {'a' if n == 1 else count_word(n)} related "
                f"certification{'s' if n > 1 else ''}: {join_words([c.title for c in certs])}"
            )
        if others:
            parts.append(f"It also comes up in {join_words([e.title for e in others])}")
        key = tech_key(name)
        for e in exps[:2]:
            hit = next((s for s in e.sentences if key in tech_key(s) or name.lower() in s.lower()), None)
            if hit:
                parts.append(self.claim(hit, cap(self.at(e))))
                break
        return finish(parts)

    def tech_missing(self, name: str, related: list[str], category: str | None) -> str:
        parts = [f"The resume doesn't mention {name}"]
        if related:
            parts.append(f"It does list {join_words(related)}")
        elif category and category in self.resume.skills:
            parts.append(
                f"{self.first}'s {category_label(category)} are {join_words(self.resume.skills[category])}"
            )
        return finish(parts)

    def tech_skill_only(self, name: str, category: str | None, shown: bool = False) -> str:
        where = f" under {category_label(category)}" if category else ""
        if shown:  # an item's text says it, though no item lists it among its technologies
            return sentence(f"{name} is listed in {self.first}'s skills{where}")
        return sentence(
            f"{name} is listed in {self.first}'s skills{where}, but the resume doesn't tie it to a "
            f"specific job or project"
        )

    def title(self, e: Entry) -> str:
        role = e.attr("role")
        head = self.resume.profile.title
        parts = [
            f"{self.first}'s current title is {role}, {self.at(e)}, {self.when(e)}"
            if role
            else self.opener(e)
        ]
        if head and head != role:
            parts.append(f"{self.poss.capitalize()} headline is {head}")
        return finish(parts)

    def skills(self, category: str | None) -> str:
        skills = self.resume.skills
        if not skills:
            return "The resume doesn't list skills."
        if category and category in skills:
            return sentence(f"{self.first}'s {category_label(category)}: {join_words(skills[category])}")
        parts = [
            f"{self.first}'s skills include {category_label(cat)} like {join_words(names[:3])}"
            if i == 0
            else f"{category_label(cat)} like {join_words(names[:3])}"
            for i, (cat, names) in enumerate(skills.items())
        ]
        return finish(["; ".join(parts)])

    # --- sections ------------------------------------------------------------------------------

    def education(self, entries: list[Entry], stems: list[str]) -> str:
        if not entries:
            return "The resume doesn't list any education."
        if len(entries) == 1:
            return self.detail(entries[0], stems)
        parts = []
        for e in entries:
            degree = e.attr("degree")
            what = f"{article(degree)} {degree} from {e.title}" if degree else e.title
            parts.append(f"{what}, {self.years(e)}")
        return finish([f"{self.first} has {join_words(parts)}"])

    def certifications(self, entries: list[Entry]) -> str:
        if not entries:
            return "The resume doesn't list any certifications."
        parts = [
            f"{e.title}{' from ' + e.attr('issuer') if e.attr('issuer') else ''}, {self.when(e)}".rstrip(", ")
            for e in entries
        ]
        n = len(entries)
        return finish(
            [f"{self.first} holds {count_word(n)} certification{'s' if n > 1 else ''}: {join_words(parts)}"]
        )

    def awards(self, entries: list[Entry]) -> str:
        if not entries:
            return "The resume doesn't list any awards."
        parts = []
        for e in entries:
            details = e.attr("details").rstrip(".")
            parts.append(f"{e.title}, {self.when(e)}" + (f", {lower_first(details)}" if details else ""))
        if len(parts) == 1:
            return finish([f"The resume lists one award: {parts[0]}"])
        return finish([f"The resume lists {count_word(len(entries))} awards: {'; and '.join(parts)}"])

    def publications(self, entries: list[Entry]) -> str:
        if not entries:
            return "The resume doesn't list any publications."
        return finish([self.opener(e) for e in entries])

    # --- profile -------------------------------------------------------------------------------

    def contact(self, asked_phone: bool) -> str:
        p = self.resume.profile
        parts = []
        if asked_phone:
            parts.append(
                f"{self.first}'s phone number is {p.phone}"
                if p.phone
                else "The resume doesn't list a phone number"
            )
        if p.email:
            parts.append(f"You can reach {self.first} by email at {p.email}")
        if p.phone and not asked_phone:
            parts.append(f"{self.They} can also be reached by phone at {p.phone}")
        if p.links.linkedin:
            are = "'re" if self.plural else "'s"
            parts.append(f"{self.They}{are} also on LinkedIn at {short_url(p.links.linkedin)}")
        return finish(parts) if parts else "The resume doesn't list contact details."

    def links(self, which: list[str]) -> str:
        links = self.resume.profile.links.model_dump(exclude_none=True)
        links = {k: v for k, v in links.items() if isinstance(v, str)}
        wanted = [k for k in which if k in links] or ([] if which else list(links))
        label = {
            "linkedin": "LinkedIn",
            "github": "GitHub",
            "website": "website",
            "stackoverflow": "Stack Overflow",
        }
        missing_label = {"website": "a personal website"}
        if not wanted:
            missing = (
                join_words([missing_label.get(w, label.get(w, w.capitalize())) for w in which]) or "links"
            )
            have = join_words([label.get(k, k) for k in links])
            also = f" It lists {self.poss} {have}." if have else ""
            return f"The resume doesn't list {missing} for {self.first}.{also}"
        return finish([f"{self.first}'s {label.get(k, k)} is {short_url(links[k])}" for k in wanted])

    def languages(self, asked: list[str]) -> str:
        spoken_langs = self.resume.profile.languages_spoken
        if not spoken_langs:
            return "The resume doesn't list the languages " + self.first + " speaks."
        have = [lang for lang in spoken_langs if any(a in lang.lower() for a in asked)]
        missing = [a for a in asked if not any(a in lang.lower() for lang in spoken_langs)]
        parts = []
        if missing:
            parts.append(f"The resume doesn't list {join_words([m.capitalize() for m in missing])}")
        if have:
            parts.append(f"Yes, {self.first} speaks {join_words(have)}")
        if missing or not have:
            parts.append(f"{self.first} speaks {join_words(spoken_langs)}")
        return finish(parts)

    def profile_field(self, label: str, value: str | None) -> str:
        if not value:
            return f"The resume doesn't say anything about {self.first}'s {label}."
        if value.lower().startswith("available"):
            return finish([f"{self.first} is {lower_first(value)}"])
        return finish([f"On {label}, the resume says: {value}"])

    def location(self, asked: str = "") -> str:
        """Where the person is based, noting when asked-about remote work or relocation goes unmentioned."""
        loc = self.resume.profile.location
        if not loc:
            return f"The resume doesn't say where {self.first} is based."
        text = sentence(f"{self.first} is based in {loc}")
        for pattern, topic in ((r"remote", "remote work"), (r"relocat", "relocation")):
            if re.search(pattern, asked) and not re.search(pattern, loc.lower()):
                text += f" The resume doesn't mention {topic}."
        return text

    def identity(self) -> str:
        p = self.resume.profile
        return sentence(
            f"{p.name} is {article(p.title)} {p.title}" if p.title else f"This is {p.name}'s resume"
        )

    def summary(self) -> str:
        p = self.resume.profile
        head = f"{p.name} is {article(p.title)} {p.title}" if p.title else p.name
        return finish([head, p.summary])

    def years_experience(self) -> str:
        hit = next(
            (s for s in re.split(r"(?<=\.)\s+", self.resume.profile.summary) if "year" in s.lower()), None
        )
        if hit:
            return finish([f"According to {self.poss} summary: {hit}"])
        first = self.index.ordinal(self.index.of_kind("experience"), "first")
        if first:
            return sentence(f"{self.first}'s earliest listed role started in {spoken(first[0].start)}")
        return "The resume doesn't say how many years of experience " + self.first + " has."

    def interests(self) -> str:
        items = self.resume.interests
        if not items:
            return f"The resume doesn't list hobbies or interests for {self.first}."
        return sentence(f"Outside work, {self.first} lists {join_words([lower_first(i) for i in items])}")
