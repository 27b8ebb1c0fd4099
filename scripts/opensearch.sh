#!/usr/bin/env bash
# Local single-node OpenSearch for logpipe's tests and benchmarks.
#
#   scripts/opensearch.sh install        fetch jars from Maven Central into the cache
#   scripts/opensearch.sh start          install if needed, start, wait until healthy
#   scripts/opensearch.sh status         exit 0 if healthy (one line of output)
#   scripts/opensearch.sh stop [--wipe]  stop (SIGTERM, then SIGKILL); --wipe drops the data
#
# There is no OpenSearch tarball to download here, so the node is assembled from
# the published Maven artifacts (org.opensearch:opensearch + the module jars, see
# scripts/opensearch/pom.xml) and started by a small launcher of our own
# (scripts/opensearch/LogpipeOpenSearch.java), which also sidesteps the stock
# launcher's refusal to run as root. No security plugin: plain http.
#
# The index-management (ISM) plugin is installed with the job-scheduler plugin it
# extends: job-scheduler's zip comes from Maven Central
# (org.opensearch.plugin:opensearch-job-scheduler:<ISM version>:zip), index-management
# is built from its tagged source by scripts/ism-plugin.sh (about 2 minutes the first
# time, then cached). Both must be built for exactly the OpenSearch version in use,
# which is why the default version is 2.19.4 (Maven Central has job-scheduler 2.19.0.0
# and 2.19.4.0). More plugin zips can be given in OPENSEARCH_PLUGIN_ZIPS (space
# separated). `status` and `start` say whether ISM is present.
#
# Environment:
#   LOGPIPE_CACHE             cache root (default ~/.cache/logpipe)
#   LOGPIPE_RUN_DIR           run dir (default <repo>/.run); data in $LOGPIPE_RUN_DIR/opensearch/data
#   LOGPIPE_LOG_DIR           log dir (default $LOGPIPE_RUN_DIR/logs); stdout/stderr in opensearch.log
#   OPENSEARCH_PORT           http port (default 9200)
#   OPENSEARCH_TRANSPORT_PORT transport port (default 9300)
#   OPENSEARCH_VERSION        default 2.19.4
#   OPENSEARCH_ISM            1 (default): install job-scheduler + index-management; 0: without
#   OPENSEARCH_ISM_VERSION    default <OPENSEARCH_VERSION>.0
#   OPENSEARCH_ISM_JOB_INTERVAL  minutes between two runs of an index's ISM job (default 1;
#                             OpenSearch's own default is 5)
#   OPENSEARCH_PLUGIN_ZIPS    extra plugin zips to install
#   OPENSEARCH_HEAP           default 1g
#   OPENSEARCH_MODULES        comma-separated modules to load (default all: transport-netty4,
#                             analysis-common, lang-painless, lang-mustache, mapper-extras,
#                             parent-join, reindex, aggs-matrix-stats, percolator, rank-eval,
#                             ingest-common, geo); e.g. leaving out lang-painless saves start time
#   OPENSEARCH_JAVA_HOME      JDK to use (default: a Java 11..21 found on the machine)
#   OPENSEARCH_JAVA_OPTS      extra JVM options
#   OPENSEARCH_START_TIMEOUT  seconds to wait for health (default 120)
#   OPENSEARCH_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#   OPENSEARCH_CDS            0: no class-data-sharing archive (made at install; halves start CPU)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
SRC_DIR="$SCRIPT_DIR/opensearch"

OS_VERSION="${OPENSEARCH_VERSION:-2.19.4}"
ISM_VERSION="${OPENSEARCH_ISM_VERSION:-${OS_VERSION}.0}"
WANT_ISM="${OPENSEARCH_ISM:-1}"
ISM_JOB_INTERVAL="${OPENSEARCH_ISM_JOB_INTERVAL:-1}"
CACHE_ROOT="${LOGPIPE_CACHE:-$HOME/.cache/logpipe}"
INSTALL_DIR="$CACHE_ROOT/opensearch-$OS_VERSION"
RUN_DIR="${LOGPIPE_RUN_DIR:-$REPO_ROOT/.run}"
LOG_DIR="${LOGPIPE_LOG_DIR:-$RUN_DIR/logs}"
PORT="${OPENSEARCH_PORT:-9200}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
HEAP="${OPENSEARCH_HEAP:-1g}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-120}"
STOP_TIMEOUT="${OPENSEARCH_STOP_TIMEOUT:-30}"

