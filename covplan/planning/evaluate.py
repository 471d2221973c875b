"""The one evaluation pipeline: sites → coverage → metrics → targets and gap tables.

A :class:`ScenarioEvaluator` holds one dataset, one target set, one grid and one
:class:`~covplan.predict.SiteCache`. Evaluating a scenario (or a sites table) predicts its
network through the cache (only sites the scenario adds or changes are computed; every other
site's window is reused, and the previous grids are updated where the changed sites reach),
lays the layers on the grid once per evaluator (later scenarios follow on from the previous
metrics, redone only where the coverage changed) and evaluates the targets. ``covplan
analyze`` (:func:`run_analysis`), the report, the app and the site planner all go through it,
so they give the same figures for the same scenario.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan import settings
from covplan._progress import ProgressFn, no_progress, scaled
from covplan.grid import GridSpec, Raster
from covplan.i18n import Language, language
from covplan.io.dataset import Dataset
from covplan.metrics.context import MetricContext, metrics_from_dataset
from covplan.metrics.signal import Coverage, changed_window
from covplan.planning.scenario import Scenario
from covplan.predict import GridMemo, SiteCache, predict_network
from covplan.predict.environment import RadioEnvironment
from covplan.predict.operators import predict_operators
from covplan.schema import ON_AIR_STATUSES
from covplan.targets.analyze import Analysis, analyze
from covplan.targets.schema import TargetSet


class HasSites(Protocol):
    """Anything with a sites table (a :class:`~covplan.planning.Scenario`)."""

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """One row per sector."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """One scenario evaluated: its coverage, the metrics laid on it, the targets.

    Parameters
    ----------
    coverage
        ``{technology: CoverageGrid}`` (an empty 4G RSRP raster when no site is on air).
    context
        The metrics on that coverage (villages, roads, people on the grid).
    analysis
        Targets, gap tables and the commune summary, with ``timings_s`` per stage.
    """

    coverage: dict[str, Any]
    context: MetricContext
    analysis: Analysis

    def village_share(self) -> pd.Series | None:
        """Share (0–1) of each village's people with 4G or 5G signal; None without villages."""
        if self.context.villages is None:
            return None
        return self.context.village_signal(["4G", "5G"])["signal_percent"] / 100.0

    def fibre_reached(self) -> pd.Series | None:
        """Each village fibre-reached or not; None without villages or fibre data."""
        if self.context.villages is None or not self.context.has_fibre_data:
            return None
        return self.context.fibre_reached()


