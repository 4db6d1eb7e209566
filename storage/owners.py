"""The owner row: one person whose resume the agent speaks for."""

from __future__ import annotations

from dataclasses import dataclass

from storage.types import Executor


@dataclass(frozen=True)
class Owner:
    id: int
    name: str
    email: str | None
    resume_version: int


async def get_default_owner(conn: Executor) -> Owner | None:
    """The first owner. The service speaks for one person; the table allows more for later."""
    row = await conn.fetchrow("SELECT id, name, email, resume_version FROM owners ORDER BY id LIMIT 1")
    return Owner(**dict(row)) if row else None


async def create_owner(conn: Executor, name: str, email: str | None) -> Owner:
    row = await conn.fetchrow(
        "INSERT INTO owners (name, email) VALUES ($1, $2) RETURNING id, name, email, resume_version",
        name,
        email,
    )
    assert row is not None
    return Owner(**dict(row))