STATE_DIR="$RUN_DIR/opensearch"
DATA_DIR="$STATE_DIR/data"
CONF_DIR="$STATE_DIR/config"
TMP_DIR="$STATE_DIR/tmp"
PID_FILE="$STATE_DIR/opensearch.pid"
NODE_LOG_DIR="$LOG_DIR/opensearch"
LOG_FILE="$LOG_DIR/opensearch.log"
URL="http://127.0.0.1:$PORT"

LAUNCHER_CLASS="LogpipeOpenSearch"

log() { echo "opensearch: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- java ------

java_major() { # $1 = java binary
    local v
    v="$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
    v="${v#1.}"
    echo "${v%%.*}"
}

find_java_home() {
    if [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]]; then
        echo "$OPENSEARCH_JAVA_HOME"; return
    fi
    # OpenSearch 2.19 supports Java 11..21 (it ships 21). Prefer the default
    # java if it fits, else any fitting JDK under /usr/lib/jvm.
    local cand major
    for cand in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
        [[ -n "$cand" && -x "$cand/bin/java" && -x "$cand/bin/javac" ]] || continue
        major="$(java_major "$cand/bin/java" 2>/dev/null || echo 0)"
        if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 11 && major <= 21 )); then
            echo "$cand"; return
        fi
    done
    die "no JDK 11..21 found (set OPENSEARCH_JAVA_HOME)"
}

# ------------------------------------------------------------- install ------

# A stamp of everything the install depends on: re-install when it changes.
install_stamp() {
    cat "$SRC_DIR/pom.xml" "$SRC_DIR/$LAUNCHER_CLASS.java" \
        | { sha256sum 2>/dev/null || cksum; } | awk '{print $1}' | tr -d '\n'
    local ism=no
    if [[ "$WANT_ISM" == 1 ]]; then
        ism="$ISM_VERSION/$(ISM_VERSION="$ISM_VERSION" "$SCRIPT_DIR/ism-plugin.sh" --stamp 2>/dev/null | cut -c1-16)"
    fi
    echo " os=$OS_VERSION ism=$ism zips=${OPENSEARCH_PLUGIN_ZIPS:-}"
}

is_installed() {
    [[ -f "$INSTALL_DIR/.installed" ]] && [[ "$(cat "$INSTALL_DIR/.installed")" == "$(install_stamp)" ]]
}

