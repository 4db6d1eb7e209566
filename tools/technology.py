"""Technology names: canonical spellings come from the resume, aliases from general knowledge data.

A query mentions "postgres", "k8s" or "pie torch"; the resume says "PostgreSQL", "Kubernetes",
"PyTorch". Known technologies (tools/data/knowledge/technologies.json) also let us recognise ones the
resume *lacks* ("Java"), so the engine can say "the resume doesn't mention Java" instead of guessing;
skill families (families.json) answer "what monitoring tools?" with the resume's own members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools import knowledge
from tools.english import everyday_words
from tools.resume_model import Resume
from tools.text import STOPWORDS, FuzzyIndex, Utterance, stem, tech_key, tokens, words

_CLOUD_FAMILY = "cloud providers"
_PAREN_RE = re.compile(r"^\s*(.+?)\s*\((.+)\)\s*$")
_TECH_BEFORE = words(
    """in with using use used uses know knows knew about and or of write writes wrote written like any
    program programs programming code coding coded learn learned learnt at also including plus
    experience familiar proficient skilled expert"""
)
_TECH_AFTER = words(
    """projects project code codebase language lang experience services service developer developers
    programming skills and or work stack backend microservices apps libraries library"""
)
_VERB_BEFORE = words(
    """it did does do to let lets we i you they he she can could should would will not don didn doesn t s
    gonna must might may please ll d that things how"""
)
_VERB_AFTER = words(
    """back to on ahead through over into for away further deeper beyond out up down well by from there here
    home wrong right fine"""
)


@dataclass(frozen=True)
class TechMatch:
    name: str
    in_resume: bool
    start: int
    end: int  # token span [start, end)


class TechIndex:
    """Finds technology mentions in an utterance and maps them to resume items."""

    MAX_GRAM = 4

    def __init__(self, resume: Resume) -> None:
        resume_names: list[str] = []
        for _, item in resume.items():
            resume_names += list(getattr(item, "technologies", []))
        for names in resume.skills.values():
            resume_names += names
        self._ambiguous = knowledge.ambiguous_keys()
        self._everyday = everyday_words()
        self._display: dict[str, str] = {}  # key -> display name
        self.in_resume: set[str] = set()
        for name in resume_names:
            key = tech_key(name)
            if key and key not in self._display:
                self._display[key] = name
                self.in_resume.add(name)
        self._by_key: dict[str, str] = dict(self._display)
        for known in knowledge.technologies():
            display = known.name
            keys = [tech_key(display)] + [tech_key(a) for a in known.aliases]
            # The resume's own spelling wins, so "kafka" resolves to "Apache Kafka" or "Kafka" as written.
            target = next((self._display[k] for k in keys if k in self._display), display)
            if target == display and display not in self.in_resume:
                # "Epic" for a resume's "Epic Willow": a resume name led by the technology's own name.
                led = [n for n in self._display.values() if " " in n and tech_key(n.split()[0]) in keys]
                target = led[0] if len(led) == 1 else target
            for k in keys:
                self._by_key.setdefault(k, target)
        # "Amazon Elastic Compute Cloud (EC2)" answers to "EC2" and "Amazon Elastic Compute Cloud", "ISO 9001
        # (Quality Management)" to "quality management": what is inside and before the brackets.
        for name in list(self._display.values()):
            paren = _PAREN_RE.match(name)
            if paren:
                for part in (paren.group(1), paren.group(2)):
                    if len(tech_key(part)) >= 3:
                        self._by_key.setdefault(tech_key(part), name)
        # Multi-word skills matched by most of their words ("payroll reports" for "payroll and tax reports").
        self._phrases: list[tuple[frozenset[str], str]] = []
        for name in self._display.values():
            content = frozenset(stem(t) for t in tokens(name) if t not in STOPWORDS and not t.isdigit())
            if len(content) >= 2:
                self._phrases.append((content, name))
        # "LLM tool calling" also answers to "LLM": a multi-word skill led by an acronym.
        for name in self._display.values():
            head = name.split()[0]
            if " " in name and 2 <= len(head) <= 5 and head.isalpha() and head.isupper():
                self._by_key.setdefault(tech_key(head), name)
        # Vendor-prefixed resume names ("Apache Kafka", "Google Cloud Run") also answer to their last word.
        for key_name in list(self._display.values()):
            parts = key_name.split()
            if len(parts) > 1 and parts[0].lower() in knowledge.vendor_prefixes():
                self._by_key.setdefault(tech_key(" ".join(parts[1:])), key_name)
        self._fuzzy = FuzzyIndex()
        for key, name in self._by_key.items():
            # Long spelled-out aliases ("amazonwebservices") are never mis-heard as one word.
            if key not in self._ambiguous and len(key) <= 14:
                self._fuzzy.add(key, name)
        self.category: dict[str, str] = {}
        for cat, names in resume.skills.items():
            for n in names:
                self.category.setdefault(self._by_key.get(tech_key(n), n), cat)
        self._items: dict[str, list[str]] = {}
        for _, item in resume.items():
            techs = list(getattr(item, "technologies", []))
            for t in techs:
                self._items.setdefault(self.canonical(t) or t, []).append(item.id)
        # A certification named after a technology ("Certified Kubernetes Administrator") is evidence too.
        for cert in resume.certifications:
            for found in self.find(Utterance.of(f"{cert.name} {cert.issuer or ''}")):
                ids = self._items.setdefault(found.name, [])
                if cert.id not in ids:
                    ids.append(cert.id)
        self.keys = frozenset(self._by_key)

    def canonical(self, name: str) -> str | None:
        return self._by_key.get(tech_key(name))

    def items_for(self, name: str) -> list[str]:
        return list(self._items.get(name, []))

    def related(self, name: str) -> list[str]:
        """Resume technologies in the same family as `name` (excluding it)."""
        key = tech_key(name)
        out: list[str] = []
        for fam in knowledge.families():
            if key in fam.keys:
                out += [self._display[k] for k in fam.keys if k in self._display and k != key]
        return list(dict.fromkeys(out))

    def members(self, family: knowledge.Family) -> list[str]:
        """The resume's technologies of one family, as the resume spells them, in family order.

        A resume name led by a member's name ("Salesforce Marketing Cloud" for Salesforce) counts too.
        """
        out: list[str] = []
        for m in family.members:
            key = tech_key(m)
            if key in self._display:
                out.append(self._display[key])
                continue
            out += [n for n in self._display.values() if tech_key(n.split(" ")[0]) == key and n not in out]
        return out

    def cloud_providers(self) -> list[str]:
        """The resume's cloud providers (AWS, GCP, Azure ...), as the resume spells them."""
        fam = next((f for f in knowledge.families() if f.name == _CLOUD_FAMILY), None)
        return self.members(fam) if fam else []

    def find(self, utt: Utterance) -> list[TechMatch]:
        toks = utt.toks
        used = [False] * len(toks)
        found: list[TechMatch] = []
        for n in range(self.MAX_GRAM, 0, -1):
            for i in range(len(toks) - n + 1):
                if any(used[i : i + n]):
                    continue
                gram = "".join(toks[i : i + n])
                name = self._by_key.get(gram)
                if name is None and n == 1 and len(gram) > 3 and gram.endswith("s"):
                    name = self._by_key.get(gram[:-1])  # "LLMs", "APIs"
                # Typos: one word, or a name speech-to-text split in two short pieces ("cuber netes").
                fuzzy_len_ok = 6 <= len(gram) <= (16 if n == 1 else 14)
                if name is None and n <= 2 and fuzzy_len_ok and self._fuzzable(toks[i : i + n]):
                    name = self._fuzzy.lookup(gram)
                if name is None:
                    continue
                if n == 1 and gram in self._ambiguous and not self._tech_context(utt, i):
                    continue
                found.append(TechMatch(name, name in self.in_resume, i, i + n))
                for j in range(i, i + n):
                    used[j] = True
        if not found:
            found += self._phrase_matches(toks)
        found.sort(key=lambda m: m.start)
        out: list[TechMatch] = []
        for m in found:
            if all(m.name != o.name for o in out):
                out.append(m)
        return out

    def _phrase_matches(self, toks: tuple[str, ...]) -> list[TechMatch]:
        """A multi-word resume skill whose words the question mostly uses: two or more, two thirds."""
        stems = [stem(t) for t in toks]
        best: tuple[float, str, list[int]] | None = None
        for content, name in self._phrases:
            pos = [i for i, s in enumerate(stems) if s in content and toks[i] not in STOPWORDS]
            hit = {stems[i] for i in pos}
            if len(hit) >= 2 and len(hit) * 3 >= len(content) * 2:
                score = len(hit) / len(content)
                if best is None or score > best[0]:
                    best = (score, name, pos)
        if best is None:
            return []
        return [TechMatch(best[1], best[1] in self.in_resume, min(best[2]), max(best[2]) + 1)]

    def _fuzzable(self, words: tuple[str, ...]) -> bool:
        # A real English word was meant as said: "spare" is not a mis-heard "Spark".
        return not any(w.isdigit() or w in self._everyday or w in STOPWORDS for w in words)

    def _tech_context(self, utt: Utterance, i: int) -> bool:
        toks, raw = utt.toks, utt.raw_toks
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if prev in _VERB_BEFORE or nxt in _VERB_AFTER:
            return False
        if nxt is not None and len(raw[i + 1]) == 1 and raw[i + 1].isupper():
            return False  # "R&D", "C D" initials
        if raw[i][0].isupper() and i > 0:
            return True
        if prev in _TECH_BEFORE or nxt in _TECH_AFTER:
            return True
        neighbours = [t for t in (prev, nxt) if t is not None]
        return any(t in self._by_key and t not in self._ambiguous for t in neighbours)
