"""Hand-made geometry for the metrics tests: a 12 km × 10 km grid of 50 m cells in UTM 48N.

Coverage is a rectangle of -80 dBm on NaN, so every expected value below is computed by
hand from the rectangle's edges, never by the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from covplan.grid import GridSpec, Raster

X0, Y0 = 500_000.0, 2_300_000.0  # grid's lower-left corner
WIDTH_M, HEIGHT_M, RES_M = 12_000.0, 10_000.0, 50.0
EPSG = 32648

CoverageFactory = Callable[..., Raster]


@pytest.fixture(scope="session")
def grid() -> GridSpec:
    return GridSpec.from_bounds((X0, Y0, X0 + WIDTH_M, Y0 + HEIGHT_M), RES_M, EPSG)


@pytest.fixture(scope="session")
def rect_rsrp(grid: GridSpec) -> CoverageFactory:
    """``rect_rsrp(x0, x1, y0=0, y1=HEIGHT_M, dbm=-80)``: RSRP in a rectangle (offsets from
    the grid's corner, on cell edges), NaN elsewhere."""

    def make(x0: float, x1: float, y0: float = 0.0, y1: float = HEIGHT_M,
             dbm: float = -80.0) -> Raster:
        xs, ys = grid.cell_centres()
        inside_x = (xs > X0 + x0) & (xs < X0 + x1)
        inside_y = (ys > Y0 + y0) & (ys < Y0 + y1)
        data = np.full(grid.shape, np.nan, dtype=np.float32)
        data[np.ix_(inside_y, inside_x)] = dbm
        return Raster(data, grid, "dBm")

    return make


@pytest.fixture(scope="session")
def two_communes() -> gpd.GeoDataFrame:
    """West (x < 6 km) and east halves of the grid."""
    return gpd.GeoDataFrame(
        {"code": ["00101", "00102"], "name": ["Xã Tây Sơn", "Phường Đông Hòa"]},
        geometry=[box(X0, Y0, X0 + 6000, Y0 + HEIGHT_M),
                  box(X0 + 6000, Y0, X0 + WIDTH_M, Y0 + HEIGHT_M)], crs=EPSG)


@pytest.fixture(scope="session")
def origin() -> tuple[float, float]:
    """The grid's lower-left corner (x, y): offsets in the tests are from here."""
    return X0, Y0


@dataclass(frozen=True, eq=False)
class FakeCoverageGrid:
    """Stands in for covplan.predict.CoverageGrid (only the fields metrics read)."""

    technology: str
    rsrp_dbm: Raster
    server: Raster
    site_keys: tuple[str, ...]
