"""One call from coverage grids to every table ``covplan analyze`` writes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import pandas as pd

from covplan._progress import ProgressFn, no_progress
from covplan.metrics.communes import commune_summary
from covplan.metrics.context import MetricContext
from covplan.metrics.gaps import poi_gaps, village_gaps
from covplan.metrics.population import population_coverage
from covplan.metrics.roadgaps import road_gaps
from covplan.metrics.roads import coverage_by_class, coverage_by_road
from covplan.targets.evaluate import evaluate_targets
from covplan.targets.networks import has_operator_rows, operator_table
from covplan.targets.schema import TargetSet

logger = logging.getLogger(__name__)

#: Technologies whose signal closes a road gap.
MOBILE = ("4G", "5G")
#: The GeoPackage layers, then every table (file stems), in the order they are written.
LAYER_NAMES = ("road_gaps", "village_gaps", "poi_gaps", "commune_summary")
TABLE_NAMES = ("targets", "population_coverage", "road_coverage_by_class",
               "road_coverage_by_road", *LAYER_NAMES, "operator_targets")
#: The :class:`Analysis` attribute of each table not named as its file.
_TABLE_ATTRIBUTES: Final = {"population_coverage": "population",
                            "road_coverage_by_class": "road_classes",
                            "road_coverage_by_road": "roads", "operator_targets": "operators"}


class Deferred:
    """A table made on first use, once, by the thread that first asks (others wait for it).

    Once made, the maker (and the metrics it holds) is let go. Pickled as the table, made
    first if it was not yet.
    """

    def __init__(self, make: Callable[[], pd.DataFrame] | None = None,
                 value: pd.DataFrame | None = None) -> None:
        self._make = make
        self._value = value
        self._lock = threading.Lock()

    def get(self) -> pd.DataFrame:
        """The table, made now if it was not yet."""
        with self._lock:
            if self._value is None:
                assert self._make is not None
                started = time.perf_counter()
                self._value = self._make()
                self._make = None
                logger.debug("Deferred table made in %.2f s", time.perf_counter() - started)
            return self._value

    @property
    def made(self) -> bool:
        """Whether the table was made already."""
        return self._value is not None

    def __reduce__(self) -> tuple[type[Deferred], tuple[None, pd.DataFrame]]:
        return (Deferred, (None, self.get()))


@dataclass(frozen=True, eq=False)
class Analysis:
    """Targets and gap tables of one coverage prediction.

    Parameters
    ----------
    targets
        :func:`covplan.targets.evaluate_targets` output.
    population
        People with signal by technology and operator (SDG 9.c.1).
    road_classes, roads
        Covered km per road class and per named road (4G or 5G).
    road_gaps, village_gaps, poi_gaps, commune_summary
        The gap layers and the commune summary (empty frames for absent layers).
    timings_s
        Wall time of each stage.
    per_operator
        Every signal and speed target per operator, for at least one and for every
        operator (:func:`covplan.targets.networks.operator_table`; empty when the
        operators' networks were not predicted), made on first use (:attr:`operators`): the
        app shows a click's targets and map before it makes this table below them.
    """

    targets: pd.DataFrame
    population: pd.DataFrame
    road_classes: pd.DataFrame
    roads: pd.DataFrame
    road_gaps: gpd.GeoDataFrame
    village_gaps: gpd.GeoDataFrame
    poi_gaps: gpd.GeoDataFrame
    commune_summary: gpd.GeoDataFrame
    timings_s: dict[str, float] = field(default_factory=dict)
    per_operator: Deferred = field(default_factory=lambda: Deferred(value=pd.DataFrame()),
                                   repr=False)

    @property
    def operators(self) -> pd.DataFrame:
        """Every target per operator (:attr:`per_operator`, made now if not yet)."""
        return self.per_operator.get()

    @property
    def has_operators(self) -> bool:
        """Whether the per-operator table has rows, known without making it.

        :func:`analyze` makes the table at once, empty, when no operator's network was
        predicted or no target counts signal; a table still to be made has rows.
        """
        return not self.per_operator.made or not self.operators.empty

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The GeoPackage layers, by name."""
        return {name: getattr(self, name) for name in LAYER_NAMES}

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` (one of :data:`TABLE_NAMES`), making no other.

        Raises
        ------
        KeyError
            ``name`` is not a table of the analysis.
        """
        if name not in TABLE_NAMES:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLE_NAMES)}")
        frame: pd.DataFrame = getattr(self, _TABLE_ATTRIBUTES.get(name, name))
        return frame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by file stem (the layers plus targets, population and roads)."""
        return {name: self.table(name) for name in TABLE_NAMES}


def _empty(ctx: MetricContext, columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=ctx.grid.crs)


def analyze(ctx: MetricContext, targets: TargetSet, *, progress: ProgressFn | None = None
            ) -> Analysis:
    """Evaluate ``targets`` and build every gap table on prepared metrics.

    Parameters
    ----------
    ctx
        Metrics prepared on a coverage prediction (:func:`covplan.metrics.prepare_metrics`),
        whose thresholds the gap tables use.
    targets
        The target set.
    progress
        Called with (fraction, message).
    """
    report = progress or no_progress
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, fraction: float) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        report(fraction, name)

    if ctx.villages is not None:  # the village sets the targets and gap lists use, one pass
        ctx.village_signals([["4G", "5G"], ["4G"], ["5G"]])
    table = evaluate_targets(targets, ctx)
    if has_operator_rows(targets, ctx):
        operators = Deferred(lambda: operator_table(targets, ctx))
    else:  # known to be empty (Analysis.has_operators): made now, at no cost
        operators = Deferred(value=operator_table(targets, ctx))
    lap("targets", 0.3)
    population = population_coverage(ctx.people, ctx.coverage, thresholds=ctx.thresholds,
                                     zones=ctx.province, sites=ctx.sites, cells=ctx.cells,
                                     totals=lambda sets: ctx.zone_totals("province", sets),
                                     operator_totals=ctx.operator_totals)
    lap("population", 0.4)
    if ctx.roads is not None:
        hit = ctx.road_covered(MOBILE)
        classes, per_road = coverage_by_class(ctx.roads, hit), coverage_by_road(ctx.roads, hit)
        roads = road_gaps(ctx.roads, hit, communes=ctx.communes,
                          commune_zones=ctx.commune_zones)
    else:
        classes = per_road = pd.DataFrame()
        roads = _empty(ctx, ["road", "road_class", "start_km", "end_km", "length_km"])
    lap("roads", 0.6)
    villages = (village_gaps(ctx) if ctx.villages is not None
                else _empty(ctx, ["village_id", "name", "population", "missing"]))
    pois = poi_gaps(ctx)
    lap("villages and POIs", 0.8)
    communes = (commune_summary(ctx) if ctx.communes is not None
                else _empty(ctx, ["code", "name", "population"]))
    lap("commune summary", 1.0)
    return Analysis(table, population, classes, per_road, roads, villages, pois, communes,
                    timings, operators)
