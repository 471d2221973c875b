"""Terrain prepared for the kernels: an elevation array in the grid's CRS plus its geometry.

Preparation (reprojection when the DEM's CRS differs from the grid's, and the content hash
that enters every cache key) is done once per terrain raster object and reused by later
predictions, so a one-site update does not pay for it again.

A DEM in another CRS is reprojected to the nearest post, not blended: a bilinear warp
lowers every peak and ridge that falls between the new cell centres, and terrain
diffraction (the horizons and the terrain irregularity Δh of Longley-Rice, the edges of
the knife-edge models) is read from exactly those peaks. On the real SRTM tile N21E105 the
bilinear warp alone made covplan's ITM about 2 dB optimistic against SPLAT!, which reads
the posts themselves (``benchmarks/bench_splat.py``).
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from dataclasses import dataclass

import numpy as np
from pyproj import CRS

from covplan.grid import GridSpec, Raster

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class TerrainSampler:
    """Elevation (float32, metres) on a north-up grid in the prediction CRS.

    Parameters
    ----------
    dem
        Elevations, row 0 north.
    cx0, cy0
        Centre of cell (0, 0).
    dx, dy
        Cell size east and south (positive).
    digest
        Content hash (data, transform, CRS) for cache keys.
    """

    dem: np.ndarray
    cx0: float
    cy0: float
    dx: float
    dy: float
    digest: str

    def args(self) -> tuple[np.ndarray, float, float, float, float]:
        """Positional arguments of the numba kernels."""
        return self.dem, self.cx0, self.cy0, self.dx, self.dy


_PREPARED: weakref.WeakKeyDictionary[Raster, dict[str, TerrainSampler]] = (
    weakref.WeakKeyDictionary()
)
_FLAT = TerrainSampler(np.zeros((2, 2), np.float32), 0.0, 0.0, 1.0, 1.0, "flat-earth")


def prepare_terrain(terrain: Raster | None, grid: GridSpec, pad_m: float) -> TerrainSampler:
    """The sampler for ``terrain`` in ``grid``'s CRS (sea-level flat earth when ``None``)."""
    if terrain is None:
        return _FLAT
    per_grid = _PREPARED.setdefault(terrain, {})
    key = f"{hash(grid.crs_wkt)}:{pad_m}:{grid.bounds}"
    if key not in per_grid:
        per_grid[key] = _build(terrain, grid, pad_m)
    return per_grid[key]


def _digest(data: np.ndarray, transform: object, crs_wkt: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(np.ascontiguousarray(data).tobytes())
    h.update(repr(transform).encode())
    h.update(crs_wkt.encode())
    return h.hexdigest()


def _build(terrain: Raster, grid: GridSpec, pad_m: float) -> TerrainSampler:
    data, tgrid = np.asarray(terrain.data, dtype=np.float32), terrain.grid
    if not CRS.from_wkt(tgrid.crs_wkt).equals(CRS.from_wkt(grid.crs_wkt)):
        data, tgrid = _reproject(terrain, grid, pad_m)
    if not np.all(np.isfinite(data)):
        data = _fill_nearest(data)
    t = tgrid.transform
    if t.b != 0.0 or t.d != 0.0 or t.e >= 0.0:
        raise ValueError("Terrain must be a north-up raster without rotation")
    return TerrainSampler(np.ascontiguousarray(data, dtype=np.float32), t.c + t.a / 2.0,
                          t.f + t.e / 2.0, float(t.a), float(-t.e),
                          _digest(data, t, tgrid.crs_wkt))


def _fill_nearest(data: np.ndarray) -> np.ndarray:
    """Give missing cells the value of the nearest valid cell (as the kernels clamp edges)."""
    from scipy.ndimage import distance_transform_edt

    bad = ~np.isfinite(data)
    if bad.all():
        raise ValueError("Terrain has no valid elevation where the prediction needs it")
    logger.warning("Terrain has %d missing cells; each takes its nearest valid elevation",
                   int(np.count_nonzero(bad)))
    idx = distance_transform_edt(bad, return_distances=False, return_indices=True)
    return np.asarray(data[tuple(idx)], dtype=np.float32)


def _reproject(terrain: Raster, grid: GridSpec, pad_m: float) -> tuple[np.ndarray, GridSpec]:
    """The DEM on a grid in ``grid``'s CRS at about its own resolution, nearest post."""
    from rasterio.warp import Resampling, reproject, transform_bounds

    src_crs = CRS.from_wkt(terrain.grid.crs_wkt)
    res = abs(terrain.grid.transform.a)
    res_m = res * 111_320.0 if src_crs.is_geographic else res
    minx, miny, maxx, maxy = grid.bounds
    sx0, sy0, sx1, sy1 = transform_bounds(src_crs, grid.crs, *terrain.grid.bounds)
    area = (max(minx - pad_m, sx0), max(miny - pad_m, sy0),
            min(maxx + pad_m, sx1), min(maxy + pad_m, sy1))
    if area[0] >= area[2] or area[1] >= area[3]:
        raise ValueError("Terrain does not overlap the prediction grid; check its CRS")
    target = GridSpec.from_bounds(area, res_m, grid.crs)
    out = np.full(target.shape, np.nan, dtype=np.float32)
    reproject(np.asarray(terrain.data, dtype=np.float32), out,
              src_transform=terrain.grid.transform, src_crs=src_crs,
              dst_transform=target.transform, dst_crs=grid.crs,
              resampling=Resampling.nearest, src_nodata=np.nan, dst_nodata=np.nan)
    logger.info("Reprojected terrain to the prediction CRS at %.0f m (%d×%d)", res_m,
                target.width, target.height)
    return out, target
