from __future__ import annotations

import pytest

from tools.intent import IntentDetector
from tools.resume_model import Resume
from tools.text import Utterance


@pytest.fixture(scope="module")
def det(sample: Resume) -> IntentDetector:
    return IntentDetector(sample)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Where does Jordan work right now?", "current_role"),
        ("where is jordan currently employed", "current_role"),
        ("How can I contact Jordan?", "contact"),
        ("what's their email", "contact"),
        ("are they on linkedin", "links"),
        ("Where is Jordan based?", "location"),
        ("When is Jordan available to start?", "availability"),
        ("what's their notice period", "availability"),
        ("do they need visa sponsorship", "work_auth"),
        ("What languages does Jordan speak?", "spoken"),
        ("what programming languages does Jordan know", "prog_languages"),
        ("Give me a quick summary of Jordan's background.", "summary"),
        ("how many years of experience does jordan have", "years"),
        ("Tell me about their education.", "education"),
        ("where did they study", "education"),
        ("Any certifications?", "certifications"),
        ("Has Jordan won any awards?", "awards"),
        ("What did Jordan publish?", "publications"),
        ("Did Jordan ever manage or mentor people?", "leadership"),
        ("how big was the team", "team_size"),
        ("what are jordan's hobbies", "interests"),
        ("what's jordan's salary", "unknown_personal"),
        ("how old is jordan", "unknown_personal"),
        ("what is their pronoun", "pronouns"),
        ("hello there", "greeting"),
        ("thanks a lot", "thanks"),
    ],
)
def test_topics(det: IntentDetector, text: str, topic: str) -> None:
    assert topic in det.detect(Utterance.of(text)).topics


def test_work_right_is_not_work_rights(det: IntentDetector) -> None:
    assert "work_auth" not in det.detect(Utterance.of("Where does Jordan work right now?")).topics


def test_person_is_replaced_by_placeholder(det: IntentDetector) -> None:
    assert det.detect(Utterance.of("Where does Jordan Reyes work?")).text == "where does xperson work?"


def test_masking_keeps_item_names_out_of_topics(det: IntentDetector) -> None:
    utt = Utterance.of("tell me about the bikeshare availability predictor")
    assert "availability" in det.detect(utt).topics
    assert "availability" not in det.detect(utt, frozenset({4, 5, 6})).topics


def test_kinds_and_project_kinds(det: IntentDetector) -> None:
    d = det.detect(Utterance.of("What open-source work has Jordan done?"))
    assert (d.kind, d.project_kind) == ("project", "open-source")
    d = det.detect(Utterance.of("What jobs did Jordan have before 2017?"))
    assert d.kind == "experience" and d.plural
    assert det.detect(Utterance.of("Which projects were personal projects?")).project_kind == "personal"
    assert det.detect(Utterance.of("any hackathons?")).project_kind == "hackathon"


def test_skill_categories_come_from_the_resume(det: IntentDetector, second: Resume) -> None:
    assert det.detect(Utterance.of("what databases does jordan know")).category == "data"
    assert det.detect(Utterance.of("any cloud skills")).category == "infrastructure"
    other = IntentDetector(second)
    assert other.detect(Utterance.of("what databases does she know")).category == "databases"
    # A project kind only the second resume has ("research") becomes a project question there.
    d = other.detect(Utterance.of("has she done any research"))
    assert (d.kind, d.project_kind) == ("project", "research")
