"""Structured JSON logs: one object per line, with a fixed set of safe fields.

Messages and tracebacks arrive already scrubbed of secrets (signaling/log_redaction.py); the
fields taken from `extra` are scrubbed here.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

from signaling.log_redaction import REDACTOR

# Only these `extra` fields are emitted, so a stray token or header never reaches the log.
_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client", "session_id", "folder", "event")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                value = getattr(record, name)
                entry[name] = REDACTOR.scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = record.exc_text or REDACTOR.scrub(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would duplicate ours without the request id.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("uvicorn", "uvicorn.error"):
        logging.getLogger(noisy).handlers[:] = []
        logging.getLogger(noisy).propagate = True
        logging.getLogger(noisy).setLevel(logging.NOTSET)  # LOG_LEVEL decides, not an earlier config
