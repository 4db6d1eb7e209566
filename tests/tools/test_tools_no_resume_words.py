"""No rule in tools/ may name a word taken from a test resume's item names.

Every resume the tests use (the bundled sample, the second resume, our own and the held-out
profession resumes) is scanned: the words of its item names (companies, projects, schools,
certifications, awards, publications) that are not ordinary English (wordfreq Zipf < 3, so
"Cartograph" but not "bridge") and are not technology names the resume lists, must not appear as
a word anywhere under tools/ (code, prompts or knowledge data). The bundled sample resume itself
is the one file exempt: it is data, not a rule.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from tools.resume_model import Resume, item_title, load_sample_resume

ROOT = Path(__file__).parents[2]
TOOLS = ROOT / "tools"
DATA = Path(__file__).parent / "data"
EXEMPT = {TOOLS / "data" / "sample_resume.json"}
# Technology names that were general knowledge in tools/ before any of these resumes was written and
# that a resume happens to use inside an item's name (a certificate named after the technology).
ALLOWED = {
    "tensorflow": "in technologies.json since the first engine; here part of a certificate's name",
    "resuscitation": "an 'emergency' synonym in synonyms.json before unseen3's dentist named a course by it",
}
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def _words(text: str) -> list[str]:
    """Accent-free words, so "Telefonía" is "telefonia" on both sides."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD_RE.findall(plain)


def _resumes() -> list[tuple[str, Resume]]:
    out = [("sample", load_sample_resume())]
    for path in sorted(DATA.rglob("*resume*.json")):
        out.append((path.name, Resume.model_validate_json(path.read_text(encoding="utf-8"))))
    return out


def _name_words(resume: Resume) -> set[str]:
    techs = {
        w.lower() for _, it in resume.items() for t in getattr(it, "technologies", []) for w in _words(t)
    }
    techs |= {w.lower() for names in resume.skills.values() for n in names for w in _words(n)}
    words: set[str] = set()
    for _, item in resume.items():
        names = [
            item_title(item),
            str(getattr(item, "issuer", "") or ""),
            str(getattr(item, "venue", "") or ""),
        ]
        for name in names:
            for w in _words(name):
                low = w.lower()
                rare = zipf_frequency(low, "en") < 3.0
                if len(low) >= 3 and low not in techs and low not in ALLOWED and rare:
                    words.add(low)
    return words


def _tools_words() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in TOOLS.rglob("*"):
        if path.is_file() and path not in EXEMPT and path.suffix in (".py", ".json", ".md", ".txt"):
            for w in _words(path.read_text(encoding="utf-8")):
                found.setdefault(w.lower(), set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_test_resume_is_scanned() -> None:
    names = [n for n, _ in _resumes()]
    assert "sample" in names and "second_resume.json" in names
    assert len(names) >= 5


@pytest.mark.parametrize(("name", "resume"), _resumes(), ids=lambda v: v if isinstance(v, str) else "")
def test_tools_name_no_item_word_of_a_test_resume(name: str, resume: Resume) -> None:
    words = _name_words(resume)
    assert words, f"{name}: no distinctive item-name words found, the scan would prove nothing"
    tools_words = _tools_words()
    leaks = {w: sorted(tools_words[w]) for w in sorted(words) if w in tools_words}
    assert not leaks, f"{name}: item-name words used in tools/: {leaks}"
