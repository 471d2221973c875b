"""Evaluating a target set on prepared metrics: measured value, goal, met, shortfall.

Every result names its threshold, its measure and its denominator, and gives the shortfall
in natural units: km of road, villages, people, points of interest (km² of village area
when a population-weighted ``village_share`` has no population to weigh by).

A target whose layer is absent, or whose denominator is zero, has the status
:data:`~covplan.targets.schema.STATUS_NO_DATA` and its denominator says what is missing:
no roads of the classes asked, no fibre data (neither a fibre layer nor a ``fibre``
column), no population source (neither a raster nor a ``population`` column) for a
``population_share``. People are never counted from grid cells.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, TypeVar

import numpy as np
import pandas as pd

from covplan.errors import CovplanError
from covplan.i18n import N_, Name, Num, Phrase, joined, language
from covplan.io.roadclass import canonical_ref
from covplan.metrics.context import MetricContext
from covplan.metrics.pois import poi_covered
from covplan.metrics.signal import technology_label
from covplan.targets.schema import (
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    Target,
    TargetSet,
)

logger = logging.getLogger(__name__)

#: Units counted in whole items: their shortfall is rounded up.
_WHOLE_UNITS = ("villages", "POIs", "people")


@dataclass(frozen=True)
class Measured:
    """What one measure found, in natural units.

    Parameters
    ----------
    covered
        Amount meeting the condition (km, villages, people, POIs or km²).
    total
        The denominator in the same unit.
    unit
        ``{"km", "villages", "people", "POIs", "km²"}``.
    denominator
        What ``total`` counts, in words (any language).
    threshold
        The condition, in words (any language).
    """

    covered: float
    total: float
    unit: str
    denominator: Phrase
    threshold: Phrase


T = TypeVar("T")


def _needed(layer: T | None, name: str, target: Target | None = None) -> T:
    """``layer``, or a clear error when a measure that needs it runs without it."""
    if layer is None:
        if target is not None:
            raise CovplanError(N_("target {target} needs the {name} layer, which the dataset "
                                  "does not have. Fix: add a {name} layer, or leave the "
                                  "target out."), target=repr(target.id), name=name)
        raise CovplanError(N_("this measure needs the {name} layer, which the dataset does not "
                              "have. Fix: add a {name} layer, or leave the target out."),
                           name=name)
    return layer


def road_mask(target: Target, ctx: MetricContext) -> np.ndarray:
    """Which road pieces a road target measures (its class, ref and name filters).

    Shared with the planner's demand so that both count exactly the same roads.
    """
    samples = _needed(ctx.roads, "roads", target)
    routes = samples.routes
    keep = np.ones(len(routes), dtype=bool)
    if (classes := target.filter_values("road_class")) is not None:
        keep &= routes["road_class"].isin(classes).to_numpy(bool)
    if (refs := target.filter_values("ref")) is not None:
        wanted = {canonical_ref(r) or r for r in refs}
        keep &= routes["ref"].map(lambda r: bool(wanted & set(str(r).split(";")))
                                  ).to_numpy(bool)
    if (names := target.filter_values("name")) is not None:
        keep &= routes["name"].isin(names).to_numpy(bool)
    per_piece: np.ndarray = keep[samples.pieces.line]
    return per_piece


def _rule(target: Target) -> Phrase:
    """The signal condition of a target: ``4G RSRP >= -105 dBm or 5G RSRP >= -105 dBm``."""
    thr = target.thresholds
    parts = [Phrase.of(N_("{tech} RSRP >= {dbm} dBm"), tech=Name(t),
                       dbm=Name(f"{thr.rsrp_dbm(t):g}"))
             for t in target.technologies]
    return joined(parts) if parts else Phrase(N_("no signal rule"))


def _of(target: Target) -> Phrase:
    """`` (road class: expressway, national)``, or nothing when the target is unfiltered."""
    what = target.filter_phrase()
    return Phrase.of(" ({what})", what=what) if what is not None else Phrase("")


def _length_share(target: Target, ctx: MetricContext) -> Measured:
    rule = _rule(target)
    what = target.filter_phrase() or Phrase(N_("all roads"))
    if ctx.roads is None:
        return Measured(0.0, 0.0, "km", Phrase.of(N_("no roads in the dataset ({what})"),
                                                  what=what), rule)
    pick = road_mask(target, ctx)
    counted = ctx.roads.counted_m
    hit = ctx.road_covered(target.technologies, target.thresholds)
    total = float(counted[pick].sum()) / 1000.0
    return Measured(float(counted[pick & hit].sum()) / 1000.0, total, "km",
                    Phrase.of(N_("{total} km of road ({what}), dual carriageways counted once"),
                              total=Num(total, 1), what=what), rule)


def village_mask(target: Target, ctx: MetricContext) -> np.ndarray:
    """Which villages a village target counts (its village_id, name and commune filters).

    Shared with the planner's demand, as :func:`road_mask` is.
    """
    villages = _needed(ctx.villages, "villages", target)
    keep = np.ones(len(villages), dtype=bool)
    for column in ("village_id", "name"):
        if (values := target.filter_values(column)) is not None and column in villages:
            keep &= villages[column].astype(str).isin(values).to_numpy(bool)
    if (codes := target.filter_values("commune")) is not None:
        keep &= _commune_of_villages(ctx).isin(codes).to_numpy(bool)
    return keep


def _commune_of_villages(ctx: MetricContext) -> pd.Series:
    villages = _needed(ctx.villages, "villages")
    if ctx.communes is None or ctx.village_commune is None:
        given: pd.Series = villages.get("commune", pd.Series("", index=villages.index))
        return given.astype(str)
    codes = np.append(ctx.communes["code"].astype(str).to_numpy(object), "")
    return pd.Series(codes[ctx.village_commune], index=villages.index)


def _fibre_share(target: Target, ctx: MetricContext) -> Measured:
    rule = Phrase.of(N_("fibre flag, or fibre within {metres} m"),
                     metres=Num(target.thresholds.fibre_drop_m))
    if ctx.villages is None:
        return Measured(0.0, 0.0, "villages", Phrase(N_("no villages in the dataset")), rule)
    if not ctx.has_fibre_data:
        return Measured(0.0, 0.0, "villages", Phrase.of(
            N_("no fibre data ({count} villages, but no fibre layer and no 'fibre' column on "
               "the villages)"), count=Num(len(ctx.villages))), rule)
    pick = village_mask(target, ctx)
    reached = ctx.fibre_reached(target.thresholds).to_numpy(bool)
    total = int(pick.sum())
    return Measured(float((reached & pick).sum()), float(total), "villages",
                    Phrase.of(N_("{count} villages{of}"), count=Num(total), of=_of(target)),
                    rule)


def _cell_km2(ctx: MetricContext) -> float:
    return ctx.grid.resolution_m**2 / 1e6


def _population_share(target: Target, ctx: MetricContext) -> Measured:
    thr = target.thresholds
    zones = ctx.province
    keep = np.ones(zones.count, dtype=bool)
    if (codes := target.filter_values("commune")) is not None and ctx.communes is not None:
        keep = ctx.communes["code"].astype(str).isin(codes).to_numpy(bool)
    parts = [_rule(target)] if target.technologies else []
    or_fibre = bool(target.or_fibre and ctx.villages is not None and ctx.has_fibre_data)
    fibre = _fibre_rule(target, ctx)
    if fibre is not None:
        parts.append(fibre)
    rule = joined(parts) if parts else Phrase("")
    if not ctx.people.counts_people:
        return Measured(0.0, 0.0, "people", Phrase(
            N_("no population data (no population raster and no 'population' column on the "
               "villages or communes)")), rule)
    sums, _ = ctx.zone_totals("province", [target.technologies], thr, or_fibre=or_fibre)
    total, hit = float(sums[keep, 0].sum()), float(sums[keep, 1].sum())
    return Measured(hit, total, "people",
                    Phrase.of(N_("{count} people{of} ({basis})"), count=Num(total),
                              of=_of(target), basis=_BASIS.get(ctx.people.basis,
                                                               Name(ctx.people.basis))), rule)


def _fibre_rule(target: Target, ctx: MetricContext) -> Phrase | None:
    """The "or in a fibre-reached village" part of a people target (None without or_fibre)."""
    if not target.or_fibre:
        return None
    if ctx.villages is not None and ctx.has_fibre_data:
        return Phrase(N_("in a fibre-reached village"))
    lacking = N_("no villages") if ctx.villages is None else N_("no fibre data")
    return Phrase.of(N_("in a fibre-reached village ({lacking})"), lacking=lacking)


#: How the people on the grid were counted, for the denominator.
_BASIS: Final[dict[str, str]] = {
    "population raster": N_("population raster"),
    "village population": N_("village population"),
    "commune population": N_("commune population"),
    "area": N_("area"),
}


def _point_share(target: Target, ctx: MetricContext) -> Measured:
    rule = _rule(target)
    if ctx.pois is None or not len(ctx.pois):
        return Measured(0.0, 0.0, "POIs", Phrase(N_("no points of interest in the dataset")),
                        rule)
    pick = np.ones(len(ctx.pois), dtype=bool)
    for column in ("kind", "name"):
        if (values := target.filter_values(column)) is not None and column in ctx.pois:
            pick &= ctx.pois[column].astype(str).isin(values).to_numpy(bool)
    hit = poi_covered(ctx.poi_signal(target.thresholds), list(target.technologies))
    total = int(pick.sum())
    return Measured(float((hit.to_numpy(bool) & pick).sum()), float(total), "POIs",
                    Phrase.of(N_("{count} points of interest{of}"), count=Num(total),
                              of=_of(target)), rule)


def _village_share(target: Target, ctx: MetricContext) -> Measured:
    thr = target.thresholds
    rule = _rule(target)
    if ctx.villages is None or ctx.village_zones is None:
        return Measured(0.0, 0.0, "villages", Phrase(N_("no villages in the dataset")), rule)
    pick = village_mask(target, ctx)
    signal = ctx.village_signal(target.technologies, thr)
    if target.weight == "count":
        total = float(pick.sum())
        return Measured(float((signal["covered"].to_numpy(bool) & pick).sum()), total,
                        "villages", Phrase.of(N_("{count} villages{of}"), count=Num(total),
                                              of=_of(target)),
                        Phrase.of(N_("{rule}, for {percent} of a village"), rule=rule,
                                  percent=Num(thr.village_covered_percent, 1, percent=True)))
    if target.weight == "population" and signal["population"][pick].notna().any():
        pop = signal["population"].fillna(0.0).to_numpy(float)
        hit = signal["people_with_signal"].fillna(0.0).to_numpy(float)
        total = float(pop[pick].sum())
        return Measured(float(hit[pick].sum()), total, "people",
                        Phrase.of(N_("{count} people in villages{of}"), count=Num(total),
                                  of=_of(target)), rule)
    cells, _ = ctx.zone_totals("villages", [target.technologies], thr, weighted=False)
    area, hit_area = cells[pick, 0] * _cell_km2(ctx), cells[pick, 1] * _cell_km2(ctx)
    return Measured(float(hit_area.sum()), float(area.sum()), "km²",
                    Phrase.of(N_("{area} km² of village area{of}"), area=Num(area.sum(), 1),
                              of=_of(target)), rule)


_MEASURES: dict[str, Callable[[Target, MetricContext], Measured]] = {
    "length_share": _length_share,
    "fibre_share": _fibre_share,
    "population_share": _population_share,
    "point_share": _point_share,
    "village_share": _village_share,
}


#: The unit of a layer's shortfall, for a target that could not be measured.
_LAYER_UNITS: Final = {"population": "people", "roads": "km", "villages": "villages",
                       "pois": "POIs"}


def measure_target(target: Target, ctx: MetricContext) -> Measured:
    """The measured amount and denominator of one target.

    A target of each operator's network or of speed is measured on its view
    (:func:`covplan.targets.networks.target_view`); its condition says so.
    """
    from covplan.targets.networks import target_view

    if target.per_network and ctx.networks is None:  # metrics made outside the evaluator
        return Measured(0.0, 0.0, _LAYER_UNITS.get(target.layer, ""), Phrase(
            N_("not measured: each operator's own network was not predicted")),
            Phrase(N_("each operator's network")))
    view, view_ctx, rule = target_view(target, ctx)
    found = _MEASURES[view.measure](view, view_ctx)
    if rule is not None:
        fibre = _fibre_rule(view, view_ctx) if view.measure == "population_share" else None
        if fibre is not None:
            rule = joined([rule, fibre])
        found = replace(found, threshold=rule)
    return found


def evaluate_target(target: Target, ctx: MetricContext) -> dict[str, object]:
    """One target's result row (the columns of :func:`evaluate_targets`)."""
    return _row(target, measure_target(target, ctx))


