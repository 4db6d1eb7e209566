"""The fingerprint of pyproject.toml's dependency declarations, which each lock file records.

    python scripts/lock_digest.py                 print the digest
    python scripts/lock_digest.py --build         print [build-system].requires, one a line
    python scripts/lock_digest.py --stamp LOCK..  record the digest in each lock's first line
    python scripts/lock_digest.py --check LOCK    exit 1 (with the reason) if LOCK was made from other inputs

Only the dependency tables count (project.dependencies, optional-dependencies, requires-python and
the build requirements), so an edit to, say, ruff's settings does not call for a new lock.
Standard library only: scripts/setup.sh runs it before anything is installed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "# deps-digest: "


def inputs(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, object]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    extras = project.get("optional-dependencies", {})
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(d.strip() for d in project.get("dependencies", [])),
        "optional-dependencies": {k: sorted(d.strip() for d in v) for k, v in sorted(extras.items())},
        "build-system": sorted(d.strip() for d in data.get("build-system", {}).get("requires", [])),
    }


def digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    canonical = json.dumps(inputs(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def recorded(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(PREFIX):
            return line[len(PREFIX) :].strip()
    return None


def stamp(lock: Path, value: str) -> None:
    lines = [ln for ln in lock.read_text(encoding="utf-8").splitlines() if not ln.startswith(PREFIX)]
    lock.write_text("\n".join([PREFIX + value, *lines]) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if not argv:
        print(digest())
        return 0
    command, paths = argv[0], [Path(p) for p in argv[1:]]
    if command == "--build":
        print("\n".join(inputs()["build-system"]))  # type: ignore[arg-type]
        return 0
    if command == "--stamp":
        for path in paths:
            stamp(path, digest())
        return 0
    if command == "--check":
        for path in paths:
            if not path.is_file():
                print(f"{path} is missing: run 'make lock'", file=sys.stderr)
                return 1
            if recorded(path) != digest():
                print(
                    f"{path} was made from other dependencies than pyproject.toml declares now:"
                    " run 'make lock' and commit the lock files",
                    file=sys.stderr,
                )
                return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
