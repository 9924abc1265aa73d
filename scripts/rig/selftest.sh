#!/usr/bin/env bash
# Checks that the rig fails clearly on a bad environment: missing Java or Maven, a
# port in use, and a broker that does not come up in time (with its log). Each
# case runs the real kafka.sh in a scratch state directory on spare ports, so it
# never touches a running rig. Exit status is non-zero if any case misbehaves.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
blocker_pid=""
cleanup() {
  [ -n "$blocker_pid" ] && kill "$blocker_pid" 2>/dev/null
  SABOT_RIG_DIR=$scratch/state "$here/kafka.sh" down >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

failures=0
# expect NAME REGEX... -- CMD...: CMD must fail and its output must match every REGEX.
expect() {
  local name=$1 wants=() out want; shift
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  if out=$("$@" 2>&1); then
    echo "selftest: FAIL $name: succeeded, want a failure"; failures=$((failures + 1)); return
  fi
  for want in "${wants[@]}"; do
    if ! grep -Eq "$want" <<<"$out"; then
      echo "selftest: FAIL $name: output does not match /$want/:"; echo "$out" | tail -5; failures=$((failures + 1)); return
    fi
  done
  echo "selftest: ok   $name"
}

# Spare ports away from the rig's defaults.
export SABOT_RIG_DIR=$scratch/state SABOT_RIG_KAFKA_PORT=29092 SABOT_RIG_KAFKA_SASL_PORT=29093 \
  SABOT_RIG_KAFKA_TLS_PORT=29094 SABOT_RIG_KAFKA_CTRL_PORT=29095 SABOT_RIG_REGISTRY_PORT=28081

expect "missing java" "java .* not found; the test rig needs Java 17" -- \
  env SABOT_RIG_JAVA=/nonexistent/java "$here/kafka.sh" up
expect "missing maven" "maven .* not found" -- \
  env SABOT_RIG_MVN=/nonexistent/mvn SABOT_CACHE=$scratch/empty-cache "$here/kafka.sh" up

# Hold the PLAINTEXT port with a listener of our own.
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("ready", flush=True); time.sleep(600)' 29092 >"$scratch/blocker.out" &
blocker_pid=$!
for _ in $(seq 1 50); do grep -q ready "$scratch/blocker.out" 2>/dev/null && break; sleep 0.1; done
expect "port in use" "port 29092 .* already in use" -- "$here/kafka.sh" up
expect "registry port in use" "port 29092 for the schema registry is already in use" -- \
  env SABOT_RIG_REGISTRY_PORT=29092 "$here/registry.sh" up
kill "$blocker_pid" 2>/dev/null; wait "$blocker_pid" 2>/dev/null; blocker_pid=""

# One second is far too short for a JVM broker: the script must give up, show the
# log and leave no process behind.
expect "start-up timeout" "did not become ready within 1s" "last lines of .*server.log" -- env SABOT_RIG_KAFKA_TIMEOUT=1 "$here/kafka.sh" up
if SABOT_RIG_DIR=$scratch/state "$here/kafka.sh" status >/dev/null 2>&1; then
  echo "selftest: FAIL start-up timeout left the broker running"; failures=$((failures + 1))
fi
# A broker that dies at once (an impossible heap) must be reported with its output.
expect "broker exits" "exited during start-up" "Error occurred during initialization of VM" -- env SABOT_RIG_KAFKA_HEAP=1k "$here/kafka.sh" up

[ "$failures" -eq 0 ] || { echo "selftest: $failures case(s) failed"; exit 1; }
echo "selftest: all cases passed"
