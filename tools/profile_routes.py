"""Answers that need no item look-up: small talk, unknowable personal facts and profile fields."""

from __future__ import annotations

import re
from collections.abc import Callable

from tools import knowledge, personal
from tools.english import basic_words
from tools.followup import Cue
from tools.intent import IntentDetector
from tools.query import SUBSTANTIVE, Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex
from tools.text import STOPWORDS, stem, tokens

_FIT_RE = re.compile(
    r"\b(good fit|right fit|qualified|why (should|would) (we|i) hire|should (we|i) hire|strong candidate|"
    r"worth (hiring|interviewing))\b"
)
# Profile questions with a route of their own, which says the whole field.
_OWN_ROUTES = ("availability", "work_auth", "location", "contact", "links", "spoken", "languages", "skills")
_CLAUSE_RE = re.compile(r"(?<=[.;])\s+|\s*;\s*")
_PHONE_RE = re.compile(r"\b(phone|call|cell|mobile|telephone)\b")
_LINK_NAMES = {
    "linkedin": "linkedin", "linked in": "linkedin", "github": "github", "git hub": "github",
    "website": "website", "web site": "website", "portfolio": "website", "blog": "website",
    "homepage": "website", "twitter": "twitter", "mastodon": "mastodon", "instagram": "instagram",
    "facebook": "facebook", "stack overflow": "stackoverflow",
}  # fmt: skip


