"""A missing layer is "no data" in the report, not a failure; an empty gap table draws.

The tiny province is cut down to what a planner of a new province often has: communes,
villages (without population or fibre columns) and sites. The coverage is hand-made, so
no prediction runs.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from covplan.grid import Raster
from covplan.io import Dataset
from covplan.metrics import metrics_from_dataset
from covplan.predict import CoverageGrid
from covplan.report import ReportData, write_outputs
from covplan.targets import analyze, load_targets

from ..export.conftest import REPORT_DATE, RESOLUTION_M


def _report(dataset: Dataset, coverage: dict[str, CoverageGrid], preset: str) -> ReportData:
    """What prepare_report keeps, built on hand-made coverage."""
    targets = load_targets(preset)
    ctx = metrics_from_dataset(dataset, coverage, thresholds=targets.thresholds)
    fibre = ctx.fibre_reached() if ctx.has_fibre_data else None
    share = ctx.village_signal(["4G", "5G"])["signal_percent"] / 100.0
    return ReportData(dataset, targets, dict(coverage), analyze(ctx, targets), fibre, share,
                      resolution_m=RESOLUTION_M, created=REPORT_DATE)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def sparse(tiny_dataset: Dataset) -> Dataset:
    """Communes, villages without population or fibre columns, and sites: nothing else."""
    villages = tiny_dataset.villages
    assert villages is not None
    vectors = {"communes": tiny_dataset.vectors["communes"],
               "villages": villages.drop(columns=["population", "fibre"]),
               "sites": tiny_dataset.vectors["sites"]}
    return replace(tiny_dataset, vectors=vectors, terrain=None, population=None)


@pytest.mark.parametrize("preset", ["thai_nguyen_2025", "bac_ninh_2030"])
def test_absent_layers_are_no_data_in_every_output(
        sparse: Dataset, tiny_coverage: dict[str, CoverageGrid], out_dir: Path,
        preset: str) -> None:
    data = _report(sparse, tiny_coverage, preset)
    table = data.analysis.targets.set_index("id")
    # Thai Nguyen: roads, fibre, people and POIs have no layer; residential 5G is measured
    # by village area. Bac Ninh has only the residential target.
    no_data = {"roads_4g5g", "fibre_villages", "people_broadband", "poi_5g",
               "people_highspeed"} & set(table.index)
    assert set(table.index[table["status"] == "no data"]) == no_data
    assert table.loc["residential_5g", "status"] in {"met", "not met"}
    assert table.loc["residential_5g", "unit"] == "km²"
    assert data.fibre_reached is None
    gaps = data.analysis.village_gaps
    assert not gaps["missing"].str.contains("fibre").any()
    assert gaps["fibre_reached"].isna().all()

    written = write_outputs(data, out_dir, ("pdf", "csv", "html"), lang="en")
    assert out_dir / "map.html" in written  # the empty road-gap layer draws
    text = _pdf_text(out_dir / "report.pdf")
    assert text.count("NO DATA") == len(no_data)  # the target table
    assert text.count("No data:") == len(no_data)  # at a glance
    assert text.count("NOT MET") == int(table.loc["residential_5g", "status"] == "not met")
    assert "No roads in the dataset" in text
    assert "No road without 4G/5G signal" not in text
    assert "No fibre data (no fibre layer and no 'fibre' column on the villages)" in text
    assert "population: no data" in text
    csv = pd.read_csv(out_dir / "data" / "targets.csv").set_index("id")
    assert csv["status"].to_dict() == table["status"].to_dict()
    people = pd.read_csv(out_dir / "targets.csv", encoding="utf-8-sig").set_index("ID")
    assert set(people.loc[sorted(no_data), "Status"]) <= {"NO DATA"}


def test_every_road_covered_is_no_gap_not_no_data(
        tiny_dataset: Dataset, tiny_coverage: dict[str, CoverageGrid], out_dir: Path) -> None:
    # 4G at -70 dBm in every cell, served by the one 4G sector: every road is covered
    lte = tiny_coverage["4G"]
    strong = Raster(np.full(lte.rsrp_dbm.data.shape, -70.0, dtype=np.float32),
                    lte.rsrp_dbm.grid, "dBm")
    server = Raster(np.zeros(strong.data.shape, dtype=np.int32), strong.grid, "index")
    coverage = {**tiny_coverage, "4G": CoverageGrid("4G", strong, server, lte.site_keys)}
    data = _report(tiny_dataset, coverage, "thai_nguyen_2025")
    assert data.analysis.road_gaps.empty
    assert data.analysis.targets.set_index("id").loc["roads_4g5g", "status"] == "met"
    write_outputs(data, out_dir, ("pdf", "html"), lang="en")
    assert (out_dir / "map.html").is_file()
    text = _pdf_text(out_dir / "report.pdf")
    assert "Every road has 4G/5G signal: no road gap." in text
    assert "No roads in the dataset" not in text
