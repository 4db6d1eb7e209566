"""Named resume items (companies, projects, schools, certs, awards, papers), matched when named or half-named.

Each item's names are tokenised and accent-folded. A token that occurs in only one item's names and
is not an everyday word or a technology ("initech", "fookit", "valparaiso") identifies the item by
itself; weaker tokens ("sip", "bridge") need company: at least two of them covering half the name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tools.english import common_words
from tools.resume_model import Resume, item_title
from tools.text import (
    QUESTION_WORDS,
    STOPWORDS,
    FuzzyIndex,
    Utterance,
    compound_stems,
    fold,
    stem,
    tokens,
    words,
)

_FREELANCE_RE = re.compile(r"\b(independent|freelance\w*|self.employed|consult\w*|contract\w*)\b")
_FREELANCE_ALIASES = (
    "freelance",
    "freelancer",
    "freelancing",
    "consulting",
    "consultant",
    "contractor",
    "independent",
    "contract",
    "selfemployed",
    "ownbusiness",
    "owncompany",
    "ownfirm",
    "ownpractice",
)
_DEGREE_ALIASES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    # A Scottish "MA (Hons)" is a first degree, whatever its letters say.
    (
        re.compile(r"\(hons\)|\bhons\b|\bhonours\b"),
        ("bachelor", "bachelors", "undergraduate", "undergrad"),
    ),
    (re.compile(r"\b(phd|ph\.d|doctor\w*|dphil)\b"), ("phd", "doctorate", "doctoral")),
    (
        re.compile(r"\b(msc|m\.sc|master\w*|ms|ma|mba|meng|m\.eng|mphil)\b"),
        ("master", "masters", "msc", "postgraduate", "postgrad", "mba"),
    ),
    (
        re.compile(r"\b(bsc|b\.sc|bachelor\w*|ba|bs|beng|b\.eng|basc|bba)\b"),
        ("bachelor", "bachelors", "bsc", "undergraduate", "undergrad", "basc", "beng"),
    ),
)


_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_POINTERS = frozenset({"the", "his", "her", "their", "that", "this"})
_ORDINALS = words(
    "first second third fourth fifth last latest next previous current recent early late final new old"
)
_KIND_NOUNS = words(
    "job role position project contract work gig engagement degree course program programme certificate "
    "certification qualification qualifications license licence award paper talk article case"
)


def _lowercase_words(resume: Resume) -> dict[str, set[str]]:
    """stem -> ids of the items whose prose uses it in lower case (as a common noun, not a name)."""
    out: dict[str, set[str]] = {}
    for _, item in resume.items():
        texts = [str(getattr(item, f, "") or "") for f in ("summary", "description", "details", "role")]
        texts += list(getattr(item, "highlights", []))
        for text in texts:
            for w in _WORD_RE.findall(text):
                if w.islower():
                    out.setdefault(stem(w), set()).add(item.id)
            # "month-end" in a highlight makes the glued "monthend" a topic too, not a name word.
            for g in compound_stems(text):
                out.setdefault(g, set()).add(item.id)
    return out


@dataclass(frozen=True)
class EntityMatch:
    item_id: str
    kind: str
    score: float
    strong: bool
    positions: frozenset[int]


@dataclass
class _Name:
    item_id: str
    kind: str
    toks: tuple[str, ...]
    aliases: tuple[str, ...]  # each alone identifies the item


class EntityIndex:
    def __init__(self, resume: Resume, tech_keys: frozenset[str]) -> None:
        self._names: list[_Name] = []
        for kind, item in resume.items():
            fields = [item_title(item)]
            aliases: list[str] = []
            if kind == "education":
                degree = fold(getattr(item, "degree", ""))
                fields.append(degree)
                for pattern, words in _DEGREE_ALIASES:
                    if pattern.search(degree):
                        aliases += words
                        break
            elif kind == "experience" and (
                _FREELANCE_RE.search(fold(item_title(item)))
                or _FREELANCE_RE.search(fold(str(getattr(item, "employment_type", "") or "")))
            ):
                aliases += _FREELANCE_ALIASES
            elif kind == "publication" and getattr(item, "venue", None):
                fields.append(str(getattr(item, "venue", "")))
            elif kind == "certification" and getattr(item, "issuer", None):
                # "the ABC registration": a certification also goes by its issuer.
                fields.append(str(getattr(item, "issuer", "")))
            toks: list[str] = []
            for f in fields:
                toks += [t for t in tokens(f) if t not in STOPWORDS and not t.isdigit()]
                # "SIP-to-LiveKit" and "Real time" also answer to their glued forms.
                toks += [
                    t
                    for t in (re.sub(r"[^a-z0-9]", "", fold(w)) for w in f.split())
                    if len(t) > 3 and not t.isdigit()
                ]
            self._names.append(_Name(item.id, kind, tuple(dict.fromkeys(toks)), tuple(aliases)))
        kinds = {n.item_id: n.kind for n in self._names}
        counts = Counter(t for n in self._names for t in set(n.toks))
        # A job's name word repeated in the names of its own projects ("Initech" in "Initech mobile app")
        # still names the job: the projects are the job's.
        employer_of = {p.id: p.employer for p in resume.projects if p.employer}
        # So is a paper whose venue is the employer ("The Ledger" for a reporter at The Ledger).
        for pub in resume.publications:
            venue = fold(pub.venue or "")
            job = next((j.id for j in resume.experience if venue and fold(j.company) in venue), None)
            if job is not None:
                employer_of[pub.id] = job
        holders: dict[str, set[str]] = {}
        for n in self._names:
            for t in set(n.toks):
                holders.setdefault(t, set()).add(n.item_id)
        for t, ids in holders.items():
            jobs = {i for i in ids if kinds[i] == "experience"}
            if len(jobs) == 1 and all(i in jobs or employer_of.get(i) in jobs for i in ids):
                counts[t] = 1
        common = common_words()
        # A name word the resume also uses in lower case elsewhere ("latency" in a highlight) is a topic,
        # not a name: asking about it is not asking about that one item.
        topics = _lowercase_words(resume)
        # A place where other items are ("Hamburg" in a talk's venue, a job's location) is not a name word.
        for _, item in resume.items():
            for t in tokens(str(getattr(item, "location", "") or "")):
                topics.setdefault(stem(t), set()).add(item.id)
        # Nor is a word of a job's title ("Senior Practitioner") in a course's name ("Practitioner
        # Training"): "how long has he been a senior practitioner" asks about the job.
        for exp in resume.experience:
            for t in tokens(exp.role or ""):
                topics.setdefault(stem(t), set()).add(exp.id)
        alias_counts = Counter(a for n in self._names for a in set(n.aliases))
        self._distinct: dict[str, str] = {}
        self._weak: dict[str, list[int]] = {}
        for idx, n in enumerate(self._names):
            for t in n.toks:
                owned_by_job = len(holders.get(t, ())) > 1 and n.kind != "experience"
                if (
                    not owned_by_job
                    and counts[t] == 1
                    and len(t) >= 3
                    and t not in common
                    and t not in tech_keys
                    and not (topics.get(stem(t), set()) - {n.item_id})
                ):
                    self._distinct[t] = n.item_id
                else:
                    self._weak.setdefault(t, []).append(idx)
            for a in n.aliases:
                if alias_counts[a] == 1:
                    self._distinct.setdefault(a, n.item_id)
        self._kind = {n.item_id: n.kind for n in self._names}
        # Words in exactly one item's name, however common ("hospital"): they name that item when the
        # question points at one ("the warehouse job", "her founder's award").
        self._unique: dict[str, tuple[str, bool]] = {}  # word -> (item id, also a topic elsewhere)
        # The profile summary's own lower-case words are topics too: "her crew" after a summary that
        # says "a wildland hand crew" is the person's crew, not a talk titled "... clean crew".
        summary = {stem(w) for w in _WORD_RE.findall(resume.profile.summary or "") if w.islower()}
        for n in self._names:
            for t in n.toks:
                if (
                    counts[t] == 1
                    and len(t) >= 4
                    and t not in STOPWORDS
                    and t not in QUESTION_WORDS
                    and t not in _ORDINALS
                ):
                    topic = bool(topics.get(stem(t), set()) - {n.item_id}) or stem(t) in summary
                    self._unique.setdefault(t, (n.item_id, topic))
        # A name word shared only by jobs at one company ("two roles at the same airline") names them all.
        company_of = {it.id: fold(it.company) for it in resume.experience}
        self._company: dict[str, tuple[str, ...]] = {}
        for t, ids in holders.items():
            if (
                len(ids) > 1
                and len(t) >= 3
                and t not in common
                and t not in tech_keys
                and all(i in company_of for i in ids)
                and len({company_of[i] for i in ids}) == 1
            ):
                self._company[t] = tuple(sorted(ids))
        self._fuzzy = FuzzyIndex()
        for t in self._distinct:
            self._fuzzy.add(t, t)
        self._prefix_min = 6
        self._common = common

    def kind_of(self, item_id: str) -> str | None:
        return self._kind.get(item_id)

    def _lookup(self, gram: str, allow_fuzzy: bool, glued: bool = False) -> str | None:
        if gram in self._distinct:
            return gram
        if not (allow_fuzzy or glued):
            return None
        # Two words glued ("fizz buzzer") may start with a long distinctive name ("fizzbuzz").
        for cut in range(len(gram) - 1, max(len(gram) - 4, self._prefix_min - 1), -1):
            if gram[:cut] in self._distinct:
                return gram[:cut]
        return self._fuzzy.lookup(gram) if allow_fuzzy else None

    def find(self, utt: Utterance) -> list[EntityMatch]:
        toks = utt.toks
        strong: dict[str, set[int]] = {}
        for n in (2, 1):
            for i in range(len(toks) - n + 1):
                words = toks[i : i + n]
                gram = "".join(words)
                # Stop words end a name, except in an alias that has one ("own business").
                if any(w in STOPWORDS for w in words) and gram not in self._distinct:
                    continue
                fuzzy_ok = len(gram) >= 5 and not any(w in self._common for w in words)
                hit = self._lookup(gram, fuzzy_ok, glued=n > 1)
                if hit is not None:
                    strong.setdefault(self._distinct[hit], set()).update(range(i, i + n))
        for i, t in enumerate(toks):
            for item_id in self._company.get(t, ()):
                strong.setdefault(item_id, set()).add(i)
        weak_hits: dict[int, set[int]] = {}
        weak_toks: dict[int, set[str]] = {}
        for i, t in enumerate(toks):
            for idx in self._weak.get(t, ()):
                weak_hits.setdefault(idx, set()).add(i)
                weak_toks.setdefault(idx, set()).add(t)
        out: dict[str, EntityMatch] = {}
        for item_id, pos in strong.items():
            out[item_id] = EntityMatch(item_id, self._kind[item_id], 2.0 + len(pos), True, frozenset(pos))
        for idx, pos in weak_hits.items():
            name = self._names[idx]
            if name.item_id in out:
                # The rest of a strongly matched name ("latency" of "... latency dashboard") is name too.
                m = out[name.item_id]
                out[name.item_id] = EntityMatch(
                    m.item_id, m.kind, m.score, True, m.positions | frozenset(pos)
                )
                continue
            matched = weak_toks[idx]
            base = {t for t in name.toks if len(t) <= 12}
            if len(matched) >= 2 and len(matched) * 2 >= len(base):
                score = len(matched) / max(len(base), 1)
                out[name.item_id] = EntityMatch(name.item_id, name.kind, score, False, frozenset(pos))
        if not out:
            for i, t in enumerate(toks):
                if t not in self._unique:
                    continue
                item_id, topic = self._unique[t]
                before = toks[i - 1] if i > 0 else ""
                after = toks[i + 1] if i + 1 < len(toks) else ""
                # "the warehouse job" names the item even if warehouses come up elsewhere; "the falls
                # prevention work" with falls prevention in a job's text is that topic, not the paper.
                if after in _KIND_NOUNS or (before in _POINTERS and not topic):
                    out[item_id] = EntityMatch(item_id, self._kind[item_id], 0.5, False, frozenset({i}))
        return sorted(out.values(), key=lambda m: -m.score)
