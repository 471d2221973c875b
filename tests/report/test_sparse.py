"""A dataset with only roads and sites still gets its maps, report and files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from covplan.export.static_map import MapOptions
from covplan.io import Dataset
from covplan.metrics import metrics_from_dataset
from covplan.predict import CoverageGrid
from covplan.report import ReportData, write_outputs
from covplan.targets import analyze, load_targets

from ..export.conftest import REPORT_DATE, RESOLUTION_M


def test_roads_and_sites_only(tiny_dataset: Dataset, tiny_coverage: dict[str, CoverageGrid],
                              out_dir: Path) -> None:
    dataset = replace(tiny_dataset, vectors={k: v for k, v in tiny_dataset.vectors.items()
                                             if k in ("roads", "sites")},
                      terrain=None, population=None)
    targets = load_targets("thai_nguyen_2025")
    ctx = metrics_from_dataset(dataset, tiny_coverage, thresholds=targets.thresholds)
    data = ReportData(dataset, targets, dict(tiny_coverage), analyze(ctx, targets),
                      resolution_m=RESOLUTION_M, created=REPORT_DATE)
    written = write_outputs(data, out_dir, ("png", "pdf", "csv", "kml"),
                            options=MapOptions(dpi=40), lang="en")
    assert sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file()) \
        == sorted(str(p.relative_to(out_dir)) for p in written)
    text = " ".join(page.extract_text() for page in PdfReader(out_dir / "report.pdf").pages)
    assert "The dataset has no communes." in text
