"""Every province of a country as Dask work: submitted, retried, tiled, resumed.

:func:`run_national` takes the jobs of a :class:`~covplan.scale.country.Plan` and a Dask
client. A province whose inputs and settings are unchanged since a stored result (same
content hash, :class:`~covplan.scale.resume.ResultCache`) is taken from the cache; every
other one is one task (:func:`~covplan.scale.province.run_province`). A province too big
for one task answers with its tiles, which are submitted as tasks of their own with one
more task that puts them together (:func:`~covplan.scale.province.finish_tiled`).

Faults: a province whose inputs are wrong returns a failed result listing its problems and
the others go on. A task that raises is retried by Dask (``retries``), and a task on a
worker that dies is run again elsewhere (the scheduler's ``allowed-failures``); a province
that still fails is reported as failed, unexpectedly. Each finished province is stored in
the cache at once, so an interrupted run loses only the provinces in progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from covplan._progress import ProgressFn, no_progress
from covplan.scale.country import Plan
from covplan.scale.province import (
    ProvinceJob,
    ProvinceResult,
    TilePlan,
    failed_result,
    finish_tiled,
    predict_tile,
    run_province,
)
from covplan.scale.resume import ResultCache, cache_name

if TYPE_CHECKING:
    from distributed import Client, Future

logger = logging.getLogger(__name__)

#: How often Dask runs a task again after it raised.
RETRIES = 2


@dataclass(frozen=True, eq=False)
class NationalRun:
    """The provinces of a run, in the country's order.

    Parameters
    ----------
    results
        One per province (failed ones included).
    computed
        Keys of the provinces computed in this run.
    cached
        Keys of the provinces taken from the cache.
    wall_s
        Wall time of the run.
    """

    results: tuple[ProvinceResult, ...]
    computed: tuple[str, ...]
    cached: tuple[str, ...]
    wall_s: float

    @property
    def failed(self) -> tuple[ProvinceResult, ...]:
        """The provinces that did not run."""
        return tuple(r for r in self.results if not r.ok)


def _key(kind: str, job: ProvinceJob, *extra: object) -> str:
    """A readable Dask key, unique to the job (its inputs' hash and settings)."""
    from dask.base import tokenize

    tail = "".join(f"-{e}" for e in extra)
    return f"{kind}-{cache_name(job.key)}-{tokenize(job)}{tail}"


def _status(result: ProvinceResult) -> str:
    if not result.ok:
        return "failed"
    assert result.analysis is not None
    met = int(result.analysis.targets["met"].fillna(False).sum())
    return f"{met}/{len(result.analysis.targets)} targets met"


def run_national(plan: Plan, client: Client | None, *, cache: ResultCache | None = None,
                 progress: ProgressFn | None = None, retries: int = RETRIES) -> NationalRun:
    """Evaluate every province of ``plan`` on the cluster of ``client``.

    Parameters
    ----------
    plan
        The jobs (and the provinces refused before any work).
    client
        A Dask client (:func:`covplan.scale.cluster.open_client`); may be None when every
        province is refused or in the cache (:func:`pending`).
    cache
        Finished results: unchanged provinces are taken from it, finished ones stored in
        it. None computes every province and stores nothing.
    progress
        Called with (fraction of provinces done, message).
    retries
        How often Dask runs a task again after it raised.

    Returns
    -------
    NationalRun
    """
    from distributed import as_completed

    report = progress or no_progress
    started = time.perf_counter()
    done: dict[str, ProvinceResult] = {r.key: r for r in plan.refused}
    cached: list[str] = []
    todo: list[ProvinceJob] = []
    for job in plan.jobs:
        found = cache.get(job) if cache is not None else None
        if found is not None:
            done[job.key] = found
            cached.append(job.key)
        else:
            todo.append(job)
    total = len(plan.jobs) + len(plan.refused)
    report(len(done) / max(total, 1), f"{len(cached)} provinces from the cache")
    if todo and client is None:
        raise ValueError(f"{len(todo)} provinces need computing, and no Dask client was given")
    owner: dict[Future[Any], ProvinceJob] = {}
    for job in todo:
        assert client is not None
        owner[client.submit(run_province, job, key=_key("province", job),
                            retries=retries)] = job
    queue = as_completed(list(owner))  # type: ignore[no-untyped-call]
    try:
        for future in queue:
            job = owner.pop(future)
            value = _value(future, job)
            if isinstance(value, TilePlan):
                assert client is not None
                combine = _submit_tiles(client, job, value, retries)
                owner[combine] = job
                queue.add(combine)  # type: ignore[no-untyped-call]
                continue
            done[job.key] = value
            if cache is not None:
                cache.put(value)
            report(len(done) / max(total, 1), f"{value.name}: {_status(value)}")
    finally:
        if owner and client is not None:
            client.cancel(list(owner))  # type: ignore[no-untyped-call]
    order = {key: i for i, key in enumerate(plan.order)}
    results = tuple(sorted(done.values(), key=lambda r: order.get(r.key, len(order))))
    wall = time.perf_counter() - started
    logger.info("National run: %d provinces, %d computed, %d from the cache, %d failed, "
                "%.1f s", len(results), len(todo), len(cached),
                sum(not r.ok for r in results), wall)
    return NationalRun(results, tuple(j.key for j in todo), tuple(cached), wall)


def pending(plan: Plan, cache: ResultCache | None) -> tuple[ProvinceJob, ...]:
    """The jobs of ``plan`` that the cache cannot answer (all of them without a cache)."""
    if cache is None:
        return plan.jobs
    return tuple(job for job in plan.jobs if cache.get(job) is None)


def _value(future: Future[Any], job: ProvinceJob) -> ProvinceResult | TilePlan:
    """A finished task's answer.

    A task that failed (after Dask's retries) becomes a failed province.
    """
    try:
        value: Any = future.result()
    except Exception as exc:  # one province's failure must not stop the run
        logger.debug("Province %s failed", job.name, exc_info=True)
        logger.info("Province %s failed: %s: %s", job.name, type(exc).__name__, exc)
        return failed_result(job, exc)
    finally:
        future.release()  # type: ignore[no-untyped-call]
    if not isinstance(value, ProvinceResult | TilePlan):
        return failed_result(job, TypeError(f"the task returned {type(value).__name__}"))
    return value


def _submit_tiles(client: Client, job: ProvinceJob, plan: TilePlan, retries: int) -> Future[Any]:
    """Submit the tiles of a province and the task that puts them together."""
    tiles: Sequence[Future[Any]] = [
        client.submit(predict_tile, job, window, key=_key("tile", job, i), retries=retries)
        for i, window in enumerate(plan.windows)]
    logger.info("%s: %d tiles submitted", job.name, len(tiles))
    return client.submit(finish_tiled, job, plan, tiles, key=_key("assemble", job),
                         retries=retries)
