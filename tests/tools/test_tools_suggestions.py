"""Suggested questions come from each resume's own items and are all answered from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.engine import ResumeEngine
from tools.resume_model import Resume, load_sample_resume
from tools.suggestions import suggest_questions

DATA = Path(__file__).parent / "data"
RESUMES = [*sorted(DATA.glob("own/*_resume.json")), *sorted(DATA.glob("professions/*_resume.json"))]


def _load(path: Path | None) -> Resume:
    return load_sample_resume() if path is None else Resume.model_validate_json(path.read_text("utf-8"))


@pytest.mark.parametrize("path", [None, *RESUMES], ids=lambda p: p.stem if p else "sample")
def test_suggestions_are_answered_from_the_resume(path: Path | None) -> None:
    resume = _load(path)
    questions = suggest_questions(resume)
    assert 3 <= len(questions) <= 5
    engine = ResumeEngine(resume)
    for q in questions:
        result, _ = engine.answer(q)
        assert not result.refused and "doesn't say" not in result.answer, (q, result.answer)
        assert result.items or result.intent == "skills", (q, result.answer)
