"""Spoken answers: short sentences, resume wording, numbers and dates exactly as written.

Nothing here computes a figure: counts are spoken as words ("two projects") and durations as rough
words ("about two years"), so every digit in an answer is one the resume contains.
"""

from __future__ import annotations

import re

from tools.dates import duration_words, spoken
from tools.resume_model import Resume
from tools.search import Entry, ResumeIndex
from tools.text import article, cap, count_word, join_words, lower_first, quoted_in, sentence, words

MAX_WORDS = 60
_FREELANCE_RE = re.compile(r"^(independent|freelance|self.employed|consult)", re.I)
_IRREGULAR_PAST = words(
    """built cut wrote rewrote led ran made grew won took brought drove set gave began became found kept
    shipped spun sold taught held put got did oversaw undertook bought chose drew fought hit lost met paid
    rebuilt shut split spent stood threw understood went co-wrote co-founded"""
)
# Participles that open passive highlights ("Used by two projects"): not something the person did.
_PASSIVE_HEADS = words(
    """used adopted featured cited deployed recognized recognised selected accepted published invited awarded
    funded sponsored backed downloaded starred mentioned covered ranked nominated shortlisted trusted
    installed"""
)
_PRESENT_VERBS = words(
    """reduces handles supports runs retrains serves powers detects provides enables uses allows processes
    predicts tracks connects manages automates generates stores monitors scales improves cuts lets helps
    integrates exposes combines converts ingests routes streams parses builds replaces syncs reconciles
    schedules delivers transcribes translates indexes answers hosts leads manages owns designs maintains
    oversees mentors drives develops heads coordinates works teaches performs carries holds covers treats
    supervises trains writes"""
)
# Past verbs whose subject is usually the project itself ("Became the team's main tool").
_ITEM_SUBJECT_PAST = words(
    "became reached grew gained won attracted received earned achieved served processed was got"
)
_PASSIVE_NEXT = words("by in at across as for on")
_DETERMINERS = words(
    "a an the his her their its our all every each both several multiple new and two three four five six "
    "seven eight nine ten eleven twelve over more"
)
_PRONOUNS = {"she": ("she", "her", "her", False), "he": ("he", "him", "his", False)}


def finish(parts: list[str], limit: int = MAX_WORDS) -> str:
    """Join sentences, dropping trailing ones that would push the answer past `limit` words."""
    out: list[str] = []
    words = 0
    for p in (sentence(p) for p in parts if p and p.strip()):
        n = len(p.split())
        if out and words + n > limit:
            continue
        out.append(p)
        words += n
    return " ".join(out)


def short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


