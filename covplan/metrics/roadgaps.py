"""Road gaps: contiguous uncovered stretches along each route, with chainage and communes."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.metrics.roads import RoadSamples
from covplan.metrics.zones import ZoneRaster

logger = logging.getLogger(__name__)

#: Columns of the gap table, in order.
GAP_COLUMNS = ("road", "road_class", "ref", "name", "section", "start_km", "end_km",
               "length_km", "counted_km", "communes", "commune_codes")


def _runs(samples: RoadSamples, covered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uncovered pieces and the run (gap) number of each.

    A run ends where the route changes, where a covered piece comes, or where pieces were
    left out (a road leaving the province).
    """
    pieces = samples.pieces
    line, gap = pieces.line, ~covered
    broken = (line[1:] != line[:-1]) | (np.abs(pieces.start_m[1:] - pieces.end_m[:-1]) > 1e-6)
    starts = gap & (np.r_[True, broken] | np.r_[True, ~gap[:-1]])
    run = np.cumsum(starts) - 1
    idx = np.flatnonzero(gap)
    return idx, run[idx]


def _commune_lists(zone: np.ndarray, run: np.ndarray, communes: gpd.GeoDataFrame | None
                   ) -> tuple[pd.Series, pd.Series]:
    """``"; "``-joined names and codes of the communes each run crosses, in order met."""
    keep = zone >= 0
    if communes is None or not keep.any():
        empty = pd.Series(dtype="string")
        return empty, empty
    pairs = pd.DataFrame({"run": run[keep], "zone": zone[keep]}).drop_duplicates()
    runs, zones = pairs["run"].to_numpy(), pairs["zone"].to_numpy()
    cut = np.flatnonzero(np.diff(runs)) + 1
    names = communes["name"].astype(str).to_numpy(object)[zones]
    codes = communes["code"].astype(str).to_numpy(object)[zones]
    index = runs[np.r_[0, cut]]
    return (pd.Series(["; ".join(part) for part in np.split(names, cut)], index=index),
            pd.Series(["; ".join(part) for part in np.split(codes, cut)], index=index))


def road_gaps(samples: RoadSamples, covered: np.ndarray, *,
              communes: gpd.GeoDataFrame | None = None,
              commune_zones: ZoneRaster | None = None,
              min_length_m: float = 0.0) -> gpd.GeoDataFrame:
    """Contiguous uncovered stretches of road, longest first.

    Parameters
    ----------
    samples
        Roads cut into pieces (:func:`covplan.metrics.roads.sample_roads`).
    covered
        Whether each piece has signal.
    communes, commune_zones
        Commune polygons (``code``, ``name``) and their cells, to name the communes each
        gap crosses.
    min_length_m
        Leave out gaps shorter than this.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`GAP_COLUMNS` and the gap's geometry: ``start_km``/``end_km`` are the
        chainage along the route (section) of the road, ``length_km`` the length along it
        and ``counted_km`` the length times ``length_weight`` (half on each carriageway of
        a dual carriageway, so gaps of one class add up to its uncovered km).
    """
    idx, run = _runs(samples, np.asarray(covered, dtype=bool))
    pieces = samples.pieces
    frame = pd.DataFrame({"run": run, "line": pieces.line[idx], "start": pieces.start_m[idx],
                          "end": pieces.end_m[idx], "counted": samples.counted_m[idx]})
    table = frame.groupby("run", sort=True).agg(line=("line", "first"), start=("start", "min"),
                                                end=("end", "max"), counted=("counted", "sum"))
    zone = (commune_zones.at(pieces.x[idx], pieces.y[idx]) if commune_zones is not None
            else np.full(len(idx), -1))
    names, codes = _commune_lists(zone, run, communes)
    line = table["line"].to_numpy()
    routes = samples.routes
    out = pd.DataFrame({col: routes[col].to_numpy()[line]
                        for col in ("road", "road_class", "ref", "name", "section")})
    out["start_km"] = table["start"].to_numpy() / 1000.0
    out["end_km"] = table["end"].to_numpy() / 1000.0
    out["length_km"] = out["end_km"] - out["start_km"]
    out["counted_km"] = table["counted"].to_numpy() / 1000.0
    out["communes"] = names.reindex(table.index).fillna("").to_numpy()
    out["commune_codes"] = codes.reindex(table.index).fillna("").to_numpy()
    starts, ends = table["start"].to_numpy(), table["end"].to_numpy()
    geometry: np.ndarray | list[object] = (samples.vertices.substrings(line, starts, ends)
                                           if len(line) else [])
    gaps = gpd.GeoDataFrame(out, geometry=geometry, crs=routes.crs)
    gaps = gaps[gaps["length_km"] * 1000.0 >= min_length_m]
    gaps = gaps.sort_values(["length_km", "road", "start_km"], ascending=[False, True, True])
    logger.info("Road gaps: %s stretches, %.1f km counted", f"{len(gaps):,}",
                float(gaps["counted_km"].sum()))
    return gaps.reset_index(drop=True)
