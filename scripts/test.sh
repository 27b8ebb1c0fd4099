#!/usr/bin/env bash
# The test suite on a fresh machine: install, start the real services, lint, test, stop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}

echo "== installing logpipe and its test dependencies"
"$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "== installing Prometheus and promtool (Debian package) for the alert-rule tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus
fi
scripts/geoip.sh

echo "== starting Kafka, OpenSearch and the ES-API server"
trap 'scripts/services.sh down' EXIT
scripts/services.sh up

echo "== lint"
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .

echo "== tests"
"$PYTHON" -m pytest -p no:cacheprovider "$@"
