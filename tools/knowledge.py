"""General knowledge the engine needs, loaded from the data files in `tools/data/knowledge/`.

Nothing here is about one resume: technology aliases, skill families ("monitoring" -> Prometheus,
Grafana, Datadog ...) and query synonyms. Extending the engine to a new field means editing those
JSON files, not code. Each file is read once per process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from tools.text import alternation, fold, stem, tech_key, tokens


@dataclass(frozen=True)
class Technology:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    name: str
    phrases: tuple[str, ...]
    members: tuple[str, ...]
    pattern: re.Pattern[str]

    def asked(self, text: str) -> str | None:
        """The family's phrase a (folded) question uses, if any."""
        m = self.pattern.search(text)
        return m.group(1) if m else None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(tech_key(m) for m in self.members)


def _load(name: str) -> Any:
    text = resources.files("tools").joinpath(f"data/knowledge/{name}").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def technologies() -> tuple[Technology, ...]:
    data = _load("technologies.json")
    return tuple(Technology(t["name"], tuple(t.get("aliases", ()))) for t in data["technologies"])


@lru_cache(maxsize=1)
def ambiguous_keys() -> frozenset[str]:
    """Technology keys that are also everyday words ("go", "spring", "excel")."""
    return frozenset(tech_key(k) for k in _load("technologies.json")["ambiguous"])


@lru_cache(maxsize=1)
def vendor_prefixes() -> frozenset[str]:
    return frozenset(fold(v) for v in _load("technologies.json")["vendor_prefixes"])


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    out = []
    for f in _load("families.json")["families"]:
        phrases = tuple(fold(p) for p in f["phrases"])
        alt = alternation(phrases)
        out.append(Family(f["name"], phrases, tuple(f["members"]), re.compile(rf"\b({alt})\b")))
    return tuple(out)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """stem -> related stems, for query expansion."""
    out: dict[str, tuple[str, ...]] = {}
    for word, related in _load("synonyms.json")["synonyms"].items():
        key = stem(word)
        stems = [stem(t) for r in related for t in tokens(r)]
        out[key] = tuple(dict.fromkeys(s for s in (*out.get(key, ()), *stems) if s != key))
    return out


@lru_cache(maxsize=1)
def prefixes() -> tuple[str, ...]:
    """English prefixes a word may carry or drop and stay on its subject ("retrain", "decontamination")."""
    return tuple(_load("synonyms.json")["prefixes"])


@lru_cache(maxsize=1)
def category_words() -> dict[str, tuple[str, ...]]:
    """A word of a skill category's name -> phrases that also mean it ("infra" -> "devops", "cloud")."""
    return {k: tuple(v) for k, v in _load("categories.json")["category_words"].items()}


@lru_cache(maxsize=1)
def project_kinds() -> dict[str, str]:
    """A project kind -> a regex of the ways to say it ("personal" -> "personal|side|hobby ...")."""
    return dict(_load("categories.json")["project_kinds"])


@lru_cache(maxsize=1)
def spoken_languages() -> frozenset[str]:
    return frozenset(_load("categories.json")["spoken_languages"])


@lru_cache(maxsize=1)
def talk_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a question asking for talks, a publication that is a talk, an award that is one), folded text."""
    data = _load("categories.json")["talks"]

    def alt(ws: list[str]) -> re.Pattern[str]:
        return re.compile(rf"\b({alternation(ws)})\b")

    return alt(data["asked"]), alt(data["items"]), alt(data["awards"])


@lru_cache(maxsize=1)
def publications_asked() -> tuple[tuple[str, ...], frozenset[str]]:
    """Regular expressions ({P}: the person) that ask for publications without naming the section,
    and the asking words themselves, which narrow the list to nothing ("written", "paper")."""
    data = _load("categories.json")["publications_asked"]
    return tuple(data["patterns"]), frozenset(data["words"])


@lru_cache(maxsize=1)
def certifications_asked() -> tuple[tuple[str, ...], frozenset[str]]:
    """Regular expressions ({P}: the person) asking for certifications as training, and their own words."""
    data = _load("categories.json")["certifications_asked"]
    return tuple(data["patterns"]), frozenset(data["words"])


@lru_cache(maxsize=1)
def milestones() -> dict[str, tuple[str, ...]]:
    """Credential adjectives ("registered") and ways to say one qualified ("graduated")."""
    data = _load("categories.json")["milestones"]
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def light_verbs() -> frozenset[str]:
    """Verbs that only carry a question to its object ("has she *handled* redundancies")."""
    return frozenset(_load("categories.json")["light_verbs"]["words"])


@lru_cache(maxsize=1)
def measures() -> dict[str, Any]:
    """measures.json: size superlatives, their units, context words, and employer-size phrasings."""
    data: dict[str, Any] = _load("measures.json")
    return data


@lru_cache(maxsize=1)
def who_verbs() -> tuple[str, ...]:
    """Verbs of "who designed the golden gate bridge": someone else did something (offtopic.json)."""
    return tuple(_load("offtopic.json")["who_verbs"])


@lru_cache(maxsize=1)
def countries_re() -> re.Pattern[str]:
    """Countries and world regions as written, capitalised ("Japan", "South Korea"): places.json."""
    names = _load("places.json")["countries"]
    return re.compile(rf"\b({'|'.join(sorted(map(re.escape, names), key=len, reverse=True))})\b")


@lru_cache(maxsize=1)
def personal() -> dict[str, Any]:
    """personal.json: private topics, their further phrasings, and the phrases that answer them."""
    data: dict[str, Any] = _load("personal.json")
    return data


@lru_cache(maxsize=1)
def sections_asked() -> dict[str, tuple[str, ...]]:
    """Words naming each section, for a question that asks two or more at once."""
    data = _load("categories.json")["sections_asked"]
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def order() -> dict[str, Any]:
    """order.json: tenure superlatives, totals at one employer, time a deed took, sums of money."""
    data: dict[str, Any] = _load("order.json")
    return data
