#!/usr/bin/env bash
# One install path for everyone: the README's commands, CI and the Dockerfile all run this.
#   scripts/setup.sh          the service: .venv with the package and its models
#   scripts/setup.sh --test   also dev tools and the system packages the tests drive
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1
PYTHON=${PYTHON:-python3}

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi

# The locked set (hashes checked), then the project itself without dependencies: exactly the
# versions CI tested, never whatever the index serves today. `make lock` writes the locks.
lock=requirements.lock
[[ $want_test == 1 ]] && lock=requirements-dev.lock
if ! .venv/bin/python scripts/lock_digest.py --check "$lock"; then
  echo "setup: refusing to install untested versions (the lock does not match pyproject.toml)" >&2
  exit 1
fi
stamp=".venv/.installed-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "setup: installing $lock (first run takes a few minutes)" >&2
  .venv/bin/python -m pip install --quiet --progress-bar off --require-hashes -r "$lock"
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet --progress-bar off --no-deps --no-build-isolation -e .
  rm -f .venv/.installed*
  touch "$stamp"
fi

if [[ $want_test == 1 ]]; then
  # System packages for the media tests: a real browser and SIP clients (Debian names).
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v sipp >/dev/null || missing+=(sip-tester)
  command -v kamailio >/dev/null || missing+=(kamailio)  # SIP proxy in front of agent processes (tests/sip)
  command -v tcpdump >/dev/null || missing+=(tcpdump)  # captures the agent's RTP as a SIP caller hears it
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v promtool >/dev/null || missing+=(prometheus)  # promtool checks monitoring/ alert rules
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)  # a real server, stopped in a test
  if (( ${#missing[@]} )) && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  scripts/install_livekit.sh
  scripts/install_compose.sh  # `docker compose config` for deploy/ (tests/test_deploy.py)
fi
echo "setup: ready" >&2
