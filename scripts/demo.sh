#!/usr/bin/env bash
# One command on a fresh machine: install logpipe into .venv (pinned by constraints.txt), start
# Kafka and OpenSearch on 127.0.0.1, send sample logs through the worker and show what was
# indexed. Services stay up afterwards; stop them with: scripts/services.sh down
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="$(scripts/venv.sh | tail -n 1)"
export PYTHON
export PATH="$(dirname "$PYTHON"):$PATH"
scripts/geoip.sh
LOGPIPE_SERVICES="kafka opensearch" scripts/services.sh up
"$PYTHON" scripts/demo.py
