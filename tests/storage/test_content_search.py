"""Full-text retrieval over stored items (real Postgres), and the engine fed with its hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.context import AppContext
from storage.content import load_vocabulary, replace_resume, search_content, tsquery_terms
from storage.owners import create_owner
from tools.engine import ResumeEngine
from tools.evaluation import load_cases, run_cases
from tools.resume_model import Resume
from tools.state import ConversationState

OWN = Path(__file__).parents[1] / "tools" / "data" / "own"


def _resume(name: str) -> Resume:
    return Resume.model_validate_json((OWN / f"{name}_resume.json").read_text(encoding="utf-8"))


@pytest.fixture
async def designer_owner(ctx: AppContext) -> int:
    owner = await create_owner(ctx.storage.pool, "Designer test owner", None)
    async with ctx.storage.pool.acquire() as conn:
        await replace_resume(conn, owner.id, _resume("designer"))
    return owner.id


def test_tsquery_terms_keep_only_letters_and_digits() -> None:
    assert tsquery_terms(["WCAG!", "a11y", "'; drop table", "wcag"]) == "wcag | a11y | droptable"
    assert tsquery_terms(["&|!"]) == ""


async def test_a_word_of_a_highlight_finds_its_item(ctx: AppContext, designer_owner: int) -> None:
    pool = ctx.storage.pool
    # "accessibility" and "onboarding" occur only in one job's highlights; English stemming applies.
    assert [i for i, _ in await search_content(pool, designer_owner, ["accessible"])] == ["job-pennywise"]
    hits = await search_content(pool, designer_owner, ["onboarding", "tickets"])
    assert {i for i, _ in hits} == {"job-pennywise", "job-rideshift"}
    assert await search_content(pool, designer_owner, ["kubernetes"]) == []
    assert await search_content(pool, designer_owner, []) == []
    # Another owner's items (the sample resume's) never come back.
    own = {item.id for _, item in _resume("designer").items()}
    assert {i for i, _ in await search_content(pool, designer_owner, ["latency", "design"])} <= own


async def test_vocabulary_is_stored_with_the_resume(ctx: AppContext, designer_owner: int) -> None:
    vocab = await load_vocabulary(ctx.storage.pool, designer_owner)
    assert vocab is not None
    assert vocab.person[0] == "Tomas Lindqvist"
    assert "Pennywise Bank" in vocab.companies and "Figma" in vocab.technologies
    assert "design tools" in vocab.categories


async def test_engine_answers_the_same_with_postgres_hits(ctx: AppContext, designer_owner: int) -> None:
    """The designer set, every turn fed with Postgres full-text hits, passes as it does in memory."""
    engine = ResumeEngine(_resume("designer"))
    states: dict[str, ConversationState] = {}
    fed = 0

    async def collect(text: str) -> list[tuple[str, float]]:
        return await search_content(ctx.storage.pool, designer_owner, engine.search_terms(text))

    cases = load_cases(OWN / "designer.jsonl")
    hits = {t.text: await collect(t.text) for c in cases for t in c.turns}

    def answer(text: str, key: str) -> object:
        nonlocal fed
        fed += bool(hits[text])
        result, states[key] = engine.answer(text, states.get(key), retrieved=hits[text])
        return result

    report = run_cases(cases, answer)
    assert fed >= len(cases) // 2
    assert report.passed == report.total, report.render()
