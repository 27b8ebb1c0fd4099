#!/usr/bin/env bash
# Run a real single-node Apache Kafka (KRaft, broker+controller) on 127.0.0.1
# for tests and benchmarks, from the Maven Central jars (no Docker, no tarball).
#
#   scripts/kafka.sh install        fetch jars into $LOGPIPE_CACHE/kafka-4.4.0/libs
#   scripts/kafka.sh start          install if needed, format storage once, start, wait until healthy
#   scripts/kafka.sh status         exit 0 if the broker answers (one line of output)
#   scripts/kafka.sh stop [--wipe]  stop (SIGTERM, then SIGKILL); --wipe also deletes the data
#
# Environment (defaults):
#   LOGPIPE_CACHE          $HOME/.cache/logpipe      jar cache
#   LOGPIPE_RUN_DIR        <repo>/.run               kafka/{data,server.properties,kafka.pid}
#   LOGPIPE_LOG_DIR        $LOGPIPE_RUN_DIR/logs     kafka.log
#   KAFKA_PORT             9092                      PLAINTEXT listener
#   KAFKA_CONTROLLER_PORT  9093                      KRaft controller listener
#   KAFKA_SASL_PORT        9094                      SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256)
#   KAFKA_SASL_USER        logpipe                   its one user (SCRAM credentials are written
#   KAFKA_SASL_PASSWORD    logpipe-test-secret         when the storage is first formatted)
#   KAFKA_HEAP_OPTS        -Xms256m -Xmx512m
#   KAFKA_START_TIMEOUT    90                        seconds to wait for health
#   KAFKA_LOG_LEVEL        WARN                      root log level (see kafka/log4j2.properties)
#   JAVA_HOME / JAVA       java on PATH              Java 17+
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
KAFKA_FILES="$SCRIPT_DIR/kafka"            # pom.xml, log4j2.properties, health.py

KAFKA_VERSION=4.4.0
CACHE_DIR="$(realpath -m "${LOGPIPE_CACHE:-$HOME/.cache/logpipe}")"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"

RUN_DIR="$(realpath -m "${LOGPIPE_RUN_DIR:-$REPO_ROOT/.run}")"
KAFKA_RUN="$RUN_DIR/kafka"
DATA_DIR="$KAFKA_RUN/data"
PID_FILE="$KAFKA_RUN/kafka.pid"
PROPS="$KAFKA_RUN/server.properties"
LOG_DIR="$(realpath -m "${LOGPIPE_LOG_DIR:-$RUN_DIR/logs}")"
LOG_FILE="$LOG_DIR/kafka.log"

HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
KAFKA_SASL_USER="${KAFKA_SASL_USER:-logpipe}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-logpipe-test-secret}"
BOOTSTRAP="$HOST:$KAFKA_PORT"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
# The project's .venv (scripts/venv.sh) when there is one: the health check needs confluent-kafka.
PYTHON="${PYTHON:-$(p="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin/python"; [ -x "$p" ] && echo "$p" || echo python3)}"
if [[ -n "${JAVA:-}" ]]; then :
elif [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java
fi

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() { echo "kafka.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- install

install() {
    local pom="$KAFKA_FILES/pom.xml" stamp want
    want="kafka $KAFKA_VERSION pom $(sha256sum "$pom" | cut -c1-16)"
    stamp="$LIBS/.installed"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
    mkdir -p "$KAFKA_HOME"
    # The lock serialises concurrent installs; it lives in a subshell so the fd
    # is never inherited by the broker started afterwards.
    (
        flock 9
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
        echo "kafka.sh: fetching Kafka $KAFKA_VERSION jars into $LIBS" >&2
        local tmp="$KAFKA_HOME/libs.tmp.$$"
        rm -rf "$tmp"
        # (sed: Maven 3.8 prints stray colour codes even with -q -B)
        mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
            -DoutputDirectory="$tmp" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2 \
            || { rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed"; }
        ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka jar missing after mvn"
        echo "$want" >"$tmp/.installed"
        rm -rf "$LIBS"
        mv "$tmp" "$LIBS"
    ) 9>"$KAFKA_HOME/.install.lock"
}

# ---------------------------------------------------------------- helpers

# Prints the pid from the pid file if that process is alive and is our broker.
running_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
    echo "$pid"
}

# health [extra health.py args...]: one line on stdout, exit status as health.py.
health() {
    "$PYTHON" "$KAFKA_FILES/health.py" "$BOOTSTRAP" "$@" 2>/dev/null
}

port_open() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

classpath() { echo "$LIBS/*"; }

write_properties() {
    mkdir -p "$KAFKA_RUN" "$DATA_DIR"
    # Static quorum (controller.quorum.voters) rather than a --standalone dynamic
    # quorum: the ports can then change between starts without reformatting.
    cat >"$PROPS" <<EOF
# Generated by scripts/kafka.sh on $(date -Is); rewritten on every start.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
# A SASL listener (PLAIN and SCRAM-SHA-256) with one user, for the client-authentication tests.
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USER="$KAFKA_SASL_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$DATA_DIR

num.partitions=3
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Keep messages whatever their timestamps: tests, benchmarks and replays send lines dated weeks
# back, and the default 7-day time retention would delete them before they are read. (The data
# folder is bounded by stop --wipe; production brokers keep their own retention.)
log.retention.ms=-1

# Small machine: fewer threads than the defaults.
num.network.threads=2
num.io.threads=4
EOF
}

format_storage() {
    [[ -f "$DATA_DIR/meta.properties" ]] && return 0
    local cluster_id
    # A random base64url UUID, as `kafka-storage random-uuid` makes one: never starting with `-`,
    # which the storage tool would read as an option.
    cluster_id="$("$PYTHON" -c '
import base64, uuid
text = "-"
while text.startswith("-"):
    text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
print(text)')"
    echo "kafka.sh: formatting $DATA_DIR (cluster id $cluster_id)" >&2
    "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$KAFKA_FILES/log4j2.properties" \
        -cp "$(classpath)" kafka.tools.StorageTool format \
        --config "$PROPS" --cluster-id "$cluster_id" --ignore-formatted \
        --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
        >>"$LOG_FILE" 2>&1 \
        || { tail -n 40 "$LOG_FILE" >&2; die "storage format failed"; }
}

# ---------------------------------------------------------------- commands

start() {
    local pid line rc=0
    mkdir -p "$KAFKA_RUN" "$LOG_DIR"

    if pid="$(running_pid)"; then
        # Ours and alive: healthy -> nothing to do; still starting -> wait for it.
        if line="$(health --wait "$START_TIMEOUT" --pid "$pid")"; then
            echo "kafka already running (pid $pid) on $BOOTSTRAP"
            return 0
        fi
        echo "kafka.sh: kafka (pid $pid) is running but not healthy: $line" >&2
        tail -n 40 "$LOG_FILE" >&2 || true
        return 1
    fi
    rm -f "$PID_FILE"
    if port_open "$KAFKA_PORT"; then
        if line="$(health)"; then
            echo "kafka already running on $BOOTSTRAP (not started by this script: no live pid file)"
            return 0
        fi
        die "port $KAFKA_PORT is in use by something that is not a healthy Kafka broker"
    fi
    port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is already in use"

    install
    write_properties
    format_storage

    echo "===== $(date -Is) kafka.sh start: Kafka $KAFKA_VERSION on $BOOTSTRAP (controller :$KAFKA_CONTROLLER_PORT)" >>"$LOG_FILE"
    # shellcheck disable=SC2086  # HEAP_OPTS is a list of JVM flags
    (
        cd "$KAFKA_RUN"
        # setsid: own session, so a Ctrl-C aimed at the caller does not hit the broker.
        exec nohup setsid "$JAVA" $HEAP_OPTS \
            -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
            -XX:ErrorFile="$KAFKA_RUN/hs_err_%p.log" -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$KAFKA_FILES/log4j2.properties" \
            -Dkafka.logs.dir="$LOG_DIR" \
            -cp "$(classpath)" kafka.Kafka "$PROPS" \
            >>"$LOG_FILE" 2>&1 </dev/null
    ) &
    pid=$!
    echo "$pid" >"$PID_FILE"

    line="$(health --wait "$START_TIMEOUT" --pid "$pid")" || rc=$?
    if [[ $rc -eq 0 ]]; then
        echo "kafka started (pid $pid) on $BOOTSTRAP; log $LOG_FILE"
        return 0
    fi
    echo "kafka.sh: kafka failed to start: $line" >&2
    echo "----- last 40 lines of $LOG_FILE" >&2
    tail -n 40 "$LOG_FILE" >&2 || true
    stop_pid "$pid" >/dev/null 2>&1 || true
    rm -f "$PID_FILE"
    return 1
}

# stop_pid PID: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "kafka.sh: pid $pid still alive after ${STOP_TIMEOUT}s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

stop() {
    local wipe=0 pid
    case "${1:-}" in
        "") ;;
        --wipe) wipe=1 ;;
        *) usage >&2; exit 2 ;;
    esac
    if pid="$(running_pid)"; then
        stop_pid "$pid"
        echo "kafka stopped (pid $pid)"
        echo "===== $(date -Is) kafka.sh stop: pid $pid stopped" >>"$LOG_FILE" 2>/dev/null || true
    else
        echo "kafka not running"
    fi
    rm -f "$PID_FILE"
    if [[ $wipe -eq 1 ]]; then
        rm -rf "$DATA_DIR" "$PROPS"
        echo "kafka data wiped ($DATA_DIR)"
    fi
}

status() {
    local line pid
    if line="$(health)"; then
        echo "$line"
        return 0
    fi
    if pid="$(running_pid)"; then
        echo "kafka process $pid alive but not healthy: ${line#kafka }"
    else
        echo "kafka not running on $BOOTSTRAP"
    fi
    return 1
}

case "${1:-}" in
    install) install; echo "kafka $KAFKA_VERSION jars in $LIBS" ;;
    start) start ;;
    stop) shift; stop "$@" ;;
    status) status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
