"""Rasters for the web map: warp to Web Mercator, downsample, colour, encode as data URLs.

Leaflet places an image overlay by projecting its two corners to Web Mercator and stretching
the picture linearly between them, so a raster is warped to EPSG:3857 (not EPSG:4326)
before it is coloured: then every pixel lands where it belongs. The warp also downsamples,
so a 30 m grid of 3,500² cells becomes an image of about a thousand pixels a side.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from dataclasses import dataclass

import numpy as np
import rasterio.crs
from affine import Affine
from PIL import Image
from pyproj import CRS, Transformer
from rasterio.warp import Resampling, reproject, transform_bounds

from covplan.grid import GridSpec, Raster
from covplan.tiled import TILE_CELLS, TiledRaster

MERCATOR = "EPSG:3857"


@dataclass(frozen=True, eq=False)
class MercatorImage:
    """A raster resampled onto a north-up Web Mercator grid.

    Parameters
    ----------
    data
        float32 array (NaN = no data), north row first.
    bounds_latlon
        ``((south, west), (north, east))`` of the outer pixel edges.
    pixel_ground_m
        Ground size of one pixel at the image centre, in metres.
    """

    data: np.ndarray
    bounds_latlon: tuple[tuple[float, float], tuple[float, float]]
    pixel_ground_m: float


def warp_to_mercator(
    raster: Raster | TiledRaster,
    *,
    max_px: int,
    resampling: Resampling = Resampling.average,
    fill_value: float | None = None,
) -> MercatorImage:
    """``raster`` on a Web Mercator grid at most ``max_px`` pixels on its longer side.

    Never upsamples: the pixel is at least the raster's own cell size.

    Parameters
    ----------
    raster
        Source raster in a projected CRS. With average resampling it is read in bands of
        rows (a :class:`~covplan.tiled.TiledRaster` is never assembled whole).
    max_px
        Longest side of the output, in pixels.
    resampling
        How source cells combine into an output pixel.
    fill_value
        Value given to NaN source cells before resampling (so that averaging treats them
        as, say, a very weak signal instead of skipping them); None keeps them as no data.
    """
    grid = raster.grid
    target = _mercator_target(grid, max_px)
    out = np.full(target.shape, np.nan, dtype=np.float32)
    if resampling == Resampling.average:
        factor = max(1, int(target.pixel_ground_m // grid.resolution_m))
        pixels, rows, cols = _block_lookup(grid, max_px, factor)
        if factor > 1:
            out.flat[pixels] = _block_means(raster, factor, fill_value)[rows, cols]
        else:
            tiled = raster if isinstance(raster, TiledRaster) else TiledRaster.of(raster)
            out.flat[pixels] = _filled(tiled.values.at(rows, cols), fill_value)
    else:
        whole = raster.raster if isinstance(raster, TiledRaster) else raster
        source = _filled(np.asarray(whole.data, dtype=np.float32), fill_value)
        reproject(
            source,
            out,
            src_transform=grid.transform,
            src_crs=rasterio.crs.CRS.from_wkt(grid.crs_wkt),
            src_nodata=np.nan,
            dst_transform=target.transform,
            dst_crs=MERCATOR,
            dst_nodata=np.nan,
            resampling=resampling,
        )
    return MercatorImage(out, target.bounds_latlon, target.pixel_ground_m)


@dataclass(frozen=True)
class _Target:
    """The Web Mercator image grid of a raster grid."""

    shape: tuple[int, int]
    transform: Affine
    bounds_latlon: tuple[tuple[float, float], tuple[float, float]]
    pixel_ground_m: float


@functools.lru_cache(maxsize=16)
def _mercator_target(grid: GridSpec, max_px: int) -> _Target:
    src_crs = rasterio.crs.CRS.from_wkt(grid.crs_wkt)
    left, bottom, right, top = transform_bounds(src_crs, MERCATOR, *grid.bounds, densify_pts=21)
    lat0 = math.radians(_centre_lat(left, bottom, right, top))
    native_px = grid.resolution_m / math.cos(lat0)
    pixel = max((right - left) / max_px, (top - bottom) / max_px, native_px)
    width = max(1, math.ceil((right - left) / pixel))
    height = max(1, math.ceil((top - bottom) / pixel))
    west, south, east, north = transform_bounds(
        MERCATOR, "EPSG:4326", left, top - height * pixel, left + width * pixel, top
    )
    transform = Affine(pixel, 0.0, left, 0.0, -pixel, top)
    return _Target(
        (height, width), transform, ((south, west), (north, east)), pixel * math.cos(lat0)
    )


@functools.lru_cache(maxsize=4)
def _block_lookup(
    grid: GridSpec, max_px: int, factor: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each image pixel whose centre falls on a whole block: (pixel, block row, block col).

    The image's pixels are at least ``factor`` cells wide, so taking the block (the mean of
    its ``factor``² cells) under each pixel's centre is the average resampling of the
    grid, computed once per grid instead of by a warp per image.
    """
    target = _mercator_target(grid, max_px)
    height, width = target.shape
    col, row = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    mx, my = target.transform * (col.ravel(), row.ravel())
    to_grid = Transformer.from_crs(MERCATOR, CRS.from_wkt(grid.crs_wkt), always_xy=True)
    x, y = to_grid.transform(mx, my)
    gcol, grow = ~(grid.transform @ Affine.scale(factor)) * (np.asarray(x), np.asarray(y))
    block_rows, block_cols = grid.shape[0] // factor, grid.shape[1] // factor
    inside = (grow >= 0) & (grow < block_rows) & (gcol >= 0) & (gcol < block_cols)
    pixels = np.flatnonzero(inside).astype(np.int64)
    return pixels, grow[inside].astype(np.int32), gcol[inside].astype(np.int32)


