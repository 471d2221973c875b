"""What a report is made of: one evaluation, with what the maps need from it.

:func:`prepare_report` evaluates the scenario (or the dataset's own sites) through the one
evaluation pipeline, :class:`covplan.planning.ScenarioEvaluator`, as ``covplan analyze``
and the app do, and keeps the coverage grids and the village measures the maps need. With a
scenario, the scenario's sites replace the dataset's.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import pandas as pd

from covplan._progress import ProgressFn
from covplan.i18n import N_, Language, Name, Num, Phrase
from covplan.io.dataset import Dataset
from covplan.planning.evaluate import ScenarioEvaluator
from covplan.predict import SiteCache
from covplan.schema import TECHNOLOGIES
from covplan.targets.analyze import Analysis
from covplan.targets.schema import TargetSet

logger = logging.getLogger(__name__)

#: The name a scenario has when nobody named it (:class:`covplan.planning.Scenario`'s default).
UNNAMED_SCENARIO = "scenario"


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything the maps, the PDF report and the data exports are drawn from.

    Parameters
    ----------
    dataset
        The province, with the scenario's sites when there is a scenario.
    targets
        The target set evaluated.
    coverage
        ``{technology: CoverageGrid}`` (a bare RSRP raster when no site is on air).
    analysis
        Targets, road/village/POI gaps and the commune summary.
    fibre_reached
        Aligned to the villages: fibre-reached (None without villages, and without fibre
        data: no fibre layer and no ``fibre`` column).
    village_share
        Aligned to the villages: share of people with 4G/5G, 0–1 (None without villages).
    scenario
        The scenario mapped, or None for the dataset's own sites.
    new_sites
        Sectors the scenario adds (None when it adds none).
    resolution_m
        Grid resolution of the prediction.
    created
        Date printed on every output.
    timings_s
        Wall time of each stage.
    speed
        ``{technology: Raster}``: the fastest operator's downlink speed (Mb/s), when a
        target counts speed; mapped in the report.
    sinr
        ``{technology: Raster}``: the best operator's SINR (dB), with ``speed``.
    """

    dataset: Dataset
    targets: TargetSet
    coverage: dict[str, Any]
    analysis: Analysis
    fibre_reached: pd.Series | None = None
    village_share: pd.Series | None = None
    scenario: Any = None
    new_sites: gpd.GeoDataFrame | None = None
    resolution_m: float = 30.0
    created: dt.date = field(default_factory=dt.date.today)
    timings_s: dict[str, float] = field(default_factory=dict)
    speed: dict[str, Any] = field(default_factory=dict)
    sinr: dict[str, Any] = field(default_factory=dict)

    @property
    def thresholds_dbm(self) -> dict[str, float]:
        """The target set's RSRP threshold per technology."""
        return {t: self.targets.thresholds.rsrp_dbm(t) for t in ("4G", "5G")}

    def scenario_label(self, lang: Language) -> str:
        """The sites mapped, in ``lang``: ``Scenario “fill-in” (3 edits)``, or the baseline.

        A scenario nobody named (its name is the default, ``scenario``) is ``Scenario (12
        edits)``, never ``scenario scenario``.
        """
        return self.scenario_phrase()(lang)

    def scenario_phrase(self) -> Phrase:
        """:meth:`scenario_label` in any language."""
        if self.scenario is None:
            return Phrase(N_("existing and planned sites (no scenario)"))
        edits = len(self.scenario.edits)
        count = Phrase.of(N_("1 edit") if edits == 1 else N_("{count} edits"),
                          count=Num(edits))
        name = str(self.scenario.name or "").strip()
        if not name or name.casefold() == UNNAMED_SCENARIO:
            return Phrase.of(N_("Scenario ({edits})"), edits=count)
        return Phrase.of(N_("Scenario “{name}” ({edits})"), name=Name(name), edits=count)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The vector layers exported: the gap layers, the commune summary and the sites."""
        out = dict(self.analysis.layers())
        if self.dataset.sites is not None:
            out["sites"] = self.dataset.sites
        return out


def _with_scenario(dataset: Dataset, scenario: Any) -> tuple[Dataset, gpd.GeoDataFrame | None]:
    if scenario is None:
        return dataset, None
    sites = scenario.sites
    diff = scenario.diff()
    added = diff[diff["change"] == "added"] if len(diff) else diff
    new = sites[sites["site_id"].astype(str).isin(set(added["site_id"].astype(str)))]
    data = replace(dataset, vectors={**dataset.vectors, "sites": sites})
    return data, (new if len(new) else None)


def prepare_report(dataset: Dataset, targets: TargetSet, *, scenario: Any = None,
                   resolution_m: float | None = None, model: str = "auto", cache: Any = None,
                   created: dt.date | None = None, progress: ProgressFn | None = None,
                   evaluator: ScenarioEvaluator | None = None) -> ReportData:
    """Evaluate the scenario (or the dataset's sites) and gather what the report shows.

    Parameters
    ----------
    dataset
        The loaded dataset.
    targets
        The target set.
    scenario
        A :class:`covplan.planning.Scenario` whose sites replace the dataset's.
    resolution_m
        Grid resolution; default :data:`covplan.settings.resolution_m`.
    model
        Propagation model name or ``"auto"``.
    cache
        A :class:`covplan.predict.SiteCache` reused between runs.
    created
        Date printed on the outputs; default today.
    progress
        Called with (fraction, message): prediction takes the first 80 %.
    evaluator
        An evaluator of ``dataset`` and ``targets`` to reuse (the app's, whose grids and
        metrics are already laid out); the other settings are then its own.
    """
    started = time.perf_counter()
    if evaluator is None:
        evaluator = ScenarioEvaluator(dataset, targets, resolution_m=resolution_m, model=model,
                                      cache=cache if cache is not None else SiteCache())
    data, new_sites = _with_scenario(dataset, scenario)
    evaluation = evaluator.evaluate(scenario, progress=progress)
    timings = dict(evaluation.analysis.timings_s)
    logger.info("Report data ready in %.1f s", time.perf_counter() - started)
    return ReportData(data, targets, evaluation.coverage, evaluation.analysis,
                      evaluation.fibre_reached(), evaluation.village_share(), scenario,
                      new_sites, evaluator.grid.resolution_m, created or dt.date.today(),
                      timings, *_link(evaluation.context, evaluator.grid))


#: Longest side (cells) of the speed rasters kept for the report's maps.
SPEED_MAX_CELLS = 2000


def _link(ctx: Any, grid: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fastest downlink and best SINR per technology, when the networks hold SINR."""
    from covplan.predict.operators import best_dl_mbps, best_sinr_db

    networks = getattr(ctx, "networks", None)
    if not networks:
        return {}, {}
    step = max(1, math.ceil(max(grid.width, grid.height) / SPEED_MAX_CELLS))
    speed = {t: best_dl_mbps(networks, t, step=step) for t in TECHNOLOGIES}
    sinr = {t: best_sinr_db(networks, t, step=step) for t in TECHNOLOGIES}
    return ({t: r for t, r in speed.items() if r is not None},
            {t: r for t, r in sinr.items() if r is not None})
