"""Suggested questions name the resume's own items, and the engine answers every one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.engine import ResumeEngine
from tools.resume_model import Profile, Resume, load_sample_resume
from tools.suggestions import suggested_questions


@pytest.mark.parametrize("which", ["sample", "second"])
def test_every_suggestion_is_answered_from_the_resume(which: str, request: pytest.FixtureRequest) -> None:
    resume: Resume = request.getfixturevalue(which)
    engine = ResumeEngine(resume)
    questions = suggested_questions(resume, limit=6)
    assert len(questions) >= 4 and len(set(questions)) == len(questions)
    for question in questions:
        result, _ = engine.answer(question)
        assert not result.refused and result.intent != "unknown", (question, result.answer)
    first = resume.profile.name.split()[0]
    assert all(first in q or "Which projects" in q or "Tell me about" in q for q in questions)
    assert any(e.company in questions[0] for e in resume.experience)  # the current (or latest) job
    assert resume.projects[0].name in questions[1]


def test_a_bare_resume_still_gets_what_it_has() -> None:
    bare = Resume(profile=Profile(name="Sam Lee"), skills={"languages": ["Go"]})
    assert suggested_questions(bare) == ["What are Sam's main skills?"]
    assert suggested_questions(Resume(profile=Profile(name="Sam Lee"))) == []


DATA = Path(__file__).parent / "data"
RESUMES = [*sorted(DATA.glob("own/*_resume.json")), *sorted(DATA.glob("professions/*_resume.json"))]


def _load(path: Path | None) -> Resume:
    return load_sample_resume() if path is None else Resume.model_validate_json(path.read_text("utf-8"))


@pytest.mark.parametrize("path", [None, *RESUMES], ids=lambda p: p.stem if p else "sample")
def test_suggestions_are_answered_on_every_test_resume(path: Path | None) -> None:
    resume = _load(path)
    questions = suggested_questions(resume)
    assert 3 <= len(questions) <= 5
    engine = ResumeEngine(resume)
    for q in questions:
        result, _ = engine.answer(q)
        assert not result.refused and "doesn't say" not in result.answer, (q, result.answer)
