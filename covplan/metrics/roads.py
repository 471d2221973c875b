"""Road coverage: covered share of length, per class and per road, and the gaps.

Method
------
1. Ways of one road (same ``road_class`` and the same reference, else the same name) are
   joined end to end with :func:`shapely.line_merge` into *routes*; chainage (km) runs
   along each route. One road can give several routes (a dual carriageway gives one per
   carriageway; a road broken by a junction topology gives sections).
2. Each route is cut into equal pieces no longer than the grid resolution
   (:func:`covplan.metrics.sampling.cut_lines`); a piece is covered when the RSRP at its
   midpoint reaches the threshold of any target technology.
3. Length counts ``length * length_weight`` when roads carry ``length_weight``
   (:func:`covplan.io.carriageways.merge_dual_carriageways`), so a dual carriageway is
   counted once: each carriageway weighs one half.

Gaps are runs of consecutive uncovered pieces along a route, merged across the ways the
route was built from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.grid import GridSpec
from covplan.io.roadclass import canonical_ref
from covplan.metrics.sampling import LinePieces, VertexTable, cut_lines
from covplan.metrics.signal import Coverage, coverage_grid, covered_at
from covplan.metrics.thresholds import Thresholds
from covplan.schema import ROAD_CLASSES

logger = logging.getLogger(__name__)

#: Tolerance for finding the way a route piece lies on.
_ON_LINE_M = 0.01


@dataclass(frozen=True, eq=False)
class RoadSamples:
    """Roads joined into routes and cut into pieces, ready to be looked up on a grid.

    Parameters
    ----------
    routes
        One row per route: ``road`` (display label), ``road_class``, ``ref``, ``name``,
        ``section`` (1, 2, … within the road) and the route geometry.
    pieces
        Pieces of the routes (``pieces.line`` is a row position in ``routes``).
    source
        Row position in the roads frame of the way each piece lies on (-1 where it was
        not looked up, see :func:`sample_roads`).
    weight
        ``length_weight`` of that way (1 when the roads carry none).
    vertices
        The routes' vertices, for cutting gap geometries.
    """

    routes: gpd.GeoDataFrame
    pieces: LinePieces
    source: np.ndarray
    weight: np.ndarray
    vertices: VertexTable

    @property
    def counted_m(self) -> np.ndarray:
        """Length each piece counts for: its length times its way's ``length_weight``."""
        counted: np.ndarray = self.pieces.length_m * self.weight
        return counted

    @property
    def road_class(self) -> np.ndarray:
        """Road class of each piece."""
        classes: np.ndarray = self.routes["road_class"].to_numpy(str)[self.pieces.line]
        return classes

    def take(self, keep: np.ndarray) -> RoadSamples:
        """Only the pieces where ``keep`` (such as those inside the province)."""
        return RoadSamples(self.routes, self.pieces.take(keep), self.source[keep],
                           self.weight[keep], self.vertices)


def _text(roads: gpd.GeoDataFrame, column: str) -> pd.Series:
    if column not in roads.columns:
        return pd.Series("", index=roads.index)
    text: pd.Series = roads[column].astype("string").fillna("").str.strip()
    return text


def _road_keys(roads: gpd.GeoDataFrame) -> pd.DataFrame:
    """road_class, ref (canonical), name and the display label of every way."""
    raw = _text(roads, "ref")
    ref = raw.map({r: (canonical_ref(r) or r) if r else "" for r in raw.unique()})
    keys = pd.DataFrame({"road_class": _text(roads, "road_class"), "ref": ref,
                         "name": _text(roads, "name")}, index=roads.index)
    ident = keys["ref"].where(keys["ref"] != "", keys["name"])
    keys["road"] = ident.where(ident != "", "(unnamed " + keys["road_class"] + " road)")
    return keys


@dataclass(frozen=True, eq=False)
class _Routes:
    routes: gpd.GeoDataFrame
    route_group: np.ndarray
    parts: np.ndarray
    part_owner: np.ndarray
    part_group: np.ndarray


