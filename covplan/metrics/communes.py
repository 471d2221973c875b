"""The commune summary for officials: one row per commune or ward.

Columns (besides ``code``, ``name`` and the commune polygon):

- ``population``: people in the commune's cells (NaN when no population is known);
- ``villages``, ``villages_fibre``, ``fibre_percent``: villages whose commune it is (a
  village straddling two communes belongs to the one its ``commune`` code names, else the
  one under its centre, so it is counted once), how many are fibre-reached, and the share
  (NaN without fibre data);
- ``population_4g_percent``, ``population_5g_percent``: people with 4G / 5G signal (NaN
  when no population is known: an area share is not a share of people);
- ``highway_uncovered_km``: expressway and national-highway km without 4G or 5G (dual
  carriageways once), by the commune each road piece lies in (NaN without roads);
- ``pois_without_5g``: points of interest (of the kinds asked) without 5G (NA without a
  points-of-interest layer).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from covplan.metrics.context import MetricContext
from covplan.metrics.pois import poi_covered

logger = logging.getLogger(__name__)

#: Road classes whose uncovered km the summary reports.
HIGHWAY_CLASSES = ("expressway", "national")


def _percent(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, 100.0 * part / whole, np.nan)


def _village_columns(ctx: MetricContext, n: int) -> dict[str, np.ndarray]:
    nan = np.full(n, np.nan)
    if ctx.villages is None or ctx.village_commune is None:
        return {"villages": nan, "villages_fibre": nan, "fibre_percent": nan}
    where = ctx.village_commune
    ok = where >= 0
    count = np.bincount(where[ok], minlength=n).astype(float)
    if not ctx.has_fibre_data:  # no fibre layer, no fibre column: unknown, not "none"
        return {"villages": count, "villages_fibre": nan, "fibre_percent": nan}
    reached = ctx.fibre_reached().to_numpy(bool)
    fibre = np.bincount(where[ok], weights=reached[ok], minlength=n)
    return {"villages": count, "villages_fibre": fibre, "fibre_percent": _percent(fibre, count)}


def _people_columns(ctx: MetricContext) -> dict[str, np.ndarray]:
    sums, _ = ctx.zone_totals("communes", [["4G"], ["5G"]])
    total = sums[:, 0] if ctx.people.counts_people else np.full(len(sums), np.nan)
    return {
        "population": total,
        "population_4g_percent": _percent(sums[:, 1], total),
        "population_5g_percent": _percent(sums[:, 2], total),
    }


def _highway_km(ctx: MetricContext, classes: Sequence[str], n: int) -> np.ndarray:
    if ctx.roads is None or ctx.commune_zones is None:  # no roads: unknown, not 0 km
        return np.full(n, np.nan)
    samples = ctx.roads
    pick = np.isin(samples.road_class, list(classes)) & ~ctx.road_covered(["4G", "5G"])
    zone = ctx.commune_zones.at(samples.pieces.x[pick], samples.pieces.y[pick])
    ok = zone >= 0
    return np.bincount(zone[ok], weights=samples.counted_m[pick][ok], minlength=n) / 1000.0


def _pois_without_5g(ctx: MetricContext, kinds: Sequence[str] | None, n: int) -> np.ndarray:
    if ctx.pois is None or ctx.commune_zones is None:  # no POI layer: unknown, not none
        return np.full(n, np.nan)
    if not len(ctx.pois):
        return np.zeros(n)
    pick = ~poi_covered(ctx.poi_signal(), ["5G"]).to_numpy(bool)
    if kinds is not None:
        pick &= ctx.pois["kind"].isin(list(kinds)).to_numpy(bool)
    points = shapely.point_on_surface(np.asarray(ctx.pois.geometry.values)[pick])
    zone = ctx.commune_zones.at(shapely.get_x(points), shapely.get_y(points))
    return np.bincount(zone[zone >= 0], minlength=n).astype(float)


def commune_summary(ctx: MetricContext, *, highway_classes: Sequence[str] = HIGHWAY_CLASSES,
                    poi_kinds: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Per commune: population, villages, fibre, 4G / 5G population share, gaps.

    Parameters
    ----------
    ctx
        The prepared metrics (:func:`covplan.metrics.context.prepare_metrics`).
    highway_classes
        Road classes whose uncovered km are reported.
    poi_kinds
        Kinds of point counted in ``pois_without_5g``; every kind when None.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per commune, in the communes' order (see the module docstring).
    """
    if ctx.communes is None or ctx.commune_zones is None:
        raise ValueError("the dataset has no communes: the commune summary needs them")
    n = len(ctx.communes)
    columns: dict[str, object] = {
        "code": ctx.communes["code"].astype(str).to_numpy(),
        "name": ctx.communes["name"].astype(str).to_numpy(),
        **_people_columns(ctx),
        **_village_columns(ctx, n),
        "highway_uncovered_km": _highway_km(ctx, highway_classes, n),
        "pois_without_5g": _pois_without_5g(ctx, poi_kinds, n),
    }
    order = ["code", "name", "population", "villages", "villages_fibre", "fibre_percent",
             "population_4g_percent", "population_5g_percent", "highway_uncovered_km",
             "pois_without_5g"]
    summary = gpd.GeoDataFrame({k: columns[k] for k in order},
                               geometry=np.asarray(ctx.communes.geometry.values),
                               crs=ctx.communes.crs)
    for col in ("villages", "villages_fibre", "pois_without_5g"):
        summary[col] = summary[col].astype("Int64")
    logger.info("Commune summary: %d communes, %s people", n,
                f"{np.nansum(summary['population']):,.0f}")
    return summary
