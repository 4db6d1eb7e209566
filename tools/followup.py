"""Follow-up cues: does this turn lean on the previous one, and how?

"there", "it", "that one", "the project" point at the previous answer's focus item(s);
"what about Scala" re-asks the previous question with one slot swapped; "which of those used Go"
narrows the previous list; "and before that?" walks the timeline from the focus item.
"they"/"them" usually mean the person (pronouns), so they are deliberately *not* item references.
"""

from __future__ import annotations

import re
from enum import Enum

REF_RE = re.compile(
    r"\b(it|its|it's|that|this|those|these|there|then|that one|this one|the same|"
    r"the (project|job|role|company|position|team|library|tool|service|product|degree|certification|cert|"
    r"award|paper|talk|work|school|university|employer|place|startup|engagement|gig|course|program|thing))\b"
)
_WHAT_ABOUT_RE = re.compile(
    r"^\s*(and|but|also|ok(ay)?|so)?[\s,]*((what|how) about|what of|same (for|with)|and)\b"
)
_POSITION_RE = re.compile(
    r"\bthe (first|second|third|last|latter|former|other) one\b|\bthe (latter|former)\b"
)
_POSITIONS = {"first": 0, "former": 0, "second": 1, "third": 2, "last": -1, "latter": -1, "other": -1}
_WHICH_RE = re.compile(
    r"\bthe \w+ one\b|\bwhich (one|ones)\b"
    r"|\b(which|any|one|some|all|how many|none) of (those|these|them|the above|that)\b"
    r"|\b(of|among) (those|these|them)\b|\bwhich (was|were|is|are|came|had)\b"
)
_MORE_RE = re.compile(
    r"^\s*((tell me more|more|go on|continue|keep going|anything else|what else|more details|elaborate|"
    r"expand on that|say more|more please|can you elaborate)\b|and\s*\??\s*$)"
)
_ELLIPTIC_RE = re.compile(
    r"^\s*(and\s+)?(when|where|why|how long|how many|how much|how big|what year|which year|who for|"
    r"for whom|what for|since when|until when|how so|what tech(nologies)?|which tech(nologies)?|what stack|"
    r"and then|then what|what next|after that|before that|next)\s*\??\s*$"
    # "what came next", "what did she do next": the timeline from the focus item.
    r"|\b(came|happened) (next|after that)\b|\bdid (xperson|he|she|they) (do|go|work|move) next\b"
    r"|\bwhat was next\b|\bwas (xperson'?s?|his|her|their|the) next (job|role|position|employer|move)\b"
)


class Cue(Enum):
    NONE = "none"
    REF = "ref"  # points at the focus item(s)
    WHAT_ABOUT = "what_about"  # previous question, one slot swapped
    WHICH = "which"  # narrow the previous list
    MORE = "more"  # continue on the focus item


def cue(text: str) -> Cue:
    """The strongest follow-up cue in a folded utterance."""
    if _MORE_RE.search(text) and (len(text.split()) <= 6 or text.lstrip().startswith("tell me more")):
        return Cue.MORE
    if _WHICH_RE.search(text):
        return Cue.WHICH
    if _WHAT_ABOUT_RE.search(text):
        return Cue.WHAT_ABOUT
    if REF_RE.search(text) or _ELLIPTIC_RE.search(text):
        return Cue.REF
    return Cue.NONE


def position(text: str) -> int | None:
    """Position picked from the previous answer's list: "the first one" -> 0, "the last one" -> -1."""
    m = _POSITION_RE.search(text)
    return _POSITIONS[m.group(1) or m.group(2)] if m else None
