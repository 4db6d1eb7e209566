"""Personal questions a resume does not answer, and which of them depend on the resume.

PRIVATE topics (age, family, health, beliefs, body, criminal record) are refused whatever the resume
holds: a paediatric resume that mentions children does not answer "does she have children?". Pay is
private too unless the resume's profile states it (`stated`): then that sentence answers it. Other
topics (grades, references, weaknesses, a driving licence ...) are only unknown when the resume is
silent: they are checked against the resume's own words first, so a teacher's "grades 3 to 5" is
answered. Patterns run on folded text with the person as "xperson"; the spoken phrases and the words
that state a topic are data (`tools/data/knowledge/personal.json`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from tools import knowledge
from tools.resume_model import Profile
from tools.text import alternation, fold

_P = r"(?:xperson|he|she|they|them|him|her|the candidate)"
_POSS = r"(?:xperson'?s?|his|her|their|the candidate'?s)"

# (label spoken in the answer, pattern)
_PRIVATE: tuple[tuple[str, str], ...] = (
    (
        "age",
        rf"how old|{_POSS} (own )?age\b|\bage (of|is) {_P}\b|what age (is|are|was|were) {_P}\b|"
        rf"^(and |what about )?(the )?age\W*$|birthday|date of birth|year of birth|"
        rf"(when|where) (was|were) {_P} born|born in",
    ),
    (
        "family",
        rf"married|marital|spouse|wife|husband|girlfriend|boyfriend|"
        rf"(does|do|did) {_P} have (any )?(kids|children|family|a family)|"
        rf"{_POSS} (kids|children|family|parents)|pregnan\w*|"
        rf"(plans?|planning|plan|wants?|going) (for|to have|on having) (kids|children|a baby|a family)",
    ),
    (
        "health",
        rf"(does|do|did|has|have) {_P} (ever )?(have|had|got|suffer\w*)( from)? (any |a |an )?"
        rf"(health|medical|mental health|back|chronic) (problems?|issues?|conditions?|injur\w*)|"
        rf"{_POSS} (own )?(health|medical history|illness\w*|disabilit\w*)|(health|medical) history|"
        rf"(is|are) {_P} (healthy|sick|ill|disabled)|(does|do) {_P} have (any )?disabilit\w*|"
        rf"(any|a) disabilit\w*|sick (days|leave)|(any|her|his|their) health (problems?|issues?)|"
        rf"(is|are|was|were) {_P} (taking|on) (any )?(medications?|medicines?|meds|pills|prescription drugs)|"
        rf"{_POSS} (own )?(medications?|prescriptions?|diagnos\w+)",
    ),
    ("religion", r"religio\w*|(what|which) church|\bfaith\b"),
    ("politics", r"politic\w*|(vote|voted|votes) for"),
    ("gender", rf"\bgender\b|transgender|(is|are) {_P} trans\b"),
    (
        "sexual orientation",
        rf"sexual\w*|\bgay\b|lesbian|bisexual|\bqueer\b|(is|are) {_P} (straight|bi)\b",
    ),
    ("ethnicity", r"ethnic\w*|\brace\b"),
    ("appearance", rf"\bweight\b|\bheight\b|how tall|what does {_P} look like|attractive|good looking"),
    (
        "criminal record",
        rf"criminal (record|history|background|conviction)s?|"
        rf"(has|have|was|were) {_P} (ever )?(been )?(arrested|convicted|in jail|in prison|charged with)",
    ),
)
_UNSTATED: tuple[tuple[str, str], ...] = (
    (
        "salary",
        r"salar\w*|compensation|\bpay\b|wages?|earnings|income|(hourly|day|daily|billing) rates?|"
        # The person, not "it": "how much did it cost" asks a project's figure.
        rf"how much (does|do|did|would|will) {_P} (make|earn|charge|cost|want|expect)|"
        rf"how much (is|are|was|were) {_P} (earning|making|paid|charging|on)\b|"
        rf"(is|are) {_P} (well|highly) paid|"
        rf"what (does|do|did|would|will) {_P} (earn|charge)\b|how (much|well) (does|do|did) {_P} get paid|"
        rf"(what|how much)('?s| is| are| was| were) {_P} (earning|paid|getting paid|taking home)\b|"
        rf"(what|how much) (is|are|was|were) {_P} paid\b",
    ),
    ("grades", r"\bgpa\b|\bgrades?\b"),
    ("references", r"references?|referees?"),
    ("weaknesses", r"weakness\w*"),
    ("failures", r"failures?"),
    ("why they left", r"\bfired\b|laid off|let go"),
    (
        "a driving licence",
        rf"driv(er|ing|ers)'?s? licen[cs]e|\bcdl\b|\b(hgv|lgv)\b|(can|could|does|do|is|are|will) {_P} "
        rf"(be able to |able to )?drive(?=\W*$)|drive (a |an )?(car|truck|lorry|van|vehicle|bus|forklift)|"
        rf"licen[cs]ed to drive",
    ),
    ("a background check", r"background check"),
)
# Private topics refused outright (issue 10: age, family, health ... are refused, not "not stated").
REFUSED = frozenset({"age", "family", "health", "religion", "politics", "gender", "sexual orientation",
                     "ethnicity", "appearance", "criminal record"})  # fmt: skip
_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+")


def _more_private() -> dict[str, list[str]]:
    """The data file's further phrasings of private topics ("has he got kids"), {P} filled in."""
    more: dict[str, list[str]] = knowledge.personal().get("more_private", {})
    return {k: [p.replace("{P}", _P) for p in v] for k, v in more.items() if not k.startswith("_")}


