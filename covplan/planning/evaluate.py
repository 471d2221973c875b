"""Evaluating scenarios: targets and gap tables, cheaply, with the engine's per-site cache.

A :class:`ScenarioEvaluator` holds one dataset, one target set, one grid and one
:class:`~covplan.predict.SiteCache`. Evaluating a scenario predicts its sites through the
cache (only sites the scenario adds or changes are computed; every other site's window is
reused) and lays the layers on the grid only once: later scenarios swap the coverage into
the prepared metrics. The prediction settings are those of ``covplan analyze``
(:func:`covplan.targets.run.predict_dataset`), so a scenario with no edits reproduces its
tables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan import settings
from covplan._progress import ProgressFn, scaled
from covplan.grid import GridSpec, Raster
from covplan.io.dataset import Dataset
from covplan.metrics.context import MetricContext
from covplan.metrics.prepare import metrics_from_dataset
from covplan.metrics.signal import Coverage, changed_window
from covplan.planning.scenario import Scenario
from covplan.predict import SiteCache
from covplan.targets.analyze import Analysis, analyze
from covplan.targets.run import predict_dataset
from covplan.targets.schema import TargetSet

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class ScenarioEvaluator:
    """Evaluate scenarios of one dataset against one target set.

    Parameters
    ----------
    dataset
        The loaded dataset (its sites are the baseline).
    targets
        The target set to evaluate.
    resolution_m
        Grid resolution; default :data:`covplan.settings.resolution_m`.
    model
        Propagation model (``"auto"`` or a model name).
    cache
        Per-site prediction cache, shared with candidate coverage
        (:func:`covplan.planning.matrix.candidate_windows`).
    """

    dataset: Dataset
    targets: TargetSet
    resolution_m: float | None = None
    model: str = "auto"
    cache: SiteCache = field(default_factory=SiteCache)
    _last: MetricContext | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _grids: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def grid(self) -> GridSpec:
        """The coverage grid."""
        return self.dataset.grid(self.resolution_m or settings.resolution_m)

    def baseline(self) -> Scenario:
        """The scenario with no edits."""
        sites = self.dataset.sites
        if sites is None:
            raise ValueError(f"{self.dataset.name} has no sites layer to plan from")
        return Scenario(sites, dataset=self.dataset.name, name="baseline")

    def coverage(self, sites: gpd.GeoDataFrame, progress: ProgressFn | None = None
                 ) -> dict[str, Any]:
        """``{technology: CoverageGrid}`` of ``sites`` (existing and planned sectors)."""
        data = replace(self.dataset, vectors={**self.dataset.vectors, "sites": sites})
        coverage = predict_dataset(data, self.grid, targets=self.targets, model=self.model,
                                   cache=self.cache, progress=progress, reuse=self._grids)
        if not coverage:  # no sites on air: an empty grid, so every measure reads no signal
            empty = np.full(self.grid.shape, np.nan, dtype=np.float32)
            coverage = {"4G": Raster(empty, self.grid, "dBm")}
        return coverage

    def context(self, coverage: Coverage, sites: gpd.GeoDataFrame,
                progress: ProgressFn | None = None) -> MetricContext:
        """Metrics on ``coverage``; the layers are laid on the grid once per evaluator.

        Each context follows on from the previous one: where the new coverage differs
        from the last only in a window (one site added, moved or removed), grid-wide
        measures are updated there instead of recomputed (see
        :meth:`covplan.metrics.MetricContext.advance`). The figures are the same.
        """
        with self._lock:
            last = self._last
            if last is None:
                ctx = replace(metrics_from_dataset(self.dataset, coverage,
                                                   thresholds=self.targets.thresholds,
                                                   progress=progress), sites=sites)
            else:
                ctx = last.advance(coverage, changed_window(last.coverage, coverage),
                                   sites=sites)
            self._last = ctx
        return ctx

    def evaluate(self, scenario: Scenario | gpd.GeoDataFrame, *,
                 progress: ProgressFn | None = None) -> Analysis:
        """Targets and gap tables of a scenario (or of a sites table).

        Returns
        -------
        covplan.targets.Analysis
            ``targets`` (measured, goal, met, shortfall) and the gap layers.
        """
        sites = scenario.sites if isinstance(scenario, Scenario) else scenario
        coverage = self.coverage(sites, scaled(progress, 0.0, 0.8))
        ctx = self.context(coverage, sites, scaled(progress, 0.8, 0.9))
        return analyze(ctx, self.targets, progress=scaled(progress, 0.9, 1.0))

    def compare(self, scenarios: Mapping[str, Scenario | gpd.GeoDataFrame]) -> pd.DataFrame:
        """Measured percent and status of every target, one column pair per scenario."""
        columns = []
        for label, scenario in scenarios.items():
            table = self.evaluate(scenario).targets.set_index("id")
            columns.append(table[["measured_percent", "status"]].add_prefix(f"{label}: "))
        return pd.concat(columns, axis=1).reset_index()
