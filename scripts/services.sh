#!/usr/bin/env bash
# Start, check or stop every service the tests and the demo use, on 127.0.0.1.
#   scripts/services.sh up|status|down [--wipe]
# LOGPIPE_SERVICES picks a subset (default: "kafka opensearch elasticsearch").
# Ports: KAFKA_PORT (9092), OPENSEARCH_PORT (9200), ES_PORT (9201); logs in .run/logs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
services=${LOGPIPE_SERVICES:-"kafka opensearch elasticsearch"}

usage() { echo "usage: $0 up|status|down [--wipe]" >&2; exit 2; }
[ $# -ge 1 ] || usage

case "$1" in
  up)
    # Start in parallel (the JVMs take a while each); fail if any failed.
    declare -A pids=()
    for service in $services; do
      "$here/$service.sh" start & pids[$service]=$!
    done
    failed=""
    for service in "${!pids[@]}"; do
      wait "${pids[$service]}" || failed="$failed $service"
    done
    if [ -n "$failed" ]; then
      echo "services.sh: failed to start:$failed" >&2
      exit 1
    fi
    ;;
  status)
    rc=0
    for service in $services; do "$here/$service.sh" status || rc=1; done
    exit $rc
    ;;
  down)
    shift
    for service in $services; do "$here/$service.sh" stop "$@" || true; done
    ;;
  *) usage ;;
esac
