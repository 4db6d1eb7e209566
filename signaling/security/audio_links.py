"""Links to call recordings that expire: presigned S3 URLs, or signed local URLs.

A local link is `/api/audio/<key>?expires=<unix time>&sig=<HMAC-SHA256 of key and expiry>`,
so an <audio> element can play it without an owner key, and it stops working when it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

from storage.audio import S3AudioStore

AUDIO_ROUTE = "/api/audio/"


class LinkError(Exception):
    """The link is tampered with, or expired (the message says which)."""


def _sig(secret: str, key: str, expires: int) -> str:
    mac = hmac.new(secret.encode(), f"audio\n{key}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def local_url(secret: str, key: str, ttl_s: int, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl_s)
    return f"{AUDIO_ROUTE}{quote(key)}?expires={expires}&sig={_sig(secret, key, expires)}"


def verify(secret: str, key: str, expires: int, sig: str, now: float | None = None) -> None:
    if not hmac.compare_digest(_sig(secret, key, expires).encode(), sig.encode()):
        raise LinkError("invalid audio link")
    if (now if now is not None else time.time()) > expires:
        raise LinkError("audio link expired; reload the call for a fresh one")


def audio_url(store: object, secret: str, key: str, ttl_s: int) -> str:
    if isinstance(store, S3AudioStore):
        return store.presign(key, ttl_s)
    return local_url(secret, key, ttl_s)
