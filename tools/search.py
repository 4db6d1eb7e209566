"""Precomputed item table plus the filters and free-text search both the engine and the LLM tools use."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from pydantic import BaseModel

from tools.dates import DateRange, matches, span
from tools.english import basic_words
from tools.resume_model import Resume, item_title
from tools.technology import TechIndex
from tools.text import STOPWORDS, cap, compound_stems, stem, tokens

_SPLIT_RE = re.compile(r"(?<=[.;])\s+")
# Searchable fields and how much a hit in each says about the item.
_FIELDS: tuple[tuple[str, float], ...] = (
    ("company", 3.0),
    ("name", 3.0),
    ("institution", 3.0),
    ("title", 3.0),
    ("role", 2.0),
    ("degree", 2.0),
    ("summary", 1.5),
    ("description", 1.5),
    ("details", 1.2),
    ("highlights", 1.0),
    ("venue", 1.5),
    ("issuer", 1.0),
    ("location", 1.0),
    ("technologies", 1.0),
    ("kind", 1.0),
    ("employment_type", 0.5),
)


def _place_words(location: str) -> frozenset[str]:
    """Capitalised, not-basic words of a location ("Lisbon", "Remote"), not "open to ... time zones"."""
    words = re.findall(r"[^\W\d_]+", location)
    basic = basic_words()
    return frozenset(
        t
        for w in words
        if w[:1].isupper()
        for t in tokens(w)
        if t not in STOPWORDS and t not in basic and len(t) > 1
    )


def _said_words(resume: Resume) -> frozenset[str]:
    """Words the resume uses outside locations and school names: its subjects, not its places."""
    locations = {t for _, it in resume.items() for t in tokens(str(getattr(it, "location", "") or ""))}
    locations |= set(tokens(resume.profile.location or ""))
    out: set[str] = set()
    for kind, item in resume.items():
        if kind == "education":
            continue
        texts = [item_title(item), str(getattr(item, "role", "") or "")]
        for field in ("summary", "description", "details", "highlights"):
            value = getattr(item, field, None)
            texts += value if isinstance(value, list) else [str(value or "")]
        out.update(t for text in texts for t in tokens(text))
    return frozenset(out - locations)


@dataclass(frozen=True, eq=False)  # identity equality: one Entry per item, and items hold lists
class Entry:
    id: str
    kind: str
    item: BaseModel
    title: str
    span: tuple[int, float] | None
    ongoing: bool
    employer: str | None
    techs: tuple[str, ...]
    sentences: tuple[str, ...]
    places: frozenset[str]
    lead_count: int = 0  # how many of `sentences` come from summary/description/details (noun-phrase prose)

    def attr(self, name: str) -> str:
        value = getattr(self.item, name, None)
        return value if isinstance(value, str) else ""

    @property
    def start(self) -> str | None:
        return getattr(self.item, "start", None) or getattr(self.item, "date", None)

    @property
    def end(self) -> str | None:
        return getattr(self.item, "end", None) or getattr(self.item, "date", None)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    sentence: str


class ResumeIndex:
    def __init__(self, resume: Resume, tech: TechIndex) -> None:
        self.resume = resume
        self.entries: list[Entry] = []
        self._doc: dict[str, dict[str, float]] = {}  # stem -> {item id: best field weight}
        self._sent_stems: dict[str, list[tuple[str, frozenset[str]]]] = {}
        said = _said_words(resume)
        self._pairs: set[tuple[str, str]] = set()  # adjacent content stems of the items' text
        for kind, item in resume.items():
            dated = kind in ("experience", "project", "education")
            ongoing = (
                dated and getattr(item, "end", None) is None and getattr(item, "start", None) is not None
            )
            start = getattr(item, "start", None) if dated else getattr(item, "date", None)
            end = getattr(item, "end", None) if dated else getattr(item, "date", None)
            sentences: list[str] = []
            for field in ("summary", "description", "details"):
                # Each piece of "A; b." becomes its own sentence, so it starts with a capital.
                sentences += [
                    cap(s.rstrip(";")) for s in _SPLIT_RE.split(str(getattr(item, field, "") or "")) if s
                ]
            lead_count = len(sentences)
            sentences += list(getattr(item, "highlights", []))
            places = _place_words(str(getattr(item, "location", "") or ""))
            if kind == "education":
                # "University of Leeds" names a place; "Flight Training Academy" names what the resume
                # talks about elsewhere ("flight", "training"): those words are subjects, not places.
                places |= _place_words(item_title(item)) - said
            places = frozenset(places)
            entry = Entry(
                id=item.id,
                kind=kind,
                item=item,
                title=item_title(item),
                span=span(start, end, ongoing),
                ongoing=ongoing,
                employer=getattr(item, "employer", None),
                techs=tuple(tech.canonical(t) or t for t in getattr(item, "technologies", [])),
                sentences=tuple(sentences),
                places=places,
                lead_count=lead_count,
            )
            self.entries.append(entry)
            self._index(entry)
        self.by_id = {e.id: e for e in self.entries}
        n = max(len(self.entries), 1)
        self._idf = {s: math.log(1 + n / len(docs)) for s, docs in self._doc.items()}
        self.max_idf = max(self._idf.values(), default=1.0)
        self._vocabulary = frozenset(self._doc)
        self._sorted_vocab = sorted(self._doc)
        self.places = frozenset(p for e in self.entries for p in e.places)

    def _index(self, e: Entry) -> None:
        for field, weight in _FIELDS:
            value = getattr(e.item, field, None)
            texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            for text in texts:
                content = [stem(t) for t in tokens(text) if t not in STOPWORDS]
                for s in content + compound_stems(text):
                    docs = self._doc.setdefault(s, {})
                    docs[e.id] = max(docs.get(e.id, 0.0), weight)
                self._pairs.update(zip(content, content[1:], strict=False))
        self._sent_stems[e.id] = [
            (s, frozenset([stem(t) for t in tokens(s)] + compound_stems(s))) for s in e.sentences
        ]

    # --- filters -------------------------------------------------------------------------------

    def of_kind(self, kind: str | None) -> list[Entry]:
        return [e for e in self.entries if kind is None or e.kind == kind]

    def filter(
        self,
        entries: list[Entry],
        *,
        kind: str | None = None,
        project_kind: str | None = None,
        date: DateRange | None = None,
        employer: str | None = None,
        place: str | None = None,
    ) -> list[Entry]:
        out = []
        for e in entries:
            if kind is not None and e.kind != kind:
                continue
            professional = project_kind == "work" and kind is None and e.kind == "experience"
            if (
                project_kind is not None
                and not professional
                and (e.kind != "project" or e.attr("kind") != project_kind)
            ):
                continue
            if date is not None and not matches(e.span, date):
                continue
            if employer is not None and e.employer != employer and e.id != employer:
                continue
            if place is not None and place not in e.places:
                continue
            out.append(e)
        return out

    @staticmethod
    def chronological(entries: list[Entry]) -> list[Entry]:
        return sorted(entries, key=lambda e: (e.span[0] if e.span else 10**9, e.span[1] if e.span else 0))

    def ordinal(self, entries: list[Entry], which: str) -> list[Entry]:
        dated = self.chronological([e for e in entries if e.span])
        if not dated:
            return []
        if which == "first":
            return dated[:1]
        if which == "current":
            return [e for e in dated if e.ongoing] or []
        if which == "previous":
            past = [e for e in dated if not e.ongoing]
            return past[-1:]
        if which == "recent":
            # Relative to the resume's own newest date, not the clock: the resume is the only timeline.
            newest = max(e.span[0] if e.ongoing else e.span[1] for e in dated if e.span)
            return [e for e in dated if e.span and (e.ongoing or e.span[1] >= newest - 24)]
        # latest: the one that started most recently
        return dated[-1:]

    def neighbours(self, anchor: Entry, kind: str, direction: str, all_of_them: bool) -> list[Entry]:
        """Items of `kind` just before/after the anchor ("and before that?", "after Initech")."""
        if anchor.span is None:
            return []
        a_start = anchor.span[0]
        pool = [
            e
            for e in self.chronological(self.of_kind(kind))
            if e.span and e.id not in (anchor.id, anchor.employer)
        ]
        if direction == "before":
            found = [e for e in pool if e.span is not None and e.span[0] < a_start]
            if all_of_them or not found:
                return found
            # The job held just before: the one that ended last before the anchor began, not a side
            # job that started later and ran alongside.
            ended = [e for e in found if e.span is not None and e.span[1] <= a_start + 1]
            return (
                [max(ended, key=lambda e: (e.span[1] if e.span else 0, -(e.span[0] if e.span else 0)))]
                if ended
                else found[-1:]
            )
        found = [e for e in pool if e.span is not None and e.span[0] > a_start]
        if all_of_them or not found:
            return found
        a_end = anchor.span[1]
        later = [e for e in found if e.span is not None and e.span[0] >= a_end - 1]
        return later[:1] if later else found[:1]

    def projects_at(self, employer_id: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == "project" and e.employer == employer_id]

    def employer_of(self, e: Entry) -> Entry | None:
        return self.by_id.get(e.employer) if e.employer else None

    # --- text search ---------------------------------------------------------------------------

    def search(
        self,
        stems: list[str],
        kinds: tuple[str, ...] | None = None,
        limit: int = 3,
        weights: dict[str, float] | None = None,
    ) -> list[Hit]:
        scores: dict[str, float] = {}
        for s in stems:
            w = weights.get(s, 1.0) if weights else 1.0
            for item_id, weight in self._doc.get(s, {}).items():
                scores[item_id] = scores.get(item_id, 0.0) + weight * self._idf[s] * w
        hits = []
        for item_id, score in sorted(scores.items(), key=lambda kv: -kv[1]):
            e = self.by_id[item_id]
            if kinds is not None and e.kind not in kinds:
                continue
            hits.append(Hit(e, score, self.best_sentence(e, stems) or ""))
        return hits[:limit]

    def rare_stems(self, max_items: int = 2) -> frozenset[str]:
        """Stems found in at most `max_items` items and not everyday words: the resume's own vocabulary."""
        common = {stem(w) for w in basic_words()}
        return frozenset(
            s for s, docs in self._doc.items()
            if len(docs) <= max_items and len(s) >= 4 and not s.isdigit() and s not in common
        )  # fmt: skip

    def specific(self, s: str) -> bool:
        """Is stem `s` in at most half the items (at least one)? More common, it says little about which."""
        docs = self._doc.get(s, {})
        return 0 < len(docs) <= max(1, len(self.entries) // 2)

    def mentions_form(self, item_id: str, s: str) -> bool:
        """Does the item use `s` or a word made from it ("teach" -> "teacher", "pilot" -> "piloting")?"""
        if self.mentions(item_id, s):
            return True
        if len(s) < 4:
            return False
        i = bisect.bisect_left(self._sorted_vocab, s)
        while i < len(self._sorted_vocab) and self._sorted_vocab[i].startswith(s):
            x = self._sorted_vocab[i]
            if len(x) <= len(s) + 3 and self.mentions(item_id, x):
                return True
            i += 1
        return False

    def sentence_stems(self, e: Entry) -> list[tuple[str, frozenset[str]]]:
        """The item's sentences (as `e.sentences`) with their stems, computed once at build."""
        return self._sent_stems.get(e.id, [])

    def sentences_with(self, e: Entry, stems: list[str]) -> list[str]:
        """The item's sentences that hold every stem of `stems`, in order."""
        want = set(stems)
        return [text for text, ss in self._sent_stems.get(e.id, []) if want and want <= ss]

    def in_one_sentence(self, stems: list[str]) -> bool:
        """Does one sentence of some item hold every stem of `stems`?"""
        want = set(stems)
        return any(want <= ss for sents in self._sent_stems.values() for _, ss in sents)

    def has_phrase(self, stems: list[str]) -> bool:
        """Do two adjacent stems of `stems` stand side by side in some item's text ("type rating")?"""
        return any(p in self._pairs for p in zip(stems, stems[1:], strict=False))

    def vocabulary(self) -> frozenset[str]:
        """Every stem of every item's text."""
        return self._vocabulary

    def mentions(self, item_id: str, s: str) -> bool:
        """Does the item's text contain stem `s`?"""
        return item_id in self._doc.get(s, {})

    def idf(self, s: str) -> float:
        return self._idf.get(s, 0.0)

    def best_sentence(
        self,
        e: Entry,
        stems: list[str],
        prefer_numbers: bool = False,
        prefer_highlights: bool = False,
        weights: dict[str, float] | None = None,
    ) -> str | None:
        """The item's sentence with the most of `stems` (idf, times `weights` when given)."""
        best: tuple[float, int, str] | None = None
        w = weights or {}
        for i, (text, sstems) in enumerate(self._sent_stems.get(e.id, [])):
            score = sum(self._idf.get(s, 1.0) * w.get(s, 1.0) for s in stems if s in sstems)
            if prefer_highlights and score > 0 and i >= e.lead_count:
                score += 0.01  # on a tie, what was done beats what the job was
            if prefer_numbers and any(c.isdigit() for c in text):
                # Highlights carry results; a figure in the description is usually a spec ("2 MB model").
                score += 0.5 if i >= e.lead_count else 0.25
            if score > 0 and (best is None or (score, -i) > (best[0], -best[1])):
                best = (score, i, text)
        return best[2] if best else None