def _routes(roads: gpd.GeoDataFrame) -> _Routes:
    """Ways joined end to end per road, with the ways' parts and their road group."""
    keys = _road_keys(roads)
    parts, owner = shapely.get_parts(np.asarray(roads.geometry.values), return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)
    parts, owner = parts[keep], owner[keep]
    group, _ = pd.factorize(
        pd.MultiIndex.from_frame(keys.iloc[owner][["road_class", "road", "ref"]]), sort=True)
    order = np.argsort(group, kind="stable")
    parts, owner, group = parts[order], owner[order], group[order]
    merged = shapely.line_merge(shapely.multilinestrings(parts, indices=group))
    lines, route_group = shapely.get_parts(merged, return_index=True)
    first = keys.iloc[owner[np.searchsorted(group, route_group)]].reset_index(drop=True)
    routes = gpd.GeoDataFrame(first[["road", "road_class", "ref", "name"]],
                              geometry=np.asarray(lines), crs=roads.crs)
    routes["section"] = routes.groupby("road").cumcount() + 1
    return _Routes(routes, route_group, parts, owner, group)


def _piece_sources(pieces: LinePieces, found: _Routes, group: np.ndarray) -> np.ndarray:
    """Position of the part (of road ``group``) each piece's midpoint lies on."""
    points = shapely.points(pieces.x, pieces.y)
    tree = shapely.STRtree(found.parts)
    p_idx, part = tree.query(points, predicate="dwithin", distance=_ON_LINE_M)
    same = found.part_group[part] == group[p_idx]
    p_idx, part = p_idx[same], part[same]
    best = np.full(len(points), -1, dtype=np.int64)
    best[p_idx[::-1]] = part[::-1]  # the first match wins
    missing = np.flatnonzero(best < 0)
    if len(missing):
        best[missing] = tree.query_nearest(points[missing], all_matches=False)[1]
    return best


def _part_weights(roads: gpd.GeoDataFrame, found: _Routes) -> np.ndarray:
    if "length_weight" not in roads.columns:
        return np.ones(len(found.parts))
    weights = pd.to_numeric(roads["length_weight"], errors="coerce").fillna(1.0)
    per_part: np.ndarray = weights.to_numpy(float)[found.part_owner]
    return per_part


def sample_roads(roads: gpd.GeoDataFrame, step_m: float, *, sources: bool = False
                 ) -> RoadSamples:
    """Join the ways of ``roads`` into routes and cut them into pieces of ``step_m`` or less.

    Parameters
    ----------
    roads
        Road lines in a metric CRS with ``road_class`` and, when available, ``ref``,
        ``name`` and ``length_weight``.
    step_m
        Longest piece; use the coverage grid's resolution.
    sources
        Find the way under every piece (for per-way figures). Otherwise only pieces of
        roads whose ways carry different ``length_weight`` are looked up, and
        ``RoadSamples.source`` is -1 where the way was not needed.
    """
    found = _routes(roads)
    vertices = VertexTable.from_lines(np.asarray(found.routes.geometry.values))
    pieces = cut_lines(vertices, step_m)
    part_weight = _part_weights(roads, found)
    starts = np.searchsorted(found.part_group, np.arange(found.part_group.max(initial=-1) + 1))
    low = np.minimum.reduceat(part_weight, starts) if len(starts) else part_weight
    high = np.maximum.reduceat(part_weight, starts) if len(starts) else part_weight
    single = np.diff(np.append(starts, len(part_weight))) == 1
    group = found.route_group[pieces.line]
    source = np.where(single[group], found.part_owner[starts[group]], -1)
    weight = low[group].astype(float)
    need = ~single[group] if sources else low[group] != high[group]
    if need.any():
        part = _piece_sources(pieces.take(need), found, group[need])
        source[need] = found.part_owner[part]
        weight[need] = part_weight[part]
    logger.info("Roads: %s ways joined into %s routes, %s pieces of <= %g m",
                f"{len(roads):,}", f"{len(found.routes):,}", f"{len(pieces.line):,}", step_m)
    return RoadSamples(found.routes, pieces, source, weight, vertices)


