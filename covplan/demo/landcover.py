"""The land-cover stage: ESA WorldCover classes on the 30 m terrain grid.

A northern Vietnamese province seen from above: tree cover (10) on the mountains and steep
slopes, paddy and other cropland (40) on the river plain and the valley floors, grassland
(30) and shrubland (20) on the hills between, built-up land (50) in the towns and the cores
of the villages, and water (80) along the rivers. Class boundaries wander with smooth noise so
they do not follow the mountain factor's contours.
"""

from __future__ import annotations

import logging
from typing import Final

import numpy as np
import pandas as pd
import shapely
from rasterio.features import rasterize

from covplan.demo.landscape import Landscape
from covplan.demo.noise import spectral_noise
from covplan.demo.settlements import Town

logger = logging.getLogger(__name__)

#: WorldCover class values the demo uses.
FOREST, SHRUB, GRASS, CROP, BUILT, WATER = 10, 20, 30, 40, 50, 80
#: Nodata value of the written raster (WorldCover's).
NODATA: Final = 0
#: River width (m) by order: main stem, tributary, minor stream.
_RIVER_WIDTH_M: Final = (90.0, 50.0, 24.0)


def _upsampled(values: np.ndarray, factor: int, shape: tuple[int, int]) -> np.ndarray:
    out = np.repeat(np.repeat(values, factor, axis=0), factor, axis=1)
    return np.asarray(out[: shape[0], : shape[1]])


def _natural(landscape: Landscape, rng: np.random.Generator) -> np.ndarray:
    """Forest, shrub, grass and cropland on the base grid from relief, slope and noise."""
    base = landscape.base
    wander = spectral_noise(base.shape, base.resolution_m, rng, beta=3.0,
                            min_wavelength_m=400.0, max_wavelength_m=12_000.0)
    patch = spectral_noise(base.shape, base.resolution_m, rng, beta=2.0,
                           min_wavelength_m=200.0, max_wavelength_m=3_000.0)
    slope = landscape.slope()
    upland = landscape.mountain + 0.12 * wander + 1.5 * np.minimum(slope, 0.3)
    classes = np.full(base.shape, GRASS, dtype=np.uint8)
    classes[(upland < 0.62) & (patch > 0.4)] = SHRUB
    classes[upland >= 0.62] = FOREST
    flat = (slope < 0.06) & ((landscape.mountain < 0.35) | (landscape.valley < 0.35))
    classes[flat & (upland < 0.5) & (patch > -1.2)] = CROP
    return classes


def _built(landscape: Landscape, towns: list[Town], villages: pd.DataFrame,
           shape: tuple[int, int]) -> np.ndarray:
    """True where towns and village cores are built up (fine grid)."""
    fine = landscape.grids.fine
    discs = [shapely.Point(t.x, t.y).buffer(0.85 * t.radius_m) for t in towns]
    radius = 45.0 + 2.2 * np.sqrt(villages["population"].to_numpy(np.float64))
    discs += [shapely.Point(x, y).buffer(r) for x, y, r in
              zip(villages["x"].to_numpy(), villages["y"].to_numpy(), radius, strict=True)]
    if not discs:
        return np.zeros(shape, dtype=bool)
    mask = rasterize(((d, 1) for d in discs), out_shape=shape, transform=fine.transform,
                     fill=0, dtype="uint8")
    return np.asarray(mask.astype(bool))


def _water(landscape: Landscape, shape: tuple[int, int]) -> np.ndarray:
    fine = landscape.grids.fine
    shapes = [(r.line.buffer(_RIVER_WIDTH_M[min(r.order, 2)] / 2.0), 1)
              for r in landscape.rivers]
    if not shapes:
        return np.zeros(shape, dtype=bool)
    mask = rasterize(shapes, out_shape=shape, transform=fine.transform, fill=0, dtype="uint8",
                     all_touched=True)
    return np.asarray(mask.astype(bool))


def landcover_raster(landscape: Landscape, towns: list[Town], villages: pd.DataFrame,
                     rng: np.random.Generator) -> np.ndarray:
    """WorldCover class values (uint8) on the terrain grid.

    Parameters
    ----------
    landscape
        Relief, rivers and grids.
    towns
        Urban centres (built up within 85 % of their radius).
    villages
        ``x``, ``y`` (UTM metres) and ``population`` of every village: a built-up core
        grows with its people.
    rng
        Random source.

    Returns
    -------
    numpy.ndarray
        uint8 of the fine grid's shape.
    """
    fine = landscape.grids.fine
    factor = round(landscape.base.resolution_m / fine.resolution_m)
    classes = _upsampled(_natural(landscape, rng), factor, fine.shape).copy()
    classes[_built(landscape, towns, villages, fine.shape)] = BUILT
    classes[_water(landscape, fine.shape)] = WATER
    counts = np.bincount(classes.ravel(), minlength=256)
    logger.debug("Land cover: %s", ", ".join(f"{c}: {100 * counts[c] / classes.size:.1f} %"
                                              for c in (FOREST, SHRUB, GRASS, CROP, BUILT, WATER)))
    return np.asarray(classes, dtype=np.uint8)
