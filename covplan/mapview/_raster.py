"""Rasters for the web map: warp to Web Mercator, downsample, colour, encode as data URLs.

Leaflet places an image overlay by projecting its two corners to Web Mercator and stretching
the picture linearly between them, so a raster is warped to EPSG:3857 (not EPSG:4326)
before it is coloured: then every pixel lands where it belongs. The warp also downsamples,
so a 30 m grid of 3,500² cells becomes an image of about a thousand pixels a side.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
import rasterio.crs
from affine import Affine
from PIL import Image
from rasterio.warp import Resampling, reproject, transform_bounds

from covplan.grid import Raster

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
    raster: Raster,
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
        Source raster in a projected CRS.
    max_px
        Longest side of the output, in pixels.
    resampling
        How source cells combine into an output pixel.
    fill_value
        Value given to NaN source cells before resampling (so that averaging treats them
        as, say, a very weak signal instead of skipping them); None keeps them as no data.
    """
    grid = raster.grid
    src_crs = rasterio.crs.CRS.from_wkt(grid.crs_wkt)
    left, bottom, right, top = transform_bounds(src_crs, MERCATOR, *grid.bounds, densify_pts=21)
    lat0 = math.radians(_centre_lat(left, bottom, right, top))
    native_px = grid.resolution_m / math.cos(lat0)
    pixel = max((right - left) / max_px, (top - bottom) / max_px, native_px)
    width = max(1, math.ceil((right - left) / pixel))
    height = max(1, math.ceil((top - bottom) / pixel))
    source = raster.data.astype(np.float32, copy=True)
    if fill_value is not None:
        source[np.isnan(source)] = fill_value
    out = np.full((height, width), np.nan, dtype=np.float32)
    reproject(
        source,
        out,
        src_transform=grid.transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=Affine(pixel, 0.0, left, 0.0, -pixel, top),
        dst_crs=MERCATOR,
        dst_nodata=np.nan,
        resampling=resampling,
    )
    west, south, east, north = transform_bounds(
        MERCATOR, "EPSG:4326", left, top - height * pixel, left + width * pixel, top
    )
    return MercatorImage(out, ((south, west), (north, east)), pixel * math.cos(lat0))


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
