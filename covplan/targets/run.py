"""The whole ``covplan analyze`` pipeline on a loaded dataset: predict, measure, evaluate."""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from covplan import settings
from covplan._digest import frame_digest
from covplan._progress import ProgressFn, no_progress, scaled
from covplan.grid import GridSpec, Raster
from covplan.metrics.prepare import metrics_from_dataset
from covplan.schema import TECHNOLOGIES
from covplan.targets.analyze import Analysis, analyze
from covplan.targets.schema import TargetSet

if TYPE_CHECKING:
    from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)
#: Grids kept by ``predict_dataset(reuse=...)`` (each holds RSRP and server rasters).
REUSE_GRIDS = 4

#: Site statuses predicted by default: what is on air or committed, not candidates.
DEFAULT_STATUSES = ("existing", "planned")


def threshold_floor_dbm(targets: TargetSet, technology: str) -> float:
    """The lowest RSRP threshold any target uses for ``technology``."""
    values = [t.thresholds.rsrp_dbm(technology) for t in targets.targets]
    return min([targets.thresholds.rsrp_dbm(technology), *values])


def _labelled(report: ProgressFn, technology: str) -> ProgressFn:
    """``report`` with the technology in front of messages that do not name it."""

    def labelled(fraction: float, message: str) -> None:
        report(fraction, message if message.startswith(technology)
               else f"{technology} {message}")

    return labelled


def predict_dataset(
    dataset: Dataset,
    grid: GridSpec,
    *,
    targets: TargetSet,
    statuses: Sequence[str] = DEFAULT_STATUSES,
    model: str = "auto",
    cache: Any = None,
    progress: ProgressFn | None = None,
    reuse: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Predict every technology the dataset's sites carry on ``grid``.

    Parameters
    ----------
    dataset
        A loaded dataset with sites.
    grid
        The coverage grid.
    targets
        The target set, whose lowest thresholds bound each site's prediction radius.
    statuses
        Site ``status`` values to predict (rows without a status are always kept).
    model
        Propagation model name or ``"auto"``.
    cache
        A :class:`covplan.predict.SiteCache` reused between calls, or None.
    progress
        Called with (fraction, message).
    reuse
        Grids of earlier calls (pass the same dict each time): a technology whose sectors,
        model and grid are unchanged gets its earlier grid back, merged and allocated once.
        Keeps the :data:`REUSE_GRIDS` latest; a technology whose sectors changed updates
        the latest earlier grid where the changed sites reach
        (``predict_coverage(previous=...)``).

    Returns
    -------
    dict
        ``{technology: CoverageGrid}`` for each technology with at least one sector.
    """
    from covplan.predict import predict_coverage

    sites = dataset.sites
    if sites is None or not len(sites):
        logger.warning("The dataset has no sites: nothing has signal")
        return {}
    if "status" in sites.columns:
        sites = sites[sites["status"].isna() | sites["status"].isin(list(statuses))]
    present = [t for t in TECHNOLOGIES if (sites["technology"] == t).any()]
    coverage: dict[str, Any] = {}
    for i, tech in enumerate(present):
        family = f"{tech}|{model}|{grid!r}|"
        key = family + frame_digest(sites[sites["technology"] == tech])
        if reuse is not None and key in reuse:
            coverage[tech] = reuse[key] = reuse.pop(key)  # newest last
            continue
        earlier = [grid_ for k, grid_ in (reuse or {}).items() if k.startswith(family)]
        coverage[tech] = predict_coverage(
            sites, dataset.terrain, grid, technology=tech, model=model,
            threshold_dbm=threshold_floor_dbm(targets, tech), rx_height_m=settings.rx_height_m,
            cache=cache, warn_range=False, previous=earlier[-1] if earlier else None,
            progress=_labelled(scaled(progress, i / len(present), (i + 1) / len(present)), tech))
        if reuse is not None:
            reuse[key] = coverage[tech]
            while len(reuse) > REUSE_GRIDS:
                reuse.pop(next(iter(reuse)))
    return coverage



def run_analysis(
    dataset: Dataset,
    targets: TargetSet,
    *,
    resolution_m: float | None = None,
    statuses: Sequence[str] = DEFAULT_STATUSES,
    model: str = "auto",
    cache: Any = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Predict coverage on the dataset's grid, lay the layers on it and evaluate ``targets``.

    Parameters
    ----------
    dataset
        A loaded dataset.
    targets
        The target set.
    resolution_m
        Grid resolution; default :data:`covplan.settings.resolution_m`.
    statuses, model, cache
        Passed to :func:`predict_dataset`.
    progress
        Called with (fraction, message): prediction takes the first 80 %.

    Returns
    -------
    Analysis
        With ``timings_s`` for prediction, preparation and each metrics stage.
    """
    report = progress or no_progress
    grid = dataset.grid(resolution_m or settings.resolution_m)
    started = time.perf_counter()
    coverage = predict_dataset(dataset, grid, targets=targets, statuses=statuses, model=model,
                               cache=cache, progress=scaled(report, 0.0, 0.8))
    predicted = time.perf_counter()
    if not coverage:  # no sites: an empty 4G grid, so every measure reads "no signal"
        coverage = {"4G": Raster(np.full(grid.shape, np.nan, dtype=np.float32), grid, "dBm")}
    ctx = metrics_from_dataset(dataset, coverage, thresholds=targets.thresholds,
                               progress=scaled(report, 0.8, 0.9))
    prepared = time.perf_counter()
    result = analyze(ctx, targets, progress=scaled(report, 0.9, 1.0))
    timings = {"prediction": predicted - started, "layers on grid": prepared - predicted,
               **result.timings_s}
    return replace(result, timings_s=timings)
