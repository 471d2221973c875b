"""The Dask cluster a national run works on: a local one, or an existing one by address.

:func:`open_client` starts a :class:`distributed.LocalCluster` (one single-threaded worker
process per core by default) or connects to a running scheduler (``dask scheduler`` and
``dask worker``, dask-jobqueue on HPC, dask-kubernetes, a managed service). The workers
of an existing cluster need covplan installed and the province folders at the same paths.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from covplan.errors import CovplanError
from covplan.i18n import N_

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

#: Seconds to wait for an existing scheduler to answer.
CONNECT_TIMEOUT_S = 30.0


class ClusterError(CovplanError, ConnectionError):
    """The Dask scheduler cannot be reached."""


def local_workers(workers: int | None = None) -> int:
    """Worker processes of a local cluster: ``workers``, else one per core."""
    return workers or os.cpu_count() or 1


@contextmanager
def open_client(*, scheduler: str | None = None, workers: int | None = None,
                numba_threads: int | None = None) -> Iterator[Client]:
    """A Dask client on an existing cluster (``scheduler``) or on a new local one.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); None starts a local cluster.
    workers
        Worker processes of the local cluster (default one per core); each runs one task
        at a time. Not with ``scheduler``.
    numba_threads
        Threads of each local worker's numba kernels; default its share of the cores
        (cores // workers, at least 1).

    Raises
    ------
    ClusterError
        When the scheduler does not answer.
    ValueError
        When both ``scheduler`` and ``workers`` are given.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if workers is not None:
            raise ValueError("workers is for a local cluster; an existing cluster (scheduler) "
                             "has its own")
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                N_("cannot reach the Dask scheduler at {scheduler} ({error}). Fix: check the "
                   "address (tcp://host:8786) and that `dask scheduler` runs there, or leave "
                   "out --scheduler to run on a local cluster."),
                scheduler=scheduler, error=exc) from None
        with client:
            yield client
        return
    count = local_workers(workers)
    threads = str(numba_threads or max(1, (os.cpu_count() or 1) // count))
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
        silence_logs=logging.WARNING, env={"NUMBA_NUM_THREADS": threads})
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        logger.info("Local Dask cluster: %d workers, dashboard %s", count,
                    client.dashboard_link)
        yield client
