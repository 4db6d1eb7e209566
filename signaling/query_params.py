"""Query parameter types shared by the owner routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field


def _iso(value: object) -> object:
    # FastAPI would take "1700000000" as Unix time; the API documents ISO 8601 only.
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    raise ValueError("an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T09:00:00Z")


IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso),
    Field(
        description="ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00:00Z",
        json_schema_extra={"format": "date-time"},
    ),
]
