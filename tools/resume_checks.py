"""Checks an owner's resume must pass before import, beyond its schema: each names the field.

Errors stop the import: an end date before its start, a start (or single) date more than a month
in the future. Warnings are reported and the import goes on: an end date more than a month ahead
(an expected graduation, say), duplicate items, empty sections, items with no text at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from tools.dates import end_month_of, month_of
from tools.resume_model import Resume, item_title
from tools.text import fold

Severity = Literal["error", "warning"]
_SECTIONS = {
    "experience": "experience", "project": "projects", "education": "education",
    "certification": "certifications", "award": "awards", "publication": "publications",
}  # fmt: skip
_TEXT_FIELDS = ("summary", "description", "details", "highlights", "role", "degree", "issuer", "venue")


@dataclass(frozen=True)
class Problem:
    field: str  # dotted path, as in the file: "experience.2.end"
    message: str
    severity: Severity

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_resume(resume: Resume, today: date, raw: Mapping[str, Any] | None = None) -> list[Problem]:
    """Problems found, errors first. `raw` (the parsed input) lets empty sections be reported."""
    now = today.year * 12 + today.month - 1
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], str] = {}
    counters: dict[str, int] = {}
    for kind, item in resume.items():
        section = _SECTIONS[kind]
        n = counters.get(section, 0)
        counters[section] = n + 1
        where = f"{section}.{n}"
        start = getattr(item, "start", None) or getattr(item, "date", None)
        end = getattr(item, "end", None)
        lo, hi = month_of(start), end_month_of(end)
        if lo is not None and hi is not None and hi < lo:
            problems.append(Problem(f"{where}.end", f"{end} is before the start date {start}", "error"))
        if lo is not None and lo > now + 1:
            name = "start" if getattr(item, "start", None) else "date"
            problems.append(
                Problem(f"{where}.{name}", f"{start} is more than a month in the future", "error")
            )
        if end and month_of(end) is not None and (month_of(end) or 0) > now + 1:
            problems.append(
                Problem(f"{where}.end", f"{end} is in the future; use null for an ongoing item", "warning")
            )
        key = (kind, fold(item_title(item)), str(start or ""))
        if key in seen:
            problems.append(
                Problem(where, f"duplicates {seen[key]} ({item_title(item)!r}, same start)", "warning")
            )
        else:
            seen[key] = where
        if not any(getattr(item, f, None) for f in _TEXT_FIELDS):
            problems.append(Problem(where, "has no text (summary, description, highlights ...)", "warning"))
    if raw is not None:
        for section in (*_SECTIONS.values(), "skills", "interests"):
            if section in raw and not raw[section]:
                problems.append(Problem(section, "empty section: add items or leave it out", "warning"))
        for cat, names in (raw.get("skills") or {}).items() if isinstance(raw.get("skills"), dict) else ():
            if not names:
                problems.append(Problem(f"skills.{cat}", "empty skill category", "warning"))
    if not resume.profile.summary.strip():
        problems.append(
            Problem("profile.summary", "empty: questions like 'tell me about her' need it", "warning")
        )
    return sorted(problems, key=lambda p: p.severity != "error")
