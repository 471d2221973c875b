"""Everything the metrics share, prepared once per coverage prediction.

Burning villages and communes onto the grid, moving people onto it and cutting roads into
pieces cost more than any single measure, so :func:`prepare_metrics` does them once and
:class:`MetricContext` caches what each set of technologies and thresholds gives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan._progress import ProgressFn, no_progress
from covplan.grid import GridSpec, Raster
from covplan.metrics.pois import poi_signal
from covplan.metrics.population import PeopleGrid, people_on_grid
from covplan.metrics.roads import RoadSamples, covered_pieces, sample_roads
from covplan.metrics.signal import Coverage, coverage_grid, covered_cells
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.villages import fibre_reached, village_signals
from covplan.metrics.zones import ZoneRaster, rasterize_zones

if TYPE_CHECKING:
    from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class MetricContext:
    """Layers of a province laid on one coverage grid, with cached per-measure results.

    Attributes
    ----------
    coverage
        RSRP grids by technology.
    grid
        Their grid.
    thresholds
        Default thresholds (a measure may pass its own).
    people
        People per cell.
    communes, commune_zones, villages, village_zones, pois, fibre, sites
        The layers (None when absent) and the polygons' cells. With communes, road
        pieces and points of interest outside every commune are left out: targets are
        about the province.
    village_commune
        Row position in ``communes`` of each village's commune (-1 unknown).
    roads
        Roads joined into routes and cut into pieces.
    """

    coverage: Coverage
    grid: GridSpec
    thresholds: Thresholds
    people: PeopleGrid
    communes: gpd.GeoDataFrame | None = None
    commune_zones: ZoneRaster | None = None
    villages: gpd.GeoDataFrame | None = None
    village_zones: ZoneRaster | None = None
    village_commune: np.ndarray | None = None
    roads: RoadSamples | None = None
    pois: gpd.GeoDataFrame | None = None
    fibre: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def cells(self, technologies: Iterable[str], thresholds: Thresholds | None = None
              ) -> np.ndarray:
        """Boolean grid of cells with signal from any of ``technologies``."""
        techs, thr = tuple(sorted(technologies)), thresholds or self.thresholds
        return self._cached(("cells", techs, thr),  # type: ignore[no-any-return]
                            lambda: covered_cells(self.coverage, techs, thr, self.grid))

    def road_covered(self, technologies: Iterable[str], thresholds: Thresholds | None = None
                     ) -> np.ndarray:
        """Whether each road piece has signal (empty when there are no roads)."""
        techs, thr = tuple(sorted(technologies)), thresholds or self.thresholds
        if self.roads is None:
            return np.zeros(0, dtype=bool)
        roads = self.roads
        return self._cached(("roads", techs, thr),  # type: ignore[no-any-return]
                            lambda: covered_pieces(roads, self.coverage, list(techs), thr))

    def village_signal(self, technologies: Iterable[str], thresholds: Thresholds | None = None
                       ) -> pd.DataFrame:
        """:func:`covplan.metrics.villages.village_signal` for ``technologies``."""
        return self.village_signals([technologies], thresholds)[0]

    def village_signals(self, technology_sets: Iterable[Iterable[str]],
                        thresholds: Thresholds | None = None) -> list[pd.DataFrame]:
        """:meth:`village_signal` for several technology sets, missing ones in one pass."""
        thr = thresholds or self.thresholds
        if self.villages is None or self.village_zones is None:
            raise ValueError("the dataset has no villages")
        sets = [tuple(sorted(t)) for t in technology_sets]
        todo = list(dict.fromkeys(t for t in sets if ("villages", t, thr) not in self._cache))
        if todo:
            tables = village_signals(self.villages, self.coverage, todo, people=self.people,
                                     zones=self.village_zones, thresholds=thr,
                                     masks=[self.cells(t, thr) for t in todo])
            for techs, table in zip(todo, tables, strict=True):
                self._cache[("villages", techs, thr)] = table
        return [self._cache[("villages", t, thr)] for t in sets]

    def fibre_reached(self, thresholds: Thresholds | None = None) -> pd.Series:
        """:func:`covplan.metrics.villages.fibre_reached` at the drop distance."""
        thr = thresholds or self.thresholds
        if self.villages is None:
            raise ValueError("the dataset has no villages")
        villages = self.villages
        return self._cached(("fibre", thr.fibre_drop_m),  # type: ignore[no-any-return]
                            lambda: fibre_reached(villages, self.fibre, drop_m=thr.fibre_drop_m))

    def poi_signal(self, thresholds: Thresholds | None = None) -> pd.DataFrame:
        """:func:`covplan.metrics.pois.poi_signal` (empty frame when there are no POIs)."""
        thr = thresholds or self.thresholds
        if self.pois is None:
            return pd.DataFrame()
        pois = self.pois
        return self._cached(("pois", thr),  # type: ignore[no-any-return]
                            lambda: poi_signal(pois, self.coverage, thresholds=thr))

    @property
    def province(self) -> ZoneRaster:
        """The communes on the grid, or one zone over the whole grid without communes."""
        if self.commune_zones is not None:
            return self.commune_zones
        return self._cached(("province",), lambda: ZoneRaster(  # type: ignore[no-any-return]
            np.zeros(self.grid.shape, dtype=np.int32), self.grid, 1))


def _village_communes(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                      zones: ZoneRaster) -> np.ndarray:
    """Each village's commune: its ``commune`` code, else the commune under its centre."""
    out = np.full(len(villages), -1, dtype=np.int64)
    if "commune" in villages.columns:
        position = {str(c): i for i, c in enumerate(communes["code"].astype(str))}
        codes = villages["commune"].astype("string").fillna("").to_numpy(str)
        out = np.array([position.get(c, -1) for c in codes], dtype=np.int64)
    todo = np.flatnonzero(out < 0)
    if len(todo):
        points = shapely.point_on_surface(np.asarray(villages.geometry.values)[todo])
        out[todo] = zones.at(shapely.get_x(points), shapely.get_y(points))
    return out


