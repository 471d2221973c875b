"""Laying a province's layers on a coverage grid once: :func:`prepare_metrics`.

Burning villages and communes onto the grid, moving people onto it and cutting roads into
pieces cost more than any single measure; the :class:`~covplan.metrics.MetricContext` this
makes keeps them for every measure and every later scenario.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from covplan._progress import ProgressFn, no_progress
from covplan.grid import Raster
from covplan.metrics.context import MetricContext
from covplan.metrics.population import people_on_grid
from covplan.metrics.roads import RoadSamples, sample_roads
from covplan.metrics.signal import Coverage, coverage_grid
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.zones import ZoneRaster, rasterize_zones

if TYPE_CHECKING:
    from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)


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
