"""Question kinds from the issue, on the sample resume: elliptical, counting, identity, length, opinion."""

from __future__ import annotations

from datetime import date

import pytest

from tools.engine import ResumeEngine
from tools.resume_model import Resume


@pytest.fixture(scope="module")
def fixed(sample: Resume) -> ResumeEngine:
    return ResumeEngine(sample, today=date(2026, 12, 1))


@pytest.mark.parametrize("text", ["Awards?", "Any awards?", "Which talks?", "Talks?"])
def test_elliptical_section_questions_are_answered(fixed: ResumeEngine, text: str) -> None:
    result, _ = fixed.answer(text)
    assert not result.refused and result.intent == "awards" and result.items


def test_years_with_a_technology_are_computed_from_its_jobs(fixed: ResumeEngine) -> None:
    result, _ = fixed.answer("How many years of experience with Go?")
    # Sonora Labs March 2022 - December 2026 (58 months) + Cartograph Sept 2016 - May 2019 (33 months).
    assert result.intent == "years_with" and "Over seven years with Go" in result.answer
    assert "computed" in result.answer and "twelve" not in result.answer
    assert [i.id for i in result.items] == ["exp-sonora", "exp-cartograph"]


def test_identity(fixed: ResumeEngine) -> None:
    for text in ("What is the name on this resume?", "Whose resume is this?"):
        result, _ = fixed.answer(text)
        assert "Jordan Reyes" in result.answer


def test_fit_questions_get_facts_not_a_verdict(fixed: ResumeEngine) -> None:
    result, _ = fixed.answer("Is Jordan a good fit for a senior backend role in Go?")
    assert result.intent == "opinion" and not result.answer.startswith("Yes")
    assert "can't judge" in result.answer and "Go at Sonora Labs" in result.answer


def test_summary_keeps_to_the_requested_length(fixed: ResumeEngine) -> None:
    one, _ = fixed.answer("Summarize the resume in one sentence")
    assert one.answer.count(". ") == 0 and one.answer.endswith(".")
    two, _ = fixed.answer("Give me a two sentence summary of Jordan")
    assert two.answer.count(". ") == 1


def test_current_employer_and_skill_families(fixed: ResumeEngine) -> None:
    employer, _ = fixed.answer("who is jordan currently employed by")
    assert [i.id for i in employer.items] == ["exp-sonora"]
    monitoring, _ = fixed.answer("what monitoring tools does jordan know")
    assert "Prometheus" in monitoring.answer and "Grafana" in monitoring.answer


def test_superlative_from_the_resume_emphasis(fixed: ResumeEngine) -> None:
    result, _ = fixed.answer("What is Jordan's strongest achievement?")
    assert result.intent == "superlative" and "doesn't rank" in result.answer
    assert result.items[0].id == "exp-sonora"