class Speaker:
    def __init__(self, resume: Resume, index: ResumeIndex) -> None:
        self.resume = resume
        self.index = index
        p = resume.profile
        self.name = p.name
        self.first = p.name.split()[0]
        key = (p.pronouns or "they").split("/")[0].strip().lower()
        self.subj, self.obj, self.poss, self.plural = _PRONOUNS.get(key, ("they", "them", "their", True))

    # --- small phrases -------------------------------------------------------------------------

    def verb(self, plural_form: str, singular_form: str) -> str:
        return plural_form if self.plural else singular_form

    @property
    def They(self) -> str:  # noqa: N802 - reads like the pronoun it returns
        return self.subj.capitalize()

    @staticmethod
    def is_freelance(e: Entry) -> bool:
        return e.kind == "experience" and bool(_FREELANCE_RE.match(e.title))

    def company(self, e: Entry) -> str:
        """How to name an employer mid-sentence ("Initech", "an independent consultant")."""
        return f"{article(e.title)} {e.title.lower()}" if self.is_freelance(e) else e.title

    def at(self, e: Entry) -> str:
        return f"as {self.company(e)}" if self.is_freelance(e) else f"at {e.title}"

    @staticmethod
    def when(e: Entry) -> str:
        start, end = e.start, e.end
        if e.ongoing and start:
            return f"since {spoken(start)}"
        if start and end and start != end:
            return f"from {spoken(start)} to {spoken(end)}"
        return f"in {spoken(start or end)}" if (start or end) else ""

    @staticmethod
    def years(e: Entry) -> str:
        start, end = e.start, e.end
        if e.ongoing and start:
            return f"since {start[:4]}"
        if start and end and start[:4] != end[:4]:
            return f"from {start[:4]} to {end[:4]}"
        return f"in {(start or end or '')[:4]}" if (start or end) else ""

    def claim(
        self, text: str, where: str = "", subject: str = "", it: str = "", descriptive: bool = False
    ) -> str:
        """A resume phrase as a spoken sentence.

        "Mentored six engineers" -> "Jordan mentored six engineers"; "Handles 2.1 million calls" ->
        "The bridge handles 2.1 million calls" when `it` names the item; noun phrases stay verbatim.
        `descriptive` marks summaries/descriptions, which are usually noun phrases ("Opinionated
        Terraform modules"), so a leading "-ed" word only counts as a verb before a determiner there.
        """
        text = text.strip().rstrip(".;")
        words = text.split(" ", 2)
        head = words[0].lower()
        nxt = words[1].lower() if len(words) > 1 else ""
        passive = nxt == "by" or (head in _PASSIVE_HEADS and nxt in _PASSIVE_NEXT)
        past = head in _IRREGULAR_PAST or (
            head.endswith("ed") and (not descriptive or nxt in _DETERMINERS or nxt[:1].isdigit())
        )
        if past and not passive and it and head in _ITEM_SUBJECT_PAST:
            return f"{it} {lower_first(text)}"
        if past and not passive:
            body = f"{subject or self.first} {lower_first(text)}"
            return f"{where}, {body}" if where else body
        if head in _PRESENT_VERBS and (it or subject or where):
            if it:
                return f"{it} {lower_first(text)}"
            who = subject or self.first
            verb = self._conjugate(words[0].lower()) if who == self.They and self.plural else words[0].lower()
            body = f"{who} {verb} {' '.join(words[1:])}".strip()
            return f"{where}, {body}" if where else body
        return f"{where}: {text}" if where else text

    @staticmethod
    def _conjugate(verb: str) -> str:
        """Third-person "manages" -> "manage" for a plural pronoun ("they manage")."""
        if verb.endswith(("sses", "shes", "ches", "xes", "zes")):
            return verb[:-2]
        return verb[:-1] if verb.endswith("s") else verb

    def title_of(self, e: Entry) -> str:
        return self.company(e) if e.kind == "experience" else e.title

    def names(self, entries: list[Entry], cap: int = 6) -> str:
        titles = [self.title_of(e) for e in entries]
        if len(titles) > cap:
            rest = len(titles) - cap + 1
            titles = titles[: cap - 1] + [f"{count_word(rest)} more"]
        return join_words(titles)

    # --- single items --------------------------------------------------------------------------

    def opener(self, e: Entry, placed: bool = False) -> str:
        """First sentence about any item: what it is, where (of a job, when asked) and when."""
        when = self.when(e)
        if e.kind == "experience" and placed and e.attr("location"):
            when = f"in {e.attr('location')}, {when}"
        if e.kind == "experience":
            role = e.attr("role")
            if self.is_freelance(e):
                return f"{self.first} worked {self.at(e)}{', with the title ' + role if role else ''}, {when}"
            if e.ongoing:
                return f"{self.first} has been {role or 'working'} at {e.title} {when}"
            return (
                f"{self.first} was {role} at {e.title}, {when}"
                if role
                else f"{self.first} worked at {e.title}, {when}"
            )
        if e.kind == "project":
            kind = e.attr("kind")
            kind_word = "" if kind in ("", "work") else f"{kind} "
            employer = self.index.employer_of(e)
            where = f" at {employer.title}" if employer else ""
            if e.ongoing:
                return f"{e.title} is an ongoing {kind_word}project{where}, started in {spoken(e.start)}"
            label = f"{kind_word}project{where}"
            return f"{e.title} was {article(label)} {label}, {when}"
        if e.kind == "education":
            degree = e.attr("degree")
            what = f"{article(degree)} {degree} at {e.title}" if degree else f"studies at {e.title}"
            return f"{self.first} did {what}, {when}"
        if e.kind == "certification":
            issuer = e.attr("issuer")
            return f"{self.first} holds the {e.title}{' from ' + issuer if issuer else ''}, {when}"
        if e.kind == "award":
            return f"{e.title}, {when}"
        venue = e.attr("venue")
        return f'{self.first} published "{e.title}"{" in " + venue if venue else ""}, {when}'

    def detail(self, e: Entry, stems: list[str], lead: str = "", where: bool = False) -> str:
        lead = f"{lead}," if lead and lead[-1].isalnum() else lead
        parts = [f"{lead} {self.opener(e, where)}" if lead else self.opener(e, where)]
        rest = list(e.sentences)
        best = self.index.best_sentence(e, stems) if stems else None
        if best and best in rest[1:]:
            # Keep the summary first, then the highlight the question was about.
            rest.remove(best)
            rest.insert(1, best)
        # The opener already named the person; later sentences use the pronoun.
        it = "It" if e.kind == "project" else ""
        descriptive = set(e.sentences[: e.lead_count])
        parts += [self.claim(s, subject=self.They, it=it, descriptive=s in descriptive) for s in rest]
        return finish(parts)

    def dates(self, e: Entry) -> str:
        if e.kind == "experience":
            if e.ongoing:
                return f"{self.first} has been {self.at(e)} {self.when(e)}."
            dur = duration_words(e.start or "", e.end) if e.start else ""
            return sentence(f"{self.first} was {self.at(e)} {self.when(e)}{', ' + dur if dur else ''}")
        if e.kind == "project" and e.ongoing:
            return sentence(f"{e.title} started in {spoken(e.start)} and is still ongoing")
        if e.kind == "project":
            return sentence(f"{e.title} ran {self.when(e)}")
        return sentence(self.opener(e))

    def technologies(self, e: Entry) -> str:
        if not e.techs:
            return f"The resume doesn't list technologies for {self.title_of(e)}."
        if e.kind == "experience":
            return sentence(f"{cap(self.at(e))}, {self.first} used {join_words(list(e.techs))}")
        return sentence(f"{e.title} was built with {join_words(list(e.techs))}")

    def metric(self, e: Entry, stems: list[str], said: str = "") -> str:
        """The item's sentence with a figure the question asks; one the last answer (`said`) quoted first."""
        figures = [(text, ss) for text, ss in self.index.sentence_stems(e) if any(c.isdigit() for c in text)]
        asked = [text for text, ss in figures if set(stems) & ss] if stems else [text for text, _ in figures]
        quoted = [text for text, _ in figures if said and quoted_in(text, said)]
        if len(quoted) == len(figures):
            quoted = []  # the last answer said them all ("tell me about X"): no hint which
        # "by how much", "how much does it save": of the figures just said, the one asked, else any.
        best = next((t for t in quoted if t in asked), None) or (quoted[0] if quoted and not asked else None)
        if best is None and stems:
            best = self.index.best_sentence(e, stems, prefer_numbers=True)
        if best is None:
            numbered = [s for s in e.sentences if any(c.isdigit() for c in s)]
            if stems and not numbered:
                return f"The resume doesn't give that figure for {self.title_of(e)}."
            best = (numbered or list(e.sentences) or [""])[0]
            if not best:
                return f"The resume doesn't give that figure for {self.title_of(e)}."
        if e.kind == "experience":
            return finish([self.claim(best, cap(self.at(e)))])
        said = self.claim(best, it=e.title)
        return finish([said if said != best.rstrip(".;") else f"{e.title}: {best}"])

    def place(self, e: Entry) -> str:
        loc = e.attr("location")
        if e.kind == "project":
            employer = self.index.employer_of(e)
            if employer is not None:
                emp_loc = employer.attr("location")
                return sentence(
                    f"{e.title} was built at {employer.title}" + (f", in {emp_loc}" if emp_loc else "")
                )
            kind = e.attr("kind")
            return f"The resume doesn't say where {e.title} was built; it's {article(kind)} {kind} project."
        if loc:
            return sentence(
                f"{cap(self.title_of(e)) if self.is_freelance(e) else e.title} was in {loc}"
                if e.kind == "experience"
                else f"{e.title}, {loc}"
            )
        if e.kind == "education":
            return sentence(f"{self.first} studied at {e.title}")
        return f"The resume doesn't say where {self.title_of(e)} was."

    def employer(self, e: Entry) -> str:
        emp = self.index.employer_of(e)
        if emp is not None:
            return sentence(f"{e.title} was built at {emp.title}, {self.when(e)}")
        if e.kind == "experience":
            return sentence(self.opener(e))
        return sentence(
            f"{e.title} isn't tied to an employer; it's {article(e.attr('kind') or 'x')} "
            f"{e.attr('kind') or 'personal'} project"
        )

    def link(self, e: Entry) -> str:
        url = e.attr("url")
        if url:
            return sentence(f"{e.title} is at {short_url(url)}")
        return f"The resume doesn't list a link for {self.title_of(e)}."

    def team(self, e: Entry) -> str:
        size = getattr(e.item, "team_size", None)
        if size is None:
            return f"The resume doesn't give a team size for {self.title_of(e)}."
        if size == 1:
            return sentence(f"{self.first} worked solo {self.at(e)}: a team of 1")
        return sentence(f"{self.first}'s team {self.at(e)} was {size} people")

    def neighbour(
        self, e: Entry, direction: str, stems: list[str], anchor: str = "that", where: bool = False
    ) -> str:
        return self.detail(e, stems, lead=f"{cap(direction)} {anchor},", where=where)
