"""Tables of a recommendation: the chosen sites with their gains, and what cannot be covered."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.metrics.context import MetricContext
from covplan.metrics.roadgaps import road_gaps
from covplan.planning.demand import Demand
from covplan.planning.edits import Edit
from covplan.planning.matrix import CoverageMatrix
from covplan.planning.selection import Selection
from covplan.schema import SectorSpec, SectorValues


def chosen_sites(selection: Selection, matrix: CoverageMatrix, candidates: gpd.GeoDataFrame,
                 demand: Demand) -> gpd.GeoDataFrame:
    """One row per chosen site, most useful first.

    Columns: ``rank``, ``site_id``, ``source``, ``technology``, ``height_m``, ``sectors``,
    ``cost``, ``gain`` (weight it adds to those ranked before it, in ``unit``),
    ``cumulative``, ``predicted_percent`` (the target's measure once it and those before
    it are built), ``unit`` and the site's point.
    """
    first = candidates.groupby(candidates["site_id"].astype(str), sort=False).head(1)
    first = first.set_index(first["site_id"].astype(str))
    sectors = candidates.groupby(candidates["site_id"].astype(str), sort=False).size()
    ids = [matrix.candidate_ids[i] for i in selection.chosen]
    cumulative = np.cumsum(selection.gains)
    total = demand.total if demand.total > 0 else np.nan
    frame = pd.DataFrame({
        "rank": np.arange(1, len(ids) + 1),
        "site_id": ids,
        "source": first.loc[ids, "source"].to_numpy() if "source" in first else "",
        "technology": first.loc[ids, "technology"].astype(str).to_numpy(),
        "height_m": first.loc[ids, "height_m"].to_numpy(float),
        "sectors": sectors.reindex(ids).to_numpy(int),
        "cost": matrix.problem.cost[selection.chosen],
        "gain": selection.gains,
        "cumulative": cumulative,
        "predicted_percent": 100.0 * (demand.baseline_covered + cumulative) / total,
        "unit": demand.unit,
    })
    return gpd.GeoDataFrame(frame, geometry=first.loc[ids].geometry.to_numpy(),
                            crs=candidates.crs)


def site_edits(chosen: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame) -> list[Edit]:
    """``add`` edits that build the chosen candidates as ``planned`` sites."""
    edits = []
    for site_id in chosen["site_id"]:
        rows = candidates[candidates["site_id"].astype(str) == site_id]
        first = rows.iloc[0]
        sectors = tuple(SectorSpec(sector=int(r.sector), azimuth_deg=float(r.azimuth_deg))
                        for r in rows.itertuples())
        values = SectorValues(technology=str(first["technology"]),
                              height_m=float(first["height_m"]), status="planned")
        operator = first.get("operator")
        if isinstance(operator, str) and operator:  # co-located: the tower's operator
            values["operator"] = operator
        edits.append(Edit("add", str(site_id), x=float(first.geometry.x),
                          y=float(first.geometry.y), values=values, sectors=sectors))
    return edits


def uncoverable(demand: Demand, matrix: CoverageMatrix, ctx: MetricContext
                ) -> gpd.GeoDataFrame:
    """Open demand that no candidate reaches.

    Road targets give the road stretches (:func:`covplan.metrics.road_gaps` columns),
    point targets the points, cell targets one row per village (or "outside villages")
    with the weight no candidate reaches.
    """
    never = demand.open & ~matrix.coverable_items()
    if demand.kind == "road pieces" and ctx.roads is not None:
        pieces = np.zeros(len(ctx.roads.pieces.line), dtype=bool)
        pieces[demand.source[never]] = True
        return road_gaps(ctx.roads, ~pieces, communes=ctx.communes,
                         commune_zones=ctx.commune_zones)
    if demand.kind == "points of interest" and ctx.pois is not None:
        return ctx.pois.iloc[demand.source[never]].reset_index(drop=True)
    return _cells_by_village(demand, never, ctx)


def _cells_by_village(demand: Demand, never: np.ndarray, ctx: MetricContext
                      ) -> gpd.GeoDataFrame:
    if ctx.village_zones is None or ctx.villages is None:
        zone = np.full(int(never.sum()), -1)
    else:
        zone = ctx.village_zones.ids.ravel()[demand.cell[never]]
    frame = pd.DataFrame({"zone": zone, "weight": demand.weight[never],
                          "x": demand.x[never], "y": demand.y[never]})
    grouped = frame.groupby("zone").agg(weight=("weight", "sum"), x=("x", "mean"),
                                        y=("y", "mean"), cells=("weight", "size"))
    names = (ctx.villages["name"].astype(str).to_numpy() if ctx.villages is not None
             else np.array([], dtype=object))
    grouped["village"] = [names[z] if 0 <= z < len(names) else "(outside villages)"
                          for z in grouped.index]
    grouped["unit"] = demand.unit
    out = grouped.reset_index(drop=True)[["village", "cells", "weight", "unit", "x", "y"]]
    points = shapely.points(out["x"].to_numpy(), out["y"].to_numpy())
    return gpd.GeoDataFrame(out.drop(columns=["x", "y"]), geometry=points,
                            crs=ctx.grid.crs).sort_values("weight", ascending=False,
                                                          ignore_index=True)
