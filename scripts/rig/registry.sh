#!/usr/bin/env bash
# Test rig: Apicurio Registry (in-memory storage) on loopback, from Maven Central.
# Its Confluent-compatible API lives under /apis/ccompat/v7; tests use that URL as
# SABOT_REGISTRY_URL. Usage: registry.sh up | down | status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APICURIO_VERSION=2.6.13.Final
port=${SABOT_RIG_REGISTRY_PORT:-18081}
start_timeout=${SABOT_RIG_REGISTRY_TIMEOUT:-120}

home=$SABOT_CACHE/apicurio-$APICURIO_VERSION
runner=$home/apicurio-registry-app-$APICURIO_VERSION-runner.jar
state=$rig_dir/registry
pidfile=$state/registry.pid
log=$state/registry.log
url=http://127.0.0.1:$port/apis/ccompat/v7

fetch() {
  maven_fetch "Apicurio Registry $APICURIO_VERSION" "$home" "$runner" \
    dependency:unpack -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" \
    -DoutputDirectory="$home" -DmarkersDirectory="$home/.markers"
  [ -f "$runner" ] || die "Apicurio download has no $(basename "$runner"); see $home/mvn.log"
}

up() {
  if pid_alive "$pidfile"; then say "registry already running (pid $(cat "$pidfile"))"; return 0; fi
  need_java
  need_free_port "the schema registry" "$port"
  fetch
  build_probe
  rm -rf "$state"; mkdir -p "$state"
  say "starting Apicurio Registry $APICURIO_VERSION on 127.0.0.1:$port (log: $log)"
  # Quarkus writes scratch files into its working directory, so start it in the
  # state directory; `;` (not `&&`) keeps $! the JVM's own pid.
  (
    cd "$state"
    nohup "$java" -Xms128m "-Xmx${SABOT_RIG_REGISTRY_HEAP:-512m}" -Djava.awt.headless=true \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
      -Dquarkus.log.console.color=false \
      -jar "$runner" >"$log" 2>&1 &
    echo $! >"$pidfile"
  )
  wait_until registry "$start_timeout" "$pidfile" "$log" "$probe" -registry "$url" -timeout 2s
  echo "SABOT_REGISTRY_URL=$url" >"$rig_dir/registry.env"
  say "registry ready at $url"
}

down() {
  stop_pid registry "$pidfile"
  rm -f "$rig_dir/registry.env"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  fetch) fetch ;;
  status) if pid_alive "$pidfile"; then echo "registry running (pid $(cat "$pidfile"))"; else echo "registry stopped"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status|fetch" >&2; exit 2 ;;
esac
