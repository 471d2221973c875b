"""The map of the embedded demo province (small size), with a stand-in coverage grid."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pytest

from covplan.grid import Raster
from covplan.io import Dataset, load_dataset
from covplan.mapview import build_map, to_html
from covplan.mapview.assets import remote_assets

from .conftest import FakeCoverage


@pytest.fixture(scope="module")
def demo() -> Dataset:
    try:
        from covplan.datasets import ensure_demo
        from covplan.demo import generate_demo  # noqa: F401  (the generator must exist)
    except ImportError:
        pytest.skip("the demo generator is not available")
    return load_dataset(ensure_demo("small"))


def _distance_rsrp(dataset: Dataset, technology: str) -> FakeCoverage:
    """RSRP falling 35 dB per decade of distance from the nearest site: cheap, site-shaped."""
    grid = dataset.grid(90.0)
    sites = dataset.sites
    assert sites is not None
    points = sites[sites["technology"] == technology].geometry
    xs, ys = grid.cell_centres()
    gx, gy = np.meshgrid(xs, ys)
    nearest = np.full(gx.shape, np.inf)
    for x, y in zip(points.x, points.y, strict=True):
        nearest = np.minimum(nearest, np.hypot(gx - x, gy - y))
    rsrp = -60.0 - 35.0 * np.log10(np.maximum(nearest, 50.0) / 50.0)
    rsrp[rsrp < -125.0] = np.nan
    return FakeCoverage(technology, Raster(rsrp.astype(np.float32), grid, "dBm"))


def test_demo_province_maps_offline_and_says_it_is_synthetic(demo: Dataset, tmp_path: Path) -> None:
    assert demo.synthetic
    coverage = {t: _distance_rsrp(demo, t) for t in ("4G", "5G")}
    villages = demo.villages
    assert villages is not None
    fmap = build_map(demo, coverage=coverage, village_status=villages["fibre"])
    page = to_html(fmap, tmp_path / "demo.html").read_text(encoding="utf-8")
    assert remote_assets(page) == []
    assert "SYNTHETIC" in page and json.dumps(html.escape(demo.name))[1:-1] in page
    for layer in ("Terrain (offline)", "4G coverage (RSRP)", "4G sites", "Points of interest"):
        assert f'"{layer}"' in page
    assert len(page.encode("utf-8")) < 2_000_000
