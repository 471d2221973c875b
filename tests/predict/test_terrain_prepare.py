"""Terrain prepared for the kernels: a DEM in another CRS keeps the heights of its posts."""

from __future__ import annotations

import numpy as np

from covplan.grid import GridSpec, Raster
from covplan.predict._terrain import prepare_terrain


def test_reprojection_keeps_every_post_height() -> None:
    # a 3″ plain at 20 m with a peak of 480 m three SRTM samples wide, in EPSG:4326, centred
    # on the post at 21.5246 °N, 105.7254 °E (UTM 48N 575,125 E, 2,380,383 N)
    geo = GridSpec.from_bounds((105.70, 21.50, 105.75, 21.55), 1.0 / 1200.0, 4326)
    heights = np.full(geo.shape, 20.0, np.float32)
    heights[29:32, 29:32] = 480.0
    grid = GridSpec.from_bounds((574_000.0, 2_379_000.0, 576_000.0, 2_381_000.0), 90.0, 32648)
    dem = prepare_terrain(Raster(heights, geo, "m"), grid, 3000.0).dem
    # nearest post, not a bilinear blend: the peak stays 480 m (a bilinear warp lowers it to
    # a weighted mean of the post and the plain) and no height is invented between posts
    assert dem.max() == 480.0
    assert set(np.unique(dem)) == {20.0, 480.0}
