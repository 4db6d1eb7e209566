"""The resume's own vocabulary, derived at import and stored with the resume version.

`build_vocabulary(resume)` collects what a listener must recognise in questions about this resume:
the person's name, companies, item names, technologies and skills, skill categories, places, and
for each term the ways it is said aloud ("PostgreSQL" -> "postgres", "postgre sql"; "AWS" -> "a w s";
"C++" -> "c plus plus"). The engine derives the same terms on its own; the voice side uses this
structure to bias and correct speech recognition (`prompt()` for a Whisper prompt, `spoken_forms`
to map a transcript's spoken form back to the written term).

Plain data: `to_json()` / `from_json()` round-trip it for storage (owners.vocabulary).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from tools import knowledge
from tools.resume_model import Resume, item_title
from tools.text import fold, tech_key

_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SYMBOLS = (("++", " plus plus"), ("#", " sharp"), (".js", " js"), (".", " dot "), ("&", " and "), ("/", " "))
_VERSION = 1


@dataclass
class Vocabulary:
    person: list[str] = field(default_factory=list)  # full name first, then its parts
    companies: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # projects, schools, certifications, awards, papers
    technologies: list[str] = field(
        default_factory=list
    )  # technologies and skills, as the resume spells them
    categories: list[str] = field(default_factory=list)  # skill categories, spoken ("design tools")
    places: list[str] = field(default_factory=list)
    spoken_forms: dict[str, list[str]] = field(default_factory=dict)  # term -> lower-case spoken variants
    version: int = _VERSION

    @property
    def terms(self) -> list[str]:
        """Every term once, most identifying first (names, companies, items, technologies ...)."""
        seen: dict[str, None] = {}
        for group in (
            self.person[:1],
            self.companies,
            self.items,
            self.technologies,
            self.categories,
            self.places,
        ):
            for t in group:
                seen.setdefault(t, None)
        return list(seen)

    def prompt(self, max_words: int = 60) -> str:
        """A comma-separated list of terms for a speech recogniser's prompt, at most `max_words` words."""
        out: list[str] = []
        count = 0
        for t in self.terms:
            n = len(t.split())
            if count + n > max_words:
                break
            out.append(t)
            count += n
        return ", ".join(out)

    def written(self, spoken: str) -> str | None:
        """The term a spoken form stands for ("post gress" -> "PostgreSQL"), or None."""
        key = tech_key(spoken)
        for term, forms in self.spoken_forms.items():
            if key == tech_key(term) or key in {tech_key(f) for f in forms}:
                return term
        return None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str | bytes) -> Vocabulary:
        raw = json.loads(data)
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})


def spoken_variants(term: str) -> list[str]:
    """How a written term may be said or transcribed, without the written form itself."""
    out: list[str] = []
    base = term.strip()
    camel = _CAMEL_RE.sub(" ", base)
    if camel != base:
        out.append(camel)
    sym = base
    for a, b in _SYMBOLS:
        sym = sym.replace(a, b)
    if sym != base:
        out.append(sym)
    dashed = re.sub(r"[-_]+", " ", base)
    if dashed != base:
        out.append(dashed)
    # Acronyms are spelled out: "AWS" -> "a w s", "GPS" -> "g p s".
    words = []
    for w in re.split(r"\s+", dashed):
        words.append(" ".join(w) if 2 <= len(w) <= 5 and w.isupper() and w.isalpha() else w)
    spelled = " ".join(words)
    if spelled != dashed:
        out.append(spelled)
    return list(dict.fromkeys(fold(x) for x in out if fold(x) != fold(base)))


def build_vocabulary(resume: Resume) -> Vocabulary:
    p = resume.profile
    person = [p.name, *[w for w in p.name.split() if len(w) > 1]]
    companies = list(dict.fromkeys(e.company for e in resume.experience))
    items = [item_title(it) for kind, it in resume.items() if kind != "experience"]
    techs: list[str] = []
    for _, it in resume.items():
        techs += list(getattr(it, "technologies", []))
    for names in resume.skills.values():
        techs += names
    techs = list(dict.fromkeys(t.strip() for t in techs if t.strip()))
    categories = [re.sub(r"[_\s]+", " ", c).strip() for c in resume.skills]
    places: list[str] = []
    for loc in [p.location, *(getattr(it, "location", None) for _, it in resume.items())]:
        if loc:
            places += [x.strip() for x in re.split(r"[,(]", loc.replace(")", "")) if x.strip()]
    places = list(dict.fromkeys(places))
    spoken: dict[str, list[str]] = {}
    aliases = {tech_key(t.name): t.aliases for t in knowledge.technologies()}
    for t in techs:
        forms = spoken_variants(t) + [fold(a) for a in aliases.get(tech_key(t), ())]
        if forms:
            spoken[t] = list(dict.fromkeys(forms))
    for name in [*companies, *items, p.name]:
        forms = spoken_variants(name)
        if forms:
            spoken[name] = forms
    return Vocabulary(person, companies, list(dict.fromkeys(items)), techs, categories, places, spoken)
