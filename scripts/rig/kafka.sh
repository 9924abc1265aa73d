#!/usr/bin/env bash
# Test rig: one Apache Kafka 4 node in KRaft mode (combined broker + controller) on
# loopback, from Maven Central jars.
# Usage: kafka.sh up | down | status | stop | kill | start | restart
#   up       fresh state (new storage, SCRAM password, certificates), then start
#   down     stop and forget the credentials file
#   stop     TERM the broker, keeping its data and credentials (kill: SIGKILL)
#   start    start the broker again on the data it has (after stop or kill)
#   restart  stop, then start
#
# Listeners (ports overridable through the environment):
#   PLAINTEXT       127.0.0.1:$SABOT_RIG_KAFKA_PORT       (default 19092)
#   SASL_PLAINTEXT  127.0.0.1:$SABOT_RIG_KAFKA_SASL_PORT  (default 19093, SCRAM-SHA-256/512)
#   SSL             127.0.0.1:$SABOT_RIG_KAFKA_TLS_PORT   (default 19094, client certs optional)
#   CONTROLLER      127.0.0.1:$SABOT_RIG_KAFKA_CTRL_PORT  (default 19095)
# The SCRAM password and TLS certificates are generated on each start; their
# locations are written to $SABOT_CACHE/rig/kafka.env for tests to read.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KAFKA_VERSION=4.4.0
port=${SABOT_RIG_KAFKA_PORT:-19092}
sasl_port=${SABOT_RIG_KAFKA_SASL_PORT:-19093}
tls_port=${SABOT_RIG_KAFKA_TLS_PORT:-19094}
ctrl_port=${SABOT_RIG_KAFKA_CTRL_PORT:-19095}
start_timeout=${SABOT_RIG_KAFKA_TIMEOUT:-90}

libs=$SABOT_CACHE/kafka-$KAFKA_VERSION/libs
state=$rig_dir/kafka
pidfile=$state/kafka.pid
log=$state/server.log

fetch() {
  maven_fetch "Apache Kafka $KAFKA_VERSION" "$libs" "$libs/kafka_2.13-$KAFKA_VERSION.jar" \
    -f "$repo_root/scripts/rig/kafka-pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs"
}

make_certs() {
  local d=$state/tls
  mkdir -p "$d"
  command -v openssl >/dev/null 2>&1 || { say "openssl not found; the TLS listener is skipped"; return 1; }
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sabot-rig-ca" \
      -keyout ca.key -out ca.pem >/dev/null 2>&1
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=sabot-rig-$who" \
        -keyout "$who.key.pem" -out "$who.csr" >/dev/null 2>&1
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$who.ext" -out "$who.pem" >/dev/null 2>&1
    done
    # Kafka's PEM key store wants the PKCS#8 key followed by the certificate chain.
    openssl pkcs8 -topk8 -nocrypt -in server.key.pem -out server.pk8.pem
    cat server.pk8.pem server.pem ca.pem >server-keystore.pem
  )
}

write_config() {
  local tls_listener="" tls_adv="" tls_map=""
  if [ "$tls" = 1 ]; then
    tls_listener=",SSL://127.0.0.1:$tls_port"
    tls_map=",SSL:SSL"
  fi
  cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl_port
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port,CONTROLLER://127.0.0.1:$ctrl_port$tls_listener
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port$tls_listener
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT$tls_map
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data
# Test settings: one node, so every internal topic has one replica; topics are
# created by the tests that use them.
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=6000
group.consumer.session.timeout.ms=10000
log.retention.hours=2
transaction.max.timeout.ms=600000
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
  if [ "$tls" = 1 ]; then
    cat >>"$state/server.properties" <<PROPS
ssl.keystore.type=PEM
ssl.keystore.location=$state/tls/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$state/tls/ca.pem
ssl.client.auth=requested
PROPS
  fi
  cat >"$state/log4j2.properties" <<PROPS
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=$log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
PROPS
}

