"""Date expressions in questions and date arithmetic on resume items.

Months are plain ints (year * 12 + month - 1) so comparisons are cheap. Semantics:
  "in 2018" / "between 2019 and 2021"  -> the item's span overlaps the range
  "before 2017"                        -> the item started before 2017
  "after 2019" / "since 2023"          -> the item started after 2019 / in or after 2023
An open-ended item ("end": null) is ongoing, so it overlaps every later range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from tools.text import Utterance

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ALIASES = {m[:3]: i for i, m in enumerate(MONTHS)} | {m: i for i, m in enumerate(MONTHS)} | {"sept": 8}
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_MONTH = r"(?:" + "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True)) + r")"
_POINT = (
    rf"(?:(?:early|mid|late|the end of|end of|the start of|start of|beginning of)\s+)?(?:{_MONTH}\s+)?{_YEAR}"
)
_RANGE_RE = re.compile(
    rf"\b(?:between|from)\s+({_POINT})\s+(?:and|to|until|till|through)\s+({_POINT})\b"
    rf"|\b({_POINT})\s*(?:-|to|through|until|till)\s*({_POINT})\b"
)
_REL_RE = re.compile(
    rf"\b(before|prior to|earlier than|until|up to|after|later than|since|from|starting in|"
    rf"starting|in|during|around|circa|by|throughout)\s+(?:the\s+(?:year\s+)?)?({_POINT})\b"
)
_BARE_RE = re.compile(rf"\b({_POINT})\b")
_POINT_PARTS = re.compile(rf"(early|mid|late|end of|start of|beginning of)?\s*(?:({_MONTH})\s+)?({_YEAR})")
_ANCHOR_RE = re.compile(
    # "look after patients" is care, not time.
    r"(?<!look )(?<!looks )(?<!looked )(?<!looking )(?<!take care )(?<!ask )(?<!asked )"
    r"\b(before|after|prior to|since(?! when)|following|preceding|earlier than|later than)\b"
)
# "what came next", "what did she do next", "and then?": after the item in focus. Past tense only
# ("what does he want to do next" asks about plans), and not "then" ("what did she do then" is at
# that time).
_NEXT_RE = re.compile(
    r"\b(came|happened) (next|after( that)?)\b|\b(did|went|moved|worked|headed) next\b"
    r"|\b(did \w+ (do|go|work|move)) next\b|\bwhat was next\b"
    r"|\bwas (his|her|their|the) next (job|role|position|employer|move)\b"
    r"|^\W*(and )?(then( what)?|what next|next)\W*$"
)
_FIRST_RE = re.compile(
    # "first prize" names a result, "first chaired a trial" a role: neither is the first item.
    r"\b(first|earliest|oldest|initial|start(ed)? (his|her|their) career)\b(?!\s+(prize|place|\w+ed)\b)"
    r"(?![ -](chair|author|aid|responder|class|language))"
)
_LATEST_RE = re.compile(
    r"\b(latest|most recent(ly)?|newest|last(?! (few|couple|\w+) years)|currently\s+latest)\b"
)
# "recently" / "the last few years": a window, not the single newest item.
_RECENT_RE = re.compile(r"\b(recent(ly)?|lately|(last|past) (few|couple of|two|three|several) years)\b")
_CURRENT_RE = re.compile(
    r"\b(current(ly)?|now|right now|today|present(ly)?|at the moment|these days|nowadays|"
    r"still|ongoing|active)\b"
)
_PREVIOUS_RE = re.compile(
    r"\b(previous|prior(?! to)|former|last (job|role|position|employer|company) before)\b"
)

Mode = Literal["overlap", "start_before", "start_from"]
Ordinal = Literal["first", "latest", "current", "previous", "recent"]


def month_of(value: str | None) -> int | None:
    """ "2019-06" -> month int; a bare year means January (start) -- callers pick end-of-year explicitly."""
    if not value:
        return None
    year, _, month = value.partition("-")
    return int(year) * 12 + (int(month) - 1 if month else 0)


def end_month_of(value: str | None) -> int | None:
    if not value:
        return None
    year, _, month = value.partition("-")
    return int(year) * 12 + (int(month) - 1 if month else 11)


def spoken(value: str | None) -> str:
    """ "2022-03" -> "March 2022"; "2018" -> "2018"."""
    if not value:
        return ""
    year, _, month = value.partition("-")
    return f"{MONTHS[int(month) - 1].capitalize()} {year}" if month else year


class DateRange(BaseModel):
    lo: int | None = None
    hi: int | None = None
    mode: Mode = "overlap"
    label: str = ""  # how the user said it, echoed back ("before 2017")


@dataclass(frozen=True)
class DateQuery:
    range: DateRange | None = None
    ordinal: Ordinal | None = None
    anchor: str | None = None  # "before" / "after" something named, not a year
    anchor_pos: int = -1  # token index just after the anchor word

    @property
    def empty(self) -> bool:
        return self.range is None and self.ordinal is None and self.anchor is None


def _point(text: str) -> tuple[int, int]:
    m = _POINT_PARTS.search(text)
    assert m is not None
    qual, month, year = m.group(1), m.group(2), int(m.group(3))
    if month:
        mi = _MONTH_ALIASES[month]
        return year * 12 + mi, year * 12 + mi
    lo, hi = year * 12, year * 12 + 11
    if qual == "early" or (qual and ("start" in qual or "beginning" in qual)):
        hi = year * 12 + 3
    elif qual == "mid":
        lo, hi = year * 12 + 4, year * 12 + 7
    elif qual and ("late" in qual or "end" in qual):
        lo = year * 12 + 8
    return lo, hi


def parse(utt: Utterance) -> DateQuery:
    text = utt.norm
    rng: DateRange | None = None
    m = _RANGE_RE.search(text)
    if m:
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        rng = DateRange(lo=_point(a)[0], hi=_point(b)[1], mode="overlap", label=m.group(0))
    else:
        m2 = _REL_RE.search(text)
        if m2:
            word, (lo, hi) = m2.group(1), _point(m2.group(2))
            label = m2.group(0)
            if word in ("before", "prior to", "earlier than", "until", "up to", "by"):
                rng = DateRange(lo=lo, hi=None, mode="start_before", label=label)
            elif word in ("after", "later than"):
                rng = DateRange(lo=hi + 1, hi=None, mode="start_from", label=label)
            elif word in ("since", "from", "starting in", "starting"):
                rng = DateRange(lo=lo, hi=None, mode="start_from", label=label)
            else:
                rng = DateRange(lo=lo, hi=hi, mode="overlap", label=label)
        else:
            m3 = _BARE_RE.search(text)
            if m3:
                lo, hi = _point(m3.group(1))
                rng = DateRange(lo=lo, hi=hi, mode="overlap", label=f"in {m3.group(1)}")
    anchor, anchor_pos = None, -1
    if rng is None:
        ma = _ANCHOR_RE.search(text)
        if ma:
            anchor = (
                "before" if ma.group(1) in ("before", "prior to", "preceding", "earlier than") else "after"
            )
            anchor_pos = len(Utterance.of(text[: ma.end()]).toks)
        elif (mn := _NEXT_RE.search(text)) is not None:
            anchor, anchor_pos = "after", len(Utterance.of(text[: mn.end()]).toks)
    ordinal: Ordinal | None = None
    if _PREVIOUS_RE.search(text):
        ordinal = "previous"
    elif _FIRST_RE.search(text):
        ordinal = "first"
    elif _LATEST_RE.search(text):
        ordinal = "latest"
    elif _RECENT_RE.search(text):
        ordinal = "recent"
    elif _CURRENT_RE.search(text):
        ordinal = "current"
    return DateQuery(rng, ordinal, anchor, anchor_pos)


def span(start: str | None, end: str | None, ongoing: bool) -> tuple[int, float] | None:
    """(start, end) months of an item; ongoing items run forever. None when undated."""
    lo = month_of(start) if start else month_of(end)
    if lo is None:
        return None
    if end:
        return lo, float(end_month_of(end) or lo)
    return lo, float("inf") if ongoing else float(end_month_of(start) or lo)


def matches(item_span: tuple[int, float] | None, rng: DateRange) -> bool:
    if item_span is None:
        return False
    lo, hi = item_span
    if rng.mode == "start_before":
        return rng.lo is not None and lo < rng.lo
    if rng.mode == "start_from":
        return rng.lo is not None and lo >= rng.lo
    return (rng.hi is None or lo <= rng.hi) and (rng.lo is None or hi >= rng.lo)


def date_lead(rng: DateRange | None) -> str:
    """The user's own wording as a sentence opener: "between 2019 and 2021" -> "Between 2019 and 2021"."""
    return rng.label[:1].upper() + rng.label[1:] if rng and rng.label else ""


def duration_words(start: str, end: str | None) -> str:
    """Rough spoken duration ("about two years"). Uses words, never digits, as it is derived."""
    from tools.text import count_word

    a, b = month_of(start), end_month_of(end) if end else None
    if a is None or b is None:
        return ""
    months = b - a + 1
    years, rem = divmod(months, 12)
    if years == 0:
        return f"about {count_word(months)} month{'s' if months != 1 else ''}"
    if rem <= 2:
        return f"about {count_word(years)} year{'s' if years != 1 else ''}"
    if rem >= 10:
        return f"almost {count_word(years + 1)} years"
    return f"over {count_word(years)} year{'s' if years != 1 else ''}"
