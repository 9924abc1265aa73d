#!/usr/bin/env bash
# Prints the package pattern of every module in go.work, one a line (./...,
# ./bench/..., ...). The repository is several modules so that the library's
# go.mod carries only what the library uses; `./...` at the root stops at a
# nested module's go.mod, so the go commands that mean "everything" (vet,
# lint, test) take this list instead.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(go env GOWORK)
if [ -z "$work" ] || [ "$work" = off ]; then
  echo ./...  # GOWORK=off: the root module alone
  exit 0
fi
root=$(dirname "$work")
go list -m -f '{{.Dir}}' | while read -r dir; do
  echo ".${dir#"$root"}/..."
done
