"""One parsed user turn and one planned answer: the data passed between engine, planner and routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.dates import DateQuery, DateRange
from tools.entities import EntityMatch
from tools.followup import Cue
from tools.intent import Detected
from tools.retrieval import Retrieved
from tools.search import Entry
from tools.technology import TechMatch
from tools.text import Utterance, words

# Topics that by themselves tie a question to the resume (see guardrails.check's `anchored`).
# "projects" is left out on purpose: its verbs ("built", "made") also fit "who built the pyramids?".
STRONG_TOPICS = words(
    "contact links availability work_auth prog_languages summary years current_role work education "
    "certifications publications awards leadership team_size pronouns name title greeting thanks bye help "
    "smalltalk "
    "ack skills interests unknown_personal spoken why_unknown preference"
)
_YES_NO_STARTERS = words("does did has have is was were can could do are any anything ever")
# Topics that make a turn more than small talk.
SUBSTANTIVE = (STRONG_TOPICS | {"projects"}) - {"greeting", "thanks", "bye", "help", "smalltalk", "ack"}


@dataclass(frozen=True)
class Query:
    utt: Utterance
    text: str  # folded, person replaced by "xperson"
    det: Detected
    techs: list[TechMatch]
    ents: list[EntityMatch]
    dates: DateQuery
    place: str | None
    stems: list[str]
    cue: Cue
    person: bool
    negated: bool = False  # "which projects did NOT use Python": a list question asking for the complement
    retrieved: tuple[Retrieved, ...] | None = None  # full-text hits from storage, best first

    @property
    def topics(self) -> frozenset[str]:
        return self.det.topics

    @property
    def yes_no(self) -> bool:
        """ "Does Jordan know Go?" earns a "Yes."; "Which companies used Go?" does not."""
        return bool(self.utt.toks) and self.utt.toks[0] in _YES_NO_STARTERS

    def has(self, *topics: str) -> bool:
        return any(t in self.det.topics for t in topics)


@dataclass
class Outcome:
    intent: str
    answer: str
    items: list[Entry] = field(default_factory=list)
    focus: list[Entry] | None = None  # None: same as items
    kind: str | None = None
    project_kind: str | None = None
    tech: str | None = None
    date: DateRange | None = None
    category: str | None = None
    refused: bool = False