class ProfileRoutes:
    resume: Resume
    text_search: Callable[..., Outcome | None]
    index: ResumeIndex
    tech: TechIndex
    say: ListSpeaker
    _spoken_names: tuple[str, ...]
    _person_stems: frozenset[str]
    _clauses: list[tuple[str, frozenset[str]]]
    employer_total: Callable[[list[Entry]], Outcome | None]

    def _init_profile(self) -> None:
        self._person_stems = frozenset(stem(t) for t in tokens(self.resume.profile.name))
        p = self.resume.profile
        # The work-authorization and availability lines, clause by clause, with their stems (built once).
        self._clauses = [
            (c.strip().rstrip("."), frozenset(stem(t) for t in tokens(c)))
            for field in (p.work_authorization, p.availability)
            for c in _CLAUSE_RE.split(field or "")
            if c.strip()
        ]
        own = {w.split(" ")[0].lower() for w in self.resume.profile.languages_spoken}
        self._spoken_names = tuple(sorted(knowledge.spoken_languages() | own))

    def _resume_says(self, words: str, profile: bool = True) -> bool:
        """Does the resume use these words (items, and profile text unless not)? Then it may answer them."""
        p = self.resume.profile
        own = self.index.vocabulary()
        if profile:
            text = " ".join(x or "" for x in (p.summary, p.availability, p.work_authorization, p.title))
            own = own | {stem(t) for t in tokens(text)}
        return any(stem(t) in own for t in tokens(words) if t not in STOPWORDS)

    def _phrase(self, name: str, label: str, said: str = "") -> str:
        return str(personal.phrases()[name]).format(
            first=self.say.first, poss=self.say.poss, label=label, said=said
        )

    def _item_subject(self, q: Query, topic: str, field: str | None = None, with_other: bool = False) -> bool:
        """Are the words that raised a profile topic the items' own subject rather than the field?

        A pharmacist's "residency" is a training post, not a residence permit, when items say it and the
        work authorization does not; "email marketing" is marketing work when an item has both words.
        """
        said = {
            stem(t)
            for w in IntentDetector.triggers(q.text, topic)
            for t in tokens(w)
            if t not in STOPWORDS and t not in basic_words()  # "work" in "can she work in X" names no subject
        }
        if not said or said & {stem(t) for t in tokens(field or "")}:
            return False
        pool = [e for e in self.index.entries if all(self.index.mentions(e.id, x) for x in said)]
        if with_other:
            others = [x for x in q.stems if x not in said and self.index.idf(x) > 0]
            pool = [e for e in pool if any(self.index.mentions(e.id, x) for x in others)]
        return bool(pool)

    def _focus(self, st: ConversationState) -> list[Entry]:
        return [self.index.by_id[i] for i in st.focus_ids if i in self.index.by_id]

    def _items_of(self, q: Query) -> list[Entry]:
        return [self.index.by_id[m.item_id] for m in q.ents if m.item_id in self.index.by_id]

    def _small_talk(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.ents or q.techs or (q.topics & SUBSTANTIVE) or not q.dates.empty or q.cue is not Cue.NONE:
            return None
        first = self.say.first
        if q.has("greeting"):
            return Outcome(
                "greeting", f"Hi! I can answer questions about {first}'s resume. What would you like to know?"
            )
        if q.has("bye"):
            return Outcome("bye", "Thanks for your time. Goodbye!")
        if q.has("thanks"):
            return Outcome("thanks", f"You're welcome! Anything else about {first}'s resume?")
        if q.has("help"):
            return Outcome(
                "help",
                f"I'm an AI assistant for {self.resume.profile.name}'s resume. I can answer questions about "
                f"{self.say.poss} experience, projects, skills, education and how to get in touch.",
            )
        if q.has("smalltalk"):
            return Outcome("smalltalk", f"I'm doing well, thanks. What would you like to know about {first}?")
        if q.has("ack") or not q.utt.toks:
            return Outcome("ack", f"Anything else you'd like to know about {first}?")
        return None

    def _unknowable(self, q: Query, st: ConversationState) -> Outcome | None:
        asked = personal.classify(q.text) if q.has("unknown_personal") else None
        if asked is not None and asked.label in personal.REFUSED:
            return Outcome("refuse", self._phrase("refuse", asked.label), refused=True)
        if asked is not None and personal.unless_stated(asked.label):
            said = personal.stated(asked.label, self.resume.profile)
            if said is not None:
                return Outcome("profile", self._phrase("stated", asked.label, said=said))
            # A topic's noun the jobs themselves use ("salary benchmarking", "low-income families") is
            # work the resume covers; "how much does she make" is about her, whatever the jobs say.
            if " " in asked.word.strip() or not self._resume_says(asked.word, profile=False):
                return Outcome("refuse", self._phrase("refuse", asked.label), refused=True)
        elif asked is not None and (said := personal.said_in_profile(asked.label, self.resume.profile)):
            return Outcome("profile", self._phrase("stated", asked.label, said=said))
        elif asked is not None and not self._resume_says(asked.word):
            return Outcome("unknown", self._phrase("unknown", asked.label))
        if q.has("preference") and not q.has("skills", "prog_languages") and not q.techs:
            return Outcome(
                "unknown",
                f"The resume doesn't say. It covers {self.say.first}'s experience, projects, "
                "skills and education.",
            )
        if q.has("why_unknown"):
            items = self._items_of(q) or self._focus(st)
            what = f" It only lists the dates: {self.say.dates(items[0])}" if items else ""
            return Outcome("unknown", f"The resume doesn't say why.{what}", items[:1])
        return None

    def _profile_clause(self, q: Query) -> Outcome | None:
        """ "Can he drive?" when only the profile's work-authorization line says "full driving licence"."""
        if q.ents or q.techs or q.det.kind in ("experience", "project") or q.has(*_OWN_ROUTES):
            return None
        # By stem: engine.parse drops the name's tokens, but "rosas licence" (no apostrophe) still
        # reaches q.stems as "rosa".
        specific = [x for x in q.stems if len(x) > 2 and x not in self._person_stems]
        said = next((c for c, own in self._clauses if specific and all(x in own for x in specific)), None)
        # Items that say it answer it better ("is she registered": the registrations, with dates).
        if said is None or any(
            all(self.index.mentions(e.id, x) for x in specific) for e in self.index.entries
        ):
            return None
        return Outcome("profile", f"According to {self.say.poss} profile: {said}.")

    def _profile(self, q: Query, st: ConversationState) -> Outcome | None:
        say, p = self.say, self.resume.profile
        named = bool(q.ents)
        clause = self._profile_clause(q)
        if clause is not None:
            return clause
        if q.has("contact") and not named and not self._item_subject(q, "contact", with_other=True):
            return Outcome("contact", say.contact(bool(_PHONE_RE.search(q.text))))
        if q.has("links") and not (named and q.has("link_q", "metric")):
            which = list(dict.fromkeys(k for word, k in _LINK_NAMES.items() if word in q.text))
            return Outcome("links", say.links(which))
        if q.has("work_auth") and not named and not self._item_subject(q, "work_auth", p.work_authorization):
            return Outcome(
                "work_authorization", say.profile_field("work authorization", p.work_authorization)
            )
        asked = [n for n in self._spoken_names if re.search(rf"\b{n}\b", q.text)]
        if not named and (
            (q.has("spoken") and not q.has("awards")) or (asked and q.has("spoken", "languages"))
        ):
            return Outcome("languages", say.languages(asked))
        if asked and not q.techs and not named and not q.has("work", "projects", "education"):
            return Outcome("languages", say.languages(asked))
        if (
            q.has("languages")
            and not q.has("prog_languages")
            and not named
            and not q.techs
            and q.cue is Cue.NONE
            and not q.has("projects", "work")
        ):
            prog = next((c for c in self.resume.skills if "lang" in c.lower()), None)
            parts = [say.languages([])]
            if prog:
                parts.append(say.skills(prog))
            return Outcome("languages", " ".join(parts), category=prog or None)
        # "when did that start?" right after an item asks for its dates, not when the person can start.
        about_focus = q.cue in (Cue.REF, Cue.MORE) and bool(st.focus_ids) and q.has("dates")
        if q.has("availability") and not named and not about_focus:
            return Outcome("availability", say.profile_field("availability", p.availability))
        if (
            q.has("location")
            and not named
            and not (q.place and q.det.kind)
            and not q.has("work", "education")
        ):
            where = say.location(q.text)
            # "who is he and where is he": who first, then where.
            return Outcome("location", f"{say.identity()} {where}" if q.has("summary") else where)
        if q.has("pronouns"):
            text = (
                f"{say.first}'s pronouns are {p.pronouns}."
                if p.pronouns
                else "The resume doesn't list pronouns."
            )
            return Outcome("pronouns", text)
        if q.has("name") and not named:
            return Outcome("name", f"This is {p.name}'s resume.")
        if q.has("interests") and not named and not q.techs:
            return Outcome("interests", say.interests())
        if q.has("years") and named:
            # "How many years did he teach at X?": that item's dates and duration.
            items = self._items_of(q)
            # Several roles at the one employer named: the time there in all, role by role.
            total = self.employer_total(items)
            if total is not None:
                return total
            return Outcome("item_dates", " ".join(say.dates(e) for e in items[:2]), items[:2])
        if q.has("years"):
            return Outcome("years_experience", say.years_experience())
        fit = _FIT_RE.search(q.text)
        if (
            q.has("summary")
            and not q.has("current_role")
            and not named
            and not q.techs
            and (not q.det.kind or fit)
        ):
            # "background in machine learning": a specific subject is a search, not the whole summary.
            rare = [x for x in q.stems if 0 < len(self.index.search([x], limit=4)) <= 3]
            found = self.text_search(q, rare) if rare and not fit else None
            return found or Outcome("summary", say.summary())
        return None
