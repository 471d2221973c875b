#!/usr/bin/env bash
# Set up everything the tests need (idempotent), then run the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k sites`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest "$@"
