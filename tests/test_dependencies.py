"""Every third-party package the code imports is declared in pyproject.toml, and the locks are current.

The service's own code (everything the wheel ships) may import only the runtime dependencies;
tests and benchmarks may also use the `dev` extra.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_DIRS = ("agent", "cli", "config", "pipeline", "signaling", "storage", "tools")
DEV_DIRS = ("tests", "bench")
LOCAL = set(RUNTIME_DIRS) | set(DEV_DIRS)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_norm(Requirement(r).name) for r in project["dependencies"]}
    dev = {_norm(Requirement(r).name) for r in project["optional-dependencies"]["dev"]}
    return runtime, dev


def imports_of(folder: Path) -> dict[str, set[str]]:
    """Absolute imports in a folder: 'a.b' (the first two parts) -> the files importing it."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from livekit import rtc` may name a subpackage: keep the imported names too.
                names = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LOCAL or top in sys.stdlib_module_names or top == "__future__":
                    continue
                found.setdefault(".".join(name.split(".")[:2]), set()).add(path.name)
    return found


def distributions_of(module: str) -> set[str]:
    """The installed distributions providing `module`; for a namespace package shared by several
    distributions (livekit.api, livekit.rtc), the one that ships that very subpackage."""
    top, _, sub = module.partition(".")
    dists = {_norm(d) for d in md.packages_distributions().get(top, [])}
    if len(dists) <= 1 or not sub:
        return dists
    owners = set()
    for dist in dists:
        files = md.distribution(dist).files or []
        if any(str(f).startswith((f"{top}/{sub}/", f"{top}/{sub}.")) for f in files):
            owners.add(dist)
    return owners or dists


def undeclared(folders: tuple[Path, ...], allowed: set[str]) -> list[str]:
    problems = []
    for folder in folders:
        for module, files in sorted(imports_of(folder).items()):
            dists = distributions_of(module)
            if not dists:
                problems.append(f"{module}: not installed (imported in {sorted(files)[0]})")
            elif not dists & allowed:
                problems.append(f"{module} (from {'/'.join(sorted(dists))}) imported in {sorted(files)[0]}")
    return problems


def test_service_code_imports_only_runtime_dependencies() -> None:
    runtime, _ = declared()
    problems = undeclared(tuple(ROOT / d for d in RUNTIME_DIRS), runtime)
    assert problems == [], "declare these in [project] dependencies"


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    runtime, dev = declared()
    problems = undeclared(tuple(ROOT / d for d in DEV_DIRS), runtime | dev)
    assert problems == [], "declare these in the dev extra"


def test_the_scan_notices_an_undeclared_import(tmp_path: Path) -> None:
    # The check could pass vacuously; a real but undeclared import must trip it, namespace parts too.
    (tmp_path / "mod.py").write_text("import jwt\nfrom livekit import rtc\ndef f():\n    import yaml\n")
    problems = undeclared((tmp_path,), {"livekit-api"})
    assert [p.split(" ")[0] for p in problems] == ["jwt", "livekit.rtc", "yaml"]
    assert undeclared((tmp_path,), {"pyjwt", "livekit", "pyyaml"}) == []


def test_locks_match_pyproject() -> None:
    # scripts/setup.sh refuses a stale lock; this says so in the test run, with the fix.
    result = subprocess.run(
        [sys.executable, "scripts/lock_digest.py", "--check", "requirements.lock", "requirements-dev.lock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_lock_check_refuses_changed_dependencies(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("lock_digest", ROOT / "scripts" / "lock_digest.py")
    assert spec is not None and spec.loader is not None
    lock_digest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lock_digest)
    original = (ROOT / "pyproject.toml").read_text()
    changed = tmp_path / "pyproject.toml"
    changed.write_text(original.replace('"httpx>=0.27",', '"httpx>=0.27",\n  "rapidfuzz>=3",'))
    cosmetic = tmp_path / "cosmetic.toml"
    cosmetic.write_text(original.replace("line-length = 110", "line-length = 100"))
    assert lock_digest.digest(changed) != lock_digest.digest()
    assert lock_digest.digest(cosmetic) == lock_digest.digest()


def test_every_locked_requirement_is_pinned_with_hashes() -> None:
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text()
        entries = re.findall(r"^([A-Za-z0-9][^\n]*?)((?: \\\n +--hash=sha256:[0-9a-f]{64})*)$", text, re.M)
        assert entries, name
        for requirement, hashes in entries:
            assert "==" in requirement and hashes, f"{name}: {requirement} is not pinned with a hash"
    runtime = {ln.split(" ")[0] for ln in (ROOT / "requirements.lock").read_text().splitlines() if "==" in ln}
    dev = {ln.split(" ")[0] for ln in (ROOT / "requirements-dev.lock").read_text().splitlines() if "==" in ln}
    assert runtime <= dev, f"the image would run versions CI never tested: {sorted(runtime - dev)}"
