"""No secret in any log line, whoever logs it (our code, uvicorn, Pipecat, a library's traceback).

`install(settings)` wraps the process's log record factory, so every record is scrubbed as it is
made, before any handler or formatter sees it: its message (arguments applied) and its
traceback text. Scrubbed are
- every configured secret's value (each `SecretStr` setting, the session-signing key, passwords
  inside DATABASE_URL / REDIS_URL), wherever it appears;
- every query-string value (`?secret=...&token=...` keep their names only), since a URL's query
  is where streams and webhooks carry credentials;
- Authorization / X-Api-Key header values, Bearer tokens, owner keys (`ra_...`), JWTs (session
  and LiveKit tokens), and passwords in URLs (`scheme://user:password@host`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from pydantic import SecretStr

from config.settings import Settings

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 6  # shorter values would blank out ordinary words

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # URL query values: ?a=1&b=2 -> ?a=[redacted]&b=[redacted]
    (re.compile(r"(?<=[?&])([A-Za-z0-9_.\-\[\]]+)=([^&\s\"'#<>]*)"), rf"\1={REDACTED}"),
    # Header-like "Authorization: Bearer x", "x-api-key=x", JSON "authorization": "x"
    (
        re.compile(
            r"(?i)((?:authorization|x-api-key|api[_-]?key|secret|password|token)[\"']?\s*[:=]\s*[\"']?)"
            r"(?:(?:bearer|basic)\s+)?[^\s\"',;&]+"
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{6,}"), rf"\1 {REDACTED}"),
    (re.compile(r"\bra_[A-Za-z0-9_\-]{8,}"), f"ra_{REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), REDACTED),
    (re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/\s@]*:)[^@\s/]+@"), rf"\1{REDACTED}@"),
]


class Redactor:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        """Remember secret values (and their URL-encoded forms) to blank out wherever they appear."""
        with self._lock:
            for value in values:
                if value and len(value) >= MIN_SECRET_CHARS:
                    self._values |= {value, quote(value, safe=""), quote_plus(value)}
            ordered = sorted(self._values, key=len, reverse=True)  # longest first: no partial leftovers
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def scrub(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        for regex, replacement in _PATTERNS:
            text = regex.sub(replacement, text)
        return text


REDACTOR = Redactor()
_installed = False
_install_lock = threading.Lock()


def secret_values(settings: Settings) -> list[str]:
    values = [v.get_secret_value() for v in settings.__dict__.values() if isinstance(v, SecretStr)]
    for url in (settings.database_url, settings.redis_url):
        if url:
            values.append(urlsplit(url).password or "")
    return values


def _scrubbing(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, scrubbed
            message = f"{record.msg} {record.args}"
        record.msg, record.args = REDACTOR.scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = REDACTOR.scrub(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = REDACTOR.scrub(record.stack_info)
        return record

    return make


def install(settings: Settings, *extra_secrets: str) -> None:
    """Scrub every log record of this process from now on (idempotent; secrets accumulate)."""
    global _installed
    REDACTOR.add([*secret_values(settings), *extra_secrets])
    with _install_lock:
        if not _installed:
            logging.setLogRecordFactory(_scrubbing(logging.getLogRecordFactory()))
            _installed = True
