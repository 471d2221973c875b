"""Start the app's server with covplan already loading: ``python -m covplan.app.launch``.

``scripts/app.sh`` starts the app this way. Importing covplan and the stack under it
(geopandas, folium, numba, rasterio, …) takes about 3 s of a new process; under
``streamlit run app.py`` that happened when the first browser connected, on the thread of
its first page, after Streamlit's own page had loaded. Here a background thread imports
covplan's computing modules while Streamlit starts its server and while the browser
loads Streamlit's page; ``app.py`` waits for that thread (:func:`wait_preloaded`) before
its own imports, which are then a few tenths of a second. On the full demo, a page opened
6 s after the server answered had its map 7.8–7.9 s after opening instead of 10.3–10.6 s;
opened the instant it answered (as the browser benchmark does), 8.8–9.3 s instead of
10.1–10.5 s, though Streamlit's own page then starts later (the import holds the GIL and a
core). The thread runs at a lower CPU priority (:mod:`covplan._priority`): the progress bar
then came 2.1 and 2.4 s after opening instead of 2.8 and 2.6 s, the map as soon.

Two threads importing modules that import each other can see a module half made, so the
thread imports nothing of Streamlit's (covplan's app modules, which do, are left to
``app.py``), and numpy and Streamlit are imported before it starts.

The first HTML page shows a loading indicator until Streamlit's own page replaces it
(:mod:`covplan.app.boot`).

Arguments are ``streamlit run``'s options (``--server.port 8502``, …); the script is
always the repository's ``app.py``.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from pathlib import Path

from covplan._priority import lower_thread_priority

logger = logging.getLogger(__name__)

#: What the background thread imports: everything ``app.py``'s modules need except
#: Streamlit (``tests/app/test_launch.py`` checks that none of these imports Streamlit).
PRELOADED = (
    "covplan.i18n",
    "covplan.io",
    "covplan.mapview.build",
    "covplan.mapview.live",
    "covplan.metrics",
    "covplan.planning",
    "covplan.predict",
    "covplan.radio",
    "covplan.targets",
    "folium.plugins",  # streamlit_folium's (the map component)
)
#: The Streamlit script this launcher serves.
APP = Path(__file__).resolve().parents[2] / "app.py"

_preloading: threading.Thread | None = None


def _preload() -> None:
    started = time.perf_counter()
    lower_thread_priority()  # the browser loading Streamlit's page meanwhile comes first
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except Exception:  # app.py imports it again and shows what went wrong
            logger.exception("Preloading %s failed", name)
            return
    logger.info("covplan's computing modules imported in %.1f s", time.perf_counter() - started)


def start_preloading() -> threading.Thread:
    """Import :data:`PRELOADED` in a background thread (once per process); the thread."""
    global _preloading
    if _preloading is None:
        _preloading = threading.Thread(target=_preload, name="covplan-preload", daemon=True)
        _preloading.start()
    return _preloading


def preloading() -> bool:
    """Whether the background import is still going on."""
    return _preloading is not None and _preloading.is_alive()


def wait_preloaded() -> None:
    """Wait until the background import has finished (at once if none was started)."""
    if _preloading is not None:
        _preloading.join()


def main(argv: list[str] | None = None) -> None:
    """Start preloading, then run ``streamlit run app.py`` with ``argv`` as its options."""
    import numpy  # noqa: F401 (numpy and Streamlit are imported by this thread alone)
    from streamlit.web import cli

    from covplan._pages import prefer_small_pages

    prefer_small_pages()  # before any module allocates, as the app's start-up asks

    from covplan.app.boot import serve_boot_page

    serve_boot_page()  # a loading indicator instead of a blank page (covplan.app.boot)
    start_preloading()
    options = sys.argv[1:] if argv is None else argv
    sys.argv = ["streamlit", "run", str(APP), *options]
    sys.exit(cli.main())


if __name__ == "__main__":
    # run as covplan.app.launch, not as __main__: app.py looks for the thread there
    from covplan.app import launch

    launch.main()
