"""The vocabulary derived from a resume, for the engine's sibling (speech recognition) and storage."""

from __future__ import annotations

from tools.resume_model import Resume
from tools.vocabulary import Vocabulary, build_vocabulary, spoken_variants


def test_vocabulary_comes_from_the_resume(sample: Resume, second: Resume) -> None:
    v = build_vocabulary(sample)
    assert v.person[0] == sample.profile.name
    assert v.companies == [e.company for e in sample.experience]
    assert {p.name for p in sample.projects} <= set(v.items)
    assert "PostgreSQL" in v.technologies and "programming languages" in v.categories
    w = build_vocabulary(second)
    assert w.person[0] == second.profile.name and not set(w.companies) & set(v.companies)


def test_spoken_forms_cover_aliases_acronyms_and_symbols(sample: Resume) -> None:
    v = build_vocabulary(sample)
    assert "postgres" in v.spoken_forms["PostgreSQL"]
    assert "a w s" in v.spoken_forms["AWS"]
    assert v.written("post gress") == "PostgreSQL" and v.written("k8s") == "Kubernetes"
    assert v.written("nothing like it") is None
    assert spoken_variants("C++") == ["c plus plus"]
    assert "node js" in spoken_variants("Node.js")
    assert spoken_variants("Python") == []


def test_prompt_is_bounded_and_json_round_trips(sample: Resume) -> None:
    v = build_vocabulary(sample)
    assert len(v.prompt(max_words=10).replace(",", " ").split()) <= 10
    assert v.prompt().startswith(sample.profile.name)
    again = Vocabulary.from_json(v.to_json())
    assert again == v and again.terms == v.terms
