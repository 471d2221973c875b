"""A lower CPU priority for threads that work behind what people wait for (Linux).

On Linux the nice value belongs to each thread, and threads it starts inherit it. The app
runs two kinds of work behind a page: the baseline evaluated behind a page read from disk
(:mod:`covplan.app.compute`) and covplan's import while Streamlit starts
(:mod:`covplan.app.launch`). At a lower priority they leave the two cores to the browser
and to the server's own threads first. Standard library only: the launcher's import thread
uses it before anything else is loaded.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Final

logger = logging.getLogger(__name__)

#: How much lower (``nice`` steps) a background thread runs.
BACKGROUND_NICENESS: Final = 10


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> None:
    """Lower the calling thread's CPU priority by ``niceness`` (Linux; elsewhere nothing).

    The threads it starts afterwards (numba's workers, say) inherit the lower priority;
    the process's other threads keep theirs.
    """
    if sys.platform != "linux":  # elsewhere a thread id is not a process id
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid,
                       min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError as exc:  # a sandbox may forbid it: the work still runs
        logger.info("A background thread keeps the normal CPU priority: %s", exc)