# Unzip a plugin zip into $1/plugins/<name> (name from plugin-descriptor.properties).
install_plugin_zip() { # $1 = home dir, $2 = zip, $3 = the node's lib dir
    local home="$1" zip="$2" lib_dir="$3" tmp desc dir name
    command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"
    tmp="$(mktemp -d)"
    unzip -q -o "$zip" -d "$tmp"
    desc="$(find "$tmp" -name plugin-descriptor.properties | head -n 1)"
    if [[ -z "$desc" ]]; then
        rm -rf "$tmp"
        die "$zip has no plugin-descriptor.properties"
    fi
    dir="$(dirname "$desc")"
    name="$(sed -n 's/^name=//p' "$desc" | tr -d '\r' | head -n 1)"
    [[ -n "$name" ]] || { rm -rf "$tmp"; die "$zip: no name= in plugin-descriptor.properties"; }
    # The standard modules sit on the node's classpath here (see the launcher), not in
    # modules/ with loaders of their own as in a distribution: a plugin jar of a library
    # that is already on it (reindex brings httpclient, httpcore, commons-codec) would be
    # refused as jar hell, so the classpath's copy serves the plugin instead.
    local jar base
    for jar in "$dir"/*.jar; do
        [[ -f "$jar" ]] || continue
        base="$(basename "$jar" .jar | sed -E 's/-[0-9][0-9A-Za-z.+_-]*$//')"
        if compgen -G "${lib_dir:?}/$base-[0-9]*.jar" >/dev/null; then
            log "plugin $name: using $(basename "$(compgen -G "$lib_dir/$base-[0-9]*.jar" | head -n 1)") from the classpath instead of its $(basename "$jar")"
            rm -f "$jar"
        fi
    done
    rm -rf "${home:?}/plugins/$name"
    mkdir -p "$home/plugins"
    mv "$dir" "$home/plugins/$name"
    rm -rf "$tmp"
    log "installed plugin $name from $(basename "$zip")"
}

# JVM options shared by the node and the CDS training run.
node_jvm_opts() { # fills the array JVM_OPTS; $1 = conf dir, $2 = tmp dir
    JVM_OPTS=(
        "-Xms$HEAP" "-Xmx$HEAP"
        -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30
        -XX:-OmitStackTraceInFastThrow -XX:+ShowCodeDetailsInExceptionMessages
        -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djna.nosys=true
        -Djava.locale.providers=SPI,COMPAT
        -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true
        -Dio.netty.recycler.maxCapacityPerThread=0
        -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
        "-Djava.io.tmpdir=$2"
        "-Dlogpipe.opensearch.home=$INSTALL_DIR/home"
        "-Dlogpipe.opensearch.conf=$1"
        "-Dlogpipe.opensearch.modules=${OPENSEARCH_MODULES:-}"
    )
}

node_classpath() { echo "$INSTALL_DIR/launcher.jar:$INSTALL_DIR/lib/*"; }

# Class-data-sharing archive of the classes a node loads while starting: cuts
# the start's CPU time by about a third (class loading dominates it). Made by a
# training run that starts a throwaway node on ephemeral ports and exits.
# Failure only costs speed.
cds_train() { # $1 = java home
    local java_home="$1" t0=$SECONDS dir="$INSTALL_DIR/cds-train"
    rm -rf "$dir"
    mkdir -p "$dir/config" "$dir/data" "$dir/tmp"
    cp "$SRC_DIR/log4j2.properties" "$dir/config/"
    cat >"$dir/config/opensearch.yml" <<EOF_YML
cluster.name: logpipe-cds-train
node.name: logpipe-cds-train
discovery.type: single-node
network.host: 127.0.0.1
http.port: 0
transport.port: 0
path.data: $dir/data
path.logs: $dir/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF_YML
    node_jvm_opts "$dir/config" "$dir/tmp"
    if "$java_home/bin/java" "${JVM_OPTS[@]}" -Dlogpipe.opensearch.train=true \
            "-XX:ArchiveClassesAtExit=$INSTALL_DIR/cds.jsa" \
            -cp "$(node_classpath)" "$LAUNCHER_CLASS" >"$INSTALL_DIR/cds-train.log" 2>&1 \
        && [[ -s "$INSTALL_DIR/cds.jsa" ]]; then
        log "class-data-sharing archive made in $((SECONDS - t0))s"
    else
        rm -f "$INSTALL_DIR/cds.jsa"
        log "could not make a class-data-sharing archive (see $INSTALL_DIR/cds-train.log); starts will be slower"
    fi
    rm -rf "$dir"
}

do_install() {
    is_installed && return 0
    command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
    mkdir -p "$CACHE_ROOT"
    exec 9>"$CACHE_ROOT/opensearch-$OS_VERSION.lock"
    flock 9
    if is_installed; then exec 9>&-; return 0; fi

    local t0=$SECONDS java_home stage mvnlog
    java_home="$(find_java_home)"
    log "installing OpenSearch $OS_VERSION into $INSTALL_DIR (java: $java_home)"
    stage="$INSTALL_DIR.tmp.$$"
    rm -rf "$stage" "$INSTALL_DIR".tmp.*
    # shellcheck disable=SC2064
    trap "rm -rf '$stage'" EXIT
    mkdir -p "$stage/lib" "$stage/launcher" "$stage/home/modules" "$stage/home/plugins" "$stage/zips"
    mvnlog="$stage/mvn.log"

    if ! mvn -B -q -f "$SRC_DIR/pom.xml" -Dopensearch.version="$OS_VERSION" \
            dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$stage/lib" >"$mvnlog" 2>&1; then
        tail -n 40 "$mvnlog" >&2
        die "maven could not fetch OpenSearch $OS_VERSION"
    fi

    if ! "$java_home/bin/javac" --release 11 -nowarn -d "$stage/launcher" -cp "$stage/lib/*" \
            "$SRC_DIR/$LAUNCHER_CLASS.java" >>"$mvnlog" 2>&1 \
        || ! "$java_home/bin/jar" cf "$stage/launcher.jar" -C "$stage/launcher" . >>"$mvnlog" 2>&1; then
        tail -n 40 "$mvnlog" >&2
        die "could not compile the launcher"
    fi
    rm -rf "$stage/launcher"

    # log4j-core is an optional dependency of org.opensearch:opensearch: take the version of the
    # log4j-api that this OpenSearch version depends on.
    local api core
    api="$(cd "$stage/lib" && ls log4j-api-*.jar | sed 's/^log4j-api-\(.*\)\.jar$/\1/')"
    core="$(cd "$stage/lib" && ls log4j-core-*.jar | sed 's/^log4j-core-\(.*\)\.jar$/\1/')"
    if [[ -n "$api" && "$api" != "$core" ]]; then
        rm -f "$stage/lib/log4j-core-$core.jar"
        mvn -B -q dependency:copy -Dartifact="org.apache.logging.log4j:log4j-core:$api" \
            -DoutputDirectory="$stage/lib" >>"$mvnlog" 2>&1 || { tail -n 40 "$mvnlog" >&2; die "could not fetch log4j-core $api"; }
    fi

    # ISM: job-scheduler from Maven Central, index-management built from source (cached).
    if [[ "$WANT_ISM" == 1 ]]; then
        local js_zip="$stage/zips/opensearch-job-scheduler-$ISM_VERSION.zip" ism_zip
        if ! mvn -B dependency:copy -Dartifact="org.opensearch.plugin:opensearch-job-scheduler:$ISM_VERSION:zip" \
                -DoutputDirectory="$stage/zips" >>"$mvnlog" 2>&1 || [[ ! -f "$js_zip" ]]; then
            tail -n 20 "$mvnlog" >&2
            die "opensearch-job-scheduler $ISM_VERSION is not on Maven Central (it has 2.19.0.0 and 2.19.4.0); set OPENSEARCH_VERSION to match, or OPENSEARCH_ISM=0"
        fi
        ism_zip="$(ISM_VERSION="$ISM_VERSION" ISM_JAVA_HOME="$java_home" LOGPIPE_CACHE="$CACHE_ROOT" \
            "$SCRIPT_DIR/ism-plugin.sh")" || die "could not build the index-management plugin (scripts/ism-plugin.sh)"
        install_plugin_zip "$stage/home" "$js_zip" "$stage/lib"
        install_plugin_zip "$stage/home" "$ism_zip" "$stage/lib"
    fi
    local z
    for z in ${OPENSEARCH_PLUGIN_ZIPS:-}; do
        [[ -f "$z" ]] || die "OPENSEARCH_PLUGIN_ZIPS: no such file: $z"
        install_plugin_zip "$stage/home" "$z" "$stage/lib"
    done
    rm -rf "$stage/zips"
    echo "$java_home" >"$stage/java_home"

    rm -rf "$INSTALL_DIR"
    mv "$stage" "$INSTALL_DIR"
    trap - EXIT
    [[ "${OPENSEARCH_CDS:-1}" == 0 ]] || cds_train "$java_home"
    install_stamp >"$INSTALL_DIR/.installed"
    exec 9>&-
    log "installed in $((SECONDS - t0))s: $(ls "$INSTALL_DIR/lib" | wc -l) jars, plugins: [$(ls "$INSTALL_DIR/home/plugins" | tr '\n' ' ' | sed 's/ $//')]"
}

has_ism() { [[ -f "$INSTALL_DIR/home/plugins/opensearch-index-management/plugin-descriptor.properties" ]]; }

# --------------------------------------------------------------- state ------

health_status() { # prints green/yellow/red, or nothing
    curl -s -m 3 "$URL/_cluster/health" 2>/dev/null \
        | sed -n 's/.*"status"[[:space:]]*:[[:space:]]*"\([a-z]*\)".*/\1/p' || true
}

