"""Owner API keys: shown once at creation, stored as a SHA-256 hash with a lookup prefix.

Keys are 32 random bytes, so a fast hash is enough (no password stretching needed); the
prefix lets us find the row without scanning, and the hash compare is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from storage.types import Executor

KEY_PREFIX = "ra_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    owner_id: int
    prefix: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _split(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX) or len(key) < len(KEY_PREFIX) + 20:
        return None
    return key[: len(KEY_PREFIX) + 8]


async def create_key(conn: Executor, owner_id: int, label: str | None) -> str:
    """Create a key and return it in full: the only time it is ever visible."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO api_keys (owner_id, prefix, key_hash, label) VALUES ($1, $2, $3, $4)",
        owner_id,
        _split(key),
        _hash(key),
        label,
    )
    return key


async def verify_key(conn: Executor, key: str) -> ApiKey | None:
    """The live key row matching `key`, touching last_used_at; None if unknown or revoked."""
    prefix = _split(key)
    if prefix is None:
        return None
    row = await conn.fetchrow(
        "UPDATE api_keys SET last_used_at = now() WHERE prefix = $1 AND revoked_at IS NULL"
        " RETURNING id, owner_id, prefix, label, created_at, last_used_at, revoked_at, key_hash",
        prefix,
    )
    if row is None or not hmac.compare_digest(row["key_hash"], _hash(key)):
        return None
    data = dict(row)
    data.pop("key_hash")
    return ApiKey(**data)


async def list_keys(conn: Executor) -> list[ApiKey]:
    rows = await conn.fetch(
        "SELECT id, owner_id, prefix, label, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id"
    )
    return [ApiKey(**dict(r)) for r in rows]


async def revoke_key(conn: Executor, prefix: str) -> bool:
    """Revoke by prefix (what `keys list` shows). True when a live key was revoked."""
    result = await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL", prefix
    )
    return result.endswith(" 1")
