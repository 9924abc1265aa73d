# Shared helpers for the test rig scripts (sourced, not run).
# The rig keeps everything it downloads or writes under $SABOT_CACHE (default:
# .cache/ at the repository root, ignored by git) so a clean clone stays clean.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SABOT_CACHE=${SABOT_CACHE:-$repo_root/.cache}
# Downloads (jars) live in $SABOT_CACHE and are reused; running state (configs,
# data, logs, pid files, generated credentials) lives in $SABOT_RIG_DIR.
rig_dir=${SABOT_RIG_DIR:-$SABOT_CACHE/rig}
mkdir -p "$rig_dir"
java=${SABOT_RIG_JAVA:-java}
mvn=${SABOT_RIG_MVN:-mvn}

die() { echo "rig: $*" >&2; exit 1; }
say() { echo "rig: $*" >&2; }

need_java() {
  command -v "$java" >/dev/null 2>&1 || die "java ($java) not found; the test rig needs Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless, or set SABOT_RIG_JAVA)"
  local v
  v=$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  case "$v" in
    1.*|9|10|11|12|13|14|15|16) die "java $v found; the test rig needs Java 17 or newer (Kafka 4 requires it)";;
  esac
}

need_mvn() {
  command -v "$mvn" >/dev/null 2>&1 || die "maven ($mvn) not found; the test rig fetches Kafka and the registry from Maven Central with Maven (e.g. apt-get install maven, or set SABOT_RIG_MVN)"
}

# port_busy PORT: true when something already listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# need_free_port NAME PORT: fail with the owner of the port when it is taken.
need_free_port() {
  if port_busy "$2"; then
    local owner=""
    command -v ss >/dev/null 2>&1 && owner=$(ss -ltnpH "sport = :$2" 2>/dev/null | sed 's/.*users:/ held by /' | head -1)
    die "port $2 for $1 is already in use${owner}; stop that process or choose another port with the SABOT_RIG_*_PORT variables (README: The rig)"
  fi
}

# pid_alive FILE: true when FILE names a running process.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid NAME FILE: TERM, wait up to 20s, then KILL; removes FILE.
stop_pid() {
  local name=$1 file=$2 pid i
  if ! pid_alive "$file"; then rm -f "$file"; return 0; fi
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; say "$name stopped"; return 0; }
    sleep 0.5
  done
  say "$name did not stop in 20s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

# show_logs LOG...: prints the last lines of each non-empty log.
show_logs() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 40 "$f" >&2
  done
}

# wait_until NAME TIMEOUT_S PID_FILE LOGS CMD...: polls CMD every half second until
# it succeeds; fails with the tail of the logs (a space-separated list) if the
# process dies or time runs out.
wait_until() {
  local name=$1 timeout=$2 pidfile=$3 logs=$4; shift 4
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! pid_alive "$pidfile"; then
      echo "rig: $name exited during start-up" >&2
      # shellcheck disable=SC2086
      show_logs $logs
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.5
  done
  echo "rig: $name did not become ready within ${timeout}s" >&2
  # shellcheck disable=SC2086
  show_logs $logs
  stop_pid "$name" "$pidfile"
  exit 1
}

# maven_fetch DESC DIR MARKER MVN-ARGS...: runs mvn once into DIR unless MARKER exists.
maven_fetch() {
  local desc=$1 dir=$2 marker=$3; shift 3
  [ -e "$marker" ] && return 0
  need_mvn
  say "fetching $desc from Maven Central into $dir"
  mkdir -p "$dir"
  # Run from DIR: Maven writes bookkeeping files into its working directory.
  if ! (cd "$dir" && "$mvn" -B -q "$@") >"$dir/mvn.log" 2>&1; then
    tail -n 30 "$dir/mvn.log" >&2
    die "maven could not fetch $desc (log above)"
  fi
}

# build_probe: compiles the readiness probe once (scripts/rig/probe) into the cache.
probe=$rig_dir/bin/probe
build_probe() {
  command -v go >/dev/null 2>&1 || die "go not found on PATH; the rig's readiness probe is a Go program"
  (cd "$repo_root" && go build -o "$probe" ./scripts/rig/probe) || die "building the readiness probe failed"
}