def _row(target: Target, found: Measured) -> dict[str, object]:
    needed = target.goal_percent / 100.0 * found.total
    short = max(0.0, needed - found.covered)
    if found.unit in _WHOLE_UNITS:
        short = float(math.ceil(short - 1e-6)) if short > 1e-6 else 0.0
    has_data = found.total > 0
    met = bool(found.covered >= needed - 1e-9 * max(found.total, 1.0)) if has_data else None
    return {
        "id": target.id,
        "target": target.label,
        "target_vi": target.label_in("vi"),
        "measure": target.measure,
        "quantity": target.quantity(found.unit),
        "quantity_vi": language("vi")._(target.quantity(found.unit)),
        "layer": target.layer,
        "filter": target.filter_text(),
        "technologies": technology_label(target.technologies) if target.technologies else "",
        "threshold": str(found.threshold),
        "threshold_vi": found.threshold(language("vi")),
        "denominator": str(found.denominator),
        "denominator_vi": found.denominator(language("vi")),
        "measured_percent": 100.0 * found.covered / found.total if has_data else math.nan,
        "goal_percent": target.goal_percent,
        "met": met,
        "status": (STATUS_MET if met else STATUS_NOT_MET) if has_data else STATUS_NO_DATA,
        "covered": found.covered,
        "total": found.total,
        "shortfall": short if has_data else math.nan,
        "unit": found.unit,
        "note": target.note,
        "note_vi": target.note_vi or target.note,
    }


def evaluate_targets(targets: TargetSet, ctx: MetricContext) -> pd.DataFrame:
    """Evaluate every target of ``targets``.

    Parameters
    ----------
    targets
        A validated target set (:func:`covplan.targets.load_targets`).
    ctx
        Metrics prepared on a coverage prediction
        (:func:`covplan.metrics.prepare_metrics`).

    Returns
    -------
    pandas.DataFrame
        One row per target: ``id``, ``target``, ``measure``, ``quantity`` (what the
        percentage is a share of, in words), ``layer``, ``filter``,
        ``technologies``, ``threshold``, ``denominator``, ``measured_percent``,
        ``goal_percent``, ``met`` (True / False, NA without data), ``status`` (one of
        :data:`~covplan.targets.schema.STATUSES`: met, not met, no data),
        ``covered`` and ``total`` (natural units), ``shortfall`` (what is missing to reach
        the goal, in ``unit``) and ``note``.
    """
    rows = [evaluate_target(t, ctx) for t in targets.targets]
    table = pd.DataFrame(rows)
    table["met"] = table["met"].astype("boolean")
    logger.info("Targets %s: %d of %d met, %d without data", targets.name,
                int(table["met"].sum()), len(table), int(table["met"].isna().sum()))
    return table
