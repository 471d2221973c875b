"""Drawing primitives for the static maps: rasters cut and thinned, geometries as collections.

Everything here works in the dataset's metric CRS, so the map's data units are metres.
Rasters are cropped to the map extent and block-averaged down to about the printed
resolution before drawing; lines and polygons are simplified to a fraction of a printed
pixel and turned into one matplotlib collection per layer (fast even for thousands of
villages and roads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from covplan.grid import Raster
from covplan.mapview import style
from covplan.mapview._raster import hillshade

Bounds = tuple[float, float, float, float]

#: Value given to no-signal cells before averaging (as the web map does), in dBm.
NO_SIGNAL_DBM = -200.0


@dataclass(frozen=True)
class Cropped:
    """A raster window thinned for drawing: the array and its (left, right, bottom, top)."""

    data: np.ndarray
    extent: tuple[float, float, float, float]
    cell_m: float


def block_mean(data: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each ``factor`` x ``factor`` block, ignoring NaN (NaN where a block is empty).

    Rows and columns beyond the last whole block are dropped (less than ``factor`` cells).

    Examples
    --------
    >>> block_mean(np.array([[1.0, 3.0], [np.nan, 5.0]]), 2).tolist()
    [[3.0]]
    """
    if factor <= 1:
        return data.astype(np.float32)
    rows, cols = max(1, data.shape[0] // factor), max(1, data.shape[1] // factor)
    window = data[: rows * factor, : cols * factor].astype(np.float32)
    blocks = window.reshape(rows, window.shape[0] // rows, cols, window.shape[1] // cols)
    valid = np.isfinite(blocks)
    if valid.all():
        mean: np.ndarray = blocks.mean(axis=(1, 3), dtype=np.float32)
        return mean
    total = np.where(valid, blocks, np.float32(0.0)).sum(axis=(1, 3), dtype=np.float32)
    count = valid.sum(axis=(1, 3))
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    np.divide(total, count, out=out, where=count > 0)
    return out


def crop(raster: Raster, bounds: Bounds, max_px: int, *,
         fill: float | None = None) -> Cropped | None:
    """The part of ``raster`` inside ``bounds``, block-averaged to at most ``max_px`` a side.

    Parameters
    ----------
    raster
        A raster in the map's CRS.
    bounds
        (minx, miny, maxx, maxy) of the map.
    max_px
        Longest side of the result in cells.
    fill
        Value given to NaN cells before averaging; None keeps them as gaps.

    Returns
    -------
    Cropped or None
        None when the raster does not reach the map.
    """
    grid = raster.grid
    res = grid.resolution_m
    col0 = max(0, math.floor((bounds[0] - grid.transform.c) / res))
    col1 = min(grid.width, math.ceil((bounds[2] - grid.transform.c) / res))
    row0 = max(0, math.floor((grid.transform.f - bounds[3]) / res))
    row1 = min(grid.height, math.ceil((grid.transform.f - bounds[1]) / res))
    if col1 <= col0 or row1 <= row0:
        return None
    window = raster.data[row0:row1, col0:col1].astype(np.float32)
    if fill is not None:
        window = np.where(np.isnan(window), np.float32(fill), window)
    factor = max(1, math.ceil(max(window.shape) / max_px))
    left, top = grid.transform.c + col0 * res, grid.transform.f - row0 * res
    data = block_mean(window, factor)
    right = left + min(window.shape[1], data.shape[1] * factor) * res
    bottom = top - min(window.shape[0], data.shape[0] * factor) * res
    return Cropped(data, (left, right, bottom, top), res * factor)


def rsrp_rgba(rsrp_dbm: np.ndarray, *, opacity: float = 0.8) -> np.ndarray:
    """RGBA image of RSRP in the map's dBm classes (transparent below −120 dBm or NaN)."""
    return _class_rgba(style.rsrp_class(rsrp_dbm), opacity)


def _class_rgba(classes: np.ndarray, opacity: float) -> np.ndarray:
    """RGBA of class indices in the signal palette (0: transparent)."""
    table = np.zeros((len(style.RSRP_COLOURS) + 1, 4), dtype=np.float32)
    for k, (colour, alpha) in enumerate(zip(style.RSRP_COLOURS, style.RSRP_ALPHAS,
                                            strict=True), start=1):
        table[k] = (*to_rgba(colour)[:3], alpha * opacity)
    rgba: np.ndarray = table[classes]
    return rgba


def speed_rgba(mbps: np.ndarray, *, opacity: float = 0.8, sinr: bool = False) -> np.ndarray:
    """RGBA image of a downlink speed in the map's Mb/s classes (transparent below 0.5).

    With ``sinr``, ``mbps`` is a SINR in dB, drawn in the SINR's classes.
    """
    return _class_rgba(style.sinr_class(mbps) if sinr else style.speed_class(mbps), opacity)


def shaded_relief(terrain: Raster, bounds: Bounds, max_px: int) -> Cropped | None:
    """Grey hillshade (0–1 brightness, light from the north-west) of the map extent."""
    cropped = crop(terrain, bounds, max_px)
    if cropped is None:
        return None
    elevation = cropped.data.astype(np.float64)
    valid = np.isfinite(elevation)
    if not valid.any():
        return None
    filled = np.where(valid, elevation, float(np.nanmean(elevation)))
    shade = hillshade(filled, cropped.cell_m, exaggeration=2.0)
    brightness = np.where(valid, 0.62 + 0.38 * shade, 1.0).astype(np.float32)
    return Cropped(brightness, cropped.extent, cropped.cell_m)


def in_view(frame: gpd.GeoDataFrame, bounds: Bounds) -> gpd.GeoDataFrame:
    """Rows of ``frame`` whose geometry reaches the map extent."""
    if frame.empty:
        return frame
    return frame.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]


def _line_parts(geoms: np.ndarray, tolerance_m: float) -> list[np.ndarray]:
    geoms = shapely.simplify(geoms, tolerance_m) if tolerance_m > 0 else geoms
    parts = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    coords, index = shapely.get_coordinates(parts, return_index=True)
    if not len(coords):
        return []
    cuts = np.flatnonzero(np.diff(index)) + 1
    return [p for p in np.split(coords, cuts) if len(p) >= 2]


def line_collection(geoms: np.ndarray, tolerance_m: float, **kwargs: object) -> LineCollection:
    """Lines (or polygon boundaries) as one collection, simplified to ``tolerance_m``."""
    geoms = np.asarray(geoms)
    polygonal = shapely.get_type_id(geoms) >= 3
    geoms = np.where(polygonal & (shapely.get_type_id(geoms) != 7), shapely.boundary(geoms),
                     geoms)
    return LineCollection(_line_parts(geoms, tolerance_m), **kwargs)  # type: ignore[arg-type]


def polygon_collection(geoms: np.ndarray, tolerance_m: float, **kwargs: object) -> PolyCollection:
    """Polygon exteriors as one filled collection (holes, rare in villages, are not cut)."""
    geoms = np.asarray(geoms)
    if tolerance_m > 0:
        geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    parts = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    parts = parts[shapely.get_type_id(parts) == 3]
    coords, index = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
    cuts = np.flatnonzero(np.diff(index)) + 1
    rings = np.split(coords, cuts) if len(coords) else []
    return PolyCollection(rings, **kwargs)  # type: ignore[arg-type]


def polygon_patch(geometry: shapely.Geometry, **kwargs: object) -> PathPatch:
    """A (multi)polygon with its holes as one patch (rings oriented for non-zero filling)."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part in shapely.get_parts(np.asarray([geometry])):
        part = shapely.geometry.polygon.orient(part, 1.0)
        rings = [part.exterior, *part.interiors]
        for ring in rings:
            xy = np.asarray(ring.coords)
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    path = MplPath(np.concatenate(vertices), np.concatenate(codes))
    return PathPatch(path, **kwargs)  # type: ignore[arg-type]


def draw_outside_mask(ax: Axes, area: shapely.Geometry | None, bounds: Bounds,
                      *, alpha: float = 0.55, zorder: float = 3) -> None:
    """Pale the map outside ``area`` (the province), so the province stands out.

    ``zorder`` 3 pales the signal and terrain; a higher one pales the layers under it too.
    """
    if area is None or area.is_empty:
        return
    frame = shapely.box(*bounds).buffer(max(bounds[2] - bounds[0], bounds[3] - bounds[1]))
    outside = frame.difference(area)
    if outside.is_empty:
        return
    ax.add_patch(polygon_patch(outside, facecolor="white", edgecolor="none", alpha=alpha,
                               zorder=zorder))


def site_points(sites: gpd.GeoDataFrame) -> np.ndarray:
    """One (x, y) per site (its sectors share a mast), as an ``(n, 2)`` array."""
    if sites.empty:
        return np.zeros((0, 2))
    if "site_id" in sites.columns:
        sites = sites[~sites["site_id"].astype(str).duplicated().to_numpy(bool)]
    return np.column_stack([sites.geometry.x.to_numpy(float), sites.geometry.y.to_numpy(float)])
