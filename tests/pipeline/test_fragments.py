"""Backchannel, rest of the last question, or a new one: general shapes of speech."""

from __future__ import annotations

import pytest

from pipeline.fragments import default_fragments


@pytest.mark.parametrize(
    "text", ["Mm-hmm.", "MMHM.", "Uh-huh.", "Okay, got it, thanks.", "Right, right.", "I see."]
)
def test_backchannels(text: str) -> None:
    assert default_fragments().is_backchannel(text)


@pytest.mark.parametrize("text", ["Okay, and Kafka?", "Wait, tell me about awards.", "Python."])
def test_not_backchannels(text: str) -> None:
    assert not default_fragments().is_backchannel(text)


@pytest.mark.parametrize(
    "previous, text, whole",
    [
        ("Where did she go?", "to University.", "Where did she go to University."),
        ("Has he ever worked.", "With Postgres.", "Has he ever worked with Postgres."),
        ("Has she used Python?", "and Go?", "Has she used Python and Go?"),
        ("Tell me about", "their awards.", "Tell me about their awards."),  # the first part was unfinished
        ("Which languages?", "Spanish.", "Which languages Spanish."),  # short rest, no question of its own
    ],
)
def test_the_rest_of_a_question_is_joined(previous: str, text: str, whole: str) -> None:
    fragments = default_fragments()
    assert fragments.continues(previous, text)
    assert fragments.join(previous, text) == whole


@pytest.mark.parametrize(
    "previous, text",
    [
        ("What did they do at the bank?", "Wait, tell me about their education instead."),
        ("Where is she based?", "What languages does she speak?"),
        ("Where is she based?", "Does she need a visa to work here?"),
        ("Where is she based?", "Mm-hmm."),
        ("Does she know Go,", "Does she know Go well?"),  # the same question again, not its rest
    ],
)
def test_a_new_question_or_a_backchannel_is_not_joined(previous: str, text: str) -> None:
    assert not default_fragments().continues(previous, text)
