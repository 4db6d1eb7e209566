"""How common an English word is, from wordfreq's frequency lists (not from any resume).

Two cut-offs on the Zipf scale (log10 of occurrences per billion words):
  everyday (>= 3.0, ~30,000 words): a real word the speaker meant, never fuzz-matched into a name;
  common   (>= 4.0, ~7,000 words):  too ordinary to identify an item by itself ("bridge", "valley").
`BASIC` (>= 5.0, ~1,100 words) are so frequent ("built", "team") that a resume using them says nothing.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import get_frequency_list


@lru_cache(maxsize=4)
def _words_at_least(zipf: float) -> frozenset[str]:
    # wordfreq buckets words by centibels: bucket i holds frequency 10**(-i/100), Zipf 9 - i/100.
    buckets = get_frequency_list("en")
    last = round((9 - zipf) * 100)
    return frozenset(w for bucket in buckets[: last + 1] for w in bucket)


def everyday_words() -> frozenset[str]:
    return _words_at_least(3.0)


def common_words() -> frozenset[str]:
    return _words_at_least(4.0)


def basic_words() -> frozenset[str]:
    return _words_at_least(5.0)


def is_everyday(word: str) -> bool:
    return word.lower() in everyday_words()


def is_common(word: str) -> bool:
    return word.lower() in common_words()
