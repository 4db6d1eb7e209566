"""Conversation state between turns. Plain pydantic so callers can keep it as JSON (e.g. in Redis)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tools.dates import DateRange


class ConversationState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    turn: int = 0
    last_intent: str | None = None
    # What "it" / "there" / "that one" points at: the item(s) the last answer was about.
    focus_ids: list[str] = []
    # Every item the last answer named, for "which one ..." / "of those ...".
    last_item_ids: list[str] = []
    last_kind: str | None = None
    last_project_kind: str | None = None
    last_technology: str | None = None
    last_date_range: DateRange | None = None
    last_category: str | None = None
    # The content words of the turn that set the focus: "by how much?" after "did they cut emissions"
    # wants the figure of the emissions sentence, not the item's first figure.
    last_stems: list[str] = []
    # The last answer's text: "how many concerts" right after it means the figure of a sentence it said.
    last_answer: str = ""

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes | None) -> ConversationState:
        if not data:
            return cls()
        return cls.model_validate_json(data)
