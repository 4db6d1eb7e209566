"""The grammar of unfinished questions: general English shapes, not particular questions."""

from __future__ import annotations

import pytest

from pipeline.unfinished import default_grammar


@pytest.mark.parametrize(
    "text",
    [
        "Has the candidate worked with",  # dangling preposition
        "Can you tell me about",
        "What was her",  # determiner
        "What was the company's",  # possessive
        "Did they use Postgres and",  # conjunction
        "What is",  # bare auxiliary
        "Does she have",  # a verb still missing its object
        "Has he",  # subject only
        "Where did they",
        "How many",
        "So",  # an opening, no question yet
        "Which team was that, um",  # trails off
    ],
)
def test_unfinished(text: str) -> None:
    assert default_grammar().judge(text).unfinished, text


@pytest.mark.parametrize(
    "text",
    [
        "Has the candidate worked with Kafka?",
        "Tell me about their education.",
        "What does she do?",  # a final auxiliary that is the main verb
        "Which certifications does the candidate have?",  # ... after a longer wh-phrase
        "How many years of Go does she have?",
        "Where has he been?",
        "Do you know where she is?",  # embedded question
        "Which languages do you know?",
        "Is he available in March?",
        "Where does she work currently?",
        "Tell me more.",
    ],
)
def test_finished(text: str) -> None:
    assert not default_grammar().judge(text).unfinished, text


def test_a_stranded_preposition_in_a_wh_question_waits_less() -> None:
    grammar = default_grammar()
    stranded = grammar.judge("What did she work on?")
    dangling = grammar.judge("Has she worked on")
    assert 0 < stranded.weight < dangling.weight


@pytest.mark.parametrize(
    ("text", "unfinished"),
    [
        # Whisper's "it" for a cut-off "at": an object the question has no place for.
        ("What did the candidate design it?", True),
        ("Which systems did she migrate it?", True),
        ("Tell me about the payments team it.", True),
        ("What is her current role it?", True),
        # An "it" the question does have a place for.
        ("What did they call it?", False),  # object and complement
        ("What did she do with it?", False),  # after a preposition
        ("Tell me about it.", False),
        ("What is it?", False),
        ("What is special about it?", False),
    ],
)
def test_a_final_object_pronoun_with_no_place_waits(text: str, unfinished: bool) -> None:
    verdict = default_grammar().judge(text)
    assert verdict.unfinished is unfinished, (text, verdict)
    if unfinished:
        assert 0 < verdict.weight < 1  # waits as for a maybe-stranded preposition, not the longest
