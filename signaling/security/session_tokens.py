"""Short-lived session tokens: HS256 JWTs scoped to one session id."""

from __future__ import annotations

import time
import uuid

import jwt

_AUDIENCE = "resume-agent:session"


class TokenError(Exception):
    """The token is missing, malformed, tampered with, expired or for another session."""


def issue(secret: str, session_id: uuid.UUID, ttl_s: int) -> str:
    now = int(time.time())
    claims = {"sub": str(session_id), "aud": _AUDIENCE, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify(secret: str, token: str) -> uuid.UUID:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
        return uuid.UUID(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("session token expired") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise TokenError("invalid session token") from exc
