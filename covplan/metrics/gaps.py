"""Gap lists for planners: villages and points of interest that lack a service."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.metrics.context import MetricContext
from covplan.metrics.pois import poi_covered
from covplan.schema import POI_KINDS

logger = logging.getLogger(__name__)


def _commune_names(ctx: MetricContext, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code and name of the communes at row positions ``where`` ("" for -1)."""
    if ctx.communes is None:
        blank = np.full(len(where), "", dtype=object)
        return blank, blank
    codes = np.append(ctx.communes["code"].astype(str).to_numpy(object), "")
    names = np.append(ctx.communes["name"].astype(str).to_numpy(object), "")
    return codes[where], names[where]


def _text(frame: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    text: np.ndarray = frame[column].astype("string").fillna("").to_numpy(object)
    return text


def village_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """Every village with its population, 4G / 5G signal share and fibre status.

    Returns
    -------
    geopandas.GeoDataFrame
        ``village_id``, ``name``, ``commune``, ``commune_name``, ``population``,
        ``signal_4g_percent``, ``signal_5g_percent``, ``mobile_covered`` (4G or 5G share at
        the village level), ``has_5g`` (5G share at that level), ``fibre_reached``
        (nullable boolean: NA for every village when there is no fibre data, see
        :meth:`~covplan.metrics.MetricContext.has_fibre_data`) and ``missing``
        (``"; "``-joined: ``fibre``, ``4G/5G``, ``5G``; never ``fibre`` without fibre
        data), aligned to the villages.
    """
    if ctx.villages is None:
        raise ValueError("the dataset has no villages")
    villages = ctx.villages
    where = (ctx.village_commune if ctx.village_commune is not None
             else np.full(len(villages), -1))
    code, name = _commune_names(ctx, where)
    mobile, g4, g5 = ctx.village_signals([["4G", "5G"], ["4G"], ["5G"]])
    fibre = (ctx.fibre_reached().astype("boolean") if ctx.has_fibre_data
             else pd.Series(pd.NA, index=villages.index, dtype="boolean"))
    table = pd.DataFrame({
        "village_id": _text(villages, "village_id"), "name": _text(villages, "name"),
        "commune": code, "commune_name": name, "population": mobile["population"].to_numpy(),
        "signal_4g_percent": g4["signal_percent"].to_numpy(),
        "signal_5g_percent": g5["signal_percent"].to_numpy(),
        "mobile_covered": mobile["covered"].to_numpy(bool),
        "has_5g": g5["covered"].to_numpy(bool), "fibre_reached": fibre,
    }, index=villages.index)
    labels = ("fibre", "4G/5G", "5G")
    lacks = np.column_stack([~table["fibre_reached"].fillna(True).to_numpy(bool),
                             ~table["mobile_covered"].to_numpy(bool),
                             ~table["has_5g"].to_numpy(bool)])
    table["missing"] = ["; ".join(k for k, v in zip(labels, row, strict=True) if v)
                        for row in lacks]
    return gpd.GeoDataFrame(table, geometry=villages.geometry.values, crs=villages.crs)


def village_gaps(ctx: MetricContext) -> gpd.GeoDataFrame:
    """Villages lacking fibre, 4G/5G or 5G, most populous first.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of :func:`village_table` whose ``missing`` is not empty.
    """
    table = village_table(ctx)
    gaps = table[table["missing"] != ""]
    gaps = gaps.sort_values(["population", "name"], ascending=[False, True],
                            na_position="last")
    logger.info("Village gaps: %s villages lack fibre, 4G/5G or 5G", f"{len(gaps):,}")
    return gaps.reset_index(drop=True)


def poi_gaps(ctx: MetricContext, *, kinds: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Points of interest without 5G, by kind (hospitals first) then name.

    Parameters
    ----------
    ctx
        The prepared metrics.
    kinds
        Kinds to list; every kind when None.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kind``, ``name``, ``commune``, ``commune_name``, ``rsrp_4g_dbm``,
        ``rsrp_5g_dbm``, ``has_4g`` and the point.
    """
    columns = ["kind", "name", "commune", "commune_name", "rsrp_4g_dbm", "rsrp_5g_dbm",
               "has_4g"]
    if ctx.pois is None or not len(ctx.pois):
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=ctx.grid.crs)
    pois, signal = ctx.pois, ctx.poi_signal()
    pick = ~poi_covered(signal, ["5G"]).to_numpy(bool)
    if kinds is not None:
        pick &= pois["kind"].isin(list(kinds)).to_numpy(bool)
    points = pois.geometry.representative_point()
    where = (ctx.commune_zones.at(points.x.to_numpy(), points.y.to_numpy())
             if ctx.commune_zones is not None else np.full(len(pois), -1))
    code, name = _commune_names(ctx, where)
    table = pd.DataFrame({"kind": _text(pois, "kind"), "name": _text(pois, "name"),
                          "commune": code, "commune_name": name,
                          "rsrp_4g_dbm": signal["rsrp_4g_dbm"].to_numpy(),
                          "rsrp_5g_dbm": signal["rsrp_5g_dbm"].to_numpy(),
                          "has_4g": signal["has_4g"].to_numpy(bool)}, index=pois.index)
    gaps = gpd.GeoDataFrame(table, geometry=pois.geometry.values, crs=pois.crs)[pick]
    rank = {k: i for i, k in enumerate(POI_KINDS)}
    gaps = gaps.assign(_rank=gaps["kind"].map(rank).fillna(len(rank)))
    gaps = gaps.sort_values(["_rank", "name"]).drop(columns="_rank")
    return gaps.reset_index(drop=True)
