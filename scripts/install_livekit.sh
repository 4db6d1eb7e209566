#!/usr/bin/env bash
# Build the LiveKit server (and try the SIP bridge) with `go install`, cached between runs.
# Prints nothing fatal when Go is missing: the LiveKit tests then skip with a reason.
set -uo pipefail
BIN_DIR=${LIVEKIT_BIN_DIR:-$HOME/.cache/resume-agent-bin/livekit}
SERVER_VERSION=v1.13.5
SIP_VERSION=v1.11.0
mkdir -p "$BIN_DIR"

if ! command -v go >/dev/null; then
  echo "install_livekit: no Go toolchain; LiveKit tests will be skipped" >&2
  exit 0
fi

build() {  # build NAME MODULE@VERSION: install into BIN_DIR unless this version is already there
  local name=$1 target=$2 stamp="$BIN_DIR/.$1-${2##*@}"
  [[ -x "$BIN_DIR/$name" && -f "$stamp" ]] && return 0
  echo "install_livekit: go install $target (first build takes about 4 minutes)" >&2
  local start=$SECONDS log="$BIN_DIR/$name.build.log"
  if GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install "$target" >"$log" 2>&1; then
    touch "$stamp"
    echo "install_livekit: built $name in $((SECONDS - start)) s" >&2
  else
    echo "install_livekit: could not build $name: $(tail -n 2 "$log" | tr '\n' ' ')" >&2
    return 1
  fi
}

build server "github.com/livekit/livekit-server/cmd/server@$SERVER_VERSION"

# The SIP bridge links libopus and libsoxr.
if command -v apt-get >/dev/null && ! dpkg -s libopus-dev libopusfile-dev libsoxr-dev pkg-config >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config libopus-dev libopusfile-dev libsoxr-dev >/dev/null
fi
build livekit-sip "github.com/livekit/sip/cmd/livekit-sip@$SIP_VERSION" || true
exit 0
