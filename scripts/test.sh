#!/usr/bin/env bash
# The test suite on a fresh machine: install, start the real services, lint, test, stop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}

echo "== installing logpipe and its test dependencies"
"$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== starting Kafka, OpenSearch and the ES-API server"
trap 'scripts/services.sh down' EXIT
scripts/services.sh up

echo "== lint"
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .

echo "== tests"
"$PYTHON" -m pytest -p no:cacheprovider "$@"
