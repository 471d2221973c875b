#!/usr/bin/env bash
# Set up everything (idempotent), generate the demo province on first run, start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the check alone imports nothing heavy: a start with the demo in place loses no second here
.venv/bin/python -c "
from covplan.datasets import demo_is_current
if not demo_is_current('full'):
    from covplan.cli._common import ProgressBar
    from covplan.datasets import ensure_demo
    with ProgressBar('demo province (first run only)') as bar:
        print('Demo province ready in', ensure_demo('full', progress=bar))
"
exec .venv/bin/python -m covplan.app.launch --server.headless true "$@"