def covered_pieces(samples: RoadSamples, coverage: Coverage, technologies: list[str],
                   thresholds: Thresholds) -> np.ndarray:
    """True for pieces whose midpoint has signal from any of ``technologies``."""
    return covered_at(coverage, technologies, thresholds, samples.pieces.x, samples.pieces.y)


def road_coverage(roads: gpd.GeoDataFrame, coverage: Coverage, *,
                  technologies: tuple[str, ...] = ("4G", "5G"),
                  thresholds: Thresholds | None = None, step_m: float | None = None
                  ) -> pd.DataFrame:
    """Length and covered length of every road way.

    Parameters
    ----------
    roads
        Road lines in the coverage grid's CRS.
    coverage
        RSRP grids by technology.
    technologies
        A piece is covered when any of these reaches its threshold.
    thresholds
        RSRP thresholds (defaults when None).
    step_m
        Sampling step; default the grid resolution.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``roads.index``: ``length_m``, ``counted_m`` (times ``length_weight``),
        ``covered_m`` (counted length with signal) and ``covered_percent``.
    """
    grid: GridSpec = coverage_grid(coverage)
    samples = sample_roads(roads, step_m or grid.resolution_m, sources=True)
    covered = covered_pieces(samples, coverage, list(technologies), thresholds or Thresholds())
    n = len(roads)
    length = np.bincount(samples.source, weights=samples.pieces.length_m, minlength=n)
    counted = np.bincount(samples.source, weights=samples.counted_m, minlength=n)
    hit = np.bincount(samples.source, weights=samples.counted_m * covered, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(counted > 0, 100.0 * hit / counted, np.nan)
    return pd.DataFrame({"length_m": length, "counted_m": counted, "covered_m": hit,
                         "covered_percent": percent}, index=roads.index)


def _summary(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    table = frame.groupby(by, sort=False).agg(length_km=("counted", "sum"),
                                              covered_km=("hit", "sum")) / 1000.0
    table["uncovered_km"] = table["length_km"] - table["covered_km"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["covered_percent"] = 100.0 * table["covered_km"] / table["length_km"]
    return table.reset_index()


def coverage_by_class(samples: RoadSamples, covered: np.ndarray) -> pd.DataFrame:
    """Counted km, covered km, uncovered km and covered % per road class.

    Returns
    -------
    pandas.DataFrame
        One row per class present, in the order of :data:`covplan.schema.ROAD_CLASSES`.
    """
    frame = pd.DataFrame({"road_class": samples.road_class, "counted": samples.counted_m,
                          "hit": samples.counted_m * covered})
    table = _summary(frame, ["road_class"])
    rank = {c: i for i, c in enumerate(ROAD_CLASSES)}
    return table.sort_values("road_class", key=lambda s: s.map(rank).fillna(99)
                             ).reset_index(drop=True)


def coverage_by_road(samples: RoadSamples, covered: np.ndarray) -> pd.DataFrame:
    """The same per road (reference such as ``QL.3``, else name); unnamed roads are left out."""
    routes = samples.routes
    named = ~routes["road"].str.startswith("(unnamed").to_numpy()[samples.pieces.line]
    line = samples.pieces.line[named]
    frame = pd.DataFrame({"road": routes["road"].to_numpy()[line],
                          "road_class": routes["road_class"].to_numpy()[line],
                          "counted": samples.counted_m[named],
                          "hit": (samples.counted_m * covered)[named]})
    table = _summary(frame, ["road", "road_class"])
    rank = {c: i for i, c in enumerate(ROAD_CLASSES)}
    table["_rank"] = table["road_class"].map(rank).fillna(99)
    return table.sort_values(["_rank", "road"]).drop(columns="_rank").reset_index(drop=True)
