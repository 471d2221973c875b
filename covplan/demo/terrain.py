"""Terrain: a river plain in the south rising to ridges and karst in the north.

Relief is built on a 90 m base grid from a large-scale south-north trend, fractal noise,
NW-SE ridges, a high massif and karst towers, then rivers carve their valleys
(:mod:`covplan.demo.rivers`), and the result is refined to the 30 m output grid with
tileable fine detail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from affine import Affine
from rasterio.features import geometry_mask
from shapely.geometry import Polygon

from covplan.demo._config import (
    BASE_RES_M,
    ROUTE_RES_M,
    TERRAIN_MARGIN_M,
    TERRAIN_RES_M,
    UTM_EPSG,
)
from covplan.demo.noise import periodic_tile, ridged_noise, spectral_noise
from covplan.grid import GridSpec

#: Direction of the mountain grain, degrees clockwise from north (NW-SE).
_GRAIN_DEG = 135.0


@dataclass(frozen=True)
class Grids:
    """The three aligned grids of the generator.

    Parameters
    ----------
    route
        Coarse grid for least-cost routing of rivers and roads.
    base
        Grid on which relief, rivers and settlement suitability are computed.
    fine
        Output terrain grid.
    """

    route: GridSpec
    base: GridSpec
    fine: GridSpec


def make_grids(outline: Polygon) -> Grids:
    """Aligned routing, base and output grids covering the outline plus a margin.

    Parameters
    ----------
    outline
        Province outline in UTM metres.

    Returns
    -------
    Grids
        Grids sharing one origin; their cell sizes divide each other exactly.
    """
    minx, miny, maxx, maxy = outline.buffer(TERRAIN_MARGIN_M).bounds
    route = GridSpec.from_bounds((minx, miny, maxx, maxy), ROUTE_RES_M, UTM_EPSG)

    def refined(res_m: float) -> GridSpec:
        factor = round(ROUTE_RES_M / res_m)
        transform = route.transform @ Affine.scale(1.0 / factor)
        return GridSpec(route.crs_wkt, transform, route.width * factor, route.height * factor)

    return Grids(route=route, base=refined(BASE_RES_M), fine=refined(TERRAIN_RES_M))


def inside_mask(grid: GridSpec, outline: Polygon, *, all_touched: bool = False) -> np.ndarray:
    """True for cells of ``grid`` inside ``outline``.

    Parameters
    ----------
    grid
        The grid.
    outline
        Polygon in the grid's CRS.
    all_touched
        Count cells the outline merely touches as inside.

    Returns
    -------
    numpy.ndarray
        Boolean array of ``grid.shape``.
    """
    outside = geometry_mask(
        [outline], out_shape=grid.shape, transform=grid.transform, all_touched=all_touched
    )
    return np.asarray(~outside)


def normalised_coords(grid: GridSpec, outline: Polygon) -> tuple[np.ndarray, np.ndarray]:
    """Cell-centre coordinates scaled to the outline's bounding box (0..1, may exceed).

    Returns
    -------
    tuple of numpy.ndarray
        ``ux`` (west to east) and ``uy`` (south to north), each of ``grid.shape``.
    """
    minx, miny, maxx, maxy = outline.bounds
    xs, ys = grid.cell_centres()
    ux = ((xs - minx) / (maxx - minx))[None, :]
    uy = ((ys - miny) / (maxy - miny))[:, None]
    return np.broadcast_to(ux, grid.shape), np.broadcast_to(uy, grid.shape)


def smoothstep(lo: float, hi: float, value: np.ndarray) -> np.ndarray:
    """Hermite step from 0 at ``lo`` to 1 at ``hi``."""
    t = np.clip((value - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def mountain_factor(grid: GridSpec, outline: Polygon, rng: np.random.Generator) -> np.ndarray:
    """0 on the southern plain to 1 in the northern mountains, with a wavy boundary.

    Parameters
    ----------
    grid
        The base grid.
    outline
        Province outline.
    rng
        Random source.

    Returns
    -------
    numpy.ndarray
        float32 array of ``grid.shape``.
    """
    ux, uy = normalised_coords(grid, outline)
    extent_m = max(outline.bounds[2] - outline.bounds[0], outline.bounds[3] - outline.bounds[1])
    warp = spectral_noise(
        grid.shape, grid.resolution_m, rng, beta=3.0, max_wavelength_m=extent_m * 0.6, coarsen=8
    )
    northness = uy + 0.10 * warp + 0.08 * np.abs(ux - 0.5)
    return smoothstep(0.26, 0.78, northness).astype(np.float32)


def _massif(grid: GridSpec, outline: Polygon, rng: np.random.Generator) -> np.ndarray:
    """A long NW-SE crest in the north-west, like the Tam Dao range (0..1)."""
    ux, uy = normalised_coords(grid, outline)
    extent_m = outline.bounds[3] - outline.bounds[1]
    cx, cy = rng.uniform(0.25, 0.40), rng.uniform(0.68, 0.80)
    theta = math.radians(_GRAIN_DEG)
    dx, dy = (ux - cx) * extent_m, (uy - cy) * extent_m
    along = dx * math.sin(theta) + dy * math.cos(theta)
    across = dx * math.cos(theta) - dy * math.sin(theta)
    half_length, half_width = 0.22 * extent_m, 0.05 * extent_m
    return np.asarray(
        np.exp(-((along / half_length) ** 4) - (across / half_width) ** 2), np.float32
    )


def _karst(grid: GridSpec, mountain: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Karst towers (metres of extra height) in a few limestone zones of the uplands."""
    shape, res = grid.shape, grid.resolution_m
    zone = spectral_noise(shape, res, rng, beta=3.0, max_wavelength_m=30_000.0, coarsen=8)
    zone = smoothstep(0.5, 1.2, zone) * smoothstep(0.15, 0.5, mountain)
    towers = spectral_noise(
        shape, res, rng, beta=0.5, min_wavelength_m=250.0, max_wavelength_m=900.0
    )
    return np.asarray(zone * np.clip(towers - 0.7, 0.0, None) * 160.0, dtype=np.float32)


