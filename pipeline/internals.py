"""Start-up guard for the private internals of aiortc and Pipecat that our patches rely on.

Three things here reach past a public API: `agent/webrtc_tuning.py` (aiortc's sender and
jitter buffer, Pipecat's output track), `pipeline/analyzers.py` (Pipecat's analyzers built on
a shared model session, without their model-loading `__init__`) and `pipeline/hold.py` (the
output transport's audio write). Each depends on code that an upgrade can change without a
changed signature. So the source of every such piece is fingerprinted and compared with the
fingerprints recorded when the patch was last checked (`pipeline/data/internals.json`): a
mismatch stops the process at start-up with the names to re-check, instead of breaking audio
mid-call. After re-checking a patch against the new code, record the new fingerprints with
`python -m pipeline.internals --write`.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "internals.json"


class InternalsChanged(RuntimeError):
    """A library's private code that a patch of ours relies on has changed."""


# A patch of ours marks its replacement with the library's original, so the check still reads
# the library's code once the patch is installed (a second service in one process, tests).
ORIGINAL = "__patched_original__"


def mark_patch(replacement: Any, original: Any) -> None:
    setattr(replacement, ORIGINAL, original)


def _unpatched(obj: Any) -> Any:
    return vars(obj).get(ORIGINAL, obj) if hasattr(obj, "__dict__") else obj


def _resolve(dotted: str) -> Any:
    """`package.module:Attr.attr` -> the library's own object."""
    module_name, _, path = dotted.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in path.split("."):
        obj = _unpatched(inspect.getattr_static(obj, part))
    return getattr(obj, "__func__", obj)  # staticmethod/classmethod wrappers


def fingerprint(dotted: str) -> str:
    """A digest of the object's source, or 'missing' when it no longer exists."""
    try:
        source = inspect.getsource(_resolve(dotted))
    except (AttributeError, ImportError, OSError, TypeError):
        return "missing"
    return hashlib.sha256(textwrap.dedent(source).encode()).hexdigest()[:16]


def recorded() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(DATA.read_text())
    return data


def changed() -> list[str]:
    """Names whose code differs from what the patches were checked against, with who relies on them."""
    out = []
    for name, entry in recorded().items():
        if fingerprint(name) != entry["fingerprint"]:
            out.append(f"{name} (relied on by {entry['used_by']})")
    return out


def require() -> None:
    """Raise InternalsChanged at start-up when any recorded internal has changed."""
    diff = changed()
    if diff:
        raise InternalsChanged(
            "library internals that our patches rely on have changed (an upgrade?): "
            + "; ".join(diff)
            + ". Re-check those patches against the new code, then run "
            "`python -m pipeline.internals --write` to record it."
        )


def write() -> None:
    data = recorded()
    for name, entry in data.items():
        entry["fingerprint"] = fingerprint(name)
    DATA.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    for line in changed() or ["all recorded internals match"]:
        print(line)
