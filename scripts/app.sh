#!/usr/bin/env bash
# Set up everything (idempotent), generate the demo province on first run, start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -c "
from covplan.datasets import ensure_demo
from covplan.cli._common import ProgressBar
with ProgressBar('demo province (first run only)') as bar:
    print('Demo province ready in', ensure_demo('full', progress=bar))
"
exec .venv/bin/streamlit run app.py --server.headless true "$@"
