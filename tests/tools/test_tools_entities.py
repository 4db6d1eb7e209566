from __future__ import annotations

import pytest

from tools.entities import EntityIndex
from tools.resume_model import Resume
from tools.technology import TechIndex
from tools.text import Utterance


@pytest.fixture(scope="module")
def ents(sample: Resume) -> EntityIndex:
    return EntityIndex(sample, TechIndex(sample).keys)


def ids(ents: EntityIndex, text: str) -> list[str]:
    return [m.item_id for m in ents.find(Utterance.of(text))]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("What did they do at Cartograph?", "exp-cartograph"),
        ("time at northwind", "exp-northwind"),
        ("Telefonia Abierta", "exp-telefonia"),  # no accent
        ("how long at telefonica", "exp-telefonia"),  # one letter off
        ("Tell me about TurnKit", "proj-turnkit"),
        ("tell me about turn kit", "proj-turnkit"),  # split by speech-to-text
        ("the SIP bridge", "proj-sipbridge"),  # half-named: two weak name words
        ("jitterbuf", "proj-rust-jitter"),
        ("the jitter buffer library", "proj-rust-jitter"),
        ("the kubernetes cluster", "proj-homelab"),
        ("the feature store", "proj-featurestore"),
        ("the GPS rewrite", "proj-gpsingest"),
        ("did they study in seville", "edu-bsc"),
        ("the masters", "edu-msc"),
        ("freelance work", "exp-freelance"),
        ("the fosdem talk", "award-speaker"),
        ("the interspeech paper", "pub-vad"),
        ("the CKA", "cert-cka"),
    ],
)
def test_named_and_half_named_items(ents: EntityIndex, text: str, item: str) -> None:
    assert ids(ents, text)[:1] == [item]


@pytest.mark.parametrize(
    "text",
    [
        "When is Jordan available?",  # "availability" is a word of a project's name
        "Does Jordan know SIP?",  # one weak word is a technology, not the SIP bridge
        "Has Jordan used Kubernetes?",
        "What jobs did Jordan have before 2017?",  # a year inside a publication venue
        "What is the capital of France",
        "tell me about the hackathon project",
    ],
)
def test_everyday_words_do_not_name_items(ents: EntityIndex, text: str) -> None:
    assert ids(ents, text) == []


def test_strong_match_covers_the_whole_name(ents: EntityIndex) -> None:
    (m,) = ents.find(Utterance.of("tell me about the voice latency observatory"))
    assert m.item_id == "proj-latency" and m.strong
    assert m.positions == frozenset({4, 5, 6})


def test_second_resume_entities(second: Resume) -> None:
    e = EntityIndex(second, TechIndex(second).keys)
    assert [m.item_id for m in e.find(Utterance.of("what did she do at quanta"))] == ["job-quanta"]
    assert [m.item_id for m in e.find(Utterance.of("the ledger engine"))][:1] == ["p-ledger"]
    assert [m.item_id for m in e.find(Utterance.of("terra stack"))] == ["p-terrastack"]
