#!/usr/bin/env bash
# Create or update the project virtual environment (.venv) that scripts/demo.sh, scripts/test.sh
# and the service scripts share, installing logpipe and its test dependencies at the versions
# pinned in constraints.txt. Idempotent: reinstalls only when constraints.txt, pyproject.toml or
# the grok matcher's source (setup.py, native/grokmatch) changed. Prints the environment's
# python path on its last line.
#   LOGPIPE_VENV   where the environment lives (default <repo>/.venv)
#   PYTHON_BASE    the interpreter that creates it (default python3; Python >= 3.11)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LOGPIPE_VENV:-$repo/.venv}"
base="${PYTHON_BASE:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating the virtual environment $venv" >&2
  "$base" -m venv "$venv" || {
    echo "venv.sh: '$base -m venv' failed; on Debian/Ubuntu install python3-venv first" >&2
    exit 1
  }
fi

stamp="$venv/.logpipe-installed"
want="$(cat "$repo/constraints.txt" "$repo/pyproject.toml" "$repo/setup.py" \
  "$repo"/native/grokmatch/Cargo.* "$repo"/native/grokmatch/src/*.rs | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing logpipe and its dependencies into $venv (pinned by constraints.txt)" >&2
  # PIP_CONSTRAINT also pins the build's own requirements (setuptools-rust builds logpipe's
  # grok matcher; without Rust it is skipped and grok uses `regex`)
  PIP_CONSTRAINT="$repo/constraints.txt" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check -e "$repo[test]" noida-db >&2
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
