"""Suggested questions for the visitor page, made from the resume's own items (pure).

One question per kind of thing the resume has, in a fixed order, so each suggestion names
something real (the latest employer, a project, a technology used more than once) and the
engine can answer it. The wording is data: tools/data/suggestions.json.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from importlib import resources

from tools.resume_model import Resume


@lru_cache
def _templates() -> dict[str, str]:
    raw = resources.files("tools").joinpath("data/suggestions.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(raw).items() if not k.startswith("_")}


def _technology(resume: Resume) -> str | None:
    """A technology several projects share: the most shared, ties broken by resume order."""
    counts = Counter(t for p in resume.projects for t in dict.fromkeys(p.technologies))
    shared = [(n, -i, t) for i, (t, n) in enumerate(counts.items()) if n >= 2]
    return max(shared)[2] if shared else None


def suggested_questions(resume: Resume, limit: int = 4) -> list[str]:
    t = _templates()
    first = resume.profile.name.split()[0]
    out: list[str] = []
    if resume.experience:
        job = next((e for e in resume.experience if e.end is None), resume.experience[0])
        out.append(
            t["current_role" if job.end is None else "past_role"].format(first=first, company=job.company)
        )
    if resume.projects:
        out.append(t["project"].format(first=first, project=resume.projects[0].name))
    technology = _technology(resume)
    if technology:
        out.append(t["technology"].format(first=first, technology=technology))
    if resume.education:
        out.append(t["education"].format(first=first))
    if resume.profile.availability:
        out.append(t["availability"].format(first=first))
    if resume.skills:
        out.append(t["skills"].format(first=first))
    return out[:limit]
