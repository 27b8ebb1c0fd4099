#!/usr/bin/env bash
# Elasticsearch 8 REST API endpoint for tests and benchmarks.
#
# Backed by PyPI's noida-db (one Rust binary that can speak several database
# protocols). We run ONLY its Elasticsearch service (`--only elasticsearch`),
# so it opens no Kafka/Postgres/MySQL/Redis/... listeners. It answers as
# Elasticsearch 8.15.3. It has no ILM and no data-stream API.
# See scripts/elasticsearch/NOTES.md for what works and what doesn't.
#
#   scripts/elasticsearch.sh install        pip install noida-db==$NOIDA_DB_VERSION if needed
#   scripts/elasticsearch.sh start          start in the background, wait until GET / answers
#   scripts/elasticsearch.sh status         exit 0 if it answers (one line of output)
#   scripts/elasticsearch.sh stop [--wipe]  SIGTERM (SIGKILL fallback); --wipe deletes data
#
# Environment:
#   ES_PORT           HTTP port (default 9201), bound on 127.0.0.1 only
#   LOGPIPE_RUN_DIR   default <repo>/.run; state under $LOGPIPE_RUN_DIR/elasticsearch/
#   LOGPIPE_LOG_DIR   default $LOGPIPE_RUN_DIR/logs; log file elasticsearch.log
#   PYTHON            Python used for install/locating the binary (default python3)
#   NOIDA_DB_VERSION  pinned noida-db version (default 0.2.3)
#   ES_START_TIMEOUT  seconds to wait for GET / (default 60)
#   ES_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The project's .venv (scripts/venv.sh) when there is one, else python3.
PYTHON="${PYTHON:-$([ -x "$REPO_DIR/.venv/bin/python" ] && echo "$REPO_DIR/.venv/bin/python" || echo python3)}"
NOIDA_DB_VERSION="${NOIDA_DB_VERSION:-0.2.3}"
ES_HOST=127.0.0.1
ES_PORT="${ES_PORT:-9201}"
ES_URL="http://${ES_HOST}:${ES_PORT}"
LOGPIPE_RUN_DIR="${LOGPIPE_RUN_DIR:-$REPO_DIR/.run}"
LOGPIPE_LOG_DIR="${LOGPIPE_LOG_DIR:-$LOGPIPE_RUN_DIR/logs}"
ES_STATE_DIR="$LOGPIPE_RUN_DIR/elasticsearch"
ES_DATA_DIR="$ES_STATE_DIR/data"          # noida --data-dir (elasticsearch.json + noida.control.json)
ES_PID_FILE="$ES_STATE_DIR/elasticsearch.pid"
ES_LOG_FILE="$LOGPIPE_LOG_DIR/elasticsearch.log"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-60}"
ES_STOP_TIMEOUT="${ES_STOP_TIMEOUT:-30}"

die() { echo "elasticsearch: $*" >&2; exit 1; }

case "$ES_PORT" in ''|*[!0-9]*) die "ES_PORT must be a number, got '$ES_PORT'";; esac

# Installed noida-db version, empty if not installed.
installed_version() {
    "$PYTHON" - <<'EOF' 2>/dev/null || true
from importlib.metadata import version
print(version("noida-db"))
EOF
}

# Path of the native binary inside the noida_db package. We exec it directly:
# the `noida-db` console script is a Python wrapper that runs the binary as a
# child and would not pass SIGTERM on, so its pid is the wrong one to signal.
noida_binary() {
    "$PYTHON" - <<'EOF' 2>/dev/null
import os, noida_db
p = os.path.join(os.path.dirname(noida_db.__file__), "noida-db")
if os.path.isfile(p):
    print(p)
EOF
}

# 0 if GET / answers with HTTP 200.
answers() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 2 "$ES_URL/" 2>/dev/null
    else
        "$PYTHON" - "$ES_URL/" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
EOF
    fi
}

# 0 if $1 is a live noida-db process (guards against a recycled pid).
is_noida_pid() {
    local pid="$1"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'noida-db' || return 1
    fi
    return 0
}

# Pid of our server: the pid file, else the pid noida records in its control
# file (covers a lost pid file). Prints nothing if neither is a live noida-db.
server_pid() {
    local pid=""
    if [[ -f "$ES_PID_FILE" ]]; then
        pid="$(tr -dc '0-9' <"$ES_PID_FILE")"
        if is_noida_pid "$pid"; then echo "$pid"; return 0; fi
    fi
    if [[ -f "$ES_DATA_DIR/noida.control.json" ]]; then
        pid="$(grep -o '"pid":[0-9]*' "$ES_DATA_DIR/noida.control.json" | tr -dc '0-9')"
        if is_noida_pid "$pid"; then echo "$pid"; return 0; fi
    fi
    return 0
}