@dataclass(eq=False)
class ScenarioEvaluator:
    """Evaluate scenarios of one dataset against one target set.

    Parameters
    ----------
    dataset
        The loaded dataset (its sites are the baseline).
    targets
        The target set to evaluate; its lowest thresholds bound each site's prediction.
    resolution_m
        Grid resolution; default :data:`covplan.settings.resolution_m`.
    model
        Propagation model (``"auto"`` or a model name).
    statuses
        Site ``status`` values predicted (rows without a status always are).
    cache
        Per-site prediction cache, shared with candidate coverage
        (:func:`covplan.planning.matrix.candidate_windows`).
    environment
        Clutter, calibration and vendor patterns the predictions add to the model; default
        the dataset's (:meth:`covplan.io.Dataset.environment`, with the calibration its
        manifest names).
    memo
        The coverage grids of the latest scenarios, by what they were predicted from
        (:class:`~covplan.predict.engine.GridMemo`). Evaluators of one dataset under other
        targets may share one (the app's presets do), so that a switch predicts nothing
        again.
    """

    dataset: Dataset
    targets: TargetSet
    resolution_m: float | None = None
    model: str = "auto"
    statuses: Sequence[str] = ON_AIR_STATUSES
    cache: SiteCache = field(default_factory=SiteCache)
    environment: RadioEnvironment | None = None
    _last: MetricContext | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    memo: GridMemo = field(default_factory=lambda: GridMemo(size=16), repr=False)

    @cached_property
    def grid(self) -> GridSpec:
        """The coverage grid (refused beyond :data:`covplan.settings.max_grid_cells`)."""
        return self.dataset.grid(self.resolution_m or settings.resolution_m)

    @property
    def radio_environment(self) -> RadioEnvironment:
        """The environment predictions use: the one given, else the dataset's."""
        return self.environment if self.environment is not None else self.dataset.environment()

    def calibration_statement(self, lang: Language | None = None) -> str:
        """Which calibration the predictions use, one sentence in ``lang`` (for every output)."""
        from covplan.calibration.correction import calibration_phrase

        return calibration_phrase(self.radio_environment.calibration)(lang or language("en"))

    def baseline(self) -> Scenario:
        """The scenario with no edits."""
        sites = self.dataset.sites
        if sites is None:
            raise ValueError(f"{self.dataset.name} has no sites layer to plan from")
        return Scenario(sites, dataset=self.dataset.name, name="baseline")

    def coverage(self, sites: gpd.GeoDataFrame | None, progress: ProgressFn | None = None
                 ) -> dict[str, Any]:
        """``{technology: CoverageGrid}`` of the sectors of ``sites`` that are on air."""
        coverage: dict[str, Any] = dict(predict_network(
            sites, self.dataset.terrain, self.grid, floors_dbm=self.targets.floors_dbm(),
            statuses=self.statuses, model=self.model, cache=self.cache, progress=progress,
            memo=self.memo, environment=self.radio_environment))
        if not coverage:  # no sites on air: an empty grid, so every measure reads no signal
            empty = np.full(self.grid.shape, np.nan, dtype=np.float32)
            coverage = {"4G": Raster(empty, self.grid, "dBm")}
        return coverage

    def networks(self, sites: gpd.GeoDataFrame | None, progress: ProgressFn | None = None
                 ) -> dict[str, dict[str, Any]]:
        """Each operator's own network of ``sites`` (with SINR when a target counts speed).

        Sites predicted for the merged network come from the shared cache: each
        operator's grids only merge them again (and sum the carriers' power). The networks
        of the sites last evaluated (the same table object) are handed back as they are:
        the app's map asks for them again right after the evaluation (0.1–0.2 s of merging
        per click on the full demo).
        """
        with self._lock:
            last = self._last
        if last is not None and last.sites is sites and last.networks is not None:
            return {name: dict(grids) for name, grids in last.networks.items()}
        return predict_operators(
            sites, self.dataset.terrain, self.grid, floors_dbm=self.targets.floors_dbm(),
            statuses=self.statuses, model=self.model, cache=self.cache, progress=progress,
            memo=self.memo, environment=self.radio_environment,
            sinr=self.targets.needs_sinr)

    def context(self, coverage: Coverage, sites: gpd.GeoDataFrame | None,
                progress: ProgressFn | None = None,
                networks: Mapping[str, Coverage] | None = None) -> MetricContext:
        """Metrics on ``coverage``; the layers are laid on the grid once per evaluator.

        Each context follows on from the previous one: where the new coverage differs
        from the last only in a window (one site added, moved or removed), grid-wide
        measures are updated there instead of recomputed (see
        :meth:`covplan.metrics.MetricContext.advance`). The figures are the same. When a
        target needs each operator's own network, ``networks`` are those of ``sites``
        (predicted here when not given, :meth:`networks`).
        """
        if networks is None and self.targets.per_network:
            networks = self.networks(sites)
        with self._lock:
            last = self._last
            if last is None:
                ctx = replace(metrics_from_dataset(self.dataset, coverage,
                                                   thresholds=self.targets.thresholds,
                                                   progress=progress), sites=sites)
            else:
                ctx = last.advance(coverage, changed_window(last.coverage, coverage),
                                   sites=sites)
            ctx.networks = networks
            self._last = ctx
        return ctx

    def evaluate(self, scenario: HasSites | gpd.GeoDataFrame | None = None, *,
                 progress: ProgressFn | None = None,
                 on_coverage: Callable[[dict[str, Any]], None] | None = None) -> Evaluation:
        """Coverage, metrics and targets of a scenario (or a sites table; None: the baseline).

        Parameters
        ----------
        scenario
            A :class:`~covplan.planning.Scenario`, a sites table, or None for the dataset's
            own sites.
        progress
            Called with (fraction, message): prediction takes the first 80 %.
        on_coverage
            Called with the coverage as soon as it is predicted, before the (longer)
            measuring, so that work on it (the app's map images) can start alongside.

        Returns
        -------
        Evaluation
            Whose ``analysis.timings_s`` has the prediction, the layers on the grid and each
            measure.
        """
        report = progress or no_progress
        if scenario is None:
            sites = self.dataset.sites
        else:
            sites = scenario if isinstance(scenario, gpd.GeoDataFrame) else scenario.sites
        started = time.perf_counter()
        split = 0.5 if self.targets.per_network else 0.8
        coverage = self.coverage(sites, scaled(report, 0.0, split))
        if on_coverage is not None:
            on_coverage(coverage)
        networks = (self.networks(sites, scaled(report, split, 0.8))
                    if self.targets.per_network else None)
        predicted = time.perf_counter()
        ctx = self.context(coverage, sites, scaled(report, 0.8, 0.9), networks)
        prepared = time.perf_counter()
        result = analyze(ctx, self.targets, progress=scaled(report, 0.9, 1.0))
        timings = {"prediction": predicted - started, "layers on grid": prepared - predicted,
                   **result.timings_s}
        return Evaluation(coverage, ctx, replace(result, timings_s=timings))

    def compare(self, scenarios: Mapping[str, HasSites | gpd.GeoDataFrame]) -> pd.DataFrame:
        """Measured percent and status of every target, one column pair per scenario."""
        columns = []
        for label, scenario in scenarios.items():
            table = self.evaluate(scenario).analysis.targets.set_index("id")
            columns.append(table[["measured_percent", "status"]].add_prefix(f"{label}: "))
        return pd.concat(columns, axis=1).reset_index()


def run_analysis(
    dataset: Dataset,
    targets: TargetSet,
    *,
    resolution_m: float | None = None,
    statuses: Sequence[str] = ON_AIR_STATUSES,
    model: str = "auto",
    cache: SiteCache | None = None,
    progress: ProgressFn | None = None,
    environment: RadioEnvironment | None = None,
) -> Analysis:
    """Targets and gap tables of the dataset's own sites (``covplan analyze``).

    One :meth:`ScenarioEvaluator.evaluate` of the baseline; see :class:`ScenarioEvaluator`
    for the parameters.
    """
    evaluator = ScenarioEvaluator(dataset, targets, resolution_m=resolution_m, model=model,
                                  statuses=statuses,
                                  cache=cache if cache is not None else SiteCache(),
                                  environment=environment)
    return evaluator.evaluate(progress=progress).analysis
