"""What a target asks to cover, as weighted demand items on the coverage grid.

Each measure of :mod:`covplan.targets` becomes a list of demand items with a weight in the
target's own unit, so that covering items adds exactly what the target measures:

=================  =====================================================  ============
measure            items and weight                                        unit
=================  =====================================================  ============
length_share       road pieces (:func:`covplan.metrics.sample_roads`),     km
                   counted length (dual carriageways weigh one half)
point_share        points of interest, 1 each                              POIs
population_share   grid cells, people per cell (area when no people are    people / km²
                   known); cells of fibre-reached villages count covered
                   when the target says ``or_fibre``
village_share      cells of the villages: population — the village's       people / km²
                   people spread by the cell's share of them; area — the   / villages
                   cell's km²; count — the cell's share of its village
                   (an approximation: the target counts a village only
                   once 90 % of it has signal)
=================  =====================================================  ============

An item is covered when the RSRP in its cell reaches the threshold of any of the target's
technologies (the cell lookup the metrics use). ``fibre_share`` is not a radio target and
cannot be planned with sites.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely

from covplan.errors import CovplanError
from covplan.i18n import N_
from covplan.metrics.context import MetricContext
from covplan.metrics.pois import poi_covered
from covplan.targets.evaluate import measure_target, road_mask, village_mask
from covplan.targets.schema import Target

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Demand:
    """Demand items of one target on the coverage grid.

    Parameters
    ----------
    target
        The target.
    kind
        ``{"road pieces", "points of interest", "cells"}``.
    x, y
        Location of each item (piece midpoint, point, cell centre).
    cell
        Flat index of each item's grid cell (``row * width + col``), -1 outside the grid.
    weight
        Weight of each item in ``unit``.
    covered
        Whether the baseline already covers the item.
    source
        Position of each item in its layer: piece index, POI row, flat cell index.
    unit
        The target's unit.
    total
        The target's denominator, as :func:`covplan.targets.measure_target` counts it.
    baseline_covered
        What the baseline covers, as :func:`covplan.targets.measure_target` counts it.
    """

    target: Target
    kind: str
    x: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    weight: np.ndarray
    covered: np.ndarray
    source: np.ndarray
    unit: str
    total: float
    baseline_covered: float = 0.0

    @property
    def goal_weight(self) -> float:
        """Weight the goal asks for: ``goal_percent`` of :attr:`total`."""
        return self.target.goal_percent / 100.0 * self.total

    @property
    def required(self) -> float:
        """Weight still missing to reach the goal (0 when met)."""
        return max(0.0, self.goal_weight - self.baseline_covered)

    @property
    def open(self) -> np.ndarray:
        """Items the baseline leaves uncovered (with weight)."""
        return ~self.covered & (self.weight > 0)


def _cells_of(ctx: MetricContext, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    row, col = ctx.grid.index(x, y)
    inside = (row >= 0) & (row < ctx.grid.height) & (col >= 0) & (col < ctx.grid.width)
    return np.where(inside, row * ctx.grid.width + col, -1)




def _roads(target: Target, ctx: MetricContext) -> Demand:
    samples = ctx.roads
    if samples is None:
        raise CovplanError(N_("target {target} measures roads, but the dataset has none"),
                           target=repr(target.id))
    pick = np.flatnonzero(road_mask(target, ctx))
    x, y = samples.pieces.x[pick], samples.pieces.y[pick]
    hit = ctx.road_covered(target.technologies, target.thresholds)[pick]
    weight = samples.counted_m[pick] / 1000.0
    return Demand(target, "road pieces", x, y, _cells_of(ctx, x, y), weight, hit, pick, "km",
                  float(weight.sum()), float(weight[hit].sum()))


def _pois(target: Target, ctx: MetricContext) -> Demand:
    pois = ctx.pois
    if pois is None or not len(pois):
        raise CovplanError(N_("target {target} measures points of interest, but the "
                              "dataset has none"), target=repr(target.id))
    pick = np.ones(len(pois), dtype=bool)
    for column in ("kind", "name"):
        if (values := target.filter_values(column)) is not None and column in pois:
            pick &= pois[column].astype(str).isin(values).to_numpy(bool)
    rows = np.flatnonzero(pick)
    points = shapely.point_on_surface(np.asarray(pois.geometry.values)[rows])
    x, y = shapely.get_x(points), shapely.get_y(points)
    hit = poi_covered(ctx.poi_signal(target.thresholds), list(target.technologies))
    return Demand(target, "points of interest", x, y, _cells_of(ctx, x, y),
                  np.ones(len(rows)), hit.to_numpy(bool)[rows], rows, "POIs", float(len(rows)))


def _cells(target: Target, ctx: MetricContext, weights: np.ndarray, covered: np.ndarray,
           unit: str) -> Demand:
    flat = np.flatnonzero(weights.ravel() > 0)
    row, col = np.divmod(flat, ctx.grid.width)
    xs, ys = ctx.grid.cell_centres()
    hit = covered.ravel()[flat]
    weight = weights.ravel()[flat]
    return Demand(target, "cells", xs[col], ys[row], flat, weight, hit, flat, unit,
                  float(weight.sum()), float(weight[hit].sum()))


def _population(target: Target, ctx: MetricContext) -> Demand:
    zones = ctx.province
    keep = np.ones(zones.count, dtype=bool)
    if (codes := target.filter_values("commune")) is not None and ctx.communes is not None:
        keep = ctx.communes["code"].astype(str).isin(codes).to_numpy(bool)
    counted = np.append(keep, False)[zones.ids]  # id -1 (outside) picks the False
    weights = np.where(counted, ctx.people.people, 0.0)
    mask = (ctx.cells(target.technologies, target.thresholds) if target.technologies
            else np.zeros(ctx.grid.shape, dtype=bool))
    if target.or_fibre and ctx.villages is not None and ctx.village_zones is not None:
        reached = np.append(ctx.fibre_reached(target.thresholds).to_numpy(bool), False)
        mask = mask | reached[ctx.village_zones.ids]
    cell_km2 = ctx.grid.resolution_m**2 / 1e6
    scale, unit = (1.0, "people") if ctx.people.counts_people else (cell_km2, "km²")
    return _cells(target, ctx, weights * scale, mask, unit)


def _villages(target: Target, ctx: MetricContext) -> Demand:
    if ctx.villages is None or ctx.village_zones is None:
        raise CovplanError(N_("target {target} measures villages, but the dataset has none"),
                           target=repr(target.id))
    ids, people = ctx.village_zones.ids, ctx.people.people
    inside = ids >= 0
    village = ids[inside]
    people_v, area_v = ctx.village_zones.sums(people), ctx.village_zones.sums()
    share = np.zeros(ids.shape)
    share[inside] = np.where(people_v[village] > 0,
                             people[inside] / np.maximum(people_v[village], 1e-300),
                             1.0 / np.maximum(area_v[village], 1.0))
    picked = np.zeros(ids.shape, dtype=bool)
    picked[inside] = village_mask(target, ctx)[village]
    signal = ctx.village_signal(target.technologies, target.thresholds)
    pop = np.zeros(ids.shape)
    pop[inside] = signal["population"].fillna(0.0).to_numpy(float)[village]
    if target.weight == "count":
        weights, unit = np.where(picked, share, 0.0), "villages"
    elif target.weight == "population" and signal["population"][
            village_mask(target, ctx)].notna().any():
        weights, unit = np.where(picked, share * pop, 0.0), "people"
    else:
        weights, unit = np.where(picked, ctx.grid.resolution_m**2 / 1e6, 0.0), "km²"
    return _cells(target, ctx, weights, ctx.cells(target.technologies, target.thresholds),
                  unit)


_BUILDERS = {"length_share": _roads, "point_share": _pois,
             "population_share": _population, "village_share": _villages}


def plannable(target: Target) -> bool:
    """Whether new radio sites can close ``target`` (it has demand items and technologies)."""
    return target.measure in _BUILDERS and bool(target.technologies)


def target_demand(target: Target, ctx: MetricContext) -> Demand:
    """The demand items of ``target`` on prepared metrics of the baseline.

    Raises
    ------
    covplan.errors.CovplanError
        For a fibre target, a target without technologies, or a layer the dataset lacks.
    """
    if target.measure not in _BUILDERS:  # see plannable()
        raise CovplanError(N_("target {target} measures {measure}: new radio sites cannot "
                              "close it; choose a road, population, POI or village target"),
                           target=repr(target.id), measure=target.measure)
    if not target.technologies:
        raise CovplanError(N_("target {target} names no technology for sites to provide"),
                           target=repr(target.id))
    items = _BUILDERS[target.measure](target, ctx)
    official = measure_target(target, ctx)
    if not np.isclose(items.total, official.total, rtol=1e-6, atol=1e-9):
        logger.info("Demand items of %s weigh %.6g %s, the target's denominator %.6g "
                    "(the target's figures are used)", target.id, items.total, items.unit,
                    official.total)
    demand = replace(items, total=official.total, baseline_covered=official.covered)
    logger.info("Target %s: %s %s, %.6g of %.6g %s covered, %.6g missing", target.id,
                f"{len(demand.weight):,}", demand.kind, demand.baseline_covered, demand.total,
                demand.unit, demand.required)
    return demand


def demand_table(demand: Demand) -> pd.DataFrame:
    """One row per demand item: x, y, weight, covered (for inspection and tests)."""
    return pd.DataFrame({"x": demand.x, "y": demand.y, "cell": demand.cell,
                         "weight": demand.weight, "covered": demand.covered})
