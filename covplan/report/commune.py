"""What one commune's sheet shows, taken from the report's tables and grids.

:func:`commune_sheet` gathers, for one commune (by code or name):

- its row of the commune summary (people, villages and fibre, people with 4G / 5G, highway
  km without 4G/5G, points of interest without 5G), as it is;
- the province's targets the summary measures for the commune too (:func:`commune_targets`);
- its road gaps, cut to the commune's boundary: the km of each gap that lie in it;
- its villages (by the commune the village belongs to) without 4G/5G signal or fibre;
- the sites that serve it: each site's share of the commune's grid cells it is the best
  server of, per technology.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from rasterio.features import geometry_mask

from covplan.export.static_map import find_commune
from covplan.grid import GridSpec
from covplan.metrics.communes import HIGHWAY_CLASSES
from covplan.report.data import ReportData
from covplan.targets.analyze import MOBILE
from covplan.targets.schema import STATUS_MET, STATUS_NO_DATA, STATUS_NOT_MET, Target

logger = logging.getLogger(__name__)

#: Pieces of a road gap shorter than this inside a commune (a gap touching its boundary)
#: are not the commune's.
MIN_GAP_M: Final = 10.0
#: Columns of :attr:`CommuneSheet.targets`.
TARGET_COLUMNS: Final = ("id", "target", "target_vi", "measure", "value", "goal_percent",
                         "status", "shortfall", "unit")


@dataclass(frozen=True, eq=False)
class CommuneSheet:
    """One commune's figures, targets, gaps and serving sites.

    Parameters
    ----------
    code, name
        The commune's code and name.
    area
        Its polygon (working CRS).
    summary
        Its row of the commune summary (:func:`covplan.metrics.commune_summary`).
    targets
        :data:`TARGET_COLUMNS`: the province's targets measured for the commune
        (``value`` is a percentage for ``fibre_share``, the km or points without signal
        otherwise; ``shortfall`` in ``unit``).
    province_only
        The other targets: measured for the whole province only.
    road_gaps
        Its road gaps cut to its boundary, longest in the commune first: the road gap
        columns, ``commune_km`` (length in the commune) and the cut geometry.
    villages
        Its villages without 4G/5G signal or without fibre, most populous first (the village
        gap columns).
    sites
        ``site_id``, ``technology``, ``operator``, ``status``, ``new`` (added by the
        scenario), ``served_percent`` (share of the commune's cells it serves best) and
        ``inside`` (the mast stands in the commune), the largest share first.
    """

    code: str
    name: str
    area: shapely.Geometry
    summary: pd.Series
    targets: pd.DataFrame
    province_only: tuple[str, ...]
    road_gaps: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    sites: pd.DataFrame


def commune_codes(data: ReportData) -> list[str]:
    """Codes of every commune of the report, in the commune summary's order."""
    summary = data.analysis.commune_summary
    return [] if summary.empty else summary["code"].astype(str).tolist()


def _summary_row(data: ReportData, code: str) -> pd.Series:
    summary = data.analysis.commune_summary
    row: pd.Series = summary[summary["code"].astype(str) == code].iloc[0]
    return row.drop(labels=[summary.geometry.name])


def _is_highway_target(target: Target) -> bool:
    """4G/5G on 100 % of expressways and national highways: what the summary's km say."""
    return (target.measure == "length_share" and target.goal_percent >= 100.0
            and set(target.filter_values("road_class") or ()) == set(HIGHWAY_CLASSES)
            and len(target.filter) == 1 and set(target.technologies) == set(MOBILE))


def _is_fibre_target(target: Target) -> bool:
    return target.measure == "fibre_share" and not target.filter


def _is_poi_target(target: Target) -> bool:
    """5G at every point of interest (of some kinds): what the 5G POI gaps say."""
    return (target.measure == "point_share" and target.goal_percent >= 100.0
            and tuple(target.technologies) == ("5G",)
            and all(column == "kind" for column, _ in target.filter))


def _fibre_result(goal: float, summary: pd.Series) -> dict[str, object]:
    villages, share = float(summary["villages"]), float(summary["fibre_percent"])
    if not (villages > 0 and math.isfinite(share)):
        return {"value": math.nan, "status": STATUS_NO_DATA, "shortfall": math.nan}
    needed = max(0.0, math.ceil(goal / 100.0 * villages - float(summary["villages_fibre"])
                                - 1e-9))
    return {"value": share, "status": STATUS_MET if needed == 0 else STATUS_NOT_MET,
            "shortfall": needed}


def _without_result(count: float) -> dict[str, object]:
    """A goal of 100 %: met when nothing lacks signal; the shortfall is what lacks it."""
    if not math.isfinite(count):
        return {"value": math.nan, "status": STATUS_NO_DATA, "shortfall": math.nan}
    return {"value": count, "status": STATUS_MET if count <= 1e-9 else STATUS_NOT_MET,
            "shortfall": count}


def _pois_without_5g(data: ReportData, code: str, target: Target) -> float:
    if data.dataset.vectors.get("pois") is None:
        return math.nan
    pois = data.analysis.poi_gaps
    if pois.empty:
        return 0.0
    mine = pois["commune"].astype(str) == code
    kinds = target.filter_values("kind")
    if kinds is not None:
        mine &= pois["kind"].isin(list(kinds))
    return float(mine.sum())


def commune_targets(data: ReportData, code: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The targets measured for commune ``code`` too, and the ids of the others.

    From the commune summary: the highway target (4G/5G on 100 % of expressways and
    national highways: met when no km lacks signal; the shortfall is those km) and the
    fibre target (share of the commune's villages fibre-reached; the shortfall in villages).
    From the commune's points of interest without 5G: a 5G target of 100 % at points of
    interest. The others (people, residential areas, filtered roads) are measured for the
    whole province only.
    """
    summary = _summary_row(data, code)
    labels = data.analysis.targets.set_index("id")
    rows: list[dict[str, object]] = []
    others: list[str] = []
    for target in data.targets.targets:
        result: dict[str, object]
        if _is_highway_target(target):
            result = {"unit": "km", **_without_result(float(summary["highway_uncovered_km"]))}
        elif _is_fibre_target(target):
            result = {"unit": "villages", **_fibre_result(target.goal_percent, summary)}
        elif _is_poi_target(target):
            result = {"unit": "POIs", **_without_result(_pois_without_5g(data, code, target))}
        else:
            others.append(target.id)
            continue
        label = labels.loc[target.id]
        rows.append({"id": target.id, "target": label["target"],
                     "target_vi": label.get("target_vi", label["target"]),
                     "measure": target.measure, "goal_percent": target.goal_percent,
                     **result})
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS)), tuple(others)


def commune_road_gaps(data: ReportData, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """The road gaps cut to ``area``: each gap's part inside it, ``commune_km`` long."""
    gaps = data.analysis.road_gaps
    if gaps.empty:
        return gaps.assign(commune_km=pd.Series(dtype=float))
    near = gaps[gaps.geometry.intersects(area).to_numpy(bool)]
    inside = near.geometry.intersection(area)
    cut = near.set_geometry(inside.to_numpy()).assign(commune_km=inside.length.to_numpy() / 1000)
    cut = cut[cut["commune_km"] * 1000.0 >= MIN_GAP_M]
    return cut.sort_values(["commune_km", "road"], ascending=[False, True]).reset_index(drop=True)


def commune_villages(data: ReportData, code: str) -> gpd.GeoDataFrame:
    """The commune's villages without 4G/5G signal or without fibre, most populous first."""
    villages = data.analysis.village_gaps
    if villages.empty or "commune" not in villages.columns:
        return villages.iloc[:0]
    mine = villages[villages["commune"].astype(str) == code]
    no_signal = ~mine["mobile_covered"].astype(bool).to_numpy(bool)
    no_fibre = ~mine["fibre_reached"].astype("boolean").fillna(True).to_numpy(bool)
    return mine[no_signal | no_fibre].reset_index(drop=True)


def _cells(grid: GridSpec, area: shapely.Geometry
           ) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """The window of ``grid`` over ``area`` and the mask of the cells whose centre is in it."""
    height, width = grid.shape
    minx, miny, maxx, maxy = area.bounds
    top, left = grid.index(minx, maxy)
    bottom, right = grid.index(maxx, miny)
    row0, col0 = max(int(top), 0), max(int(left), 0)
    row1, col1 = min(int(bottom), height - 1), min(int(right), width - 1)
    if row1 < row0 or col1 < col0:
        return None
    window = grid.transform * Affine.translation(col0, row0)
    mask = geometry_mask([area], out_shape=(row1 - row0 + 1, col1 - col0 + 1),
                         transform=window, invert=True)
    return (slice(row0, row1 + 1), slice(col0, col1 + 1)), mask


def serving_sites(data: ReportData, area: shapely.Geometry) -> pd.DataFrame:
    """Sites that are the best server of some of ``area``'s cells, and their share of them."""
    columns = ["site_id", "technology", "operator", "status", "new", "served_percent",
               "inside"]
    found: list[dict[str, object]] = []
    for tech, grid in sorted(data.coverage.items()):
        server = getattr(grid, "server", None)
        if server is None:
            continue
        cells = _cells(server.grid, area)
        if cells is None:
            continue
        window, mask = cells
        served = server.data[window][mask]
        total = int(mask.sum())
        counts = np.bincount(served[served >= 0], minlength=len(grid.site_keys))
        shares: dict[str, int] = {}
        for index in np.flatnonzero(counts):
            site = str(grid.site_keys[index]).rsplit("/", 1)[0]
            shares[site] = shares.get(site, 0) + int(counts[index])
        found += [{"site_id": site, "technology": tech, "served_percent": 100.0 * n / total}
                  for site, n in shares.items() if total]
    table = pd.DataFrame(found, columns=["site_id", "technology", "served_percent"])
    return _with_site_details(data, table, area)[columns]


def _with_site_details(data: ReportData, table: pd.DataFrame, area: shapely.Geometry
                       ) -> pd.DataFrame:
    sites = data.dataset.sites
    new = set() if data.new_sites is None else set(data.new_sites["site_id"].astype(str))
    if sites is not None and len(sites):
        first = sites.drop_duplicates("site_id").assign(site_id=lambda f: f["site_id"].astype(str))
        inside = first.geometry.within(area).to_numpy(bool)
        details = pd.DataFrame({
            "site_id": first["site_id"].to_numpy(),
            "operator": (first["operator"].astype("string").fillna("").to_numpy(object)
                         if "operator" in first else ""),
            "status": (first["status"].astype("string").fillna("").to_numpy(object)
                       if "status" in first else ""),
            "inside": inside})
        table = table.merge(details, on="site_id", how="left")
    else:
        table = table.assign(operator="", status="", inside=False)
    table["new"] = table["site_id"].isin(new)
    table["inside"] = table["inside"].astype("boolean").fillna(False).astype(bool)
    return table.sort_values(["served_percent", "site_id"], ascending=[False, True],
                             ignore_index=True)


def commune_sheet(data: ReportData, commune: str) -> CommuneSheet:
    """Everything the sheet of ``commune`` (a code or a name) shows.

    Raises
    ------
    covplan.errors.InputError
        When no commune has that code or name (the message names some).
    """
    row = find_commune(data.dataset, commune)
    code, name = str(row["code"].iloc[0]), str(row["name"].iloc[0])
    area = row.geometry.iloc[0]
    targets, province_only = commune_targets(data, code)
    sheet = CommuneSheet(code, name, area, _summary_row(data, code), targets, province_only,
                         commune_road_gaps(data, area), commune_villages(data, code),
                         serving_sites(data, area))
    logger.debug("Commune %s (%s): %d road gaps, %d villages, %d serving sites", code, name,
                 len(sheet.road_gaps), len(sheet.villages), len(sheet.sites))
    return sheet
