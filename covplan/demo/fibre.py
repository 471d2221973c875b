"""Fibre: routes along the roads, missing around a few remote mountain villages.

Operators lay fibre along the roads. A small share of villages (the most remote ones in
the mountains, far from trunk roads and from other villages) is left unconnected: no fibre
route comes within 500 m of them, and their ``fibre`` flag is false.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Polygon

from covplan.demo._config import SizeConfig

logger = logging.getLogger(__name__)

FIBRE_OPERATORS = ("Viettel", "VNPT", "FPT Telecom")
_OPERATOR_SHARES = (0.5, 0.35, 0.15)

#: No fibre route comes closer than this to an unconnected village.
CLEARANCE_M = 520.0


def _candidates(
    villages: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Rural villages far from trunk roads and other villages, most remote first.

    The conditions relax step by step when fewer than ``count`` villages meet them.
    """
    xy = villages[["x", "y"]].to_numpy()
    neighbour = cKDTree(xy).query(xy, k=2)[0][:, 1] if len(xy) > 1 else np.full(len(xy), 1e9)
    trunk_lines = roads.loc[roads["road_class"] != "local"].geometry.to_numpy()
    trunk = shapely.distance(villages.geometry.to_numpy(), shapely.union_all(trunk_lines))
    rural = villages["town"].to_numpy() < 0
    mountain = villages["mountain"].to_numpy()
    score = mountain + trunk / 10_000.0 + rng.uniform(0.0, 0.2, len(xy))
    for relax in (1.0, 0.7, 0.4, 0.0):
        fits = rural & (neighbour >= 1_100.0 * relax) & (trunk >= 1_000.0 * relax)
        fits &= mountain >= 0.4 * relax
        if fits.sum() >= 3 * count:
            break
    order = np.argsort(-np.where(fits, score, -np.inf), kind="stable")
    return order[: int(fits.sum())]


def _access_m(points: np.ndarray, lines: np.ndarray, holes: list[Polygon]) -> np.ndarray:
    """Distance from each point to the nearest line once ``holes`` are cut out of the lines."""
    cut = shapely.difference(lines, shapely.union_all(holes)) if holes else lines
    return np.asarray(shapely.distance(points, shapely.union_all(cut)))


def unconnected_villages(
    villages: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    config: SizeConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """Row positions of the villages left without fibre.

    A candidate is taken only when cutting the fibre within :data:`CLEARANCE_M` of its
    catchment leaves every other village as close to fibre as before (within 200 m), so
    the gap strands nobody else.

    Parameters
    ----------
    villages
        Catchment polygons with ``x``, ``y``, ``town`` and ``mountain``, UTM metres.
    roads
        Road lines (fibre follows them), UTM metres.
    config
        Size preset (share of villages without fibre).
    rng
        Random source.

    Returns
    -------
    numpy.ndarray
        Sorted row positions into ``villages``.
    """
    count = max(1, round(config.no_fibre_share * len(villages)))
    lines = roads.geometry.to_numpy()
    line_tree = shapely.STRtree(lines)
    centres = shapely.points(villages[["x", "y"]].to_numpy())
    village_tree = shapely.STRtree(centres)
    holes: list[Polygon] = []
    chosen: list[int] = []
    for k in _candidates(villages, roads, count, rng):
        hole = villages.geometry.iloc[k].buffer(CLEARANCE_M)
        others = np.setdiff1d(village_tree.query(hole.buffer(3_000.0)), [k, *chosen])
        near = line_tree.query(hole.buffer(6_000.0))
        before = _access_m(centres[others], lines[near], holes)
        after = _access_m(centres[others], lines[near], [*holes, hole])
        if np.all(after <= before + 200.0):
            holes.append(hole)
            chosen.append(int(k))
            if len(chosen) == count:
                break
    return np.sort(np.asarray(chosen, dtype=np.int64))


def fibre_routes(
    roads: gpd.GeoDataFrame,
    unconnected: np.ndarray,
    villages: gpd.GeoDataFrame,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Fibre along every road, cut back around the unconnected villages.

    Each numbered road carries one operator's cable along its whole length; local roads
    draw an operator per stretch.

    Returns
    -------
    geopandas.GeoDataFrame
        Column ``operator``; LineStrings in the roads' CRS.
    """
    holes = shapely.union_all(
        shapely.buffer(villages.geometry.to_numpy()[unconnected], CLEARANCE_M)
    )
    refs = sorted(set(roads["ref"].dropna()))
    by_ref = dict(
        zip(refs, rng.choice(len(FIBRE_OPERATORS), size=len(refs), p=_OPERATOR_SHARES), strict=True)
    )
    local = rng.choice(len(FIBRE_OPERATORS), size=len(roads), p=_OPERATOR_SHARES)
    operator = [
        FIBRE_OPERATORS[by_ref.get(ref, local[i])] for i, ref in enumerate(roads["ref"].fillna(""))
    ]
    cut = shapely.difference(roads.geometry.to_numpy(), holes)
    frame = gpd.GeoDataFrame({"operator": operator}, geometry=cut, crs=roads.crs)
    frame = frame.explode(index_parts=False)
    frame = frame[(frame.geometry.geom_type == "LineString") & (frame.geometry.length > 1.0)]
    logger.debug("Fibre: %d routes, %d villages unconnected", len(frame), len(unconnected))
    return frame.reset_index(drop=True)
