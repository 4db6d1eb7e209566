"""Personal questions a resume does not answer, and which of them depend on the resume.

PRIVATE topics (age, family, health, beliefs, body, criminal record) get "the resume doesn't say"
whatever the resume holds: a paediatric resume that mentions children does not answer "does she have
children?". Other topics (salary, grades, references, weaknesses, a driving licence ...) are only
unknown when the resume is silent: they are checked against the resume's own words first, so a
teacher's "grades 3 to 5" or a stated salary expectation is answered.
Patterns run on folded text with the person as "xperson".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_P = r"(?:xperson|he|she|they|them|him|her|the candidate)"
_POSS = r"(?:xperson'?s?|his|her|their|the candidate'?s)"

# (label spoken in the answer, pattern)
_PRIVATE: tuple[tuple[str, str], ...] = (
    (
        "age",
        rf"how old|\bage\b|birthday|date of birth|year of birth|(when|where) (was|were) {_P} born|born in",
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
        r"how much (does|do|did|would|will) \w+ (make|earn|charge|cost|want|expect)|"
        r"how much (is|are|was|were) \w+ (earning|making|paid|charging|on)\b|(is|are) \w+ (well|highly) paid",
    ),
    ("grades", r"\bgpa\b|\bgrades?\b"),
    ("references", r"references?|referees?"),
    ("weaknesses", r"weakness\w*"),
    ("failures", r"failures?"),
    ("why they left", r"\bfired\b|laid off|let go"),
    ("a driving licence", r"driv(er|ing)'?s? licen[cs]e"),
    ("a background check", r"background check"),
)
# Private topics refused outright. Age is answered as not stated ("the resume doesn't say"), as
# the existing question sets expect; it is a fact many resumes imply by their dates.
REFUSED = frozenset({"family", "health", "religion", "politics", "gender", "sexual orientation", "ethnicity",
                     "appearance", "criminal record"})  # fmt: skip
_PRIVATE_RE = [(label, re.compile(rf"\b({rx})")) for label, rx in _PRIVATE]
_UNSTATED_RE = [(label, re.compile(rf"\b({rx})")) for label, rx in _UNSTATED]
ANY_RE = re.compile("|".join(rf"\b({rx})" for _, rx in (*_PRIVATE, *_UNSTATED)))


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