def _filled(values: np.ndarray, fill_value: float | None) -> np.ndarray:
    """``values`` as float32, NaN replaced by ``fill_value`` (kept when None)."""
    cells = np.asarray(values, dtype=np.float32)
    if fill_value is None:
        return cells
    return np.where(np.isnan(cells), np.float32(fill_value), cells)


def _block_means(raster: Raster | TiledRaster, factor: int, fill_value: float | None
                 ) -> np.ndarray:
    """:func:`block_mean` of the filled raster, computed in bands of whole blocks of rows.

    Every block lies in one band and each block's mean takes the same operations as over
    the whole array, so the answer is the same, without a filled copy of the whole grid.
    """
    tiled = raster if isinstance(raster, TiledRaster) else TiledRaster.of(raster)
    rows, cols = tiled.grid.shape
    n_rows, n_cols = rows // factor, cols // factor
    out = np.empty((n_rows, n_cols), dtype=np.float32)
    band = max(1, TILE_CELLS // factor)  # block rows per band
    for b0 in range(0, n_rows, band):
        b1 = min(n_rows, b0 + band)
        cells = _filled(tiled.window((b0 * factor, b1 * factor, 0, n_cols * factor)),
                        fill_value)
        out[b0:b1] = block_mean(cells, factor)
    return out


def block_mean(data: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each whole ``factor`` × ``factor`` block of ``data``, ignoring NaN.

    Rows and columns past the last whole block (fewer than ``factor``) are dropped; a
    block of NaN only gives NaN.

    Examples
    --------
    >>> block_mean(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    >>> block_mean(np.array([[1.0, np.nan, 5.0], [1.0, 2.0, 5.0]]), 2)
    array([[1.3333334]], dtype=float32)
    """
    rows, cols = data.shape[0] // factor, data.shape[1] // factor
    cells = np.asarray(data[: rows * factor, : cols * factor], dtype=np.float32)
    missing = np.isnan(cells)
    if not missing.any():
        whole: np.ndarray = _block_sum(cells, factor) / np.float32(factor * factor)
        return whole
    total = _block_sum(np.where(missing, np.float32(0), cells), factor)
    count = factor * factor - _block_sum(missing.astype(np.float32), factor)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = total / count
    return mean


def _block_sum(cells: np.ndarray, factor: int) -> np.ndarray:
    """Sums of ``factor`` × ``factor`` blocks by strided adds (far faster than a 4-D sum)."""
    rows = cells[0::factor].copy()
    for i in range(1, factor):
        rows += cells[i::factor]
    out = rows[:, 0::factor].copy()
    for j in range(1, factor):
        out += rows[:, j::factor]
    return out


def _centre_lat(left: float, bottom: float, right: float, top: float) -> float:
    _, south, _, north = transform_bounds(MERCATOR, "EPSG:4326", left, bottom, right, top)
    return float(south + north) / 2.0


def hillshade(
    elevation_m: np.ndarray,
    cell_m: float,
    *,
    azimuth_deg: float = 315.0,
    altitude_deg: float = 45.0,
    exaggeration: float = 1.5,
) -> np.ndarray:
    """Lambertian hillshade (0 = facing away from the light, 1 = facing it).

    Parameters
    ----------
    elevation_m
        Elevation, north row first; NaN cells give NaN.
    cell_m
        Cell size in metres (square cells).
    azimuth_deg
        Direction the light comes from, clockwise from north (315 = north-west).
    altitude_deg
        Height of the light above the horizon.
    exaggeration
        Vertical exaggeration applied to the slopes.

    Examples
    --------
    >>> ramp = np.add.outer(np.arange(4.0), np.arange(4.0)) * 10  # rises to the south-east
    >>> bool(hillshade(ramp, 10.0).mean() > hillshade(-ramp, 10.0).mean())
    True
    """
    z = np.asarray(elevation_m, dtype=np.float64) * exaggeration
    d_row, d_col = np.gradient(z, cell_m)
    dz_east, dz_north = d_col, -d_row
    az, alt = math.radians(azimuth_deg), math.radians(altitude_deg)
    light = (math.sin(az) * math.cos(alt), math.cos(az) * math.cos(alt), math.sin(alt))
    norm = np.sqrt(dz_east**2 + dz_north**2 + 1.0)
    shade = (-dz_east * light[0] - dz_north * light[1] + light[2]) / norm
    shaded: np.ndarray = np.clip(shade, 0.0, 1.0)
    return shaded


def palette_png_data_url(
    classes: np.ndarray, colours: tuple[str, ...], alphas: tuple[float, ...]
) -> str:
    """A paletted PNG data URL: class 0 transparent, class ``i`` drawn in ``colours[i-1]``.

    A palette image of a few classes compresses far better than RGBA.
    """
    height, width = classes.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(classes, np.uint8).tobytes())
    palette = [0, 0, 0]
    for colour in colours:
        palette.extend(_hex_rgb(colour))
    image.putpalette(palette)
    transparency = bytes([0, *(round(255 * a) for a in alphas)])
    buffer = io.BytesIO()
    # zlib level 6 without optimize: 12x faster for about 5 % more bytes
    image.save(buffer, format="PNG", compress_level=6, transparency=transparency)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def jpeg_data_url(rgb: np.ndarray, *, quality: int = 80) -> str:
    """A JPEG data URL of an ``(rows, cols, 3)`` uint8 image."""
    image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
