from __future__ import annotations

import re

import pytest

from tools.engine import ResumeEngine
from tools.respond import Speaker, finish, short_url
from tools.resume_model import Resume
from tools.search import ResumeIndex
from tools.technology import TechIndex


@pytest.fixture(scope="module")
def say(sample: Resume) -> Speaker:
    return Speaker(sample, ResumeIndex(sample, TechIndex(sample)))


def test_finish_drops_sentences_past_the_word_budget() -> None:
    text = finish(["One two three", "four five six seven", "eight"], limit=5)
    assert text == "One two three. eight."


def test_short_url() -> None:
    assert short_url("https://www.linkedin.com/in/example-jordan/") == "linkedin.com/in/example-jordan"


def test_claims_become_spoken_sentences(say: Speaker) -> None:
    assert say.claim("Mentored six engineers; two promoted to senior.") == (
        "Jordan mentored six engineers; two promoted to senior"
    )
    assert say.claim("Used by two open-source WebRTC projects.") == "Used by two open-source WebRTC projects"
    assert (
        say.claim("Handles 2.1 million calls a month", it="The bridge")
        == "The bridge handles 2.1 million calls a month"
    )
    assert say.claim("Opinionated Terraform modules", descriptive=True) == "Opinionated Terraform modules"
    assert say.claim("Replaced a Python service", descriptive=True) == "Jordan replaced a Python service"
    assert say.claim("Leads the platform group", subject="They") == "They lead the platform group"


def test_pronouns_follow_the_profile(second: Resume) -> None:
    she = Speaker(second, ResumeIndex(second, TechIndex(second)))
    assert (she.subj, she.poss, she.plural) == ("she", "her", False)
    assert she.claim("Leads the platform group", subject="She") == "She leads the platform group"


def test_dates_are_spoken_as_the_resume_has_them(say: Speaker) -> None:
    e = say.index.by_id["exp-telefonia"]
    assert say.dates(e) == "Jordan was at Telefonía Abierta from July 2014 to August 2016, about two years."
    assert say.dates(say.index.by_id["exp-sonora"]) == "Jordan has been at Sonora Labs since March 2022."


QUESTIONS = [
    "Where does Jordan work right now?",
    "What did they do at Cartograph?",
    "Tell me about TurnKit.",
    "Which projects has Jordan built with Python?",
    "Has Jordan used Kubernetes in production?",
    "Give me a quick summary of Jordan's background.",
    "What are Jordan's skills?",
    "Tell me about their education.",
    "Where has Jordan worked?",
    "Has Jordan won any awards?",
    "What did Jordan do between 2014 and 2016?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_are_short_plain_speech(engine: ResumeEngine, question: str) -> None:
    answer = engine.answer(question)[0].answer
    assert len(answer.split()) <= 65
    assert not re.search(r"[*#`\[\]]|^\s*-\s", answer), "no markdown in speech"
    assert "http" not in answer and ".com" not in answer, "no URLs unless asked for contact or a link"


def test_unknown_facts_are_not_invented(engine: ResumeEngine, second_engine: ResumeEngine) -> None:
    for eng, question in (
        (engine, "What's Jordan's favourite colour?"),
        (second_engine, "When can she start?"),
        (second_engine, "Any publications?"),
        (second_engine, "Is she on LinkedIn?"),
    ):
        result = eng.answer(question)[0]
        assert "doesn't" in result.answer and not result.refused
