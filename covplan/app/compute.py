"""Cached work behind the app: datasets, evaluators and scenario results.

Datasets and evaluators (which hold the per-site prediction cache) live in
``st.cache_resource``, keyed only by their arguments. A scenario's result is memoised in
the session by (dataset, preset, edits), so reruns that change nothing recompute nothing,
and a new site recomputes only that site's prediction.
"""

from __future__ import annotations

import gc
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from covplan.app.livemap import BaseMap, serialise
from covplan.io import Dataset, load_dataset
from covplan.mapview.live import base_map
from covplan.mapview.overlays import COVERAGE_MAX_PX, coverage_image
from covplan.metrics._kernels import warm_up as metric_kernels
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.predict._merge import warm_up as merge_kernels
from covplan.schema import TECHNOLOGIES
from covplan.targets import Analysis, analyze, load_targets

logger = logging.getLogger(__name__)

#: Scenario results kept per session (newest last).
MAX_RESULTS = 12

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Result:
    """Everything the page shows for one scenario."""

    coverage: dict[str, Any]
    analysis: Analysis
    village_signal_percent: pd.Series | None


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_dataset(path: str) -> Dataset:
    """The dataset at ``path``, loaded once per process."""
    return load_dataset(Path(path))


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_evaluator(path: str, preset: str) -> ScenarioEvaluator:
    """An evaluator (and its per-site cache) for a dataset and a target preset.

    The kernels that update a scenario are compiled alongside, in a worker thread, so the
    first click after an install does not wait for numba (4 s measured on the small demo).
    """
    _AHEAD.submit(warm_up_updates)
    return ScenarioEvaluator(cached_dataset(path), load_targets(preset))


def warm_up_updates() -> None:
    """Compile (or load from numba's cache) the kernels of a scenario update."""
    merge_kernels()
    metric_kernels()


def bar_progress(bar: Any, *, every_s: float = 0.2) -> Callable[[float, str], None]:
    """A ``progress(fraction, message)`` callback driving an ``st.progress`` bar.

    Each update is a message to the browser, and the engine reports every site group, so
    the bar moves at most every ``every_s`` seconds (and always at the end).
    """
    last = [-math.inf]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < every_s and fraction < 1.0:
            return
        last[0] = now
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    return report


def evaluate(
    evaluator: ScenarioEvaluator,
    scenario: Scenario,
    progress: Callable[[float, str], None],
    on_coverage: Callable[[dict[str, Any]], None] | None = None,
) -> Result:
    """Predict, measure and evaluate one scenario through the evaluator's cache.

    ``on_coverage`` is called with the coverage grids as soon as they are predicted, before
    the (longer) measuring, so work on them can start alongside.
    """
    sites = scenario.sites
    coverage = evaluator.coverage(sites, progress=lambda f, m: progress(0.8 * f, m))
    if on_coverage is not None:
        on_coverage(coverage)
    ctx = evaluator.context(coverage, sites)
    analysis = analyze(ctx, evaluator.targets, progress=lambda f, m: progress(0.8 + 0.2 * f, m))
    share = None
    if ctx.villages is not None:
        share = ctx.village_signal(["4G", "5G"])["signal_percent"] / 100.0  # map wants 0-1
    return Result(coverage, analysis, share)


_SETTLED: set[str] = set()


def settle_heap(key: str) -> None:
    """Take what is loaded so far out of the cyclic garbage collector's walks (once per key).

    A dataset, its layers on the grid and its base map are millions of long-lived Python
    objects. A full collection walks them all: 0.18 s measured on the full demo, landing at
    random in the middle of a click's update. ``gc.freeze`` moves them to the permanent
    generation; reference counting still frees them when they go.
    """
    if key in _SETTLED:
        return
    _SETTLED.add(key)
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    logger.info("Heap settled after loading %s in %.2f s (%d objects frozen)", key,
                time.perf_counter() - started, gc.get_freeze_count())


_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="covplan-overlay")


def draw_overlays_ahead(coverage: dict[str, Any]) -> list[Future[Any]]:
    """Start drawing the coverage overlay images in a worker thread; their futures.

    :func:`covplan.mapview.overlays.coverage_image` remembers each image with its grid,
    where the map's scenario script then finds it. Warping and PNG encoding release the
    GIL, so this overlaps with the targets being measured. Grids already drawn cost nothing.
    """
    return [
        _AHEAD.submit(coverage_image, grid.rsrp_dbm, max_px=COVERAGE_MAX_PX)
        for grid in coverage.values()
    ]


def scenario_result(store: Any, key: str, make: Callable[[], T], *, bucket: str = "results") -> T:
    """The memoised value under ``key`` in ``store[bucket]``, made when missing.

    ``store`` is ``st.session_state`` (any mutable mapping in tests). Each bucket keeps the
    :data:`MAX_RESULTS` latest values.
    """
    results: OrderedDict[str, T] = store.setdefault(bucket, OrderedDict())
    if key in results:
        results.move_to_end(key)
        return results[key]
    result = make()
    results[key] = result
    while len(results) > MAX_RESULTS:
        results.popitem(last=False)
    return result


def forget_coverage(store: Any, key: str, *, bucket: str = "results") -> None:
    """Let the memoised result under ``key`` in ``store[bucket]`` drop its coverage grids.

    They take about 100 MB a scenario on the full demo, and once the map's scenario layers
    are drawn from them nothing on the page reads them again: twelve kept results held
    1.1 GB per session.
    """
    results = store.get(bucket)
    if results is not None and key in results and results[key].coverage:
        results[key] = replace(results[key], coverage={})


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_base_map(path: str, preset: str) -> BaseMap:
    """The dataset's base map (legend for the preset), serialised once per process."""
    thresholds = cached_evaluator(path, preset).targets.thresholds
    by_technology = {t: thresholds.rsrp_dbm(t) for t in TECHNOLOGIES}
    return serialise(base_map(cached_dataset(path), thresholds=by_technology))
