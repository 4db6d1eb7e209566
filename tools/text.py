"""Text normalisation shared by every matcher: accent folding, tokens, stems, spoken numbers.

Speech-to-text output is lowercase-ish, unpunctuated and accent-free, while the resume has
"Zürich Versicherung" and "PostgreSQL"; everything is compared through `fold` / `tech_key` so both sides meet.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

_TOKEN_RE = re.compile(r"[A-Za-z0-9]+[+#]*")
_SPACES_RE = re.compile(r"\s+")
_KEY_RE = re.compile(r"[^a-z0-9+#]")
_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def words(text: str) -> frozenset[str]:
    """A word set written as one readable string."""
    return frozenset(text.split())


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase, accent-free, straight quotes, single spaces."""
    return _SPACES_RE.sub(" ", strip_accents(text.translate(_QUOTES)).lower()).strip()


def alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases, folded and escaped, longest first: "hr system" is tried
    before "hr", so the group holds the whole phrase the text says."""
    return "|".join(re.escape(fold(p)) for p in sorted(phrases, key=len, reverse=True))


def tech_key(name: str) -> str:
    """Spacing- and punctuation-free key, so "web rtc", "Web-RTC" and "WebRTC" collide."""
    return _KEY_RE.sub("", fold(name))


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN_RE.findall(strip_accents(text))]


@dataclass(frozen=True)
class Utterance:
    """One user turn, pre-digested once so every matcher shares the work."""

    raw: str
    norm: str
    toks: tuple[str, ...]
    # Case is kept because "Go" / "C" capitalised mid-sentence is the best hint they are languages.
    raw_toks: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Utterance:
        raw_toks = tuple(_TOKEN_RE.findall(strip_accents(text.translate(_QUOTES))))
        return cls(text, fold(text), tuple(t.lower() for t in raw_toks), raw_toks)


STOPWORDS: frozenset[str] = words(
    """a an the and or but if of to in on at by for with from into onto about as is are was were be been
    being am do does did doing done have has had having i me my we our you your he him his she her hers
    they them their theirs it its this that these those there here then than so such can could would
    should will shall may might must not no nor any all some each every other more most much many few
    what which who whom whose when where why how s t d ll ve re m don didn doesn isn wasn aren weren
    hasn haven won't just also too very ever yet still again only own same both either neither up down
    out over under around once please tell me give show list let know like get got really kind sort
    anything something someone thing things one ones lot lots bit"""
)

# Question scaffolding: words that say *how* something is asked, never *what* about.
QUESTION_WORDS: frozenset[str] = words(
    """ask asked asking question questions wonder wondering curious talk talked describe explain
    summary summarise summarize overview detail details information info say says said mention
    mentioned mentions resume cv candidate applicant person guy profile background experience
    experienced work worked working works job jobs role roles did done use used using uses yes before after
    earlier later then next previous prior
    ok okay well great cool thanks thank hi hello hey sure maybe regarding"""
)

_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English Snowball (Porter2) stem, the stemmer Postgres' 'english' text search uses too.

    "mentored"/"mentoring"/"mentor" meet, and a question's stems match the stored tsvector's lexemes.
    """
    w = word.lower()
    if w.isdigit() or len(w) <= 2:
        return w
    return str(_STEMMER.stemWord(_spelling().get(w, w)))


@lru_cache(maxsize=1)
def _spelling() -> dict[str, str]:
    """British -> American spellings (tools/data/knowledge/spelling.json)."""
    text = resources.files("tools").joinpath("data/knowledge/spelling.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["british_american"])


def content_stems(toks: Iterable[str], extra_stop: Iterable[str] = ()) -> list[str]:
    stop = STOPWORDS | QUESTION_WORDS | frozenset(extra_stop)
    out: list[str] = []
    for t in toks:
        if t in stop or len(t) < 2 or t.isdigit():
            continue
        s = stem(t)
        if s not in out:
            out.append(s)
    return out


_COMPOUND_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def compound_stems(text: str) -> list[str]:
    """Hyphenated words glued ("on-call" -> "oncall"): split, both halves are too generic to match on."""
    return [stem(m.replace("-", "")) for m in _COMPOUND_RE.findall(text.lower())]


_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


def count_word(n: int) -> str:
    """Counts are spoken as words so a derived count is never mistaken for a resume figure."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else "many"


def join_words(parts: list[str], conj: str = "and") -> str:
    """ "A, B and C"; with a serial comma when the parts carry commas themselves, so they stay apart."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    serial = "," if any("," in p for p in parts) else ""
    return f"{', '.join(parts[:-1])}{serial} {conj} {parts[-1]}"


def cap(text: str) -> str:
    """Uppercase the first letter only ("at Initech Labs" -> "At Initech Labs", unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


def article(phrase: str) -> str:
    """'a' or 'an' for a spoken phrase; acronyms go by letter sound (an MSc, a BSc)."""
    word = phrase.split(" ", 1)[0].strip("\"'(")
    if not word:
        return "a"
    is_acronym = len(word) > 1 and word[:2].isupper()
    if is_acronym:
        return "an" if word[0].upper() in "AEFHILMNORSX" else "a"
    return "an" if word[0].lower() in "aeio" else "a"


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text[-1] not in ".!?":
        text = text.rstrip(";,:") + "."
    # No capitalising: "fizzbuzz" is a name and keeps its case.
    return text


def lower_first(text: str) -> str:
    """Lowercase a leading word unless it looks like a name or acronym ("GPS", "FooKit")."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        first = text.split(" ", 1)[0]
        if not any(c.isupper() for c in first[1:]):
            return text[0].lower() + text[1:]
    return text


def damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, capped at limit+1 (rapidfuzz)."""
    return int(OSA.distance(a, b, score_cutoff=limit))


def max_typos(length: int) -> int:
    """Short words get no slack: 'spare' must not become 'Spark'."""
    return 0 if length < 6 else (1 if length < 9 else 2)


class FuzzyIndex:
    """Typo-tolerant look-up of known keys (rapidfuzz), with a per-length typo budget."""

    _MEMO_SIZE = 4096

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._keys: list[str] = []
        # Spoken questions reuse a small vocabulary, so most look-ups repeat: remember them.
        self._memo: dict[str, str | None] = {}

    def add(self, key: str, value: str) -> None:
        if max_typos(len(key)) == 0 or key in self._values:
            return
        self._values[key] = value
        self._keys.append(key)
        self._memo.clear()

    def lookup(self, word: str) -> str | None:
        if word in self._memo:
            return self._memo[word]
        found = self._lookup(word)
        if len(self._memo) >= self._MEMO_SIZE:
            self._memo.clear()
        self._memo[word] = found
        return found

    def _lookup(self, word: str) -> str | None:
        depth = max_typos(len(word))
        if depth == 0 or not self._keys:
            return None
        best: tuple[int, str] | None = None
        for key, dist, _ in process.extract(
            word, self._keys, scorer=OSA.distance, score_cutoff=depth, limit=8
        ):
            if dist <= min(depth, max_typos(len(key))) and (best is None or (dist, key) < best):
                best = (int(dist), key)
        return self._values[best[1]] if best else None


def quoted_in(text: str, said: str) -> bool:
    """Did an answer quote this sentence? Its first word aside, which the answer may have recast."""
    return text.split(" ", 1)[-1].rstrip(".;").lower() in said.lower()
