"""covplan — the Streamlit app. All computation lives in the covplan package.

Two pages, listed at the top of the sidebar (``st.navigation``): the coverage planner (the
default, :mod:`covplan.app.page`) and the progress over time (:mod:`covplan.app.progress`).
The language switch is drawn here, above either page; widgets whose choice must outlive a
visit to the other page keep it (``persist_state="session"``). Process start-up lives here,
not in a library module: a progress bar shows while a new process imports covplan (begun
at the server's start when ``scripts/app.sh`` runs :mod:`covplan.app.launch`), numpy
is set to normal memory pages (:mod:`covplan._pages`) and the numba kernel cache refreshed
once, a page read from disk has its baseline evaluated once it is drawn
(:func:`covplan.app.compute.start_warming`), and after the first full page of each dataset
the heap is settled (see :func:`settle_heap`).
"""

from __future__ import annotations

import gc
import logging
import sys
import time

import streamlit as st

st.set_page_config(page_title="covplan", layout="wide")  # titled in its language by render

# drawn on every run, so that the page's elements keep their places (a map moved down by one
# element would be a new map, drawn again at the province's extent)
starting = st.empty()
from covplan.app.launch import preloading, wait_preloaded  # noqa: E402 (standard library only)

# a new process: the imports below take seconds (begun already under scripts/app.sh)
if preloading() or "covplan.app.page" not in sys.modules:
    from covplan.i18n import LANGUAGES, language

    asked = st.query_params.get("lang")
    starting.progress(0.0, text=language(asked if asked in LANGUAGES else "vi")._(
        "Starting covplan…"))
    wait_preloaded()  # no module is imported by two threads at once

# set_page_config comes first
from covplan._pages import prefer_small_pages  # noqa: E402
from covplan.app.boot import PAGE_STYLE, page_style_served  # noqa: E402
from covplan.app.compute import start_warming  # noqa: E402
from covplan.app.language import choose_language, page_language  # noqa: E402
from covplan.app.notices import show_page_fault  # noqa: E402
from covplan.app.page import render  # noqa: E402
from covplan.app.sidebar import shown_preset  # noqa: E402
from covplan.radio import refresh_kernel_cache  # noqa: E402

logger = logging.getLogger("covplan.app")

@st.cache_resource(show_spinner=False)
def start_up() -> set[str]:
    """Once per process: normal memory pages, fresh numba code; the settled heap keys.

    numpy allocates on normal memory pages (:mod:`covplan._pages`) and stale numba machine
    code is dropped; the set returned holds the keys of the heaps already settled.
    """
    prefer_small_pages()
    refresh_kernel_cache()
    return set()


def settle_heap(key: str, settled: set[str]) -> None:
    """Take what is loaded so far out of the cyclic garbage collector's walks (once per key).

    A dataset, its layers on the grid and its base map are millions of long-lived Python
    objects. A full collection walks them all: 0.18 s measured on the full demo, landing at
    random in the middle of a click's update. ``gc.freeze`` moves them to the permanent
    generation; reference counting still frees them when they go.
    """
    if key in settled:
        return
    settled.add(key)
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    logger.info("Heap settled after loading %s in %.2f s (%d objects frozen)", key,
                time.perf_counter() - started, gc.get_freeze_count())


def planner() -> None:
    """The coverage planner; after its first full page of a dataset, the heap is settled."""
    shown = render(page_language())
    start_warming()  # a page read from disk: its evaluation runs now, behind it
    if shown is not None:
        settle_heap(shown, settled)  # after the first full page: what stays loaded


def progress() -> None:
    """The progress over time: snapshots compared against the same targets.

    Its module (charts and PDFs: matplotlib, reportlab) is imported on the first visit,
    not at every start: the planner's first page comes 0.3 s sooner.
    """
    from covplan.app.progress import render_progress

    render_progress(page_language())


settled = start_up()
starting.empty()
if not page_style_served():  # streamlit run: scripts/app.sh's first page holds them
    # style alone goes to Streamlit's event container and moves no element
    st.html(PAGE_STYLE)
try:
    lang = choose_language(shown_preset())
    st.navigation([  # emoji icons: a Material icon here is fetched from Google (offline: none)
        st.Page(planner, title=lang._("Coverage planner"), icon="📡",
                url_path="planner", default=True),
        st.Page(progress, title=lang._("Progress over time"), icon="📈",
                url_path="progress"),
    ]).run()
except Exception:  # the last guard: never show a traceback or an exception's name
    show_page_fault(page_language())
