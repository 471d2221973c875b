"""Fixtures for the export and report tests: the tiny dataset with hand-made coverage.

The coverage grids are built by hand (signal falling off with distance from one site of
each technology), not predicted, so these tests never wait for the radio engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from covplan.grid import Raster
from covplan.io import Dataset, load_dataset
from covplan.metrics import metrics_from_dataset
from covplan.predict import CoverageGrid
from covplan.report import ReportData
from covplan.targets import analyze, load_targets

RESOLUTION_M = 90.0
REPORT_DATE = dt.date(2025, 7, 1)


def hand_coverage(dataset: Dataset, technology: str, *, radius_m: float) -> CoverageGrid:
    """RSRP falling 35 dB per decade of distance from the first site of ``technology``.

    Cells farther than ``radius_m`` have no signal (NaN), so some roads and villages are
    left uncovered.
    """
    grid = dataset.grid(RESOLUTION_M)
    sites = dataset.sites
    assert sites is not None
    site = sites[sites["technology"] == technology].iloc[0]
    xs, ys = grid.cell_centres()
    distance = np.hypot(xs[None, :] - site.geometry.x, ys[:, None] - site.geometry.y)
    rsrp = (-60.0 - 35.0 * np.log10(np.maximum(distance, 50.0) / 50.0)).astype(np.float32)
    rsrp[distance > radius_m] = np.nan
    server = np.where(np.isfinite(rsrp), 0, -1).astype(np.int32)
    key = f"{site['site_id']}/{site['sector']}"
    return CoverageGrid(technology, Raster(rsrp, grid, "dBm", ("hand-made test grid",)),
                        Raster(server, grid, "index"), (key,))


@pytest.fixture(scope="session")
def _built() -> dict[str, Any]:
    """What the fixtures below build once per session (none of it is mutated by tests)."""
    return {}


@pytest.fixture
def tiny_dataset(request: pytest.FixtureRequest, _built: dict[str, Any]) -> Dataset:
    """The root conftest's tiny province (2 communes, 3 villages, 2 roads, 2 sites)."""
    if "dataset" not in _built:
        _built["dataset"] = load_dataset(request.getfixturevalue("tiny_dir"))
    dataset: Dataset = _built["dataset"]
    return dataset


@pytest.fixture
def tiny_coverage(tiny_dataset: Dataset, _built: dict[str, Any]) -> dict[str, CoverageGrid]:
    """Hand-made 4G (wide) and 5G (narrow) grids."""
    if "coverage" not in _built:
        _built["coverage"] = {"4G": hand_coverage(tiny_dataset, "4G", radius_m=3_500.0),
                              "5G": hand_coverage(tiny_dataset, "5G", radius_m=1_200.0)}
    return dict(_built["coverage"])


@pytest.fixture
def tiny_report(tiny_dataset: Dataset, tiny_coverage: dict[str, CoverageGrid],
                _built: dict[str, Any]) -> ReportData:
    """Targets and gap tables measured on the hand-made grids."""
    if "report" not in _built:
        targets = load_targets("thai_nguyen_2025")
        ctx = metrics_from_dataset(tiny_dataset, tiny_coverage, thresholds=targets.thresholds)
        analysis = analyze(ctx, targets)
        share = ctx.village_signal(["4G", "5G"])["signal_percent"] / 100.0
        _built["report"] = ReportData(tiny_dataset, targets, dict(tiny_coverage), analysis,
                                      ctx.fibre_reached(), share, resolution_m=RESOLUTION_M,
                                      created=REPORT_DATE)
    report: ReportData = _built["report"]
    return report


def listing(folder: Path) -> list[str]:
    """Every file name in ``folder``, hidden ones included, sorted."""
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An output folder of its own (``tmp_path`` also holds the tiny dataset)."""
    return tmp_path / "out"
