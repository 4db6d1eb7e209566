"""Decides what a parsed turn is asking and which answer builder handles it.

Order matters and goes from the most specific signal to the least: small talk, unanswerable
personal questions, credentials and qualifying (milestone_routes), tenure and money superlatives
(order_routes), size superlatives and employer size
(measure_routes), recruiter questions, either-or (choice_routes), profile fields, follow-ups on the
previous answer, named items, resume sections, technologies, filtered lists, and finally free-text
search (the summary when only past jobs answer a present-tense question).
"""

from __future__ import annotations

import re
from datetime import date

from tools import knowledge
from tools.choice_routes import ChoiceRoutes
from tools.deed_routes import DeedRoutes
from tools.english import common_words, is_common, is_everyday
from tools.facet_routes import FacetRoutes
from tools.followup import Cue
from tools.followup_routes import HOW_MANY_RE, FollowupRoutes
from tools.measure_routes import MeasureRoutes
from tools.milestone_routes import MilestoneRoutes
from tools.order_routes import OrderRoutes
from tools.profile_routes import ProfileRoutes
from tools.query import Outcome, Query
from tools.recruiter_routes import RecruiterRoutes
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.routes import LIST_NOISE, Routes
from tools.search import ResumeIndex
from tools.section_routes import KNOW_RE, SectionRoutes
from tools.several_sections import SeveralSectionRoutes
from tools.state import ConversationState
from tools.tech_routes import TechRoutes
from tools.technology import TechIndex
from tools.text import QUESTION_WORDS, STOPWORDS, fold, join_words, sentence, stem, tokens
from tools.timeline_routes import TimelineRoutes

_EMPLOYER_RE = re.compile(r"\b(work(ed|s|ing)?|employed|job|intern(ed|ship)?) (at|for) ([a-z0-9&]+)\b")
_SUBJECTS = frozenset({"i", "you", "we", "he", "she", "they", "it", "xperson"})
_PRESENT_RE = re.compile(
    r"^\W*(what|which|who|where) (do|does|is|are) (xperson|he|she|they)\b(?!.*\b(before|used to)\b)"
)
_NUMBER_WORD_RE = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
    r"thousands?|millions?|billions?)\b",
    re.I,
)


