"""Personal questions: private ones stay unanswered, the rest depend on what the resume says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.engine import ResumeEngine
from tools.personal import classify
from tools.resume_model import Resume

OWN = Path(__file__).parent / "data" / "own"


@pytest.mark.parametrize(
    ("text", "label", "private"),
    [
        ("how old is xperson", "age", True),
        ("is she married", "family", True),
        ("does xperson have kids", "family", True),
        ("does she have any health problems", "health", True),
        ("what's his salary", "salary", False),
        ("what was her gpa", "grades", False),
        ("any references", "references", False),
    ],
)
def test_classify(text: str, label: str, private: bool) -> None:
    found = classify(text)
    assert found is not None and (found.label, found.private) == (label, private)


def test_professional_words_are_not_personal() -> None:
    for text in ("what medical experience does she have", "has she worked with children", "health care"):
        assert classify(text) is None


def test_a_stated_topic_is_answered_and_a_private_one_is_not() -> None:
    data = Resume.model_validate_json((OWN / "physio_resume.json").read_text(encoding="utf-8"))
    engine = ResumeEngine(data)
    medical, _ = engine.answer("What medical experience does she have?")
    assert not medical.refused and medical.items and "doesn't say" not in medical.answer
    grades, _ = engine.answer("What grades did she get?")
    assert "First-class honours" in grades.answer or "doesn't" in grades.answer
    private, _ = engine.answer("Does she have children?")
    assert private.refused and "private" in private.answer and not private.items
    age, _ = engine.answer("How old is she?")
    assert not age.refused and age.answer.startswith("The resume doesn't say anything about age")
