"""The landscape stage: outline, relief and rivers, bundled for the later stages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from affine import Affine
from shapely.geometry import Polygon

from covplan.demo._config import SizeConfig
from covplan.demo.rivers import River, RiverPlan, carve_valleys, trace_rivers
from covplan.demo.terrain import (
    Grids,
    inside_mask,
    make_grids,
    mountain_factor,
    raw_relief,
    scale_to_peak,
)
from covplan.grid import GridSpec

logger = logging.getLogger(__name__)

#: Where the rivers go, per size (normalised outline coordinates).
_RIVER_PLANS: dict[str, RiverPlan] = {
    "full": RiverPlan(
        main=((0.56, -0.03), (0.47, 0.27), (0.52, 0.55), (0.55, 0.80), (0.50, 1.03)),
        tributaries=(
            (0.08, 0.86),
            (0.92, 0.86),
            (0.02, 0.52),
            (0.97, 0.55),
            (0.30, 0.70),
            (0.75, 0.66),
            (0.12, 0.24),
        ),
        minor=22,
    ),
    "small": RiverPlan(
        main=((0.55, -0.03), (0.47, 0.30), (0.50, 1.03)),
        tributaries=((0.03, 0.62),),
        minor=2,
    ),
}

#: The rivers are routed on a grid this many base cells wide.
_RIVER_FACTOR = 4


@dataclass(frozen=True, eq=False)
class Landscape:
    """Everything later stages need to know about the land.

    Parameters
    ----------
    outline
        Province outline, UTM metres.
    grids
        Routing, base and output grids.
    dem
        Elevation on the base grid, metres, rivers carved.
    mountain
        0 on the plain to 1 in the mountains, base grid.
    valley
        0 on valley floors to 1 away from rivers, base grid.
    inside
        Base cells inside the province.
    rivers
        River channels.
    """

    outline: Polygon
    grids: Grids
    dem: np.ndarray
    mountain: np.ndarray
    valley: np.ndarray
    inside: np.ndarray
    rivers: tuple[River, ...]

    @property
    def base(self) -> GridSpec:
        """The base grid."""
        return self.grids.base

    def sample(self, values: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Values of a base-grid array at points (nearest cell, clamped to the grid)."""
        row, col = self.base.index(x, y)
        row = np.clip(row, 0, self.base.height - 1)
        col = np.clip(col, 0, self.base.width - 1)
        return np.asarray(values[row, col])

    def slope(self) -> np.ndarray:
        """Terrain slope (rise over run) on the base grid."""
        gy, gx = np.gradient(self.dem, self.base.resolution_m)
        return np.asarray(np.hypot(gx, gy), dtype=np.float32)

    def route_dem(self) -> np.ndarray:
        """Elevation on the routing grid (block mean of the base grid)."""
        factor = round(self.grids.route.resolution_m / self.base.resolution_m)
        return _coarsened(self.base, self.dem, factor)[1]

    def roughness_m(self) -> np.ndarray:
        """Amplitude of the fine terrain detail on the base grid, metres."""
        return np.asarray(1.5 + 22.0 * self.mountain * self.valley, dtype=np.float32)


def build_landscape(outline: Polygon, config: SizeConfig, rng: np.random.Generator) -> Landscape:
    """Relief and rivers for ``outline``.

    Parameters
    ----------
    outline
        Province outline, UTM metres.
    config
        Size preset (peak height, river sources).
    rng
        Random source.

    Returns
    -------
    Landscape
        The carved landscape.
    """
    grids = make_grids(outline)
    inside = inside_mask(grids.base, outline)
    mountain = mountain_factor(grids.base, outline, rng)
    relief, plain = raw_relief(grids.base, outline, mountain, rng)
    peak = rng.uniform(*config.peak_m)
    relief = scale_to_peak(relief, plain, inside, peak)
    river_grid, river_dem = _coarsened(grids.base, relief, _RIVER_FACTOR)
    rivers = trace_rivers(
        river_dem,
        river_grid,
        inside_mask(river_grid, outline),
        outline.bounds,
        _RIVER_PLANS[config.name],
        rng,
    )
    dem, valley = carve_valleys(relief, grids.base, rivers)
    logger.debug(
        "Landscape: base grid %s, peak %.0f m, %d rivers",
        grids.base.shape,
        float(dem[inside].max()),
        len(rivers),
    )
    return Landscape(outline, grids, dem, mountain, valley, inside, tuple(rivers))


def _coarsened(grid: GridSpec, values: np.ndarray, factor: int) -> tuple[GridSpec, np.ndarray]:
    """A grid ``factor`` times coarser than ``grid`` and the block mean of ``values`` on it."""
    h, w = grid.height // factor, grid.width // factor
    blocks = values[: h * factor, : w * factor].reshape(h, factor, w, factor)
    transform = grid.transform @ Affine.scale(factor)
    coarse = GridSpec(grid.crs_wkt, transform, w, h)
    return coarse, np.asarray(blocks.mean(axis=(1, 3)), dtype=np.float32)
