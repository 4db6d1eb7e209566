"""The generated SECRET_KEY: made once, atomically, readable by its owner only.

Two processes starting for the first time at once must end up with one key, or tokens issued by
one fail on the other. Each writes a complete key to a temporary file (mode 600) and hard-links
it to the final name, which fails if the name exists: the first link wins, and every process
reads the key the winner wrote. No reader ever sees a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

MIN_BYTES = 32


def check(key: str, where: str) -> str:
    if len(key.encode()) < MIN_BYTES:
        raise ValueError(
            f"{where} must be at least {MIN_BYTES} bytes (got {len(key.encode())}); make one with"
            " python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return key


def load_or_create(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(temp, path)
        finally:
            os.unlink(temp)
    return check(path.read_text().strip(), str(path))