def _weighted_roads(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Roads with ``length_weight``, merging dual carriageways when one-way tags exist."""
    if "length_weight" in roads.columns or "oneway" not in roads.columns:
        return roads
    from covplan.io.carriageways import merge_dual_carriageways

    return merge_dual_carriageways(roads)


def _inside(zones: ZoneRaster, samples: RoadSamples | None, pois: gpd.GeoDataFrame | None
            ) -> tuple[RoadSamples | None, gpd.GeoDataFrame | None]:
    """Road pieces and points of interest inside the communes (the province) only."""
    if samples is not None:
        inside = zones.at(samples.pieces.x, samples.pieces.y) >= 0
        if not inside.all():
            logger.info("Roads: %.1f km outside the communes left out",
                        float(samples.counted_m[~inside].sum()) / 1000)
            samples = samples.take(inside)
    if pois is not None and len(pois):
        points = shapely.point_on_surface(np.asarray(pois.geometry.values))
        inside = zones.at(shapely.get_x(points), shapely.get_y(points)) >= 0
        if not inside.all():
            logger.info("Points of interest: %d outside the communes left out",
                        int((~inside).sum()))
            pois = pois[inside]
    return samples, pois


def prepare_metrics(
    coverage: Coverage,
    *,
    communes: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    fibre: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    population: Raster | None = None,
    thresholds: Thresholds | None = None,
    progress: ProgressFn | None = None,
) -> MetricContext:
    """Lay every layer on the coverage grid once.

    Parameters
    ----------
    coverage
        RSRP grids by technology, all on one grid, in the layers' CRS.
    communes, villages, roads, pois, fibre, sites
        Layers following the data contract (any may be None).
    population
        People per cell on any grid in the same CRS.
    thresholds
        Default thresholds.
    progress
        Called with (fraction, message).
    """
    report = progress or no_progress
    grid = coverage_grid(coverage)
    report(0.0, "laying communes and villages on the grid")
    commune_zones = rasterize_zones(communes, grid) if communes is not None else None
    village_zones = rasterize_zones(villages, grid) if villages is not None else None
    village_commune = (_village_communes(villages, communes, commune_zones)
                       if villages is not None and communes is not None
                       and commune_zones is not None else None)
    report(0.3, "people on the grid")
    people = people_on_grid(grid, population=population, villages=villages,
                            village_zones=village_zones, communes=communes,
                            commune_zones=commune_zones)
    report(0.5, "cutting roads into pieces")
    samples = (sample_roads(_weighted_roads(roads), grid.resolution_m)
               if roads is not None and len(roads) else None)
    if commune_zones is not None:
        samples, pois = _inside(commune_zones, samples, pois)
    report(1.0, "layers ready")
    return MetricContext(
        coverage=coverage, grid=grid, thresholds=thresholds or Thresholds(), people=people,
        communes=communes, commune_zones=commune_zones, villages=villages,
        village_zones=village_zones, village_commune=village_commune, roads=samples,
        pois=pois, fibre=fibre, sites=sites,
    )


def metrics_from_dataset(dataset: Dataset, coverage: Coverage, *,
                         thresholds: Thresholds | None = None,
                         progress: ProgressFn | None = None) -> MetricContext:
    """:func:`prepare_metrics` with the layers of a loaded :class:`~covplan.io.Dataset`."""
    return prepare_metrics(
        coverage, communes=dataset.communes, villages=dataset.villages, roads=dataset.roads,
        pois=dataset.layer("pois"), fibre=dataset.layer("fibre"), sites=dataset.sites,
        population=dataset.population, thresholds=thresholds, progress=progress,
    )
