"""Raster overlays: Web Mercator warp, hillshade, PNG/JPEG encoding."""

from __future__ import annotations

import base64
import io

import folium
import numpy as np
import pytest
from PIL import Image

from covplan.io import Dataset
from covplan.mapview import style
from covplan.mapview._geo import lonlat_bounds
from covplan.mapview._raster import (
    hillshade,
    jpeg_data_url,
    palette_png_data_url,
    warp_to_mercator,
)
from covplan.mapview.overlays import add_coverage_overlay, hillshade_rgb

from .conftest import FakeCoverage, coverage_grid


def _decode(url: str) -> Image.Image:
    header, payload = url.split(",", 1)
    assert header in ("data:image/png;base64", "data:image/jpeg;base64")
    return Image.open(io.BytesIO(base64.b64decode(payload)))


def test_warp_covers_the_raster_and_never_upsamples() -> None:
    coverage = coverage_grid("4G", 200, 30.0, seed=1)
    grid = coverage.rsrp_dbm.grid
    image = warp_to_mercator(coverage.rsrp_dbm, max_px=5000)
    assert max(image.data.shape) <= 200 * 1.1
    assert image.pixel_ground_m == pytest.approx(30.0, rel=0.01)
    (south, west), (north, east) = lonlat_bounds(grid.bounds, grid.crs)
    (s, w), (n, e) = image.bounds_latlon
    eps = 1e-9
    assert s <= south + eps and w <= west + eps and n >= north - eps and e >= east - eps
    small = warp_to_mercator(coverage.rsrp_dbm, max_px=50)
    assert max(small.data.shape) == 50


def test_warp_keeps_values_and_fills_no_data() -> None:
    coverage = coverage_grid("4G", 100, 30.0, seed=1)
    constant = np.full((100, 100), -95.0, dtype=np.float32)
    constant[:, :50] = np.nan
    raster = type(coverage.rsrp_dbm)(constant, coverage.rsrp_dbm.grid, "dBm")
    image = warp_to_mercator(raster, max_px=60)
    finite = image.data[np.isfinite(image.data)]
    assert np.allclose(finite, -95.0)
    filled = warp_to_mercator(raster, max_px=60, fill_value=-200.0)
    assert np.nanmin(filled.data) < -150.0


def test_hillshade_lights_north_west_slopes() -> None:
    ramp = np.add.outer(np.arange(20.0), np.arange(20.0)) * 10.0  # rises to the south-east
    facing_light = hillshade(ramp, 10.0, exaggeration=1.0)
    facing_away = hillshade(-ramp, 10.0, exaggeration=1.0)
    flat = hillshade(np.zeros((5, 5)), 10.0)
    assert facing_light.mean() > flat.mean() > facing_away.mean()
    assert flat == pytest.approx(np.sin(np.radians(45.0)))


def test_palette_png_has_transparent_no_signal_and_class_colours() -> None:
    classes = np.array([[0, 1], [3, 5]], dtype=np.uint8)
    url = palette_png_data_url(classes, style.RSRP_COLOURS, style.RSRP_ALPHAS)
    rgba = np.asarray(_decode(url).convert("RGBA"))
    assert rgba[0, 0, 3] == 0
    assert tuple(rgba[1, 1, :3]) == (0x1A, 0x98, 0x50)
    assert rgba[1, 1, 3] == round(255 * style.RSRP_ALPHAS[-1])


def test_jpeg_and_tinted_hillshade(tiny_dataset: Dataset) -> None:
    assert tiny_dataset.terrain is not None
    rgb, image = hillshade_rgb(tiny_dataset.terrain, max_px=120)
    assert rgb.dtype == np.uint8 and rgb.shape == (*image.data.shape, 3)
    decoded = _decode(jpeg_data_url(rgb))
    assert decoded.size == (rgb.shape[1], rgb.shape[0])


def test_coverage_overlay_is_a_small_png_in_its_pane(
    tiny_coverage: dict[str, FakeCoverage],
) -> None:
    fmap = folium.Map(tiles=None)
    overlay = add_coverage_overlay(fmap, tiny_coverage["4G"], max_px=100)
    assert overlay.url.startswith("data:image/png;base64,")
    assert overlay.options["pane"] == "covplan-coverage"
    assert overlay.layer_name == "4G coverage (RSRP)"
    assert max(_decode(overlay.url).size) <= 100
