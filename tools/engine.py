"""Public entry point of the resume brain: `ResumeEngine.answer(text, state)`.

Everything that can be precomputed (technology and entity indexes, compiled patterns, item table)
is built once in `__init__`; a call only tokenises the turn, runs the matchers and renders a reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tools import dates as dates_mod
from tools import guardrails, knowledge
from tools.english import basic_words, common_words
from tools.entities import EntityIndex
from tools.followup import cue as followup_cue
from tools.intent import IntentDetector
from tools.planner import Planner
from tools.query import STRONG_TOPICS, Outcome, Query
from tools.respond_lists import ListSpeaker
from tools.resume_model import Resume
from tools.retrieval import Retrieved
from tools.search import ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex
from tools.text import Utterance, compound_stems, content_stems, stem, tokens, words

_NEGATION_RE = re.compile(
    r"\b(didn'?t|did not|don'?t|do not|doesn'?t|does not|wasn'?t|weren'?t|was not|were not|aren'?t|isn'?t|"
    r"without|never|except|other than|besides|non)\b"
)
# Words that ask for a facet of an item rather than name a subject ("impact", "stars", "stack").
_FACET_STEMS = frozenset(
    stem(w)
    for w in words(
        "impact result results outcome outcomes metric metrics number numbers star stars user users "
        "customer customers call calls request requests uptime throughput latency scale performance growth "
        "volume accuracy team size big large technology technologies tech stack tool tools language "
        "languages framework frameworks library libraries date dates year years long start started end "
        "ended finish finished leave left join joined link url repo repository github source code company "
        "employer built build made use used improvement improvements contributors contributor people many "
        "much fast quick reliable"
    )
)
_SUBJECTS = frozenset({"i", "you", "we", "he", "she", "they"})
# Fields that a two-word turn names by themselves ("based where?").
_SHORT_FIELDS = frozenset({"location", "dates", "title", "team_size"})
_ITEM_FACETS = frozenset(
    {"metric", "dates", "item_tech", "team_size", "where", "details", "link_q", "employer_q"}
)


@dataclass(frozen=True)
class ItemRef:
    id: str
    kind: str
    title: str


@dataclass(frozen=True)
class EngineResult:
    answer: str
    intent: str
    refused: bool
    items: list[ItemRef]


class ResumeEngine:
    def __init__(self, resume: Resume, today: date | None = None) -> None:
        self._resume = resume
        self._tech = TechIndex(resume)
        self._entities = EntityIndex(resume, self._tech.keys)
        self._detector = IntentDetector(resume)
        self._index = ResumeIndex(resume, self._tech)
        self._say = ListSpeaker(resume, self._index)
        # "Today" only matters for durations up to now ("how many years with Go?").
        self._planner = Planner(resume, self._index, self._tech, self._say, today)
        self._person = frozenset(tokens(resume.profile.name))
        self._person_re = guardrails.person_ref(resume.profile.pronouns)
        # Distinctive words of the resume ("chess", "grading"): asking about one is asking about the resume.
        self._vocabulary = self._index.rare_stems()
        # Any word of the resume's own text but the most basic English ones anchors a question to it.
        basic = {stem(w) for w in basic_words()}
        self._common = common_words()
        self._anchors = frozenset(s for s in self._index.vocabulary() if s not in basic and len(s) > 2)

    @property
    def resume(self) -> Resume:
        return self._resume

    def greeting(self) -> str:
        return (
            f"Hi, I'm an assistant for {self._resume.profile.name}'s resume. Ask me about {self._say.poss} "
            f"experience, projects, skills or education."
        )

    def guard(self, text: str) -> EngineResult | None:
        """A refusal if guardrails trip on `text`, else None.

        Stateless, so it gives follow-ups the benefit of the doubt: "what was the impact?" may be about
        the item just discussed. Explicit off-topic requests and injections are still refused.
        """
        q = self.parse(text)
        reason = guardrails.check(q.text, self._maybe_followup(q, has_focus=False) or self._anchored(q))
        return self._refusal(reason) if reason else None

    def search_terms(self, text: str) -> list[str]:
        """Words to look up in an external full-text index for this turn (stems and their synonyms).

        The caller may run them against Postgres (storage.content.search_content) and pass the ranked
        hits back to `answer(..., retrieved=...)`; without them the in-memory index ranks alone.
        """
        q = self.parse(text)
        return list(self._planner.retrieval.expand(q.stems))

    def answer(
        self,
        text: str,
        state: ConversationState | None = None,
        retrieved: Sequence[tuple[str, float]] | None = None,
    ) -> tuple[EngineResult, ConversationState]:
        st = state if state is not None else ConversationState()
        if not text.strip():
            # Silence or a blank transcript: nothing to refuse, just invite a question.
            return EngineResult(self.greeting(), "help", False, []), st.model_copy(
                update={"turn": st.turn + 1}
            )
        q = self.parse(text, retrieved)
        followup = self._maybe_followup(q, has_focus=bool(st.focus_ids), focus=st.focus_ids)
        reason = guardrails.check(q.text, followup or self._anchored(q))
        if reason:
            # A refused turn must not disturb what "it" / "that" refer to.
            return self._refusal(reason), st.model_copy(update={"turn": st.turn + 1})
        out = self._planner.plan(q, st)
        result = EngineResult(
            out.answer, out.intent, out.refused, [ItemRef(e.id, e.kind, e.title) for e in out.items]
        )
        return result, self._next_state(st, out, q.stems)

    # --- internals -----------------------------------------------------------------------------

    def parse(self, text: str, retrieved: Sequence[tuple[str, float]] | None = None) -> Query:
        utt = Utterance.of(text)
        ents = self._entities.find(utt)
        covered = frozenset(p for m in ents for p in m.positions)
        det = self._detector.detect(utt, covered)
        techs = self._tech.find(utt)
        # "the SIP bridge" names a project; its "SIP" is part of the name, not a technology question.
        techs = [t for t in techs if not all(i in covered for i in range(t.start, t.end))]
        if det.category:
            # "which analytics tools": the category "analytics", not "Google Analytics" by half its name.
            cat_words = {stem(w) for w in re.split(r"[_\s/&-]+", det.category.lower()) if w}
            techs = [
                t
                for t in techs
                if not (
                    {stem(w) for w in utt.toks[t.start : t.end]} <= cat_words
                    and len(tokens(t.name)) > t.end - t.start
                )
            ]
        place = next((t for t in utt.toks if t in self._index.places and t not in self._person), None)
        return Query(
            utt=utt,
            text=det.text,
            det=det,
            techs=techs,
            ents=ents,
            dates=dates_mod.parse(utt),
            place=place,
            # The item's own name says nothing about *which* of its facts is wanted.
            stems=self._drop_filler(
                utt.toks,
                content_stems(
                    [t for i, t in enumerate(utt.toks) if i not in covered], extra_stop=self._person
                )
                + compound_stems(utt.norm)
                + self._glued(utt.toks),
            ),
            cue=followup_cue(det.text),
            retrieved=tuple(Retrieved(i, score) for i, score in retrieved) if retrieved is not None else None,
            person=bool(self._person_re.search(det.text)),
            negated=bool(
                det.kind in ("project", "experience")
                and (techs or det.project_kind)
                and _NEGATION_RE.search(det.text)
            ),
        )

    def _drop_filler(self, toks: tuple[str, ...], stems: list[str]) -> list[str]:
        """Leave out the asking verb and adverbs the resume never uses: "does he *handle* allergens
        *properly*" asks about allergens. Common words only, and never all of the question's words."""
        vocab = self._index.vocabulary()
        after_person = [
            i > 0 and (toks[i - 1] in _SUBJECTS or toks[i - 1] in self._person) for i in range(len(toks))
        ]
        synonyms = knowledge.synonyms()
        # "how *widely* was it used": an adverb whose related words the resume uses ("adopted") is asked.
        filler = {
            stem(t)
            for i, t in enumerate(toks)
            if (after_person[i] or t.endswith("ly"))
            and t in self._common
            and stem(t) not in vocab
            and not any(r in vocab for r in synonyms.get(stem(t), ()))
        }
        # "has she *handled* redundancies": a light verb is filler even when the resume uses it.
        filler |= {stem(t) for i, t in enumerate(toks) if after_person[i] and t in knowledge.light_verbs()}
        kept = [s for s in stems if s not in filler]
        return kept or stems

    def _glued(self, toks: tuple[str, ...]) -> list[str]:
        """ "stock outs" also as "stockout", when the resume writes it so ("stock-outs")."""
        vocab = self._index.vocabulary()
        return [g for a, b in zip(toks, toks[1:], strict=False) if (g := stem(a + b)) in vocab]

    def _maybe_followup(self, q: Query, has_focus: bool, focus: Sequence[str] = ()) -> bool:
        """ "What was the impact?" asks about the item just discussed: on-topic without naming anything.

        Only when every content word is a facet word or resume vocabulary (any of its words once an
        item is in focus: "how many shows?" after the tour), so "how big is the sun?" or "when was the
        Eiffel tower built?" stay off-topic.
        """
        facets = _ITEM_FACETS if has_focus else _ITEM_FACETS - {"details"}
        if not q.topics & facets:
            return False
        # With an item in focus, any word of the resume will do ("how many students?" after schools).
        vocab = self._index.vocabulary() if focus else self._vocabulary
        return all(s in _FACET_STEMS or s in vocab for s in q.stems)

    def _anchored(self, q: Query) -> bool:
        """Does the turn point at the resume at all? Unanchored turns are refused as off-topic."""
        if guardrails.asks_someone_else(q.text):
            # "who designed the golden gate bridge": only a deed the resume itself names is about it.
            vocab = self._index.vocabulary()
            return all(s in vocab for s in q.stems)
        vocab = self._index.vocabulary()
        return bool(
            q.person
            or guardrails.PERSON_REF.search(q.text)
            or q.ents
            or q.techs
            or (q.topics & STRONG_TOPICS)
            or q.det.kind is not None
            or q.cue.value != "none"
            or (q.place and q.det.kind)
            or any(s in self._vocabulary or s in self._anchors for s in q.stems)
            # Two everyday words the resume uses together ("type ratings") are its own term, and so
            # are everyday words that one of its sentences holds ("how many covers a night").
            or self._index.has_phrase(q.stems)
            or (len(q.stems) >= 2 and self._index.in_one_sentence(q.stems))
            # An elliptical turn ("recordings?", "based where?"): a word or two of the resume's own,
            # or one of its fields, is asking about it.
            or (len(q.utt.toks) <= 2 and bool(q.stems) and all(s in vocab for s in q.stems))
            or (len(q.utt.toks) <= 2 and bool(q.topics & _SHORT_FIELDS))
        )

    def _refusal(self, reason: guardrails.Reason) -> EngineResult:
        text = guardrails.refusal(reason, self._resume.profile.name, self._say.poss)
        return EngineResult(text, "refuse", True, [])

    @staticmethod
    def _next_state(st: ConversationState, out: Outcome, stems: list[str]) -> ConversationState:
        focus = out.focus if out.focus is not None else out.items
        update: dict[str, object] = {
            "turn": st.turn + 1,
            "last_intent": out.intent,
            "last_answer": out.answer,
        }
        if out.items or out.focus:
            ids = [e.id for e in focus]
            update |= {"focus_ids": ids, "last_item_ids": [e.id for e in out.items]}
            # A bare facet turn ("by how much?") on the same item keeps the words that chose it.
            # Words said about the same item (or one of the items) pile up: "how big is it" after "how
            # much does it save" after "anything low energy" is still about the low-energy building.
            kept = st.last_stems if ids and set(ids) <= set(st.focus_ids) else []
            update["last_stems"] = list(dict.fromkeys([*stems, *kept]))[:8]
        if out.intent in ("technology", "projects", "experience", "timeline", "relative", "narrow"):
            update |= {
                "last_kind": out.kind,
                "last_project_kind": out.project_kind,
                "last_technology": out.tech,
                "last_date_range": out.date,
            }
        if out.category:
            update["last_category"] = out.category
        return st.model_copy(update=update)
