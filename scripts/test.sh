#!/usr/bin/env bash
# Set up everything the tests need (idempotent), then run the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k sites` (`-n 0`: one process).
# Two worker processes, one per core of the 2-core CI machine: 8.4 min for the default suite
# here, against 11–13 min in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest -n 2 "$@"