# The broker's JVM; the storage tool runs with a small fixed heap.
jvm=("$java" -Xms256m "-Xmx${SABOT_RIG_KAFKA_HEAP:-768m}" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$state/log4j2.properties" -cp "$libs/*")
tool=("$java" -Xmx256m "-Dlog4j2.configurationFile=$state/log4j2.properties" -cp "$libs/*" kafka.tools.StorageTool)

up() {
  if pid_alive "$pidfile"; then say "kafka already running (pid $(cat "$pidfile"))"; return 0; fi
  need_java
  for p in "PLAINTEXT:$port" "SASL_PLAINTEXT:$sasl_port" "SSL:$tls_port" "CONTROLLER:$ctrl_port"; do
    need_free_port "the Kafka ${p%%:*} listener" "${p##*:}"
  done
  fetch
  rm -rf "$state"; mkdir -p "$state"
  tls=1; make_certs || tls=0
  write_config
  local user=sabot password cluster_id
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  cluster_id=$("${tool[@]}" random-uuid 2>&1 | tail -1) || die "the Kafka storage tool failed: $cluster_id"
  if ! "${tool[@]}" format -t "$cluster_id" -c "$state/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$user,password=$password]" \
      --add-scram "SCRAM-SHA-512=[name=$user,password=$password]" >"$state/format.log" 2>&1; then
    cat "$state/format.log" >&2
    die "formatting the KRaft storage failed (output above)"
  fi
  launch
  {
    echo "SABOT_KAFKA_BROKERS=127.0.0.1:$port"
    echo "SABOT_KAFKA_SASL_BROKERS=127.0.0.1:$sasl_port"
    echo "SABOT_KAFKA_SASL_USER=$user"
    echo "SABOT_KAFKA_SASL_PASSWORD=$password"
    if [ "$tls" = 1 ]; then
      echo "SABOT_KAFKA_TLS_BROKERS=127.0.0.1:$tls_port"
      echo "SABOT_KAFKA_TLS_CA=$state/tls/ca.pem"
      echo "SABOT_KAFKA_TLS_CLIENT_CERT=$state/tls/client.pem"
      echo "SABOT_KAFKA_TLS_CLIENT_KEY=$state/tls/client.key.pem"
    fi
    echo "SABOT_KAFKA_LIBS=$libs"
    # Tests that bounce the broker (stop/kill/start) call this script.
    echo "SABOT_RIG_KAFKA_CTL=$repo_root/scripts/rig/kafka.sh"
  } >"$rig_dir/kafka.env"
  say "kafka ready on 127.0.0.1:$port (SASL $sasl_port$( [ "$tls" = 1 ] && echo ", TLS $tls_port"))"
}

# launch starts the broker on the state directory as it is and waits until it
# answers metadata requests.
launch() {
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (log: $log)"
  build_probe
  nohup "${jvm[@]}" kafka.Kafka "$state/server.properties" >>"$state/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  touch "$log"
  wait_until kafka "$start_timeout" "$pidfile" "$log $state/stdout.log" \
    "$probe" -kafka "127.0.0.1:$port" -timeout 2s
}

# start brings a stopped or killed broker back on its own data and
# credentials.
start() {
  if pid_alive "$pidfile"; then say "kafka already running (pid $(cat "$pidfile"))"; return 0; fi
  [ -f "$state/server.properties" ] && [ -d "$state/data" ] || die "no broker state in $state to start from; use up"
  need_java
  for p in "PLAINTEXT:$port" "SASL_PLAINTEXT:$sasl_port" "CONTROLLER:$ctrl_port"; do
    need_free_port "the Kafka ${p%%:*} listener" "${p##*:}"
  done
  launch
  say "kafka ready again on 127.0.0.1:$port"
}

# kill_broker ends the broker with SIGKILL, as a crash would: no shutdown,
# data kept.
kill_broker() {
  pid_alive "$pidfile" || die "kafka is not running"
  local pid
  pid=$(cat "$pidfile")
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  rm -f "$pidfile"
  say "kafka killed (pid $pid); its data is kept"
}

down() {
  stop_pid kafka "$pidfile"
  rm -f "$rig_dir/kafka.env"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  fetch) fetch ;;
  stop) stop_pid kafka "$pidfile" ;;
  kill) kill_broker ;;
  start) start ;;
  restart) stop_pid kafka "$pidfile"; start ;;
  status) if pid_alive "$pidfile"; then echo "kafka running (pid $(cat "$pidfile"))"; else echo "kafka stopped"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status|fetch|stop|kill|start|restart" >&2; exit 2 ;;
esac
