#!/usr/bin/env bash
# Build `docker compose` (the Compose v2 CLI, a Go module) with `go install`, cached between runs,
# for tests/test_deploy.py's `docker compose config` check of deploy/docker-compose.yml. Needs
# no Docker engine. Prints nothing fatal without Go: that check then skips with a reason.
set -uo pipefail
BIN_DIR=${COMPOSE_BIN_DIR:-$HOME/.cache/resume-agent-bin/compose}
VERSION=v2.29.7
stamp="$BIN_DIR/.compose-$VERSION"
mkdir -p "$BIN_DIR"
[[ -x "$BIN_DIR/docker-compose" && -f "$stamp" ]] && exit 0
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  exit 0  # the plugin is there: the test uses it
fi
if ! command -v go >/dev/null; then
  echo "install_compose: no Go toolchain; the compose config check will be skipped" >&2
  exit 0
fi
echo "install_compose: go install github.com/docker/compose/v2/cmd@$VERSION (first build takes 5-15 minutes)" >&2
start=$SECONDS
work=$(mktemp -d)
if GOBIN="$work" GOFLAGS=-mod=mod go install "github.com/docker/compose/v2/cmd@$VERSION" >"$BIN_DIR/build.log" 2>&1; then
  mv "$work/cmd" "$BIN_DIR/docker-compose" && touch "$stamp"
  echo "install_compose: built in $((SECONDS - start)) s" >&2
else
  echo "install_compose: could not build: $(tail -n 2 "$BIN_DIR/build.log" | tr '\n' ' ')" >&2
fi
rm -rf "$work"
exit 0
