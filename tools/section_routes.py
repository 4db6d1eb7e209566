"""Answer builders for whole resume sections: education, certifications, awards, papers, skills, teams."""

from __future__ import annotations

import re
from collections.abc import Callable

from tools import knowledge
from tools.intent import IntentDetector
from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex
from tools.text import Utterance, fold, join_words, sentence, stem, tokens, words

EDU_GENERIC = frozenset(
    stem(w)
    for w in words(
        "degree degrees study studied university college school graduate graduated education "
        "educational master masters bachelor bachelors academic qualification qualifications msc bsc phd"
    )
)
AWARD_GENERIC = frozenset(
    stem(w)
    for w in words(
        "award awards prize prizes won win wins honour honours honor honors recognition achievement"
    )
)
_CLOUD_RE = re.compile(
    r"\bcloud (providers?|platforms?|experience|services?|vendors?)\b|\bany cloud\b|\bthe cloud\b"
)
KNOW_RE = re.compile(r"\b(know|knows|familiar|experience[d]?|background|worked with|work with)\b")
_DEGREE_LEVEL_RE = re.compile(
    r"\b(phd|ph\.d|doctorate|doctoral|masters?|master's|msc|m\.sc|mba|bachelors?|"
    r"bachelor's|bsc|b\.sc|basc|undergrad\w*)\b"
)
# Short names of degrees the level words above do not cover ("MA", "BEng"), matched on the degree only.
_SHORT_DEGREE_RE = re.compile(r"\b(ma|ms|meng|mphil|mres|llm|med|ba|bs|beng|llb|bed|bmus|bba)\b")
_HONOURS_RE = re.compile(r"\(hons\)|\bhons\b|\bhonours\b")
_LEVEL_NAME = {"phd": "a PhD", "master": "a master's degree", "bachelor": "a bachelor's degree"}


def degree_level(degree: str) -> str | None:
    """ "phd", "master" or "bachelor" for a degree's name; a Scottish "MA (Hons)" is a first degree."""
    low = degree.lower()
    if _HONOURS_RE.search(low):
        return "bachelor"
    m = _DEGREE_LEVEL_RE.search(low) or _SHORT_DEGREE_RE.search(low)
    return _level(m.group(0)) if m else None


def _level(word: str) -> str:
    w = word.replace(".", "")
    if w.startswith(("phd", "doctor")):
        return "phd"
    if w.startswith(("master", "msc", "mba", "ma", "ms", "meng", "mphil", "mres", "llm", "med")):
        return "master"
    return "bachelor"


# Institution nouns that also name a workplace ("built four schools", "taught at a college").
_PLACE_NOUNS = words("school schools college colleges university universities academy academies")
_STUDY_RE = re.compile(
    r"\b(stud(y|ied|ies|ying)|attend\w*|went to|go to|gone to|graduat\w*|degrees?|educat\w*|qualif\w*|"
    r"alma mater|major\w*|enrol\w*|diploma)\b"
)
_SECTION_KINDS = {
    "education": "education", "certifications": "certification", "awards": "award",
    "publications": "publication",
}  # fmt: skip


def _is_section_word(q: Query, topic: str, index: ResumeIndex) -> bool:
    """Did a section word really ask for that section, or is it the resume's word for something else?

    "Have they built schools?" on a builder's resume: "schools" is in a job's highlights and in no
    education item, so it is a search, not the education section. Study verbs keep education.
    """
    said = IntentDetector.triggers(q.text, topic)
    if topic == "education" and (_STUDY_RE.search(q.text) or any(w not in _PLACE_NOUNS for w in said)):
        return True
    kind = _SECTION_KINDS[topic]
    stems = [stem(w.split()[-1]) for w in said]
    if set(stems) & _SECTION_NAMES:
        return True  # "any awards?", "certifications?": the section by its own name
    if not stems or any(index.mentions(e.id, s) for s in stems for e in index.of_kind(kind)):
        return True
    # None of the words is in the section; one the resume uses elsewhere makes it a search.
    return not any(index.mentions(e.id, s) for s in stems for e in index.entries if e.kind != kind)


_CERT_GENERIC = frozenset(
    stem(w)
    for w in words("certification certifications certified certificate certs cert credential credentials")
) | frozenset(stem(w) for w in knowledge.certifications_asked()[1])
_SECTION_NAMES = frozenset(
    stem(w)
    for w in words(
        "award awards prize prizes honour honours honor honors certification certifications certificate "
        "certificates certs cert credential credentials publication publications paper papers published "
        "publish degree degrees education"
    )
)
_PUB_GENERIC = frozenset(stem(w) for w in knowledge.publications_asked()[1])
_QUALIFICATION = frozenset(stem(w) for w in words("qualification qualifications"))
_EDGE_PUNCT = "\"'.,;:!?()"
_RANKING_RE = re.compile(
    r"\b(strongest|best|favou?rite|main|primary|top|most (proficient|comfortable|experienced)|preferred)\b"
)


