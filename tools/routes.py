"""Answer builders for item-centred questions: named items, follow-ups, lists, timelines, search."""

from __future__ import annotations

import re
from collections.abc import Callable

from tools import focus, knowledge
from tools.dates import DateRange, date_lead
from tools.query import Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex, TechMatch
from tools.text import STOPWORDS, cap, fold, join_words, sentence, stem, tokens, words

_SUBJECTIVE_RE = re.compile(
    r"\b(most impressive|impressive|proudest|best|biggest|favou?rite|strongest|most (important|interesting|"
    r"notable|significant|successful))\b"
)
_COUNT_RE = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|billions?)\b",
    re.I,
)
_LIKE_RE = re.compile(r"\bwhat('?s| is| was| are| were) (xperson'?s?|his|her|their|the) [\w ]+ like\b")
_WHO_USES_RE = re.compile(r"\bwho (uses|used|use|adopted|relies on)\b|\bhow many (users|people use)\b")
_WHO_STEMS = frozenset(stem(w) for w in words("used adopted users customers production companies teams"))
# Words of list questions that say which list, not what the items are about.
LIST_NOISE = frozenset(
    stem(w)
    for w in words(
        "project projects job jobs role roles company companies employer employers position positions work "
        "worked working built build building made make create created do did done side personal open source "
        "hackathon hackathons list all every any ever have has had career history"
    )
)
_LEAD_STEMS = tuple(
    dict.fromkeys(
        stem(w)
        for w in ["mentor", "manage", "hire", "coach", "supervise", "lead", "led", "leader", "leadership"]
    )
)
ITEM_ATTRS = (
    "item_dates",
    "item_technologies",
    "item_metric",
    "item_location",
    "item_employer",
    "item_link",
    "team_size",
    "item",
)


def _alternatives(q: Query, base: list[str]) -> list[list[str]]:
    """ "A or B" in the question, both among `base`: `base` without B, then without A."""
    toks = q.utt.toks
    out: list[list[str]] = []
    for i in range(1, len(toks) - 1):
        if toks[i] != "or":
            continue
        a, b = stem(toks[i - 1]), stem(toks[i + 1])
        if a in base and b in base and a != b:
            out += [[x for x in base if x != b], [x for x in base if x != a]]
    return out