cmd_install() {
    local have
    have="$(installed_version)"
    if [[ "$have" == "$NOIDA_DB_VERSION" && -n "$(noida_binary)" ]]; then
        echo "noida-db $have already installed"
        return 0
    fi
    if [[ -n "$have" ]]; then
        echo "noida-db $have installed, want $NOIDA_DB_VERSION: reinstalling"
    fi
    "$PYTHON" -m pip install --disable-pip-version-check -q "noida-db==$NOIDA_DB_VERSION"
    [[ -n "$(noida_binary)" ]] || die "noida-db installed but its binary was not found"
    echo "noida-db $(installed_version) installed"
}

fail_start() {
    local pid="${1:-}"
    echo "elasticsearch: $2" >&2
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$ES_PID_FILE"
    echo "----- last 40 lines of $ES_LOG_FILE -----" >&2
    tail -n 40 "$ES_LOG_FILE" >&2 || true
    exit 1
}

cmd_start() {
    local pid bin
    pid="$(server_pid)"
    if [[ -n "$pid" ]]; then
        if answers; then
            echo "elasticsearch already running"
            return 0
        fi
        # Our process is alive but not answering (yet): give it the usual time.
    else
        rm -f "$ES_PID_FILE"
        if answers; then
            # Like kafka.sh: a server already answering (another checkout's, or one started by
            # hand) is used as it is; stop it where it was started, or set ES_PORT for another.
            echo "elasticsearch already answering at $ES_URL (not started by this script: no live pid file)"
            return 0
        fi
    fi

    mkdir -p "$ES_DATA_DIR" "$LOGPIPE_LOG_DIR"

    if [[ -z "$pid" ]]; then
        bin="$(noida_binary || true)"
        if [[ -z "$bin" ]]; then
            echo "elasticsearch: noida-db is not installed for $PYTHON; installing it"
            cmd_install || die "could not install noida-db==$NOIDA_DB_VERSION for $PYTHON; try: $PYTHON -m pip install noida-db==$NOIDA_DB_VERSION"
            bin="$(noida_binary || true)"
        fi
        [[ -n "$bin" ]] || die "noida-db is installed but its binary was not found; run: scripts/elasticsearch.sh install"
        [[ -x "$bin" ]] || chmod +x "$bin" 2>/dev/null || die "$bin is not executable"

        {
            echo "===== $(date '+%Y-%m-%dT%H:%M:%S%z') starting noida-db $(installed_version) (elasticsearch only) on $ES_URL, data $ES_DATA_DIR"
        } >>"$ES_LOG_FILE"
        # setsid: own session, so a Ctrl-C in the calling terminal doesn't reach it.
        # The binary may print a harmless "weak version `GLIBC_2.39' not found" line.
        setsid "$bin" start \
            --only elasticsearch \
            --host "$ES_HOST" \
            --elasticsearch-port "$ES_PORT" \
            --data-dir "$ES_DATA_DIR" \
            >>"$ES_LOG_FILE" 2>&1 </dev/null &
        pid=$!
        echo "$pid" >"$ES_PID_FILE"
    fi

    local deadline=$((SECONDS + ES_START_TIMEOUT))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail_start "" "server exited during startup"
        fi
        if answers; then
            echo "elasticsearch started (pid $pid) at $ES_URL"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            fail_start "$pid" "no answer from $ES_URL/ after ${ES_START_TIMEOUT}s"
        fi
        sleep 0.1
    done
}

cmd_status() {
    local pid
    pid="$(server_pid)"
    if answers; then
        if [[ -n "$pid" ]]; then
            echo "elasticsearch running (pid $pid) at $ES_URL"
        else
            echo "elasticsearch answering at $ES_URL (no pid file: not started by this script)"
        fi
        return 0
    fi
    if [[ -n "$pid" ]]; then
        echo "elasticsearch process $pid alive but not answering at $ES_URL"
    else
        echo "elasticsearch not running"
    fi
    return 1
}

cmd_stop() {
    local wipe=0 arg pid
    for arg in "$@"; do
        case "$arg" in
            --wipe) wipe=1 ;;
            *) die "stop: unknown option '$arg'" ;;
        esac
    done
    pid="$(server_pid)"
    if [[ -n "$pid" ]]; then
        # SIGTERM makes noida write its snapshot (elasticsearch.json) and exit.
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + ES_STOP_TIMEOUT))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "elasticsearch: pid $pid ignored SIGTERM for ${ES_STOP_TIMEOUT}s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            # noida removes its control file itself on a clean exit only.
            rm -f "$ES_DATA_DIR/noida.control.json"
        fi
        echo "elasticsearch stopped (pid $pid)"
    else
        echo "elasticsearch not running"
    fi
    rm -f "$ES_PID_FILE"
    if ((wipe)); then
        rm -rf "$ES_DATA_DIR"
        echo "elasticsearch data wiped ($ES_DATA_DIR)"
    fi
}

usage() {
    echo "usage: $0 {install|start|status|stop [--wipe]}" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
command="$1"
shift
case "$command" in
    install) cmd_install "$@" ;;
    start) cmd_start "$@" ;;
    status) cmd_status "$@" ;;
    stop) cmd_stop "$@" ;;
    *) usage ;;
esac
