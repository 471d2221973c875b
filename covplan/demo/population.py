"""The population raster: people per 100 m cell, spread around each village centre.

Each village's people are spread over a Gaussian kernel around its centre (wider for
larger villages), restricted to cells inside the province and renormalised, so the raster
sums exactly to the village populations, as a WorldPop-style grid would.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from covplan.demo._config import POPULATION_RES_M, UTM_EPSG
from covplan.demo.terrain import inside_mask
from covplan.grid import GridSpec

logger = logging.getLogger(__name__)

#: Nodata value of the population raster (cells outside the province).
POPULATION_NODATA = -99999.0

_URBAN_SIGMA_M = 230.0


def population_grid(outline: Polygon, margin_m: float) -> GridSpec:
    """The 100 m population grid covering ``outline`` plus ``margin_m``."""
    return GridSpec.from_bounds(outline.buffer(margin_m).bounds, POPULATION_RES_M, UTM_EPSG)


def _sigma_m(population: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Kernel width per village: fixed in towns, growing with size in the countryside."""
    rural = 170.0 + 130.0 * np.sqrt(population / 1_000.0)
    return np.where(urban, _URBAN_SIGMA_M, rural)


def population_raster(villages: pd.DataFrame, outline: Polygon, grid: GridSpec) -> np.ndarray:
    """People per cell.

    Parameters
    ----------
    villages
        Columns ``x``, ``y`` (UTM metres), ``population`` and ``town`` (-1 rural).
    outline
        Province outline; cells it does not touch are nodata.
    grid
        The population grid.

    Returns
    -------
    numpy.ndarray
        float32 people per cell, :data:`POPULATION_NODATA` outside the province.
    """
    inside = inside_mask(grid, outline, all_touched=True)
    people = np.zeros(grid.shape, dtype=np.float64)
    xs, ys = grid.cell_centres()
    res = grid.resolution_m
    sigmas = _sigma_m(villages["population"].to_numpy(np.float64), villages["town"].to_numpy() >= 0)
    rows, cols = grid.index(villages["x"].to_numpy(), villages["y"].to_numpy())
    for k, (x, y, count) in enumerate(villages[["x", "y", "population"]].to_numpy()):
        reach = int(np.ceil(3.0 * sigmas[k] / res))
        r0, r1 = max(0, rows[k] - reach), min(grid.height, rows[k] + reach + 1)
        c0, c1 = max(0, cols[k] - reach), min(grid.width, cols[k] + reach + 1)
        dx = (xs[c0:c1] - x)[None, :]
        dy = (ys[r0:r1] - y)[:, None]
        kernel = np.exp(-(dx**2 + dy**2) / (2.0 * sigmas[k] ** 2)) * inside[r0:r1, c0:c1]
        if kernel.sum() <= 0:
            kernel = np.zeros_like(kernel)
            kernel[rows[k] - r0, cols[k] - c0] = 1.0
        people[r0:r1, c0:c1] += count * kernel / kernel.sum()
    raster = np.where(inside, people, POPULATION_NODATA).astype(np.float32)
    logger.debug(
        "Population raster: %s cells, %.0f people", grid.shape, float(people[inside].sum())
    )
    return raster
