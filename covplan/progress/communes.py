"""Every target measured per commune: covered amount, denominator, share and status.

Each measure is the province measure of :mod:`covplan.targets.evaluate` split by commune,
on the same pieces, villages, people and points with the same filters and thresholds:
road pieces by the commune they lie in, villages by their commune (its ``commune`` code,
else the one under its centre), people by the commune cell they are on, points by the
commune they stand in. The communes' amounts add up to the province's (villages with no
commune excepted), which the tests check.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import shapely

from covplan.metrics.context import MetricContext
from covplan.metrics.pois import poi_covered
from covplan.targets.evaluate import road_mask, village_mask
from covplan.targets.networks import target_view
from covplan.targets.schema import (
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    Target,
    TargetSet,
)

logger = logging.getLogger(__name__)

#: Columns of the per-commune table, in order.
COMMUNE_COLUMNS = ("code", "name", "id", "unit", "covered", "total", "measured_percent",
                   "goal_percent", "status")

Amounts = tuple[np.ndarray, np.ndarray, str]


def _by_zone(zone: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    keep = zone >= 0
    return np.bincount(zone[keep], weights=weights[keep], minlength=n).astype(float)


def _roads(target: Target, ctx: MetricContext, n: int) -> Amounts:
    if ctx.roads is None or ctx.commune_zones is None:
        return np.zeros(n), np.zeros(n), "km"
    samples = ctx.roads
    pick = road_mask(target, ctx)
    hit = ctx.road_covered(target.technologies, target.thresholds)
    zone = ctx.commune_zones.at(samples.pieces.x, samples.pieces.y)
    counted = samples.counted_m / 1000.0
    return (_by_zone(zone, counted * (pick & hit), n), _by_zone(zone, counted * pick, n), "km")


def _villages_zone(ctx: MetricContext) -> np.ndarray:
    if ctx.village_commune is None:
        return np.full(0 if ctx.villages is None else len(ctx.villages), -1)
    return ctx.village_commune


def _fibre(target: Target, ctx: MetricContext, n: int) -> Amounts:
    if ctx.villages is None or not ctx.has_fibre_data:
        return np.zeros(n), np.zeros(n), "villages"
    pick = village_mask(target, ctx).astype(float)
    reached = ctx.fibre_reached(target.thresholds).to_numpy(bool)
    zone = _villages_zone(ctx)
    return _by_zone(zone, pick * reached, n), _by_zone(zone, pick, n), "villages"


def _people(target: Target, ctx: MetricContext, n: int) -> Amounts:
    if not ctx.people.counts_people or ctx.commune_zones is None:
        return np.zeros(n), np.zeros(n), "people"
    keep = np.ones(n, dtype=bool)
    if (codes := target.filter_values("commune")) is not None and ctx.communes is not None:
        keep = ctx.communes["code"].astype(str).isin(codes).to_numpy(bool)
    or_fibre = bool(target.or_fibre and ctx.villages is not None and ctx.has_fibre_data)
    sums, _ = ctx.zone_totals("province", [target.technologies], target.thresholds,
                              or_fibre=or_fibre)
    return sums[:, 1] * keep, sums[:, 0] * keep, "people"


def _points(target: Target, ctx: MetricContext, n: int) -> Amounts:
    if ctx.pois is None or not len(ctx.pois) or ctx.commune_zones is None:
        return np.zeros(n), np.zeros(n), "POIs"
    pick = np.ones(len(ctx.pois), dtype=bool)
    for column in ("kind", "name"):
        if (values := target.filter_values(column)) is not None and column in ctx.pois:
            pick &= ctx.pois[column].astype(str).isin(values).to_numpy(bool)
    hit = poi_covered(ctx.poi_signal(target.thresholds), list(target.technologies))
    points = shapely.point_on_surface(np.asarray(ctx.pois.geometry.values))
    zone = ctx.commune_zones.at(shapely.get_x(points), shapely.get_y(points))
    return (_by_zone(zone, (pick & hit.to_numpy(bool)).astype(float), n),
            _by_zone(zone, pick.astype(float), n), "POIs")


def _village_share(target: Target, ctx: MetricContext, n: int) -> Amounts:
    if ctx.villages is None or ctx.village_zones is None:
        return np.zeros(n), np.zeros(n), "villages"
    pick = village_mask(target, ctx)
    zone = _villages_zone(ctx)
    signal = ctx.village_signal(target.technologies, target.thresholds)
    if target.weight == "count":
        covered = signal["covered"].to_numpy(bool)
        return (_by_zone(zone, (pick & covered).astype(float), n),
                _by_zone(zone, pick.astype(float), n), "villages")
    if target.weight == "population" and signal["population"][pick].notna().any():
        pop = signal["population"].fillna(0.0).to_numpy(float)
        hit = signal["people_with_signal"].fillna(0.0).to_numpy(float)
        return _by_zone(zone, hit * pick, n), _by_zone(zone, pop * pick, n), "people"
    cells, _ = ctx.zone_totals("villages", [target.technologies], target.thresholds,
                               weighted=False)
    km2 = ctx.grid.resolution_m**2 / 1e6
    return (_by_zone(zone, cells[:, 1] * km2 * pick, n),
            _by_zone(zone, cells[:, 0] * km2 * pick, n), "km²")


_MEASURES = {
    "length_share": _roads,
    "fibre_share": _fibre,
    "population_share": _people,
    "point_share": _points,
    "village_share": _village_share,
}


def _status(covered: float, total: float, goal_percent: float) -> str:
    if not total > 0:
        return STATUS_NO_DATA
    needed = goal_percent / 100.0 * total
    return STATUS_MET if covered >= needed - 1e-9 * max(total, 1.0) else STATUS_NOT_MET


def commune_measures(ctx: MetricContext, targets: TargetSet) -> pd.DataFrame:
    """Every target of ``targets`` measured in every commune.

    Parameters
    ----------
    ctx
        The metrics of one evaluated snapshot.
    targets
        The target set.

    Returns
    -------
    pandas.DataFrame
        One row per commune and target (communes in their order, then targets in theirs):
        :data:`COMMUNE_COLUMNS`. ``covered`` and ``total`` are in ``unit``;
        ``measured_percent`` is NaN and ``status`` "no data" where the commune has none of
        what the target counts. Empty without communes.
    """
    if ctx.communes is None or ctx.commune_zones is None:
        return pd.DataFrame({c: [] for c in COMMUNE_COLUMNS})
    n = len(ctx.communes)
    codes = ctx.communes["code"].astype(str).to_numpy(object)
    names = ctx.communes["name"].astype(str).to_numpy(object)
    parts = []
    for target in targets.targets:
        if target.per_network and ctx.networks is None:
            continue  # not measured without the operators' networks (see evaluate_targets)
        view, view_ctx, _ = target_view(target, ctx)  # speed and operator targets: a view
        covered, total, unit = _MEASURES[view.measure](view, view_ctx, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            percent = np.where(total > 0, 100.0 * covered / np.where(total > 0, total, 1.0),
                               math.nan)
        parts.append(pd.DataFrame({
            "code": codes, "name": names, "id": target.id, "unit": unit, "covered": covered,
            "total": total, "measured_percent": percent, "goal_percent": target.goal_percent,
            "status": [_status(c, t, target.goal_percent)
                       for c, t in zip(covered, total, strict=True)]}))
    table = pd.concat(parts, ignore_index=True)
    order = {t.id: k for k, t in enumerate(targets.targets)}
    position = {c: k for k, c in enumerate(codes)}
    table = table.sort_values(by=["code", "id"], key=lambda s: s.map(
        position if s.name == "code" else order), kind="stable").reset_index(drop=True)
    logger.debug("Measured %d targets in %d communes", len(targets.targets), n)
    return table[list(COMMUNE_COLUMNS)]
