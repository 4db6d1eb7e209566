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
        ("what is her age", "age", True),
        ("what does she earn", "salary", False),
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
    for text in (
        "what medical experience does she have",
        "has she worked with children",
        "health care",
        "what age groups has she taught",
    ):
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
    assert age.refused and "private" in age.answer and not age.items


def _with_profile(**fields: str) -> ResumeEngine:
    data = Resume.model_validate_json((OWN / "physio_resume.json").read_text(encoding="utf-8"))
    return ResumeEngine(data.model_copy(update={"profile": data.profile.model_copy(update=fields)}))


@pytest.mark.parametrize("question", ["What's her salary?", "how much does she make", "what does she earn"])
def test_pay_is_refused_while_the_resume_states_none(question: str) -> None:
    # A rate and a headcount in the summary are not her pay.
    engine = _with_profile(summary="Cut readmission rate by 12%. Redesigned compensation for 1,200 staff.")
    result, _ = engine.answer(question)
    assert result.refused and "salary" in result.answer and not result.items


@pytest.mark.parametrize(
    "said",
    [
        "Expected salary: £52,000 per annum.",
        "Day rate 450 EUR, negotiable.",
        "Salary expectations open to discuss.",
    ],
)
def test_stated_pay_is_answered_from_the_resume(said: str) -> None:
    engine = _with_profile(availability=f"Available from June. {said}")
    for question in ("What's her salary expectation?", "how much does she make"):
        result, _ = engine.answer(question)
        assert not result.refused and said in result.answer


def test_a_pay_word_the_jobs_use_is_work_not_a_refusal() -> None:
    data = Resume.model_validate_json((OWN / "physio_resume.json").read_text(encoding="utf-8"))
    job = data.experience[0]
    moved = job.model_copy(update={"highlights": [*job.highlights, "Ran the clinic's salary benchmarking."]})
    engine = ResumeEngine(data.model_copy(update={"experience": [moved, *data.experience[1:]]}))
    result, _ = engine.answer("Has she done salary benchmarking?")
    assert not result.refused and job.id in [i.id for i in result.items]
    mine, _ = engine.answer("how much does she make")
    assert mine.refused
