"""Put the loaded resume's own words back into a transcript ("cooper netties" -> "Kubernetes").

Speech recognisers know English, not this resume: names, companies and technologies come out as
ordinary words or near-spellings, more so on 8 kHz or noisy audio. Every window of one to four
transcribed words is compared with the resume's terms (`tools.vocabulary`: the written term and
the ways it is said) by letters and by a sound key (rules in `pipeline/data/phonetic_rules.json`).
A window becomes the term when both agree closely enough. The guard against turning ordinary
speech into resume words: the more common the window's words are in English (`wordfreq`), the
closer the match must be; words as common as "what" or "the", or a single common word alone, are
only replaced when their letters match exactly ("north wind" -> "Northwind"); a match may re-split
words but not add or drop many letters; and terms that are themselves common words
("Go", "Rust") or too short to compare are matched by their exact spoken forms only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from tools.resume_model import Resume
from tools.text import fold
from tools.vocabulary import Vocabulary, build_vocabulary

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_BREAK_RE = re.compile(r"[.;:!?()\[\]\"]")
MAX_WINDOW = 4
# Letters a spoken form needs to be replaced by its term on sight ("k8s" -> "Kubernetes").
MIN_ALIAS_LETTERS = 3
# Letters a term needs before it is matched fuzzily; shorter ones ("SIP", "AWS") only exactly.
MIN_FUZZY_LETTERS = 4
# How much the sound key counts against the letters in a match's score (0-1).
KEY_WEIGHT = 0.5
# Required agreement (0-1, weighted mean of sound and letter similarity) for rare words...
BASE_SCORE = 0.78
# ...raised by this much per Zipf unit of its most common word above RARE_ZIPF (wordfreq's scale:
# 3 is about one in a million words, 6 is "what").
SCORE_PER_ZIPF = 0.05
RARE_ZIPF = 3.0
# Windows holding a word at least this common are replaced only by an exact letter match...
FUNCTION_WORD_ZIPF = 5.5
# ...and so is a single word this common: the recogniser is surest of ordinary words, and one
# letter more or less turns many into some term's alias ("cloud", "gcloud").
COMMON_WORD_ZIPF = 4.0
# ...raised this much when an anchored window's inner function word changes.
FUNCTION_WORD_PENALTY = 0.1
# Required score lowered this much when part of the window already is the term ("Jordan race").
ANCHOR_BONUS = 0.06
# A correction may re-split words, not add or drop many letters (letters of the shorter / longer).
MIN_LENGTH_RATIO = 0.75
# A written term this common in English ("Go", "Rust", "Piper") is not a target of fuzzy matches.
COMMON_TERM_ZIPF = 4.5
# Candidates below this sound similarity (0-100) are not scored further.
KEY_CUTOFF = 70.0


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    raw = json.loads(resources.files("pipeline").joinpath("data/phonetic_rules.json").read_text("utf-8"))
    return tuple((re.compile(p), r) for p, r in raw["rules"])


def sound_key(text: str) -> str:
    """A spelling-independent key: "Kafka", "cafca" and "kavka" share one."""
    key = fold(text)
    for pattern, replacement in _rules():
        key = pattern.sub(replacement, key)
    if not key:
        return ""
    body = re.sub(r"[aeiou]", "", key[1:])
    return re.sub(r"(.)\1+", r"\1", key[0] + body)


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    # A possessive is as common as its word ("cloud's" is "cloud").
    return max(zipf_frequency(word, "en"), zipf_frequency(re.sub(r"'s?$", "", word), "en"))


def _letters(words: list[str] | tuple[str, ...]) -> str:
    return "".join(words)


@dataclass(frozen=True)
class _Surface:
    term: str  # what the window becomes
    words: tuple[str, ...]  # this surface form, folded and split
    letters: str
    key: str
    fuzzy: bool  # may be matched by similarity, not only exactly
    keep_exact: bool  # an exact match is already a fine way to write it ("kafka" for "Apache Kafka")


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    said: str
    term: str
    score: float
    anchored: bool = False  # part of the window was already the term's own word ("Jordan race")


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD_RE.findall(fold(text))]


class TranscriptCorrector:
    """Built once per resume; `correct(text)` is pure and cheap (a few ms for a question)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        surfaces: dict[tuple[str, ...], _Surface] = {}
        terms = [*vocabulary.terms, *vocabulary.person[1:]]
        for term in dict.fromkeys(terms):
            written = tuple(_words(term))
            if not written or len(written) > MAX_WINDOW:
                continue
            common = len(written) == 1 and _zipf(written[0]) >= COMMON_TERM_ZIPF
            forms = [written, *(tuple(_words(f)) for f in vocabulary.spoken_forms.get(term, []))]
            for form in forms:
                if not form or len(form) > MAX_WINDOW or form in surfaces:
                    continue
                letters = _letters(form)
                surfaces[form] = _Surface(
                    term=term,
                    words=form,
                    letters=letters,
                    key=sound_key(letters),
                    fuzzy=not common and len(letters) >= MIN_FUZZY_LETTERS,
                    keep_exact=form == written or set(form) <= set(written),
                )
        self._exact = {s.letters: s for s in surfaces.values()}
        self._fuzzy = [s for s in surfaces.values() if s.fuzzy]
        self._keys = [s.key for s in self._fuzzy]

    def corrections(self, text: str) -> list[Correction]:
        spans = [(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in _WORD_RE.finditer(text)]
        words = [fold(w) for _, _, w in spans]
        # A window never spans a sentence break. Recognisers also put commas inside names they
        # do not know ("telephonia, Abura"), so a comma only stops a window that part of a term
        # anchors: in "MX, PyTorch" the right word is not extended by the clause before it.
        gaps = [text[spans[i - 1][1] : spans[i][0]] for i in range(1, len(spans))]
        breaks = {i + 1 for i, gap in enumerate(gaps) if _BREAK_RE.search(gap)}
        commas = {i + 1 for i, gap in enumerate(gaps) if "," in gap}
        found: list[Correction] = []
        for size in range(MAX_WINDOW, 0, -1):
            for i in range(len(words) - size + 1):
                if any(j in breaks for j in range(i + 1, i + size)):
                    continue
                window = words[i : i + size]
                hit = self._match(window)
                if hit is not None and not (hit[2] and any(j in commas for j in range(i + 1, i + size))):
                    surface, score, anchored = hit
                    start, end = spans[i][0], spans[i + size - 1][1]
                    said = text[start:end]
                    term = said if surface is None else surface.term
                    found.append(Correction(start, end, said, term, score, anchored))
        # Best first; a kept exact match (score 2) blocks weaker overlapping ones, except a match
        # it anchors ("Jordan" inside "Jordan race" -> "Jordan Reyes").
        chosen: list[Correction] = []
        for c in sorted(found, key=lambda c: (-c.score, c.start - c.end)):
            clashes = [o for o in chosen if not (c.end <= o.start or c.start >= o.end)]
            if c.anchored and all(o.score == 2.0 and c.start <= o.start and o.end <= c.end for o in clashes):
                chosen = [o for o in chosen if o not in clashes]
                clashes = []
            if not clashes:
                chosen.append(c)
        return sorted((c for c in chosen if c.said != c.term), key=lambda c: c.start)

    def correct(self, text: str) -> str:
        out, last = [], 0
        for c in self.corrections(text):
            out += [text[last : c.start], c.term]
            last = c.end
        return "".join([*out, text[last:]])

    def _match(self, window: list[str]) -> tuple[_Surface | None, float, bool] | None:
        """The surface this window stands for and how well (None: keep the window as it is)."""
        letters = _letters(window)
        exact = self._exact.get(letters)
        if exact is not None and (exact.keep_exact or len(letters) >= MIN_ALIAS_LETTERS):
            # Already the term or a fine spoken form of it: kept, and it outranks any fuzzy match
            # overlapping it (score 2). (Two-letter aliases like "py" are too often a word's piece.)
            return (None if exact.keep_exact and tuple(window) == exact.words else exact), 2.0, False
        if len(letters) < MIN_FUZZY_LETTERS or not self._keys:
            return None
        if len(window) == 1 and _zipf(window[0]) >= COMMON_WORD_ZIPF:
            return None
        key = sound_key(letters)
        best: tuple[_Surface | None, float, bool] | None = None
        for _, key_score, index in process.extract(
            key, self._keys, scorer=fuzz.ratio, score_cutoff=KEY_CUTOFF, limit=8
        ):
            surface = self._fuzzy[index]
            lengths = sorted((len(letters), len(surface.letters)))
            if abs(len(surface.words) - len(window)) > 1 or lengths[0] < MIN_LENGTH_RATIO * lengths[1]:
                continue
            # Only the words that would change carry the risk; a word already right ("Jordan" in
            # "Jordan race") is evidence for the rest.
            changed = [w for w in window if w not in surface.words]
            anchored = len(changed) < len(window)
            if anchored and all(w in window for w in surface.words):
                continue  # nothing for the changed words to become: "QA Cartograph" is not "Cartograph"
            # A word as common as "or" may only change inside an anchored window ("son or labs"
            # -> "Sonora Labs"), never at its edge, where it is a word of the sentence around.
            function = [w for w in changed if _zipf(w) >= FUNCTION_WORD_ZIPF]
            if function and (not anchored or window[0] in function or window[-1] in function):
                continue
            content = [w for w in changed if w not in function]
            if not content:
                continue
            commonest = max(_zipf(w) for w in content)
            required = BASE_SCORE + SCORE_PER_ZIPF * max(0.0, commonest - RARE_ZIPF)
            if anchored:
                required += FUNCTION_WORD_PENALTY if function else 0.0
                required -= ANCHOR_BONUS
            score = (KEY_WEIGHT * key_score + (1 - KEY_WEIGHT) * fuzz.ratio(letters, surface.letters)) / 100
            if score >= required and (best is None or score > best[1]):
                best = (surface, score, anchored)
        return best


_last: tuple[Resume, TranscriptCorrector] | None = None


def corrector_for(resume: Resume) -> TranscriptCorrector:
    """The loaded resume's corrector, built once per resume object (every call shares it)."""
    global _last
    if _last is None or _last[0] is not resume:
        _last = (resume, TranscriptCorrector(build_vocabulary(resume)))
    return _last[1]
