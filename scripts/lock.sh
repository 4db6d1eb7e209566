#!/usr/bin/env bash
# `make lock`: resolve pyproject.toml's dependencies into the two hashed lock files that
# scripts/setup.sh installs. Versions already in the locks are kept where they still fit
# (a new dependency is added without moving the others); UPGRADE=1 moves every package to
# the newest allowed version, UPGRADE=name only that one.
#   requirements-dev.lock  the service, its dev tools, and the build backend (make test, CI)
#   requirements.lock      the service and the build backend, at the very same versions (image, make run)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
[[ -x .venv/bin/uv ]] || .venv/bin/python -m pip install --quiet "uv>=0.5"

upgrade=()
case "${UPGRADE:-}" in
  "" | 0) ;;
  1) upgrade=(--upgrade) ;;
  *) upgrade=(--upgrade-package "$UPGRADE") ;;
esac
# Every platform, any CPython from 3.11 up (markers pick per platform): the image, CI and laptops alike.
common=(--generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" --quiet)

.venv/bin/python scripts/lock_digest.py --build \
  | .venv/bin/uv pip compile pyproject.toml - --extra dev "${common[@]}" "${upgrade[@]}" -o requirements-dev.lock
.venv/bin/python scripts/lock_digest.py --build \
  | .venv/bin/uv pip compile pyproject.toml - -c requirements-dev.lock "${common[@]}" -o requirements.lock
.venv/bin/python scripts/lock_digest.py --stamp requirements-dev.lock requirements.lock
echo "lock: wrote requirements-dev.lock and requirements.lock; commit them with pyproject.toml" >&2
