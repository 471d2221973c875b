"""What a new app process imports before its first page: not what only later pages need.

Importing osmnx (it brings matplotlib's pyplot), the report and charts (matplotlib,
reportlab), scipy's optimiser and clustering took about 1.5 s of every first page on the
full demo; they load when an OSM XML file, a download, the progress page or a site
recommendation asks for them.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: The modules ``app.py`` imports at start (see its top), then the ones a first page uses.
APP_START = ("covplan.app.compute", "covplan.app.language", "covplan.app.notices",
             "covplan.app.page", "covplan.app.sidebar", "covplan.radio")
#: Heavy packages only later pages need.
LATER = ("osmnx", "matplotlib", "reportlab", "scipy.optimize", "scipy.cluster",
         "covplan.report", "covplan.progress", "covplan.app.progress")

PROBE = f"""
import json, sys
for name in {APP_START!r}:
    __import__(name)
print(json.dumps([m for m in {LATER!r} if m in sys.modules]))
"""


def test_the_app_starts_without_what_only_later_pages_need() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True, timeout=300)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []

