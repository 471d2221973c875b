"""Candidate sites: supplied by the planner, or generated where the gaps are.

Generated candidates (:func:`generate_candidates`) come from five sources, in this order
of priority when two fall closer than ``min_separation_m`` (the earlier one is kept):

1. the planner's own points (:func:`load_candidates`, CSV or GeoPackage), always kept;
2. existing 4G sites without 5G, as 5G co-location candidates (same position, height and
   azimuths), when the target counts 5G; always kept;
3. points along uncovered road stretches, ``road_spacing_m`` apart and
   ``road_offset_m`` off the carriageway (the target's roads for a road target, every
   road otherwise);
4. a point inside each uncovered village;
5. summits of the terrain (highest within ``high_ground_radius_m``, at least
   ``min_relief_m`` above the lowest cell there).

Generated candidates farther than ``reach_m`` from any open demand are dropped, and every
candidate inside an exclusion zone or outside the grid is dropped. Each candidate becomes
sectors (default three at 0°, 120° and 240°) with the technology's defaults, ``status``
``candidate`` and a ``cost``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from covplan.grid import GridSpec, Raster
from covplan.i18n import N_
from covplan.io.checks import check_geometry, check_in_vietnam
from covplan.io.context import FileContext
from covplan.io.manifest import LayerSpec
from covplan.io.sites import normalise_sites
from covplan.io.vector import context_for, read_vector
from covplan.metrics.context import MetricContext
from covplan.planning import _sources as src
from covplan.planning.demand import Demand

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CandidateOptions:
    """How candidates are generated.

    Parameters
    ----------
    technology
        Technology of new-build candidates, ``{"4G", "5G"}``; default the first the
        target counts.
    height_m
        Antenna height of new-build candidates; default the technology's.
    azimuths_deg
        Sector azimuths of new-build candidates; empty for one omnidirectional sector.
    road_spacing_m, road_offset_m
        Spacing along, and offset from, uncovered road stretches.
    roads, villages, high_ground, colocation
        Whether to use each source.
    high_ground_radius_m, min_relief_m
        Summit search window and the least relief that makes a summit.
    reach_m
        Generated candidates farther than this from open demand are dropped.
    min_separation_m
        Generated candidates closer than this to a kept one are dropped.
    cost, colocation_cost
        Cost of a new-build and of a co-location candidate (user files may give their own
        ``cost`` column).
    """

    technology: str | None = None
    height_m: float | None = None
    azimuths_deg: tuple[float, ...] = (0.0, 120.0, 240.0)
    road_spacing_m: float = 1500.0
    road_offset_m: float = 30.0
    roads: bool = True
    villages: bool = True
    high_ground: bool = True
    colocation: bool = True
    high_ground_radius_m: float = 2000.0
    min_relief_m: float = 40.0
    reach_m: float = 8000.0
    min_separation_m: float = 300.0
    cost: float = 1.0
    colocation_cost: float = 1.0


def _generated(ctx: MetricContext, demand: Demand, terrain: Raster | None,
               options: CandidateOptions) -> pd.DataFrame:
    thr, techs = demand.target.thresholds, demand.target.technologies
    parts = []
    if options.colocation and "5G" in techs and ctx.sites is not None:
        parts.append(src.colocation_points(ctx.sites).assign(cost=options.colocation_cost))
    if options.roads and ctx.roads is not None:
        gap = ~ctx.road_covered(techs, thr)
        if demand.kind == "road pieces":
            gap &= np.isin(np.arange(len(gap)), demand.source[demand.open])
        parts.append(src.road_points(ctx.roads, gap, spacing_m=options.road_spacing_m,
                                     offset_m=options.road_offset_m))
    if options.villages and ctx.villages is not None and ctx.village_zones is not None:
        uncovered = ~ctx.village_signal(techs, thr)["covered"].to_numpy(bool)
        parts.append(src.village_points(ctx.villages, uncovered))
    if options.high_ground and terrain is not None:
        parts.append(src.high_ground_points(terrain, radius_m=options.high_ground_radius_m,
                                            min_relief_m=options.min_relief_m))
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["x", "y", "source"])
    return _near_demand(frame, demand, options.reach_m)


def _near_demand(points: pd.DataFrame, demand: Demand, reach_m: float) -> pd.DataFrame:
    """Generated points within ``reach_m`` of open demand (co-location points kept too)."""
    open_xy = np.column_stack([demand.x[demand.open], demand.y[demand.open]])
    if points.empty or not len(open_xy):
        return points.iloc[:0]
    snapped = np.unique(np.round(open_xy / 250.0), axis=0) * 250.0  # thin to 250 m
    distance, _ = cKDTree(snapped).query(points[["x", "y"]].to_numpy(), k=1)
    near: pd.DataFrame = points[distance <= reach_m + 250.0].reset_index(drop=True)
    return near


def _inside(points: pd.DataFrame, grid: GridSpec, exclusion: gpd.GeoDataFrame | None
            ) -> np.ndarray:
    minx, miny, maxx, maxy = grid.bounds
    x, y = points["x"].to_numpy(float), points["y"].to_numpy(float)
    ok = (x > minx) & (x < maxx) & (y > miny) & (y < maxy)
    if exclusion is not None and len(exclusion):
        zones = shapely.union_all(np.asarray(exclusion.to_crs(grid.crs).geometry.values))
        ok &= ~shapely.contains_xy(zones, x, y)
    return ok


def _ids(points: pd.DataFrame, taken: set[str]) -> list[str]:
    """A name per point: its own, or the next free one of its source's series.

    No name is one of ``taken`` (the network's sites: a scenario may hold an earlier
    recommendation's ``CAND-R00001``) or given twice; a given name that is taken gets a
    ``-2``, ``-3``… suffix.
    """
    prefix = {"road": "CAND-R", "village": "CAND-V", "high ground": "CAND-H", "user": "USER-"}
    used = set(taken)
    counter: dict[str, int] = {}
    ids = []
    for given, source in zip(points.get("site_id", pd.Series(None, index=points.index)),
                             points["source"], strict=True):
        if isinstance(given, str) and given:
            name, n = given, 1
            while name in used:
                n += 1
                name = f"{given}-{n}"
        else:
            name = ""
            while not name or name in used:
                counter[source] = counter.get(source, 0) + 1
                name = f"{prefix.get(source, 'CAND-')}{counter[source]:05d}"
        used.add(name)
        ids.append(name)
    return ids


def _number(value: object, default: float | None) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return number if np.isfinite(number) else default


def to_sectors(points: pd.DataFrame, crs: CRS, options: CandidateOptions,
               technology: str) -> gpd.GeoDataFrame:
    """Candidate points as normalised sectors (``status`` candidate, ``source``, ``cost``)."""
    rows = []
    default_az = options.azimuths_deg or (np.nan,)
    for p in points.to_dict("records"):
        azimuths = p.get("azimuths")
        azimuths = azimuths if isinstance(azimuths, tuple) and azimuths else default_az
        tech = p.get("technology")
        for k, az in enumerate(azimuths, start=1):
            rows.append({"site_id": p["candidate_id"], "sector": k,
                         "technology": tech if isinstance(tech, str) and tech else technology,
                         "height_m": _number(p.get("height_m"), options.height_m),
                         "azimuth_deg": az, "status": "candidate", "source": p["source"],
                         "cost": _number(p.get("cost"), options.cost),
                         "operator": p.get("operator") if isinstance(p.get("operator"), str)
                         else "",
                         "geometry": shapely.points(p["x"], p["y"])})
    if not rows:
        columns = ("site_id", "sector", "technology", "height_m", "azimuth_deg", "status",
                   "source", "cost")
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)
    ctx = FileContext("<candidates>", "sites")
    sectors = normalise_sites(gpd.GeoDataFrame(rows, geometry="geometry", crs=crs), ctx)
    ctx.raise_if_problems()
    return sectors


def generate_candidates(ctx: MetricContext, demand: Demand, *, terrain: Raster | None = None,
                        user: pd.DataFrame | None = None,
                        exclusion: gpd.GeoDataFrame | None = None,
                        options: CandidateOptions | None = None) -> gpd.GeoDataFrame:
    """Candidate sectors for closing ``demand``'s gaps (see the module docstring).

    Parameters
    ----------
    ctx
        Metrics of the baseline (roads, villages, sites on the grid).
    demand
        The target's demand.
    terrain
        Elevation raster for high-ground candidates.
    user
        Planner's points from :func:`load_candidates`.
    exclusion
        Polygons where no candidate may stand.
    options
        Generation settings.

    Returns
    -------
    geopandas.GeoDataFrame
        Candidate sectors (one row per sector) with ``source`` and ``cost``.
    """
    options = options or CandidateOptions()
    technology = options.technology or demand.target.technologies[0]
    parts = [] if user is None else [user.assign(source="user")]
    parts.append(_generated(ctx, demand, terrain, options))
    points = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["x", "y", "source"])
    points = points[_inside(points, ctx.grid, exclusion)].reset_index(drop=True)
    fixed = points["source"].isin(["user", "colocation"]).to_numpy(bool)
    points = points[src.thin(points, options.min_separation_m, fixed)].reset_index(drop=True)
    taken = set(ctx.sites["site_id"].astype(str)) if ctx.sites is not None else set()
    points["candidate_id"] = _ids(points, taken)
    counts = points["source"].value_counts().to_dict()
    logger.info("Candidates: %s (%s)", f"{len(points):,}",
                ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return to_sectors(points, ctx.grid.crs, options, technology)


def load_candidates(path: str | Path, crs: CRS) -> pd.DataFrame:
    """Read the planner's candidate points (CSV with lon/lat, GeoPackage, GeoJSON, …).

    Optional columns: ``site_id`` (or ``candidate_id``), ``technology``, ``height_m``,
    ``cost``. Returns points in ``crs`` for :func:`generate_candidates`.

    Raises
    ------
    covplan.errors.InputError
        With every problem found in the file.
    """
    spec = LayerSpec("sites", (Path(path),))
    ctx = context_for(spec)
    frame = read_vector(spec, ctx).rename(columns={"candidate_id": "site_id"})
    frame = check_geometry(frame, ctx) if len(frame) else frame
    if len(frame):
        check_in_vietnam(frame, ctx)
    _check_numbers(frame, ctx)
    ctx.raise_if_problems()
    frame = frame.to_crs(crs)
    out = pd.DataFrame({"x": frame.geometry.x.to_numpy(), "y": frame.geometry.y.to_numpy()})
    for column in ("site_id", "technology", "height_m", "cost"):
        if column in frame.columns:
            out[column] = frame[column].to_numpy()
    logger.info("Loaded %d candidate points from %s", len(out), path)
    return out


def _check_numbers(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    for column in ("height_m", "cost"):
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna() | (values <= 0)
        if bad.any():
            ctx.add(N_("{name} should be a positive number."), N_("fix or empty the {name} cells."),
                    column=column, rows=ctx.rows(bad), name=column)
        frame[column] = values




def load_exclusion(path: str | Path, crs: CRS) -> gpd.GeoDataFrame:
    """Read exclusion-zone polygons (GeoPackage, GeoJSON, shapefile, …) into ``crs``.

    Raises
    ------
    covplan.errors.InputError
        When the file has no CRS or holds no polygons.
    """
    spec = LayerSpec("communes", (Path(path),))
    ctx = context_for(spec)
    frame = read_vector(spec, ctx)
    polygons = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])] if len(
        frame) else frame
    if not ctx.problems and polygons.empty:
        ctx.add(N_("no polygons found."), N_("give exclusion zones as polygons."))
    ctx.raise_if_problems()
    logger.info("Loaded %d exclusion zones from %s", len(polygons), path)
    return polygons.to_crs(crs)