class SectionRoutes:
    resume: Resume
    index: ResumeIndex
    tech: TechIndex
    say: ListSpeaker

    # Provided by the sibling mixins (Routes, TechRoutes) that Planner combines with this one.
    text_search: Callable[..., Outcome | None]
    _vocabulary: frozenset[str]  # the resume's rare stems, built once by the Planner
    leadership: Callable[..., Outcome]
    technology: Callable[..., Outcome]
    category_answer: Callable[[Query, str], Outcome]
    _degree_levels: dict[str, str | None]

    def _init_sections(self) -> None:
        # Each degree's level ("master"), once per resume rather than per education question.
        self._degree_levels = {e.id: degree_level(e.attr("degree")) for e in self.index.of_kind("education")}

    def _sections(self, q: Query, st: ConversationState) -> Outcome | None:
        say, idx = self.say, self.index
        rng = q.dates.range
        if q.has("leadership") and not q.techs:
            # "how big a budget has he managed": what is managed, when the resume's own rare word,
            # is a search; people ("how many nurses does she lead") stay with leadership.
            said = {stem(w) for w in IntentDetector.triggers(q.text, "leadership")}
            objects = [x for x in q.stems if x not in said and x in self._vocabulary]
            found = self.text_search(q, objects) if objects else None
            return found or self.leadership(q)
        if (
            q.det.category
            and not q.techs
            and not q.ents
            and q.det.kind not in ("project", "experience")
            and (q.has("skills", "item_tech") or KNOW_RE.search(q.text))
        ):
            # "What research methods does he know?": a skill category of this resume, not its papers.
            return self.category_answer(q, q.det.category)
        if q.has("team_size"):
            exps = [e for e in idx.of_kind("experience") if getattr(e.item, "team_size", None)]
            if not exps:
                return Outcome("team_size", "The resume doesn't give team sizes.")
            if q.dates.ordinal == "current" or len(exps) == 1:
                return Outcome("team_size", say.team(exps[0]), exps[:1])
            sizes = [f"{getattr(e.item, 'team_size', '')} {say.at(e)}" for e in exps]
            return Outcome("team_size", sentence(f"Team sizes on the resume: {join_words(sizes)}"), exps)
        if q.has("education") and not q.has("certifications") and _is_section_word(q, "education", idx):
            edu = idx.filter(idx.of_kind("education"), date=rng, place=q.place)
            specific = [s for s in q.stems if s not in EDU_GENERIC]
            hits = [h for h in idx.search(specific, kinds=("education",)) if h.sentence] if specific else []
            # "where did he study social work": the degree whose own name has the subject.
            named = [e for e in edu if specific and all(idx.mentions(e.id, s) for s in specific)]
            if len(edu) > 1 and len(hits) == 1:
                edu = [hits[0].entry]
            elif 0 < len(named) < len(edu):
                edu = named
            asked = _DEGREE_LEVEL_RE.search(q.text)
            if asked:
                levels = self._degree_levels
                held = set(levels.values())
                if _level(asked.group(0)) not in held:
                    text = f"The resume doesn't list {_LEVEL_NAME[_level(asked.group(0))]}. "
                    return Outcome("education", text + say.education(edu, q.stems), edu)
                # "does she have a masters": that degree, not her bachelor's too.
                edu = [e for e in edu if levels.get(e.id) == _level(asked.group(0))] or edu
            if q.dates.ordinal in ("first", "latest") and not q.det.plural and len(edu) > 1:
                # "his first degree": the earliest one; "her latest degree": the newest.
                edu = self.index.ordinal(edu, q.dates.ordinal) or edu
            pool = self._qualifications(q, edu)
            if pool is not None:
                return pool
            return Outcome("education", say.education(edu, q.stems), edu)
        if q.has("certifications") and _is_section_word(q, "certifications", idx):
            certs = idx.of_kind("certification")
            if q.techs:
                ids = {i for t in q.techs for i in self.tech.items_for(t.name)}
                certs = [c for c in certs if c.id in ids] or certs
            certs = idx.filter(certs, date=rng)
            # "Is she a licensed pilot?": the certifications whose words the question uses.
            specific = [s for s in q.stems if s not in _CERT_GENERIC]
            named = [c for c in certs if specific and any(idx.mentions(c.id, s) for s in specific)]
            certs = named or certs
            # "admitted in New York": of four admissions, the ones with the question's other words.
            said = {stem(t) for w in IntentDetector.triggers(q.text, "certifications") for t in tokens(w)}
            score = {
                c.id: sum(idx.idf(s) for s in specific if s not in said and idx.mentions(c.id, s))
                for c in certs
            }
            top = max(score.values(), default=0.0)
            certs = [c for c in certs if top > 0 and score[c.id] >= top * 0.5] or certs
            return Outcome("certifications", say.certifications(certs), certs)
        talks = self._talks(q)
        if talks:
            intent = "awards" if all(e.kind == "award" for e in talks) else "publications"
            return Outcome(intent, finish([say.opener(e) for e in talks]), talks)
        if q.has("publications") and not q.techs and _is_section_word(q, "publications", idx):
            pubs = idx.filter(idx.of_kind("publication"), date=rng)
            # "have they written a book": of several, the ones whose title or venue has the other words.
            specific = [s for s in q.stems if s not in _PUB_GENERIC]
            named = [p for p in pubs if any(idx.mentions(p.id, s) for s in specific)]
            if 0 < len(named) < len(pubs):
                pubs = named
            elif pubs and not named and any(idx.idf(s) == 0 for s in specific):
                # "has he written a book" with papers only: say so before listing them.
                # Only a word the user wrote whole: "e-books" must not be quoted as "books", and a glued
                # stem ("dive-teams" -> "diveteam") has no token to quote at all.
                whole = {t.strip(_EDGE_PUNCT).lower() for t in q.utt.raw.split()}
                missing = next(
                    (w for w in q.utt.toks if w in whole and stem(w) in specific and idx.idf(stem(w)) == 0),
                    None,
                )
                if missing is not None:
                    return Outcome(
                        "publications",
                        f"The resume doesn't list a {missing}. " + say.publications(pubs),
                        pubs,
                    )
            return Outcome("publications", say.publications(pubs), pubs)
        if (
            q.has("awards")
            and not q.techs
            and q.det.kind not in ("project", "experience")
            and _is_section_word(q, "awards", idx)
        ):
            awards = idx.filter(idx.of_kind("award"), date=rng)
            # "what prize": only the awards whose own name says prize; "talks": the one whose text does.
            titled = [
                a for a in awards if (set(q.stems) - AWARD_GENERIC) & {stem(t) for t in tokens(a.title)}
            ]
            specific = [s for s in q.stems if s not in AWARD_GENERIC]
            hits = [h for h in idx.search(specific, kinds=("award",)) if h.sentence] if specific else []
            if len(awards) > 1 and 0 < len(titled) < len(awards):
                awards = titled
            elif len(awards) > 1 and len(hits) == 1:
                awards = [hits[0].entry]
            return Outcome("awards", say.awards(awards), awards)
        if _CLOUD_RE.search(q.text) and not q.techs and not q.ents:
            # "cloud experience" means the cloud providers on the resume, not the whole infra category.
            clouds = self.tech.find(Utterance.of(" ".join(self.tech.cloud_providers())))
            if clouds:
                return self.technology(q, q.det.kind, q.det.project_kind, q.dates.range, clouds)
        if q.has("skills", "prog_languages") and not q.techs and not q.det.kind and not q.ents:
            cat = (
                q.det.category
                if (q.det.category or not q.has("prog_languages"))
                else next((c for c in self.resume.skills if "lang" in c.lower()), None)
            )
            if q.has("prog_languages"):
                cat = next((c for c in self.resume.skills if "lang" in c.lower()), cat)
            if cat and cat == q.det.category and (q.has("work") or KNOW_RE.search(q.text)):
                return self.category_answer(q, cat)
            text = say.skills(cat)
            if _RANKING_RE.search(q.text):
                text = "The resume doesn't rank them, but lists them in this order. " + text
            return Outcome("skills", text, category=cat)
        return None

    def _talks(self, q: Query) -> list[Entry]:
        """ "Has she spoken at conferences?": the publications that are talks, by their title or venue."""
        asked, is_talk, is_talk_award = knowledge.talk_patterns()
        if q.techs or q.det.kind in ("project", "experience") or not asked.search(q.text):
            return []
        # A talk may be filed as a publication ("... (talk)") or as an award ("Speaker, ...").
        talks = [
            e
            for e in self.index.of_kind("publication")
            if is_talk.search(fold(f"{e.title} {getattr(e.item, 'venue', '') or ''}"))
        ] + [e for e in self.index.of_kind("award") if is_talk_award.search(fold(e.title))]
        return self.index.filter(talks, date=q.dates.range)

    def _qualifications(self, q: Query, edu: list[Entry]) -> Outcome | None:
        """ "her most recent qualification": degrees and certifications alike, when that is the only word.

        A certificate is a qualification as much as a degree, so the newest one may be either.
        """
        said = {stem(w) for w in IntentDetector.triggers(q.text, "education")}
        certs = self.index.of_kind("certification")
        if not certs or not said or not said <= _QUALIFICATION or q.place or q.dates.range:
            return None
        if q.dates.ordinal in ("latest", "recent", "first") and not q.det.plural:
            dated = self.index.chronological([e for e in [*edu, *certs] if e.span])
            if not dated:
                return None
            pick = (
                dated[0]
                if q.dates.ordinal == "first"
                else max(dated, key=lambda e: e.span[1] if e.span else 0)
            )
            what = (
                self.say.education([pick], q.stems)
                if pick.kind == "education"
                else self.say.certifications([pick])
            )
            return Outcome("education", what, [pick])
        text = " ".join([self.say.education(edu, q.stems), self.say.certifications(certs)])
        return Outcome("education", text, [*edu, *certs])