_MORE = _more_private()
_PRIVATE_ALL = tuple((label, "|".join([rx, *_MORE.get(label, [])])) for label, rx in _PRIVATE)
_PRIVATE_RE = [(label, re.compile(rf"\b({rx})")) for label, rx in _PRIVATE_ALL]
_UNSTATED_RE = [(label, re.compile(rf"\b({rx})")) for label, rx in _UNSTATED]
ANY_RE = re.compile("|".join(rf"\b({rx})" for _, rx in (*_PRIVATE_ALL, *_UNSTATED)))


@dataclass(frozen=True)
class Personal:
    label: str  # "age", "salary" ...
    word: str  # the words that asked it, as said
    private: bool


def classify(text: str) -> Personal | None:
    for label, rx in _PRIVATE_RE:
        m = rx.search(text)
        if m:
            return Personal(label, m.group(1), True)
    for label, rx in _UNSTATED_RE:
        m = rx.search(text)
        if m:
            return Personal(label, m.group(1), False)
    return None


def phrases() -> dict[str, Any]:
    return knowledge.personal()


@cache
def _stated_res(label: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    topic = phrases()["private_unless_stated"].get(label)
    if topic is None:
        return None
    # Not inside a hyphenated compound: "pay-per-click" is marketing, not pay.
    word = re.compile(rf"(?<![\w-])({alternation(topic['words'])})s?(?![\w-])")
    money = alternation(phrases()["currencies"])
    with_ = re.compile(
        rf"(?<![\w-])({alternation(topic['with'])})(?![\w-])|({money})\s?\d|\d[\d,.]*\s?(k\b|({money}))"
    )
    return word, with_


def said_in_profile(label: str, profile: Profile) -> str | None:
    """The profile's sentence that states this topic in its own words ("Holds a Class B CDL")."""
    states = phrases().get("stated_in_profile", {}).get(label)
    if not states:
        return None
    rx = re.compile("|".join(f"(?:{s})" for s in states))
    for field in (profile.summary, profile.availability, profile.work_authorization):
        for said in _SENTENCE_RE.split(field or ""):
            if rx.search(fold(said)):
                return said.strip()
    return None


def unless_stated(label: str) -> bool:
    """Is this topic private only while the resume is silent on it (pay), rather than always?"""
    return label in phrases()["private_unless_stated"]


def stated(label: str, profile: Profile) -> str | None:
    """The profile's own sentence that states this topic (an expected salary, a day rate), if any.

    Only the profile speaks for the person's terms; a job's "ran salary benchmarking" is work done.
    """
    res = _stated_res(label)
    if res is None:
        return None
    word, with_ = res
    for field in (profile.summary, profile.availability, profile.title, profile.work_authorization):
        for said in _SENTENCE_RE.split(field or ""):
            low = fold(said)
            if word.search(low) and with_.search(low):
                return said.strip()
    return None
