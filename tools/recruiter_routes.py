"""Question kinds recruiters ask that need more than one look-up.

- opinion ("Is she a good fit for X?"): the facts that bear on X, never a verdict;
- counting ("How many years with Go?"): computed from the dated jobs that name it, saying so;
- superlatives ("strongest achievement"): the resume's own emphasis (echoed in its summary,
  carrying a figure, recent), said as such, since the resume ranks nothing;
- summaries of a requested length ("in one sentence");
- skill families ("what monitoring tools?"): the family's members that the resume lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from tools import knowledge
from tools.fit_routes import FIT_RE, ROLE_NOISE, FitRoutes
from tools.query import Outcome, Query
from tools.respond import finish
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.routes import LIST_NOISE
from tools.search import Entry, ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex
from tools.text import article, cap, count_word, join_words, lower_first, sentence, stem, tokens, words

_HOW_LONG_RE = re.compile(r"\b(how (many|much) years|how long|years of|number of years)\b")
_SUPERLATIVE_RE = re.compile(
    r"\b(strongest|biggest|best|greatest|most (impressive|important|significant|notable|successful)|proudest|"
    r"top|standout|stand-out|main|key|major)\b[^?]*\b(achievements?|accomplishments?|results?|wins?|"
    r"successes|contributions?|impacts?)\b|\bmost proud of\b|\bproudest\b"
)
_LENGTH_RE = re.compile(
    r"\b(?:in|with|using) (?:just |only |exactly )?(one|a single|1|two|2|three|3|a few|a couple of|a) "
    r"sentences?\b|\b(one|single)[- ]line(?:r|d)?\b"
    r"|\b(briefly|brief|short|quick|quickly|shortly|concise\w*|tl ?;? ?dr|nutshell)\b"
    r"|\bin (?:a few|\d+|ten|twenty|thirty|fifty) words\b|\belevator pitch\b"
    r"|\b(one|a single|1|two|2|three|3)[- ]sentences? (?:summary|overview|description|pitch|bio|intro\w*)\b"
)
_SENTENCES = {
    "one": 1,
    "a single": 1,
    "a": 1,
    "1": 1,
    "two": 2,
    "2": 2,
    "three": 3,
    "3": 3,
    "a few": 2,
    "a couple of": 2,
}
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+")
_YEARS_OF_RE = re.compile(
    r"\s+(?:of|as)\s+((?:an?\s+)?[\w-]+(?:\s+[\w-]+){0,2}?)(?=\s*(?:[,.;:]|$|\s+(?:from|with|and|in|at|across|for|to)\b))"
)
_STATED_YEARS_RE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty[- ]?\w*|thirty)\+? (full )?years\b",
    re.I,
)
_ABROAD_RE = re.compile(
    r"\b(overseas|abroad|internationally|"
    r"outside (of )?(the country|(his|her|their) (home )?country|\w+ country)|"
    r"in other countries|in another country|foreign country)\b"
)
_PLACES_SPLIT = re.compile(r"\s+(?:and|&)\s+|\s*[;/]\s*")
_PERSON_START = re.compile(r"^(i|he|she|they|my|his|her|their)\b", re.I)


class RecruiterRoutes(FitRoutes):
    resume: Resume
    index: ResumeIndex
    tech: TechIndex
    say: ListSpeaker
    today: date
    text_search: Callable[..., Outcome | None]
    technology: Callable[..., Outcome]
    leadership: Callable[..., Outcome]
    retrieval: Retrieval

    def _recruiter(self, q: Query, st: ConversationState) -> Outcome | None:
        if q.ents and not FIT_RE.search(q.text):
            return None
        return (
            self._opinion(q)
            or self._years_with(q)
            or self._superlative(q)
            or self._short_summary(q)
            or self._abroad(q)
        )

    def _headline(self) -> str:
        p = self.resume.profile
        first = next(iter(_SENT_SPLIT.split(p.summary.strip())), "") if p.summary else ""
        if first and _PERSON_START.match(first):
            return first
        if first:
            return f"{self.say.first} is {article(first)} {lower_first(first)}"
        return f"{self.say.first} is {article(p.title)} {p.title}" if p.title else ""

    # --- counting ------------------------------------------------------------------------------

    def _years_with(self, q: Query) -> Outcome | None:
        """ "How many years with Go?": the months of the dated jobs naming it, added up without overlaps."""
        if not _HOW_LONG_RE.search(q.text) or q.ents or q.cue.value in ("ref", "more"):
            return None
        techs = [t for t in q.techs if t.in_resume]
        if techs:
            label = join_words([t.name for t in techs], "or")
            ids = {i for t in techs for i in self.tech.items_for(t.name)}
            pool = [e for e in self.index.of_kind("experience") if e.id in ids]
            pool = pool or [e for e in self.index.of_kind("project") if e.id in ids]
            if not pool:
                # A listed skill no item tags ("performance marketing"): the jobs whose text names it.
                named = [{stem(w) for w in tokens(t.name)} for t in techs]
                pool = [
                    e
                    for e in self.index.of_kind("experience")
                    if any(all(self.index.mentions(e.id, x) for x in n) for n in named)
                ]
        else:
            topic = [s for s in q.stems if s not in ROLE_NOISE and self.index.idf(s) > 0]
            topic = [s for s in topic if s not in {stem(w) for w in words("year years long experience")}]
            if not topic:
                return None
            stated = self._stated_years(topic)
            if stated is not None:
                return stated
            label = " ".join(t for t in q.utt.toks if stem(t) in topic)
            pool = [
                e
                for e in self.index.of_kind("experience")
                # "how long has he been teaching" counts the jobs of a "Teacher" too.
                if all(self.index.mentions_form(e.id, s) for s in topic)
            ]
            # "how long was she an engineer": the jobs with it in their title, when some have it, not
            # every job whose text says a word of that stem ("Engine 7").
            titled = [e for e in pool if set(topic) <= {stem(t) for t in tokens(e.attr("role"))}]
            pool = titled or pool
        pool = [e for e in self.index.chronological(pool) if e.span]
        if not pool:
            return None
        months = self._months(pool)
        years, rem = divmod(months, 12)
        if years == 0:
            amount = f"about {count_word(max(months, 1))} month{'s' if months != 1 else ''}"
        elif rem <= 2:
            amount = f"about {count_word(years)} year{'s' if years != 1 else ''}"
        elif rem >= 10:
            amount = f"almost {count_word(years + 1)} years"
        else:
            amount = f"over {count_word(years)} year{'s' if years != 1 else ''}"
        where = join_words(
            [
                f"{self.say.company(e) if e.kind == 'experience' else e.title} {self.say.when(e)}"
                for e in pool[::-1][:4]
            ]
        )
        kind = "jobs" if pool[0].kind == "experience" else "projects"
        text = finish(
            [
                f"{cap(amount)} with {label}, counting the dated {kind} that name it: {where}",
                "That is computed from the resume's dates, not stated in it",
            ],
            70,
        )
        return Outcome("years_with", text, pool[::-1], tech=techs[0].name if techs else None)

    def _months(self, entries: list[Entry]) -> int:
        now = self.today.year * 12 + self.today.month - 1
        spans = sorted((e.span[0], min(e.span[1], now)) for e in entries if e.span)
        total, cur_lo, cur_hi = 0, None, None
        for lo, hi in spans:
            if cur_hi is None or lo > cur_hi + 1:
                if cur_hi is not None and cur_lo is not None:
                    total += int(cur_hi - cur_lo + 1)
                cur_lo, cur_hi = lo, hi
            else:
                cur_hi = max(cur_hi, hi)
        if cur_hi is not None and cur_lo is not None:
            total += int(cur_hi - cur_lo + 1)
        return total

    # --- superlatives --------------------------------------------------------------------------

    def _superlative(self, q: Query) -> Outcome | None:
        if not _SUPERLATIVE_RE.search(q.text) or q.det.kind in ("project", "experience"):
            return None
        summary = {stem(t) for t in tokens(self.resume.profile.summary)} & self.index.rare_stems(max_items=3)
        latest = self.index.ordinal(self.index.of_kind("experience"), "latest")
        best: tuple[float, Entry, str] | None = None
        for e in self.index.of_kind("experience") + self.index.of_kind("project"):
            for i, s in enumerate(e.sentences):
                if i < e.lead_count:
                    continue  # descriptions say what the job was, highlights what was achieved
                stems = {stem(t) for t in tokens(s)}
                score = 2.0 * len(stems & summary) + (1.0 if any(c.isdigit() for c in s) else 0.0)
                score += 0.5 if (e.ongoing or e in latest) else 0.0
                if best is None or score > best[0]:
                    best = (score, e, s)
        awards = self.index.of_kind("award")
        if best is None and not awards:
            return None
        if best is None:
            return Outcome(
                "superlative", "The resume doesn't rank achievements. " + self.say.awards(awards), awards
            )
        _, e, s = best
        said = self.say.claim(
            s,
            cap(self.say.at(e)) if e.kind == "experience" else f"In {e.title}",
            # A job's highlight is what the person did; only a project may be its own subject.
            it="" if e.kind == "experience" else e.title,
        )
        also = (
            f" It also lists {count_word(len(awards))} award{'s' if len(awards) != 1 else ''}."
            if awards
            else ""
        )
        text = (
            f"The resume doesn't rank achievements; one it highlights: {lower_first(said).rstrip('.')}.{also}"
        )
        return Outcome("superlative", text, [e, *awards[:1]], focus=[e])

    # --- summaries -----------------------------------------------------------------------------

    def _short_summary(self, q: Query) -> Outcome | None:
        m = _LENGTH_RE.search(q.text)
        if not m or not q.has("summary") or q.techs:
            return None
        n = _SENTENCES.get(m.group(1) or m.group(4) or "", 1)
        p = self.resume.profile
        sentences = [x for x in _SENT_SPLIT.split(p.summary.strip()) if x]
        head = (
            self._headline()
            if sentences
            else (f"{p.name} is {article(p.title)} {p.title}" if p.title else p.name)
        )
        if sentences and not _PERSON_START.match(sentences[0]):
            head = (
                f"{p.name}, {p.title}, is {article(sentences[0])} {lower_first(sentences[0])}"
                if p.title
                else head
            )
            rest = sentences[1:]
        else:
            rest = sentences[1:] if sentences else []
        parts = [head.rstrip(".;") + "."] + [s.rstrip(";") for s in rest[: n - 1]]
        return Outcome("summary", " ".join(x if x.endswith(".") else x + "." for x in parts))

    # --- abroad --------------------------------------------------------------------------------

    def _abroad(self, q: Query) -> Outcome | None:
        """ "Has he worked overseas?": the jobs whose location shares nothing with where the person lives."""
        if (
            not _ABROAD_RE.search(q.text)
            or q.ents
            or q.det.project_kind
            or q.det.kind not in (None, "experience")
        ):
            # "the volunteering abroad": that kind of project, wherever it was, not the jobs.
            return None
        home = {t for t in tokens(self.resume.profile.location or "") if len(t) > 2}
        if not home:
            return None
        done = self._deed_abroad(q, home)
        if done is not None:
            return done
        jobs = [
            e for e in self.index.chronological(self.index.of_kind("experience"))[::-1] if e.attr("location")
        ]
        # "Lagos, Nigeria and Toronto, Canada": a job in two places is abroad by its other one.
        places = {e.id: [p for p in _PLACES_SPLIT.split(e.attr("location")) if p.strip()] for e in jobs}
        away_at = {
            e.id: [p for p in places[e.id] if not home & set(tokens(p)) and "remote" not in p.lower()]
            for e in jobs
        }
        away = [e for e in jobs if away_at[e.id]]
        where = self.resume.profile.location or ""
        if not away:
            return Outcome(
                "abroad", f"The resume doesn't list any jobs outside {where.split(',')[-1].strip()}.", []
            )
        parts = [f"{self.say.at(e)}, in {join_words(away_at[e.id])}, {self.say.when(e)}" for e in away[:3]]
        return Outcome("abroad", finish([f"Yes: {self.say.first} worked {join_words(parts)}"]), away[:3])

    def _deed_abroad(self, q: Query, home: set[str]) -> Outcome | None:
        """ "Has he toured abroad?": a sentence of that deed ("tour") naming a country away from home."""
        m = _ABROAD_RE.search(q.text)
        said = {stem(t) for t in tokens(m.group(0))} if m else set()
        deed = [s for s in q.stems if s not in said and s not in LIST_NOISE]
        if not deed:
            return None
        wanted = set(deed) | {r for s in deed for r in self.retrieval.related(s)}
        home = home | set(tokens(self.resume.profile.name))
        for f in self.retrieval.rank(deed, kinds=("experience", "project"), limit=4):
            e = f.entry
            for n, (text, ss) in enumerate(self.index.sentence_stems(e)):
                away = [c for c in knowledge.countries_re().findall(text) if not set(tokens(c)) <= home]
                if not (away and wanted & ss):
                    continue
                if e.kind == "experience":
                    claim = self.say.claim(text, cap(self.say.at(e)), descriptive=n < e.lead_count)
                else:
                    claim = self.say.claim(text, f"In {e.title}", it=e.title)
                return Outcome("search", sentence(claim), [e])
        return None

    # --- skill families ------------------------------------------------------------------------

    def _family(self, q: Query, st: ConversationState) -> Outcome | None:
        """ "What monitoring tools does she know?": the family's members the resume lists, and where."""
        if q.ents:
            return None
        for fam in knowledge.families():
            asked = fam.asked(q.text)
            names = self.tech.members(fam) if asked else []
            if not names:
                continue
            phrase = set(tokens(asked or ""))
            cat_words = set(re.split(r"[_\s/&-]+", q.det.category.lower())) if q.det.category else set()
            if cat_words and not (cat_words & phrase and len(phrase) > len(cat_words)):
                # The resume's own skill category ("classroom technology") beats general knowledge,
                # unless the family's phrase says more ("scheduling software" for a "software" list).
                return None
            if any(not set(q.utt.toks[t.start : t.end]) <= phrase for t in q.techs):
                return None  # a technology named outside the family's phrase is the question
            # "which scheduling software": the skill "scheduling" is part of the family's phrase.
            used: list[Entry] = []
            for n in names:
                used += [self.index.by_id[i] for i in self.tech.items_for(n) if i in self.index.by_id]
            used = [
                e for e in dict.fromkeys(self.index.chronological(used)[::-1]) if e.kind != "certification"
            ]
            parts = [f"For {asked}, the resume lists {join_words(names)}"]
            for e in used[:3]:
                here = [n for n in names if n in e.techs]
                if here:
                    where = self.say.at(e) if e.kind == "experience" else f"in {e.title}"
                    parts.append(f"{cap(where)}, {self.say.first} used {join_words(here)}")
            return Outcome("technology", finish(parts), used[:3], tech=names[0])
        return None

    def _stated_years(self, topic: list[str]) -> Outcome | None:
        """ "How many years as a social worker?": the summary's own figure when the subject leads up to
        it ("social worker with 9 years"); the person's count beats one made from dates. A subject after
        the figure ("15 years ... in Poland") is where the years were spent, not all of them."""
        wanted = [{x, *self.retrieval.related(x)} for x in topic]  # once, not per summary sentence
        for sent in _SENT_SPLIT.split(self.resume.profile.summary or ""):
            m = _STATED_YEARS_RE.search(sent)
            if m is None:
                continue
            own = {stem(t) for t in tokens(sent[: m.start()])}
            # "18 years of firefighting": the "of"/"as" phrase right after the figure names them too.
            of = _YEARS_OF_RE.match(sent[m.end() :])
            own |= {stem(t) for t in tokens(of.group(1))} if of else set()
            if all(w & own for w in wanted):
                return Outcome("years_with", f"According to {self.say.poss} summary: {sent.rstrip('.')}.")
        return None
