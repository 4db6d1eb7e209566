"""Questions a visitor could ask, made from the resume's own items (for the page's suggestion chips).

`suggest_questions(resume)` names the person, their current (or latest) job, a project, a skill
category, their education and an award or certification when the resume has them. Every question
is one the engine answers from the resume (tests/tools/test_tools_suggestions.py checks it).
"""

from __future__ import annotations

import re

from tools.resume_model import Resume

_CATEGORY_RE = re.compile(r"[_\s]+")


def suggest_questions(resume: Resume, limit: int = 5) -> list[str]:
    first = resume.profile.name.split()[0]
    out: list[str] = []
    current = next((e for e in resume.experience if e.end is None), None)
    latest = current or (max(resume.experience, key=lambda e: e.start) if resume.experience else None)
    if latest is not None:
        tense = "does" if current is not None else "did"
        out.append(f"What {tense} {first} do at {latest.company}?")
    if resume.projects:
        out.append(f"Tell me about {resume.projects[0].name}.")
    if resume.skills:
        category = _CATEGORY_RE.sub(" ", next(iter(resume.skills))).strip()
        plural = category.endswith("s")
        out.append(f"What are {first}'s {category}?" if plural else f"What are {first}'s {category} skills?")
    if resume.education:
        out.append(f"Where did {first} study?")
    if resume.awards:
        out.append(f"Has {first} won any awards?")
    elif resume.certifications:
        out.append(f"What certifications does {first} hold?")
    if len(resume.experience) > 1:
        out.append(f"Where did {first} work before {resume.experience[0].company}?")
    return out[:limit]
