"""Memory pages for numpy's large arrays: normal pages unless the user asks for huge ones.

On Linux numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for
every array of 4 MB and more. A province grid is such an array (the full demo: 11.9 M
cells, 47 MB as float32), and an evaluation allocates hundreds of them. On the 2-core
virtual machines covplan is benchmarked on, a huge-page fault costs about 1 ms of kernel
time instead of tens of microseconds: filling two grids (:func:`covplan.predict._merge.
empty_grids`) inside an evaluation took 0.71 s instead of 52 ms, and the app's baseline
evaluation of the full demo 23.4 s instead of 15.1 s (medians of ``benchmarks/
bench_pages.py``). Where huge pages come cheap (a fresh process here: two grids filled in
13 ms against 50 ms), ``NUMPY_MADVISE_HUGEPAGE=1`` brings them back.

numpy's own switch is the environment variable ``NUMPY_MADVISE_HUGEPAGE`` (read when numpy
is imported); covplan's entry points (the CLI, the app, the tests) call
:func:`prefer_small_pages`, which leaves an explicit setting alone.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

#: numpy's environment variable (``0``: normal pages, ``1``: huge pages where possible).
ENV = "NUMPY_MADVISE_HUGEPAGE"


def prefer_small_pages() -> bool:
    """Have numpy allocate on normal pages, in this process and the processes it starts.

    Does nothing when ``NUMPY_MADVISE_HUGEPAGE`` is set (the user chose), or when this numpy
    has no switch for it. Returns whether the switch was made.
    """
    if ENV in os.environ:
        return False
    from numpy._core import multiarray

    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:  # a numpy without madvise support: nothing to switch
        return False
    os.environ[ENV] = "0"  # worker processes (Dask) import numpy with it
    switch(False)
    logger.debug("numpy allocates large arrays on normal memory pages (%s=0)", ENV)
    return True