class Planner(
    FollowupRoutes,
    Routes,
    TechRoutes,
    SectionRoutes,
    SeveralSectionRoutes,
    ProfileRoutes,
    RecruiterRoutes,
    MilestoneRoutes,
    OrderRoutes,
    TimelineRoutes,
    FacetRoutes,
    MeasureRoutes,
    ChoiceRoutes,
    DeedRoutes,
):
    def __init__(
        self, resume: Resume, index: ResumeIndex, tech: TechIndex, say: ListSpeaker, today: date | None = None
    ) -> None:
        self.today = today or date.today()
        self._vocabulary = index.rare_stems()
        # Words naming a project kind ("open-source") say which list, not what the projects are about.
        kinds = {p.kind for p in resume.projects}
        self._kind_noise = {stem(re.sub(r"[^a-z0-9]", "", fold(k))) for k in kinds} | {
            stem(w) for k in kinds for w in tokens(k)
        }
        self.resume, self.index, self.tech, self.say = resume, index, tech, say
        self.retrieval = Retrieval(index)
        p = resume.profile
        profile_text = " ".join(x or "" for x in (p.summary, p.title, p.availability, p.work_authorization))
        profile_text += " " + " ".join([*p.languages_spoken, *resume.interests, *map(str, resume.skills)])
        profile_text += " " + " ".join(s for names in resume.skills.values() for s in names)
        self._profile_stems = frozenset(stem(t) for t in tokens(profile_text))
        self._person_words = frozenset(tokens(p.name))
        self._init_profile()
        self._init_routes()
        self._init_sections()

    def plan(self, q: Query, st: ConversationState) -> Outcome:
        for step in (
            self._small_talk,
            self._unknowable,
            self._milestones,
            self._order,
            self._measure,
            self._recruiter,
            self._either,
            self._profile,
            self._followup,
            self._named,
            self._metric_search,
            self._family,
            self._several_sections,
            self._deed,
            self._sections,
            self._technology,
            self._unmentioned,
            self._lists,
        ):
            out = step(q, st)
            if out is not None:
                return out
        found = self.text_search(q)
        if found is not None and _PRESENT_RE.search(q.text) and not any(e.ongoing for e in found.items):
            # "what do they cover": asked of now, the summary's line beats what past jobs covered.
            found = self.summary_search(q, related=True) or found
        return (
            found
            or self.summary_search(q)
            or self.summary_search(q, related=True)
            or Outcome(
                "unknown",
                f"The resume doesn't say. I can tell you about {self.say.first}'s experience, projects, "
                f"skills or education.",
            )
        )

    # --- steps ---------------------------------------------------------------------------------

    def _metric_search(self, q: Query, st: ConversationState) -> Outcome | None:
        """ "How many schools used the grading service?": a figure stated in some item's text."""
        if not HOW_MANY_RE.search(q.text) or q.has("team_size", "years"):
            return None
        specific = [x for x in q.stems if x not in LIST_NOISE]
        # "and how many of those as captain?" right after a figure from the summary: the summary again.
        again = st.last_intent == "summary" and q.cue is not Cue.NONE
        stated = self._summary_figure(specific, again)
        if stated is not None:
            return stated
        found = self.text_search(q, specific, figures=True) if specific else None
        if (
            found is not None
            and any(ch.isdigit() for ch in found.answer.split(".")[0])
            or (found is not None and _NUMBER_WORD_RE.search(found.answer))
        ):
            return found
        return None

    def _summary_figure(self, specific: list[str], again: bool = False) -> Outcome | None:
        """ "How many flight hours?": a figure the summary states when no item's sentence has the words."""
        if not specific or (self.index.in_one_sentence(specific) and not again):
            return None
        wanted = [{x, *self.retrieval.related(x)} for x in specific]
        for sent in re.split(r"(?<=[.;])\s+", self.resume.profile.summary):
            own = {stem(t) for t in tokens(sent)}
            if any(c.isdigit() for c in sent) and all(w & own for w in wanted):
                return Outcome(
                    "summary", sentence(f"According to {self.say.poss} summary: {sent.rstrip('.')}")
                )
        return None

    def _named(self, q: Query, st: ConversationState) -> Outcome | None:
        items = self._items_of(q)
        if not items:
            return None
        if (
            len(items) > 1
            and len({e.attr("company") for e in items}) == 1
            and "" not in {e.attr("company") for e in items}
        ):
            # "how long was she a first officer at Skyline": of two roles there, the one the question names.
            named = [e for e in items if any(x in {stem(t) for t in tokens(e.attr("role"))} for x in q.stems)]
            items = named if len(named) == 1 else items
        kinds = {e.kind for e in items}
        # "her teaching qualification": a certification whose name has the section's word.
        own_word = any(self.index.mentions(e.id, s) for e in items for s in q.stems)
        if (
            q.det.kind in ("certification", "education", "publication")
            and q.det.kind not in kinds
            and not own_word
        ):
            return None
        return self.about(items, q, st)

    def _unmentioned(self, q: Query, st: ConversationState) -> Outcome | None:
        """ "Does she have veterinary experience?": a real, uncommon word the resume never uses is the
        answer's subject; listing her jobs or quoting a summary line that shares another word misleads."""
        if q.ents or q.techs or q.dates.range or q.cue is not Cue.NONE:
            return None
        toks = q.utt.toks
        absent = [
            raw
            for i, (t, raw) in enumerate(zip(toks, q.utt.raw_toks, strict=False))
            if len(t) > 3  # "uni", "b2b": clipped or coded forms the word index may not know
            and not (i and toks[i - 1] in _SUBJECTS)  # "have they flown": the verb, not the subject
            and t not in STOPWORDS
            and t not in QUESTION_WORDS
            and t.removesuffix("s") not in STOPWORDS  # "whats", "hows": speech-to-text contractions
            and t not in self._person_words
            and is_everyday(t)
            and not is_common(t)
            and self.index.idf(stem(t)) == 0
            and stem(t) not in self._profile_stems
            and not any(self.index.idf(x) > 0 for x in self.retrieval.related(stem(t)))
        ]
        if not absent or self.text_search(q) is not None:
            return None
        return Outcome("unknown", f"The resume doesn't mention {join_words(list(dict.fromkeys(absent)))}.")

    def _technology(self, q: Query, st: ConversationState) -> Outcome | None:
        if not q.techs:
            return None
        return self.technology(q, q.det.kind, q.det.project_kind, q.dates.range, q.techs)

    def _lists(self, q: Query, st: ConversationState) -> Outcome | None:
        idx = self.index
        employer = _EMPLOYER_RE.search(q.text)
        if employer and not q.ents and not q.techs:
            name = employer.group(5)
            # A word the resume itself uses ("worked at scale") is not an unknown employer's name.
            # A capitalised word is a name even when it is also common ("Apple").
            shown = next((r for r in q.utt.raw_toks if r.lower() == name), name)
            everyday = name in common_words() and not shown[:1].isupper()
            known = self.index.idf(stem(name)) > 0 or name in STOPWORDS or everyday
            if not known and name != "xperson":
                # "Did Jordan work at Google?": a named employer the resume does not have.
                shown = shown[:1].upper() + shown[1:]
                return Outcome(
                    "unknown",
                    f"The resume doesn't list {shown} as an employer. "
                    + self.say.experiences(idx.chronological(idx.of_kind("experience"))[::-1]),
                )
        current_q = (
            q.has("current_role")
            # "job title?": one job's title, the current one; "job titles" lists them.
            or (q.has("title") and (not q.det.kind or (q.det.kind == "experience" and not q.det.plural)))
            or (q.dates.ordinal == "current" and q.has("work") and q.det.kind in (None, "experience"))
        )
        if current_q and not q.dates.range:
            current = idx.ordinal(idx.of_kind("experience"), "current")
            if current:
                text = self.say.title(current[0]) if q.has("title") else self.say.detail(current[0], q.stems)
                return Outcome("current_role", text, current[:1])
            latest = idx.ordinal(idx.of_kind("experience"), "latest")
            return Outcome(
                "current_role",
                "The resume doesn't list a current job. "
                + self.say.detail(latest[0], q.stems, lead="Most recently,")
                if latest
                else "",
                latest,
            )
        if q.det.category and not q.det.kind and (q.has("work", "skills") or KNOW_RE.search(q.text)):
            return self.category_answer(q, q.det.category)
        kind = q.det.kind
        if kind in ("experience", "project") and not q.dates.range and not q.dates.ordinal:
            # "the raspberry pi project": a specific word narrows the list to what mentions it.
            specific = [x for x in q.stems if x not in LIST_NOISE and x not in self._kind_noise]
            found = self.text_search(q, specific, kinds=(kind,)) if specific else None
            rare = [x for x in specific if x in self._vocabulary]
            if (
                found is None
                and rare
                and not any(self.index.mentions(e.id, x) for e in self.index.of_kind(kind) for x in rare)
            ):
                # "her residency project" when the residency is a job whose highlight is that project.
                found = self.text_search(q, specific)
            if found is not None:
                return found
        if kind is None and q.has("work") and not q.has("details"):
            # "worked in healthcare": a specific word beats a generic job list; jobs first, since
            # "payroll experience" means the payroll job more than the payroll project.
            plain = q.stems and not q.dates.range and not q.dates.ordinal
            found = (self.text_search(q, kinds=("experience",)) or self.text_search(q)) if plain else None
            found = found or (self.summary_search(q) if q.stems and not q.dates.range else None)
            if found is not None:
                return found
            kind = "experience"
        if kind is None and q.has("projects"):
            # "What is the design system he built?": "built" makes it a project question, but a
            # specific subject is a search first.
            specific = [x for x in q.stems if x not in LIST_NOISE and x not in self._kind_noise]
            found = self.text_search(q, specific) if specific and not q.dates.range else None
            if found is not None:
                return found
            kind = "project"
        if kind in ("experience", "project") or q.det.project_kind:
            return self.listing(q, kind, q.det.project_kind, q.dates.range)
        if q.dates.range or (q.dates.ordinal and (q.has("work", "details", "projects") or q.person)):
            return self.listing(q, None, None, q.dates.range)
        if q.place and (q.person or q.has("work")):
            return self.listing(q, None, None, None)
        if q.det.category and not q.ents and not q.techs and self._asks_category(q, q.det.category):
            # "What subjects can he teach?": the resume's own skill category, asked by its name.
            return self.category_answer(q, q.det.category)
        return None

    @staticmethod
    def _asks_category(q: Query, category: str) -> bool:
        """ "what/which <category's own word> ...", not "what's his <word> record"."""
        parts = [p for p in re.split(r"[_\s/&-]+", fold(category)) if p]
        own = {stem(p) for p in parts}
        # What else people call it ("food" for a "cuisine" list), when that word ends the noun phrase:
        # "what kind of food does he cook", not "what medical conditions" for a "clinical" list.
        called = {
            stem(w) for p in parts for phrase in knowledge.category_words().get(p, ()) for w in tokens(phrase)
        }
        m = re.match(
            r"^\W*(what|which)( kinds? of| sorts? of| types? of| are| is| were)?"
            r"( xperson'?s?| his| her| their| the candidate'?s)? (\w+)( (does|do|did|can|could|has|have|"
            r"would|will|is|are|xperson|he|she|they)\b)?",
            q.text,
        )
        if m is None:
            return False
        word = stem(m.group(4))
        return word in own or (word in called and m.group(5) is not None)
