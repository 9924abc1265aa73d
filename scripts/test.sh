#!/usr/bin/env bash
# `make test`: the whole suite against real services, then once on the embedded
# default. Starts the rig (Apache Kafka + Apicurio Registry) unless it is already
# running, and stops what it started on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/rig/lib.sh

started=()
cleanup() {
  local s
  for s in "${started[@]}"; do scripts/rig/"$s".sh down || true; done
}
trap cleanup EXIT INT TERM

step() { printf '\n==> %s\n' "$*"; }

step "rig self-test (bad environments fail clearly)"
scripts/rig/selftest.sh

# The cross-language tests (interop/python) run confluent-kafka-python and
# pyarrow from this venv, in both runs below.
step "python venv for the cross-language tests (scripts/pyenv.sh)"
SABOT_PYTHON=$(scripts/pyenv.sh)
export SABOT_PYTHON
echo "SABOT_PYTHON=$SABOT_PYTHON"

step "starting the rig"
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
export SABOT_REQUIRE_REAL=1

# Every module of go.work (./..., ./bench/..., ...): ./... alone stops at a
# nested module's go.mod.
mapfile -t pkgs < <(scripts/modules.sh)
[ "${#pkgs[@]}" -gt 1 ] || { echo "test: go.work lists only the root module (GOWORK=off?)" >&2; exit 1; }

step "go vet (${pkgs[*]})"
go vet "${pkgs[@]}"

step "golangci-lint"
scripts/lint.sh

step "go test -race (real Kafka at $SABOT_KAFKA_BROKERS, registry at $SABOT_REGISTRY_URL)"
go test -race -count=1 -timeout 20m "${pkgs[@]}"

# The fault tests kill and restart the broker, so they run alone: one package
# at a time, nothing else sharing the broker. (In the step above they skip.)
step "fault tests: the broker killed and restarted under running pipelines (soak: ${SABOT_SOAK_MINUTES:-2} min)"
fault_log=$rig_dir/fault-tests.log
if ! SABOT_RIG_BOUNCE=1 SABOT_SOAK_MINUTES=${SABOT_SOAK_MINUTES:-2} \
    go test -count=1 -p 1 -timeout 30m -run '^TestFault' -v "${pkgs[@]}" >"$fault_log" 2>&1; then
  tail -n 200 "$fault_log"
  echo "fault tests failed (whole log: $fault_log)" >&2
  exit 1
fi
grep -E '^(--- |ok|FAIL)|minute|broker killed|lost|after [0-9]+ minutes' "$fault_log" || true

step "go test (embedded default)"
env -u SABOT_KAFKA_BROKERS -u SABOT_REGISTRY_URL -u SABOT_REQUIRE_REAL \
  go test -count=1 -timeout 10m "${pkgs[@]}"

step "all tests passed"
