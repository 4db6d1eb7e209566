"""Which of the items just discussed a follow-up is about, and which of their sentences it asks for.

A follow-up ("how many firefighters were there", "how was it received", "how long did it take")
comes after an answer that named one or more items and quoted some of their sentences; the
question's words, their related words and what the last answer quoted decide among them.
"""

from __future__ import annotations

import re

from tools.respond import MAX_WORDS, finish
from tools.respond_lists import ListSpeaker
from tools.retrieval import Retrieval
from tools.search import Entry
from tools.text import quoted_in

# "how long did it take": how long a deed took, not how long the job lasted.
_TOOK_RE = re.compile(
    r"\bhow (long|quickly|fast) (did|does|do|has|had) (it|that|this|xperson|he|she|they)\b.*\btak"
)
_DURATION_RE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|a few) "
    r"(hours?|days?|weeks?|months?|years?)\b"
)


def took(e: Entry, text: str, last_answer: str) -> str | None:
    """ "how long did it take" after "... to 60,000 orders a day in 7 months": that sentence.

    Only a sentence the last answer picked out, not one of all it said ("tell me about X")."""
    if not last_answer or not _TOOK_RE.search(text):
        return None
    quoted = [x for x in e.sentences if quoted_in(x, last_answer)]
    if len(quoted) >= len(e.sentences):
        return None
    return next((x for x in quoted if _DURATION_RE.search(x)), None)


def by_figures(retrieval: Retrieval, items: list[Entry], stems: list[str], last_answer: str) -> list[Entry]:
    """ "how many firefighters were there" after two items: the one whose figure is of firefighters
    first, then one whose figure the last answer said, then one with any figure."""
    support = {x.id: retrieval.figure_support(x, stems, last_answer) for x in items}
    return sorted(items, key=lambda x: support[x.id], reverse=True)


def by_words(retrieval: Retrieval, items: list[Entry], stems: list[str]) -> list[Entry]:
    """ "how was it received" after two items: the one whose sentence holds the question's words or
    their related words ("an Editor's Choice"), when exactly one does best; else all of them."""
    said = {x.id: retrieval.support(x, stems) for x in items}
    top = max(said.values(), default=0)
    best = [x for x in items if said[x.id] == top]
    return best if top and len(best) == 1 else items


# "anything notable there", "what did she do there": asking for what was done, not a field.
_NOTABLE_RE = re.compile(
    r"\b(notable|noteworthy|interesting|highlights?|stand ?outs?|special|impressive|achievements?|"
    r"accomplishments?|what did (xperson|he|she|they) do)\b"
)


def overview(say: ListSpeaker, items: list[Entry], text: str) -> tuple[str, list[Entry]]:
    """Several items at once: each one's opener and, when the question asks what was done ("anything
    notable there"), its first highlight, for as many as fit; no highlight without its opener."""
    done = bool(_NOTABLE_RE.search(text))
    parts: list[str] = []
    said: list[Entry] = []
    words = 0
    for x in items[:3]:
        group = [say.opener(x)]
        if done and x.sentences[x.lead_count :]:
            it = "It" if x.kind == "project" else ""
            group.append(say.claim(x.sentences[x.lead_count], subject=say.They, it=it))
        for i, part in enumerate(group):
            n = len(part.split())
            if parts and words + n > MAX_WORDS:
                break
            parts.append(part)
            words += n
            if i == 0:
                said.append(x)
    return finish(parts, 10**6), said
