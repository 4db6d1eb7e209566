from __future__ import annotations

import pytest

from tools.resume_model import Resume
from tools.technology import TechIndex
from tools.text import Utterance


@pytest.fixture(scope="module")
def techs(sample: Resume) -> TechIndex:
    return TechIndex(sample)


def names(techs: TechIndex, text: str) -> list[str]:
    return [m.name for m in techs.find(Utterance.of(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("k8s experience", "Kubernetes"),
        ("kube", "Kubernetes"),
        ("cuber netes", "Kubernetes"),
        ("did they use golang", "Go"),
        ("postgres", "PostgreSQL"),
        ("post gress", "PostgreSQL"),
        ("postgre", "PostgreSQL"),
        ("pie torch", "PyTorch"),
        ("pytorch", "PyTorch"),
        ("js", "JavaScript"),
        ("kafka", "Apache Kafka"),
        ("spark streaming", "Apache Spark"),
        ("web rtc", "WebRTC"),
        ("Web-RTC", "WebRTC"),
        ("sip trunks", "SIP"),
        ("gcp", "GCP"),
        ("google cloud", "GCP"),
        ("amazon web services", "AWS"),
        ("sklearn", "scikit-learn"),
        ("click house", "ClickHouse"),
        ("promethius", "Prometheus"),
        ("onnx", "ONNX Runtime"),
    ],
)
def test_aliases_resolve_to_the_resume_spelling(techs: TechIndex, text: str, expected: str) -> None:
    assert expected in names(techs, text)


@pytest.mark.parametrize(
    "text",
    [
        "Show me Go projects",
        "What about Go?",
        "does jordan know go",
        "experience in Go",
        "Go, Rust and Python",
        "is Jordan good at go?",
        "go experience",
    ],
)
def test_go_as_a_language(techs: TechIndex, text: str) -> None:
    assert "Go" in names(techs, text)


@pytest.mark.parametrize(
    "text",
    [
        "how did it go",
        "go back to the previous question",
        "let's go",
        "where did they go to school",
        "how did the GPS rewrite go?",
        "go on",
        "I have to go",
    ],
)
def test_go_as_a_verb(techs: TechIndex, text: str) -> None:
    assert "Go" not in names(techs, text)


def test_single_letter_languages_need_context(techs: TechIndex) -> None:
    assert "C" in names(techs, "Does Jordan know C?")
    assert "C" in names(techs, "any experience with c")
    assert names(techs, "R&D work") == []
    assert names(techs, "plan c") == []


def test_everyday_words_do_not_fuzz_into_products(techs: TechIndex) -> None:
    assert names(techs, "do they have spare time") == []
    assert names(techs, "reverse a string") == []
    assert names(techs, "the rest of the team") == []


def test_technologies_missing_from_the_resume_are_still_recognised(techs: TechIndex) -> None:
    found = techs.find(Utterance.of("does jordan know java or c plus plus"))
    assert [(m.name, m.in_resume) for m in found] == [("Java", False), ("C++", False)]
    assert techs.related("Java") == ["Scala"]


def test_items_and_categories(techs: TechIndex) -> None:
    assert techs.items_for("Rust") == ["exp-sonora", "proj-homelab", "proj-rust-jitter"]
    # A certification named after a technology counts as evidence for it.
    assert "cert-cka" in techs.items_for("Kubernetes")
    assert techs.category["SQL"] == "programming_languages"
    assert set(techs.related("SQL")) >= {"PostgreSQL", "MySQL"}


def test_canonical_names_follow_each_resume(second: Resume) -> None:
    techs = TechIndex(second)
    # The second resume writes plain "Kafka"; the alias table must not impose "Apache Kafka".
    assert names(techs, "apache kafka") == ["Kafka"]
    assert names(techs, "c plus plus") == ["C++"]
    assert "p-knightly" in techs.items_for("C++")
