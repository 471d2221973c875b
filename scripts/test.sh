#!/usr/bin/env bash
# Set up everything the tests need (idempotent), then run the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k sites` (`-n 0`: one process).
# Two worker processes, one per core of the 2-core CI machine: 8.2 min for the default suite
# here, against 11–13 min in one process. Each test file stays in one worker, so a browser
# module starts its one Streamlit server and Chromium once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