class Routes:
    resume: Resume
    index: ResumeIndex
    retrieval: Retrieval
    tech: TechIndex
    say: ListSpeaker
    _summary_sentences: list[tuple[str, frozenset[str]]]
    facet: Callable[[list[Entry], Query, ConversationState, str | None], Outcome | None]
    held_next: Callable[[Entry, str, str], list[Entry]]
    anchor_name: Callable[[Entry, str], str]
    placed: Callable[[list[Entry], str], str | None]
    qualified: Callable[[list[Entry], Query, frozenset[str]], tuple[list[Entry], str]]

    def _init_routes(self) -> None:
        # The summary sentence by sentence with its stems, built once: summary_search may run three
        # times a question.
        self._summary_sentences = [
            (sent, frozenset(stem(t) for t in tokens(sent)))
            for sent in re.split(r"(?<=[.;])\s+", self.resume.profile.summary)
        ]

    # --- named or referred-to items ------------------------------------------------------------

    def attribute(self, q: Query, st: ConversationState) -> str | None:
        """Which facet of an item the question wants, if any."""
        if q.has("team_size"):
            return "team_size"
        if q.has("dates") and not q.has("metric"):
            return "item_dates"
        if q.techs:
            return "tech_check"
        if q.has("employer_q"):
            return "item_employer"
        if _WHO_USES_RE.search(q.text):
            return "item_metric"
        if q.has("link_q"):
            return "item_link"
        if q.has("item_tech") and not q.has("metric", "details"):
            return "item_technologies"
        if q.has("metric"):
            return "item_metric"
        if q.has("dates"):
            return "item_dates"
        if q.has("where") and not q.has("details"):
            return "item_location"
        if q.has("item_tech"):
            return "item_technologies"
        if q.has("leadership"):
            return "leadership"
        if st.last_intent in ITEM_ATTRS and q.cue.value == "what_about":
            return st.last_intent
        return None

    def about(self, items: list[Entry], q: Query, st: ConversationState) -> Outcome:
        say = self.say
        e = items[0]
        if q.det.kind == "project" and e.kind == "experience" and not q.has("dates", "team_size"):
            projects = self.index.projects_at(e.id)
            if not projects:
                return Outcome(
                    "projects",
                    f"The resume doesn't list separate projects {say.at(e)}. " + say.detail(e, q.stems),
                    [e],
                    kind="project",
                )
            return Outcome(
                "projects",
                say.projects(projects, lead=cap(say.at(e))),
                projects,
                kind="project",
            )
        attr = self.attribute(q, st)
        shaped = self.facet(items, q, st, attr)
        if shaped is not None:
            return shaped
        took = focus.took(e, q.text, st.last_answer)
        if took:
            lead = cap(say.at(e)) if e.kind == "experience" else f"In {e.title}"
            return Outcome("item_metric", sentence(say.claim(took, lead)), [e])
        if attr == "item_metric" and len(items) > 1:
            items = focus.by_figures(self.retrieval, items, q.stems, st.last_answer)
            e = items[0]
        if attr == "leadership":
            return self.leadership(q, items)
        if attr == "tech_check":
            return self.tech_check(items, q.techs[0])
        if attr == "team_size":
            exps = [x for x in items if x.kind == "experience"] or [
                x for x in (self.index.employer_of(e),) if x
            ]
            if not exps:
                return Outcome("team_size", f"The resume doesn't give a team size for {e.title}.", [e])
            return Outcome("team_size", " ".join(say.team(x) for x in exps[:2]), exps[:2])
        if attr is not None and attr != "item":
            render = {
                "item_dates": say.dates,
                "item_technologies": say.technologies,
                "item_location": say.place,
                "item_employer": say.employer,
                "item_link": say.link,
            }.get(attr)
            stems = q.stems + list(_WHO_STEMS) if _WHO_USES_RE.search(q.text) else q.stems
            text = " ".join(render(x) for x in items[:3]) if render else say.metric(e, stems, st.last_answer)
            return Outcome(attr, text, items[:3])
        if len(items) > 1 and q.stems:
            items = focus.by_words(self.retrieval, items, q.stems)
            e = items[0]
        if len(items) > 1:
            text, said = focus.overview(say, items, q.text)
            return Outcome("item", text, said)
        extra = [emp] if (emp := self.index.employer_of(e)) else []
        return Outcome("item", say.detail(e, q.stems), [e, *extra], focus=[e])

    def tech_check(self, items: list[Entry], t: TechMatch) -> Outcome:
        say = self.say
        # "training in Signs of Safety": a certificate named after the skill is that skill.
        yes = [e for e in items if t.name in e.techs or fold(t.name) in fold(e.title)]
        if yes and t.name not in yes[0].techs:
            return Outcome("tech_check", f"{say.first} holds {yes[0].title}.", yes[:1], tech=t.name)
        if yes:
            e = yes[0]
            where = say.at(e) if e.kind == "experience" else f"in {e.title}"
            return Outcome("tech_check", f"Yes, {say.first} used {t.name} {where}.", yes, tech=t.name)
        e = items[0]
        used = f" It lists {join_words(list(e.techs))}." if e.techs else ""
        return Outcome(
            "tech_check", f"The resume doesn't list {t.name} for {say.title_of(e)}.{used}", [e], tech=t.name
        )

    def neighbours(self, anchor: Entry, q: Query, named: bool = False) -> Outcome:
        kind = (
            q.det.kind
            if q.det.kind in ("experience", "project")
            else (anchor.kind if anchor.kind in ("experience", "project") else "experience")
        )
        direction = q.dates.anchor or "before"
        many = q.det.plural and q.det.kind is not None
        found = self.index.neighbours(anchor, kind, direction, many)
        if not many and found:
            found = self.held_next(anchor, kind, direction) or found
        name = self.anchor_name(anchor, direction)
        if not found:
            what = "jobs" if kind == "experience" else "projects"
            return Outcome(
                "relative", f"The resume doesn't list any {what} {direction} {name}.", [anchor], kind=kind
            )
        if len(found) == 1:
            extra = [emp] if (emp := self.index.employer_of(found[0])) else []
            # Named in the question ("before Initech", "before her current job"): say its name.
            named = named or anchor.id in {m.item_id for m in q.ents} or q.has("current_role")
            named = named and not self.say.is_freelance(anchor)  # "before a freelance" reads badly
            # "where was he before Glasgow": a question put in places is answered with the place.
            where = q.place is not None and q.place in anchor.places
            text = self.say.neighbour(found[0], direction, q.stems, name if named else "that", where)
            return Outcome("relative", text, found + extra, focus=found, kind=kind)
        lead = f"{cap(direction)} {name}"
        text = self.say.experiences(found, lead) if kind == "experience" else self.say.projects(found, lead)
        return Outcome("relative", text, found, kind=kind)

    # --- technologies --------------------------------------------------------------------------

    def listing(
        self,
        q: Query,
        kind: str | None,
        project_kind: str | None,
        rng: DateRange | None,
        employer: str | None = None,
    ) -> Outcome:
        say = self.say
        kinds = [kind] if kind else ["experience", "project"]
        pool = [e for k in kinds for e in self.index.of_kind(k)]
        if q.negated and project_kind is not None:
            # "Which projects weren't open source?": the other kinds.
            pool = [e for e in pool if e.kind != "project" or e.attr("kind") != project_kind]
            project_kind = None
        entries = self.index.filter(
            pool, project_kind=project_kind, date=rng, employer=employer, place=q.place
        )
        ordinal = q.dates.ordinal
        qualifier = ""
        if ordinal is not None:
            # "his first orchestra job": the first of the jobs the qualifying word fits.
            entries, qualifier = self.qualified(entries, q, LIST_NOISE)
            entries = self.index.ordinal(entries, ordinal)
        entries = self.index.chronological(entries)[::-1]
        intent = {"experience": "experience", "project": "projects"}.get(kind or "", "timeline")

        def outcome(text: str, items: list[Entry], focus: list[Entry] | None = None) -> Outcome:
            return Outcome(intent, text, items, focus=focus, kind=kind, project_kind=project_kind, date=rng)

        if (
            not entries
            and kind == "project"
            and not self.index.of_kind("project")
            and not (rng or project_kind)
        ):
            # A resume without a projects section: its projects are in the jobs.
            jobs = self.index.chronological(self.index.of_kind("experience"))[::-1]
            if jobs:
                return outcome("The resume doesn't list separate projects. " + say.experiences(jobs), jobs)
        if not entries:
            what = {
                "experience": "jobs",
                "project": f"{project_kind + ' ' if project_kind else ''}projects",
            }.get(kind or "", "items")
            extra = f" {rng.label}" if rng else (f" in {q.place.capitalize()}" if q.place else "")
            if ordinal == "current":
                extra = " that are current"
            return outcome(f"The resume doesn't list any {what}{extra}.", [])
        if len(entries) == 1:
            e = entries[0]
            lead = date_lead(rng)
            if ordinal == "first":
                what = {"experience": "jobs", "project": "projects"}.get(e.kind, "items")
                lead = (
                    f"Of the {what} that mention {qualifier}, the earliest:"
                    if qualifier
                    else "Earliest on the resume,"
                )
            emp = self.index.employer_of(e)
            return outcome(say.detail(e, q.stems, lead=lead), [e, emp] if emp else [e], focus=[e])
        lead = date_lead(rng) or (f"In {q.place.capitalize()}," if q.place else "")
        if not lead and ordinal == "recent":
            lead = "Recently,"
        if _SUBJECTIVE_RE.search(q.text):
            # A ranking question: the resume does not rank, so list them all and say so.
            return outcome(
                "The resume doesn't rank them. "
                + (say.experiences(entries) if kind == "experience" else say.projects(entries)),
                entries,
            )
        placed = self.placed(entries, q.place) if q.place and not rng and kind != "project" else None
        if placed:
            text = placed
        elif kind == "experience":
            text = say.experiences(entries, lead.rstrip(","))
        elif kind == "project":
            text = say.projects(entries, lead.rstrip(","), ongoing=ordinal == "current")
        else:
            text = say.timeline(entries, lead.rstrip(",") or "Overall")
        return outcome(text, entries)

    def leadership(self, q: Query, within: list[Entry] | None = None) -> Outcome:
        say = self.say
        pool = within or self.index.of_kind("experience")
        found: list[tuple[int, Entry, str]] = []
        # "has he managed a team": the question's own words ("team") find sentences too, and first.
        asked = {x for x in q.stems if x not in _LEAD_STEMS and self.index.idf(x) > 0}
        # "a people manager": with none of its own words in the resume, the words it uses for them ("team").
        if not asked:
            asked = {r for x in q.stems if x not in _LEAD_STEMS for r in knowledge.synonyms().get(x, ())}
        overlap: dict[str, int] = {}
        for e in pool:
            for n, (s, own) in enumerate(self.index.sentence_stems(e)):
                stems = {stem(w) for w in s.lower().replace(";", " ").split()}
                rank = next((i for i, ls in enumerate(_LEAD_STEMS) if ls in stems), None)
                overlap[s] = len(asked & own)
                # Only a highlight (something done), not the job's description ("Staff nurse in ...").
                if rank is None and n >= e.lead_count and overlap[s]:
                    rank = len(_LEAD_STEMS)
                if rank is not None:
                    found.append((rank, e, s))
        if not found:
            return Outcome("leadership", "The resume doesn't mention managing or mentoring people.", [])
        found.sort(key=lambda x: (-overlap[x[2]], x[0]))
        chosen = found[:2]
        claims, items = [], []
        for _, e, s in chosen:
            descriptive = s in e.sentences[: e.lead_count]
            if e in items:  # same employer again: no need to repeat where
                claims.append(say.claim(s, subject=say.They, descriptive=descriptive))
            else:
                claims.append(say.claim(s, cap(say.at(e)), descriptive=descriptive))
                items.append(e)
        return Outcome("leadership", " ".join(c.rstrip(".") + "." for c in claims), items)

    def text_search(
        self,
        q: Query,
        stems: list[str] | None = None,
        kinds: tuple[str, ...] | None = None,
        figures: bool = False,
    ) -> Outcome | None:
        """The item(s) whose text covers the question's words (highlights included), or None."""
        base = list(dict.fromkeys(q.stems if stems is None else stems))
        if not base:
            return None
        found = self.retrieval.rank(base, kinds=kinds, external=q.retrieved, limit=8 if figures else 4)
        # Matching only words most items share ("team", "work") finds nothing in particular.
        found = [f for f in found if any(self.index.specific(s) for s in f.matched)]
        found = [f for f in found if f.sentence or f.coverage >= 0.7]
        if figures:
            # "How many trials?": the hits whose sentence states a figure.
            found = [f for f in found if any(c.isdigit() for c in f.sentence) or _COUNT_RE.search(f.sentence)]
        if not found:
            # "radio or broadcast experience": either word alone is the question.
            for alt in _alternatives(q, base):
                hit = self.text_search(q, alt, kinds, figures)
                if hit is not None:
                    return hit
            return None
        best = found[0].coverage
        chosen = [f for f in found if f.coverage >= best * 0.8][:2]
        # Words that say which highlight shows a description's subject: specific ones, or ones it lacks.
        telling = [s for s in base if self.index.specific(s) or self.index.idf(s) == 0]
        parts = []
        for f in chosen:
            e = f.entry
            if not f.sentence:
                parts.append(self.say.opener(e))
            elif e.kind == "experience":
                # A job's summary is a noun phrase ("Paid media specialist at ..."), not something done.
                lead = f.sentence in e.sentences[: e.lead_count]
                parts.append(self.say.claim(f.sentence, cap(self.say.at(e)), descriptive=lead))
                # "how big a budget": a job with two sentences on its budget says both.
                own = [s for s in base if s in f.matched and self.index.specific(s)]
                more = [x for x in self.index.sentences_with(e, own) if x != f.sentence]
                if not more and lead and _LIKE_RE.search(q.text) and not any(c.isdigit() for c in f.sentence):
                    # "what's his caseload like": the description names it, a highlight sizes it.
                    more = self._sizing(e, f.sentence)
                if not more and lead:
                    # "any opera experience": the description names it, a highlight shows it.
                    more = self.retrieval.evidence(e, telling)
                if len(more) == 1 and len(chosen) <= 2:
                    second = more[0] in e.sentences[: e.lead_count]
                    parts.append(self.say.claim(more[0], subject=self.say.They, descriptive=second))
            else:
                said = self.say.claim(f.sentence, f"In {e.title}", it=e.title)
                parts.append(said if said != f.sentence.rstrip(".;") else f"{e.title}: {f.sentence}")
                shown = (
                    self.retrieval.evidence(e, telling) if f.sentence in e.sentences[: e.lead_count] else []
                )
                if shown and len(chosen) == 1:
                    # "how widely was it used": the description names it, "adopted by 6 ..." answers.
                    parts.append(self.say.claim(shown[0], it="It"))
        return Outcome("search", " ".join(p.rstrip(".") + "." for p in parts), [f.entry for f in chosen])

    def _sizing(self, e: Entry, described: str) -> list[str]:
        """The highlight with a figure that shares most specific words with a description of the job."""
        own = {stem(t) for t in tokens(described) if self.index.specific(stem(t))}
        scored = [
            (len(own & ss), text)
            for text, ss in self.index.sentence_stems(e)[e.lead_count :]
            if any(c.isdigit() for c in text)
        ]
        best = max(scored, default=(0, ""))
        return [best[1]] if best[0] >= 2 else []

    def summary_search(self, q: Query, related: bool = False) -> Outcome | None:
        """ "Has she worked in fintech?" when only the profile summary says so (or a related word)."""
        specific = {x for x in q.stems if x not in LIST_NOISE and len(x) > 2}
        if related:
            specific |= {
                r
                for x in specific
                for r in knowledge.synonyms().get(x, ())
                if len(r) > 2 and r not in STOPWORDS
            }
        for sent, own in self._summary_sentences:
            if specific & own:
                return Outcome(
                    "summary", sentence(f"According to {self.say.poss} summary: {sent.rstrip('.')}")
                )
        return None
