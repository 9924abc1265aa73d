#!/usr/bin/env bash
# `make soak MINUTES=n`: engine's TestFaultSoak for n minutes (default 10)
# against the real rig (started here unless it runs, stopped again if it was
# started here): a pipeline whose broker is killed and restarted every two
# minutes, with 1% garbage values and a new writer schema every minute. It
# prints in/out/missing/duplicated/dead-lettered and the heap each minute.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/rig/lib.sh
minutes=${1:-10}

started=()
cleanup() {
  local s
  for s in "${started[@]}"; do scripts/rig/"$s".sh down || true; done
}
trap cleanup EXIT INT TERM
for s in kafka registry; do
  if ! scripts/rig/"$s".sh status >/dev/null 2>&1; then
    started+=("$s")
    scripts/rig/"$s".sh up
  fi
done
set -a
. "$rig_dir/kafka.env"
. "$rig_dir/registry.env"
set +a
SABOT_RIG_BOUNCE=1 SABOT_SOAK_MINUTES=$minutes \
  go test -count=1 -timeout "$((minutes + 10))m" -run '^TestFaultSoak$' -v ./engine/
