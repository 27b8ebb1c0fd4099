#!/usr/bin/env bash
# The test suite on a fresh machine: install into .venv (pinned by constraints.txt), start the
# real services, lint, test (the unit tests beside the integration tests; arguments: one plain
# pytest run of them instead), then stop the services this script started (services that were
# already running, e.g. left up by scripts/demo.sh, stay up).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="$(scripts/venv.sh | tail -n 1)"
export PYTHON
export PATH="$(dirname "$PYTHON"):$PATH"

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "== installing Prometheus and promtool (Debian package) for the alert-rule tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus
fi
scripts/geoip.sh

echo "== starting Kafka, OpenSearch and the ES-API server"
started=""
for service in ${LOGPIPE_SERVICES:-kafka opensearch elasticsearch}; do
  "scripts/$service.sh" status >/dev/null 2>&1 || started="$started $service"
done
stop_started() {
  if [ -n "$started" ]; then LOGPIPE_SERVICES="$started" scripts/services.sh down; fi
}
trap stop_started EXIT
scripts/services.sh up

echo "== lint"
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .

echo "== tests"
if [ "$#" -gt 0 ]; then
  "$PYTHON" -m pytest -p no:cacheprovider "$@"
  exit 0
fi
# The integration tests spend most of their time waiting on the services (outages, rebalances,
# refreshes), so the unit tests run beside them, niced: they take the CPU the integration tests
# leave idle, and the two parts finish in about the time of the integration tests alone.
unit_log="$(mktemp)"
nice -n 10 "$PYTHON" -m pytest -p no:cacheprovider -q tests/unit >"$unit_log" 2>&1 &
unit_pid=$!
integration=0
"$PYTHON" -m pytest -p no:cacheprovider tests/integration || integration=$?
unit=0
wait "$unit_pid" || unit=$?
echo "== unit tests (run beside the integration tests)"
cat "$unit_log"
rm -f "$unit_log"
if [ "$integration" -ne 0 ] || [ "$unit" -ne 0 ]; then
  echo "tests failed: integration exit $integration, unit exit $unit" >&2
  exit 1
fi
