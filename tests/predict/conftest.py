"""Tiny synthetic inputs for the prediction engine: a 6 km square with a ridge, 3 sites."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from covplan.grid import GridSpec, Raster
from covplan.radio.defaults import SECTOR_DEFAULTS

X0, Y0 = 580_020.0, 2_380_020.0  # UTM 48N, near Thai Nguyen
SIZE, RES = 6000.0, 60.0


@pytest.fixture(scope="session")
def grid() -> GridSpec:
    return GridSpec.from_bounds((X0, Y0, X0 + SIZE, Y0 + SIZE), RES, 32648)


@pytest.fixture(scope="session")
def terrain(grid: GridSpec) -> Raster:
    """100 m plain with a 250 m east-west ridge across the middle (finer, 30 m DEM)."""
    fine = GridSpec.from_bounds(grid.bounds, 30.0, 32648)
    _, ys = fine.cell_centres()
    z = 100.0 + 150.0 * np.exp(-(((ys - (Y0 + 3000.0)) / 250.0) ** 2))
    data = np.repeat(z[:, None], fine.width, axis=1).astype(np.float32)
    return Raster(data, fine, "m")


def make_sites(specs: list[tuple[str, float, float, bool]], technology: str = "4G"
               ) -> gpd.GeoDataFrame:
    """Sites from (site_id, x offset, y offset, three_sector) with the defaults filled."""
    rows = []
    d = SECTOR_DEFAULTS[technology].as_columns()
    for site_id, dx, dy, sectored in specs:
        azimuths = (0.0, 120.0, 240.0) if sectored else (np.nan,)
        for k, az in enumerate(azimuths, start=1):
            rows.append({"site_id": site_id, "sector": k, "technology": technology,
                         "operator": "Test", "status": "existing", "azimuth_deg": az,
                         **d, "geometry": Point(X0 + dx, Y0 + dy)})
    return gpd.GeoDataFrame(rows, crs=32648)


@pytest.fixture
def three_sites() -> gpd.GeoDataFrame:
    return make_sites([("A", 1500.0, 1500.0, True), ("B", 4500.0, 1200.0, True),
                       ("C", 3000.0, 4800.0, False)])
