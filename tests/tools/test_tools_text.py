from __future__ import annotations

import pytest

from tools.text import (
    FuzzyIndex,
    Utterance,
    article,
    cap,
    content_stems,
    count_word,
    damerau,
    fold,
    join_words,
    lower_first,
    sentence,
    stem,
    tech_key,
)


def test_fold_strips_accents_case_and_quotes() -> None:
    assert fold("  Telefonía  Abierta’s ") == "telefonia abierta's"


def test_tech_key_ignores_spacing_and_punctuation() -> None:
    assert tech_key("Web-RTC") == tech_key("web rtc") == tech_key("WebRTC") == "webrtc"
    assert tech_key("C++") == "c++"


def test_utterance_keeps_case_for_short_names() -> None:
    u = Utterance.of("Show me Go projects, in C++ and node.js")
    assert u.toks == ("show", "me", "go", "projects", "in", "c++", "and", "node", "js")
    assert u.raw_toks[2] == "Go"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("mentored", "mentoring"),
        ("mentor", "mentors"),
        ("calls", "call"),
        ("managed", "management"),
        ("leading", "leads"),
    ],
)
def test_stem_conflates_inflections(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_content_stems_drop_question_scaffolding() -> None:
    assert content_stems(Utterance.of("Has Jordan ever worked in healthcare?").toks, {"jordan"}) == [
        "healthcar"
    ]


def test_damerau_counts_transpositions_and_gives_up_early() -> None:
    assert damerau("kafka", "kafak", 2) == 1
    assert damerau("kubernetes", "cubernetes", 2) == 1
    assert damerau("abc", "xyz", 1) == 2


def test_fuzzy_index_tolerates_typos_but_not_on_short_words() -> None:
    idx = FuzzyIndex()
    for key in ("kubernetes", "postgresql", "spark", "jitterbuf"):
        idx.add(key, key.upper())
    assert idx.lookup("kubernetis") == "KUBERNETES"
    assert idx.lookup("postgress") == "POSTGRESQL"
    assert idx.lookup("jiterbuf") == "JITTERBUF"
    assert idx.lookup("spare") is None  # five letters: no slack, "spare" is not "spark"
    assert idx.lookup("kubernetis") == "KUBERNETES"  # memoised path


def test_spoken_helpers() -> None:
    assert join_words(["A", "B", "C"]) == "A, B and C"
    assert join_words(["Engineer, Backend at X", "Y"]) == "Engineer, Backend at X, and Y"
    assert join_words([]) == ""
    assert article("MSc in X") == "an" and article("BSc") == "a" and article("open-source") == "an"
    assert count_word(7) == "seven" and count_word(99) == "many"
    assert cap("at Sonora Labs") == "At Sonora Labs"
    assert lower_first("Adaptive buffer") == "adaptive buffer" and lower_first("GPS rewrite") == "GPS rewrite"
    assert lower_first("TurnKit") == "TurnKit"
    assert sentence("jitterbuf is a library") == "jitterbuf is a library."
    assert sentence("a; ") == "a."
