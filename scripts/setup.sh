#!/usr/bin/env bash
# Set up covplan on a fresh machine: a virtual environment in .venv with the locked
# dependencies, the package in editable mode, and the offline map assets.
# Idempotent: a second run only checks a stamp and returns within a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# Leaflet for offline maps, from the npm registry (pinned in package-lock.json).
bash scripts/assets.sh

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
VENV=.venv
STAMP="$VENV/.covplan-setup"
want="$(cat requirements.lock pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"

# The Vietnamese message catalogues: .po (edited by people) compiled to .mo with Babel,
# only where the .po is newer (covplan compiles a stale one in memory anyway).
compile_catalogues() {
    local po mo
    for po in covplan/locale/*/LC_MESSAGES/*.po; do
        mo="${po%.po}.mo"
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
            "$VENV/bin/pybabel" compile --use-fuzzy -i "$po" -o "$mo" >/dev/null
        fi
    done
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    compile_catalogues
    exit 0
fi

echo "covplan setup: creating $VENV and installing locked dependencies (first run only)..."
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1"
"$VENV/bin/python" -m pip install --quiet -r requirements.lock
"$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
compile_catalogues
echo "$want" > "$STAMP"
echo "covplan setup: done."