def raw_relief(
    grid: GridSpec, outline: Polygon, mountain: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Relief before river carving, in metres, and the plain level under it.

    Returns
    -------
    tuple of numpy.ndarray
        ``(elevation, plain)``; the plain is the smooth surface the relief stands on.
    """
    shape, res = grid.shape, grid.resolution_m
    _, uy = normalised_coords(grid, outline)
    plain = 11.0 + 16.0 * np.clip(uy, 0.0, 0.45) / 0.45
    plain = plain + 2.5 * spectral_noise(
        shape, res, rng, beta=2.5, max_wavelength_m=20_000.0, coarsen=4
    )
    hills = smoothstep(0.02, 0.35, mountain)
    rolling = spectral_noise(
        shape, res, rng, beta=2.4, min_wavelength_m=600.0, max_wavelength_m=12_000.0, coarsen=2
    )
    hill_relief = hills * 70.0 * np.clip(1.0 + 0.8 * rolling, 0.0, None)
    ridges = ridged_noise(
        shape,
        res,
        rng,
        wavelengths_m=(16_000.0, 8_000.0, 3_500.0),
        stretch=2.5,
        angle_deg=_GRAIN_DEG,
    )
    fractal = spectral_noise(
        shape, res, rng, beta=2.2, min_wavelength_m=400.0, max_wavelength_m=40_000.0
    )
    massif = _massif(grid, outline, rng)
    strength = mountain**1.3
    mountain_relief = strength * (
        220.0 + 650.0 * ridges + 140.0 * fractal + 700.0 * massif * (0.7 + 0.5 * ridges)
    )
    relief = hill_relief + np.clip(mountain_relief, 0.0, None) + _karst(grid, mountain, rng)
    return (plain + relief).astype(np.float32), plain.astype(np.float32)


def scale_to_peak(
    elevation: np.ndarray, plain: np.ndarray, inside: np.ndarray, peak_m: float
) -> np.ndarray:
    """Stretch relief above the plain so the highest cell inside the province is ``peak_m``.

    Returns
    -------
    numpy.ndarray
        float32 elevation.
    """
    relief = elevation - plain
    top = int(np.argmax(np.where(inside, relief, -np.inf)))
    base_at_top = float(plain.flat[top])
    factor = (peak_m - base_at_top) / float(relief.flat[top])
    return np.asarray(plain + relief * factor, dtype=np.float32)


def _upsample3(values: np.ndarray) -> np.ndarray:
    """Bilinear ×3 refinement of a grid (cell centres of the fine grid, edges clamped)."""
    padded = np.pad(values, 1, mode="edge")
    weights = ((1.0 / 3.0, 2.0 / 3.0, 0), (0, 1.0, 0), (0, 2.0 / 3.0, 1.0 / 3.0))
    rows = np.empty((values.shape[0] * 3, padded.shape[1]), dtype=np.float32)
    for k, (w_prev, w_mid, w_next) in enumerate(weights):
        rows[k::3] = w_prev * padded[:-2] + w_mid * padded[1:-1] + w_next * padded[2:]
    out = np.empty((rows.shape[0], values.shape[1] * 3), dtype=np.float32)
    for k, (w_prev, w_mid, w_next) in enumerate(weights):
        out[:, k::3] = w_prev * rows[:, :-2] + w_mid * rows[:, 1:-1] + w_next * rows[:, 2:]
    return out


def refine_dem(
    base_dem: np.ndarray, roughness_m: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Refine the 90 m base terrain to the 30 m output with fine detail.

    Parameters
    ----------
    base_dem
        Elevation on the base grid, metres.
    roughness_m
        Standard deviation of the fine detail on the base grid, metres.
    rng
        Random source.

    Returns
    -------
    numpy.ndarray
        int16 elevation on the fine grid (three times the base shape), at least 1 m.
    """
    fine = _upsample3(base_dem.astype(np.float32))
    amplitude = _upsample3(roughness_m.astype(np.float32))
    tile = periodic_tile(512, 30.0, rng, beta=2.6)
    reps = (math.ceil(fine.shape[0] / 512), math.ceil(fine.shape[1] / 512))
    fine += amplitude * np.tile(tile, reps)[: fine.shape[0], : fine.shape[1]]
    np.clip(fine, 1.0, 3_000.0, out=fine)
    return np.asarray(np.rint(fine), dtype=np.int16)
