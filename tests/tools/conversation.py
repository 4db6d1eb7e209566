"""One conversation with the engine, turn by turn, carrying its state: what the mechanism tests ask."""

from __future__ import annotations

from tools.engine import EngineResult, ResumeEngine
from tools.state import ConversationState


def converse(engine: ResumeEngine, *turns: str) -> list[EngineResult]:
    """Each turn's result, the state of one turn passed to the next."""
    state = ConversationState()
    out = []
    for text in turns:
        result, state = engine.answer(text, state)
        out.append(result)
    return out
