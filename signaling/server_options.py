"""How uvicorn runs the service, the same in `resume-agent serve` and the loopback test server."""

from __future__ import annotations

from typing import Any

# A media-stream frame is a few hundred bytes of JSON; nothing on a WebSocket needs more.
WS_MAX_BYTES = 64 * 1024

UVICORN_OPTIONS: dict[str, Any] = {
    "log_config": None,  # our JSON logs (signaling/logs.py) take uvicorn's records
    "access_log": False,  # our middleware writes one line per request, with its request id
    "ws_max_size": WS_MAX_BYTES,
}
