"""Mechanisms added for the third blind round (tests/tools/data/unseen3/), each checked on a made-up resume.

The ship's officer below is none of the question sets' resumes: what is tested follows from the
resume's shape (they/them pronouns, a licence and the years stated only in the summary, awards,
papers and talks side by side), not from any set's words.
"""

from __future__ import annotations

import pytest

from tests.tools.conversation import converse
from tools.engine import EngineResult, ResumeEngine
from tools.resume_model import Resume

RESUME = {
    "profile": {
        "name": "Sam Okafor",
        "pronouns": "they/them",
        "title": "Chief Officer",
        "location": "Aberdeen, Scotland",
        "email": "sam@example.org",
        "phone": "+44 7700 900123",
        "summary": "Merchant navy officer with 12 years of seafaring on offshore supply vessels. "
        "Holds a category C (HGV) driving licence.",
    },
    "experience": [
        {
            "id": "job-now",
            "company": "North Sea Marine Services",
            "role": "Chief Officer",
            "start": "2021-05",
            "end": None,
            "summary": "Second in command of a platform supply vessel.",
            "highlights": ["Ran cargo operations for 40 offshore installations."],
        },
        {
            "id": "job-before",
            "company": "Harbour Tugs Ltd",
            "role": "Second Officer",
            "start": "2014-01",
            "end": "2021-04",
            "highlights": ["Kept the bridge watch on harbour towage."],
        },
    ],
    "awards": [{"id": "award-safety", "name": "Fleet Safety Award", "date": "2023-11"}],
    "publications": [
        {
            "id": "pub-paper",
            "title": "Deck cargo lashing in heavy weather",
            "venue": "Seaways",
            "date": "2022-03",
        },
        {"id": "pub-talk", "title": "Fatigue on the bridge (talk)", "venue": "Nautical Institute Conference"},
    ],
}


@pytest.fixture(scope="module")
def engine() -> ResumeEngine:
    return ResumeEngine(Resume.model_validate(RESUME))


def ask(engine: ResumeEngine, *turns: str) -> EngineResult:
    return converse(engine, *turns)[-1]


def ids(result: EngineResult) -> set[str]:
    return {i.id for i in result.items}


@pytest.mark.parametrize(
    "question",
    [
        "what year was they born",
        "when were they born",
        "what are they earning at north sea",
        "are they catholic",
        "are they a democrat or a republican",
        "have they had any injuries at sea",
    ],
)
def test_private_questions_are_refused(engine: ResumeEngine, question: str) -> None:
    result = ask(engine, question)
    assert result.refused, result.answer
    assert not result.items


def test_they_are_forms_of_the_current_job(engine: ResumeEngine) -> None:
    assert "job-now" in ids(ask(engine, "who are they working for"))


def test_job_title_is_the_current_one_and_titles_list_them(engine: ResumeEngine) -> None:
    assert "Chief Officer" in ask(engine, "job title?").answer


@pytest.mark.parametrize(("turn", "said"), [("phone?", "900123"), ("based where", "Aberdeen")])
def test_a_two_word_turn_naming_a_field_is_answered(engine: ResumeEngine, turn: str, said: str) -> None:
    result = ask(engine, "tell me about them", turn)
    assert not result.refused and said in result.answer, result.answer


def test_a_one_word_turn_of_the_resume_is_answered_and_one_not_of_it_refused(engine: ResumeEngine) -> None:
    assert "pub-paper" in ids(ask(engine, "lashing?")) or "lashing" in ask(engine, "lashing?").answer.lower()
    assert ask(engine, "weather?").refused


def test_who_and_where_says_both(engine: ResumeEngine) -> None:
    result = ask(engine, "who is this person and where are they based")
    assert "Sam Okafor" in result.answer and "Aberdeen" in result.answer


def test_years_stated_after_the_figure_count(engine: ResumeEngine) -> None:
    assert "12 years" in ask(engine, "how long have they been seafaring").answer


@pytest.mark.parametrize(
    "question", ["can they drive a truck", "do they have an hgv licence", "can they drive"]
)
def test_a_licence_said_only_in_the_summary_answers_driving(engine: ResumeEngine, question: str) -> None:
    result = ask(engine, question)
    assert "HGV" in result.answer and not result.refused, result.answer


def test_two_sections_asked_at_once_are_both_answered_in_order(engine: ResumeEngine) -> None:
    result = ask(engine, "awards or publications")
    assert {"award-safety", "pub-paper"} <= ids(result)
    assert result.answer.index("Fleet Safety") < result.answer.index("Deck cargo")
    spoken = ask(engine, "have they written or spoken anywhere")
    assert {"pub-paper", "pub-talk"} <= ids(spoken), spoken.answer
    assert "doesn't list any talks" not in spoken.answer
