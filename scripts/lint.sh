#!/usr/bin/env bash
# Runs golangci-lint with the repository's .golangci.yml, installing the pinned
# version into the cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/rig/lib.sh
version=v2.15.0
bin=$SABOT_CACHE/bin/golangci-lint-$version
if [ ! -x "$bin" ]; then
  say "installing golangci-lint $version (first run only)"
  GOBIN="$SABOT_CACHE/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
  mv "$SABOT_CACHE/bin/golangci-lint" "$bin"
fi
# Every module of go.work: golangci-lint loads packages through go list, in
# workspace mode, and ./... alone stops at a nested module's go.mod.
mapfile -t pkgs < <(scripts/modules.sh)
"$bin" run "${pkgs[@]}"