is_healthy() {
    local s
    s="$(health_status)"
    [[ "$s" == green || "$s" == yellow ]]
}

# Is $1 a live process started by this script for this run dir?
is_our_pid() {
    local pid="$1" args
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
    args="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    grep -qxF -- "-Dlogpipe.opensearch.conf=$CONF_DIR" <<<"$args"
}

# Pids of our node: from the pid file, else by its exact config dir in /proc.
our_pids() {
    local pid
    if [[ -f "$PID_FILE" ]]; then
        pid="$(cat "$PID_FILE" 2>/dev/null || true)"
        if is_our_pid "$pid"; then echo "$pid"; return; fi
    fi
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        is_our_pid "$pid" && echo "$pid"
    done
    return 0
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- start ------

write_config() {
    mkdir -p "$CONF_DIR" "$DATA_DIR" "$TMP_DIR" "$NODE_LOG_DIR"
    cp "$SRC_DIR/log4j2.properties" "$CONF_DIR/log4j2.properties"
    {
        echo "# written by scripts/opensearch.sh on each start"
        echo "cluster.name: logpipe-opensearch"
        echo "node.name: logpipe-opensearch-0"
        echo "discovery.type: single-node"
        echo "network.host: 127.0.0.1"
        echo "http.port: $PORT"
        echo "transport.port: $TRANSPORT_PORT"
        echo "path.data: $DATA_DIR"
        echo "path.logs: $NODE_LOG_DIR"
        echo "action.auto_create_index: true"
        echo "cluster.routing.allocation.disk.threshold_enabled: false"
        echo "bootstrap.memory_lock: false"
        if has_ism; then
            echo "plugins.index_state_management.job_interval: $ISM_JOB_INTERVAL"
        fi
    } >"$CONF_DIR/opensearch.yml"
}

wait_healthy() { # $1 = pid, $2 = start time (epoch ms)
    local pid="$1" t0="$2" deadline=$((SECONDS + START_TIMEOUT))
    while (( SECONDS < deadline )); do
        if is_healthy; then
            local ms=$(( $(date +%s%3N) - t0 ))
            echo "opensearch started: $URL (pid $pid, status $(health_status), ism $(has_ism && echo yes || echo no)) in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            log "process $pid exited during startup"
            return 1
        fi
        sleep 0.25
    done
    log "not healthy after ${START_TIMEOUT}s"
    return 1
}

start_failed() {
    echo "opensearch: start failed; last 40 lines of $LOG_FILE:" >&2
    tail -n 40 "$LOG_FILE" >&2 || true
    if tail -n 200 "$LOG_FILE" 2>/dev/null | grep -q "cannot downgrade a node"; then
        log "$DATA_DIR was written by a newer OpenSearch than $OS_VERSION (2.19.6 before the move to 2.19.4 for ISM): scripts/opensearch.sh stop --wipe drops it"
    fi
    do_stop >/dev/null 2>&1 || true
    exit 1
}

do_start() {
    if is_healthy; then
        echo "opensearch already running"
        return 0
    fi
    mkdir -p "$LOG_DIR" "$STATE_DIR"
    local t0 pids
    t0="$(date +%s%3N)"
    pids="$(our_pids)"
    if [[ -n "$pids" ]]; then
        # Ours, but not (yet) healthy: probably still starting.
        local pid="${pids%%$'\n'*}"
        echo "$pid" >"$PID_FILE"
        log "node already started (pid $pid), waiting for it"
        wait_healthy "$pid" "$t0" || start_failed
        return 0
    fi
    port_in_use "$PORT" && die "port $PORT is in use by something that is not a healthy OpenSearch"
    port_in_use "$TRANSPORT_PORT" && die "transport port $TRANSPORT_PORT is in use"

    do_install
    local java_home
    java_home="$(cat "$INSTALL_DIR/java_home")"
    [[ -x "$java_home/bin/java" ]] || java_home="$(find_java_home)"
    write_config

    node_jvm_opts "$CONF_DIR" "$TMP_DIR"
    local -a jvm_opts=("${JVM_OPTS[@]}")
    if [[ "${OPENSEARCH_CDS:-1}" != 0 && -s "$INSTALL_DIR/cds.jsa" ]]; then
        jvm_opts+=("-XX:SharedArchiveFile=$INSTALL_DIR/cds.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
    fi
    # shellcheck disable=SC2206
    [[ -n "${OPENSEARCH_JAVA_OPTS:-}" ]] && jvm_opts+=(${OPENSEARCH_JAVA_OPTS})

    echo "==== $(date -Is) scripts/opensearch.sh start (OpenSearch $OS_VERSION, http $PORT, transport $TRANSPORT_PORT)" >>"$LOG_FILE"
    # setsid: the node outlives the caller's process group (pytest, CI steps).
    nohup setsid "$java_home/bin/java" "${jvm_opts[@]}" \
        -cp "$(node_classpath)" "$LAUNCHER_CLASS" \
        >>"$LOG_FILE" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$PID_FILE"
    wait_healthy "$pid" "$t0" || start_failed
}

# ----------------------------------------------------------------- stop ------

do_stop() {
    local wipe=0 arg
    for arg in "$@"; do
        case "$arg" in
            --wipe) wipe=1 ;;
            *) die "stop: unknown option $arg" ;;
        esac
    done
    local pids pid stopped=0
    pids="$(our_pids)"
    for pid in $pids; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    if [[ -n "$pids" ]]; then
        local deadline=$((SECONDS + STOP_TIMEOUT)) alive
        while :; do
            alive=""
            for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
            [[ -z "$alive" ]] && break
            if (( SECONDS >= deadline )); then
                log "still running after ${STOP_TIMEOUT}s, sending SIGKILL to$alive"
                for pid in $alive; do kill -KILL "$pid" 2>/dev/null || true; done
                sleep 0.5
                deadline=$((SECONDS + 10))
                continue
            fi
            sleep 0.2
        done
        stopped=1
    fi
    rm -f "$PID_FILE"
    if (( wipe )); then
        rm -rf "$DATA_DIR"
    fi
    if (( stopped )); then
        echo "opensearch stopped$( ((wipe)) && echo ' (data wiped)')"
    else
        echo "opensearch not running$( ((wipe)) && echo ' (data wiped)')"
    fi
}

# --------------------------------------------------------------- status ------

do_status() {
    local s pids
    s="$(health_status)"
    if [[ "$s" == green || "$s" == yellow ]]; then
        pids="$(our_pids | tr '\n' ' ')"
        pids="${pids:-? (not started from this run dir) }"
        echo "opensearch healthy: $URL status $s, pid ${pids% }, ism $(has_ism && echo yes || echo no)"
        return 0
    fi
    pids="$(our_pids | tr '\n' ' ')"
    if [[ -n "$pids" ]]; then
        echo "opensearch not healthy: pid ${pids% } running, $URL status ${s:-unreachable}"
    else
        echo "opensearch not running ($URL ${s:-unreachable})"
    fi
    return 1
}

# ----------------------------------------------------------------- main ------

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
    install) do_install; echo "opensearch $OS_VERSION installed in $INSTALL_DIR (ism $(has_ism && echo yes || echo no))" ;;
    start) do_start ;;
    stop) do_stop "$@" ;;
    status) do_status ;;
    *) echo "usage: $0 {install|start|status|stop [--wipe]}" >&2; exit 2 ;;
esac
