"""Commune sheets: what each lists lies in the commune, its figures are the summary's row.

The tiny province has two communes side by side: the national road crosses both, the local
road runs along their shared boundary, one village lies in the west commune and two in the
east one. Where each gap and village lies is checked here with shapely on the dataset's own
geometry (points sampled along the gaps, the villages' polygons), and the figures against
the commune summary formatted with Babel, independently of the sheet's code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from babel.numbers import format_decimal
from pypdf import PdfReader

from covplan.errors import InputError
from covplan.report import (
    ReportData,
    build_commune_pdf,
    build_communes_pdf,
    commune_sheet,
    write_commune_sheets,
)

CODES = ("99001", "99002")
NAMES = {"99001": "Xã Tân Hòa", "99002": "Phường Đông"}
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="needs poppler-utils")


def _layout_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, check=True,
                          capture_output=True).stdout.decode("utf-8")


def _along(line: shapely.Geometry, step_m: float = 5.0) -> np.ndarray:
    """Points every ``step_m`` along ``line``, ends included."""
    distances = np.append(np.arange(0.0, line.length, step_m), line.length)
    return shapely.line_interpolate_point(line, distances)


@pytest.mark.parametrize("code", CODES)
def test_every_listed_gap_and_village_lies_in_the_commune(tiny_report: ReportData,
                                                          code: str) -> None:
    sheet = commune_sheet(tiny_report, code)
    communes = tiny_report.dataset.communes
    assert communes is not None
    area = communes.loc[communes["code"] == code].geometry.iloc[0]
    assert sheet.code == code and sheet.name == NAMES[code]

    assert len(sheet.road_gaps)
    for gap in sheet.road_gaps.itertuples():
        assert area.buffer(1.0).covers(gap.geometry)  # the part listed is the commune's
        assert gap.commune_km == pytest.approx(gap.geometry.length / 1000.0)
    listed = {(g.road, g.start_km) for g in sheet.road_gaps.itertuples()}
    closed = area.buffer(0.5)  # the commune and its boundary: a road along it is listed
    for gap in tiny_report.analysis.road_gaps.itertuples():  # every gap with >= 10 m in it
        inside = shapely.contains(closed, _along(gap.geometry))
        assert ((gap.road, gap.start_km) in listed) == bool(inside.sum() >= 3)
    interior = area.buffer(-1.0)  # the national road crosses the commune, not along it
    national = sheet.road_gaps[sheet.road_gaps["road"] == "QL.3"]
    assert len(national) and all(interior.intersects(g) for g in national.geometry)

    villages = tiny_report.dataset.villages
    assert villages is not None
    where = villages.set_index("village_id").geometry
    gaps = tiny_report.analysis.village_gaps
    lacking = gaps[~gaps["mobile_covered"].astype(bool)
                   | ~gaps["fibre_reached"].astype("boolean").fillna(True).astype(bool)]
    expected = {v for v in lacking["village_id"]
                if area.contains(where[v].representative_point())}
    assert set(sheet.villages["village_id"]) == expected and expected
    for village in sheet.villages["village_id"]:
        assert area.contains(where[village])


@needs_poppler
@pytest.mark.parametrize("code", CODES)
def test_the_sheet_shows_the_commune_summary_row_and_its_gaps(tiny_report: ReportData,
                                                              code: str) -> None:
    summary = tiny_report.analysis.commune_summary.set_index("code").loc[code]
    text = _layout_text(build_commune_pdf(tiny_report, code, "vi"))

    def vi(value: float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(round(float(value), decimals), format=pattern, locale="vi")

    figures = {
        "Số dân": vi(summary["population"]),
        "Số thôn, xóm": vi(summary["villages"]),
        "Số thôn, xóm có cáp quang": f"{vi(summary['villages_fibre'])} "
                                     f"({vi(summary['fibre_percent'], 1)} %)",
        "Người dân có sóng 4G": f"{vi(summary['population_4g_percent'], 1)} %",
        "Người dân có sóng 5G": f"{vi(summary['population_5g_percent'], 1)} %",
        "Cao tốc, quốc lộ chưa có sóng 4G/5G": f"{vi(summary['highway_uncovered_km'], 1)} km",
        "Điểm trọng yếu chưa có sóng 5G": vi(summary["pois_without_5g"]),
    }
    for label, value in figures.items():  # label and value side by side on one line
        assert re.search(rf"(^|\s){re.escape(label)}\s+{re.escape(value)}(\s|$)", text,
                         re.MULTILINE), (label, value)
    assert f"{NAMES[code]} (mã {code})" in text
    sheet = commune_sheet(tiny_report, code)
    assert f"trong xã, phường ({len(sheet.road_gaps)})" in text
    for gap in sheet.road_gaps.itertuples():
        assert vi(gap.commune_km, 1) in text
    for village in sheet.villages.itertuples():
        assert village.name in text
    highway = "CHƯA ĐẠT" if summary["highway_uncovered_km"] > 0 else "ĐẠT"
    assert re.search(rf"cao tốc, quốc lộ\s.*\s{highway}\s", text)


def test_the_sites_serving_a_commune_and_their_share(tiny_report: ReportData) -> None:
    communes = tiny_report.dataset.communes
    assert communes is not None
    area = communes.loc[communes["code"] == "99001"].geometry.iloc[0]
    sites = commune_sheet(tiny_report, "99001").sites.set_index(["site_id", "technology"])
    for tech, grid in tiny_report.coverage.items():  # one serving sector per hand-made grid
        xs, ys = grid.server.grid.cell_centres()
        xx, yy = np.meshgrid(xs, ys)
        inside = shapely.contains_xy(area, xx, yy)
        served = inside & (grid.server.data >= 0)
        site = grid.site_keys[0].split("/")[0]
        share = 100.0 * served.sum() / inside.sum()
        assert sites.loc[(site, tech), "served_percent"] == pytest.approx(share, rel=1e-9)
        masts = tiny_report.dataset.sites
        mast = masts[masts["site_id"] == site].geometry.iloc[0]
        assert bool(sites.loc[(site, tech), "inside"]) == area.contains(mast)


@needs_poppler
def test_all_communes_one_page_each_and_one_pdf_each_in_a_zip(tiny_report: ReportData,
                                                              out_dir: Path) -> None:
    written = write_commune_sheets(tiny_report, out_dir, lang="en")
    assert [p.name for p in written] == ["communes.pdf", "communes.zip"]
    reader = PdfReader(out_dir / "communes.pdf")
    assert len(reader.pages) == len(CODES)
    for page, code in zip(reader.pages, CODES, strict=True):
        text = " ".join(page.extract_text().split())
        assert f"{NAMES[code]} (code {code})" in text and "The commune in figures" in text
    with zipfile.ZipFile(out_dir / "communes.zip") as archive:
        assert sorted(archive.namelist()) == [f"commune_{c}.pdf" for c in CODES]
        for code in CODES:
            text = _layout_text(archive.read(f"commune_{code}.pdf"))
            assert f"{NAMES[code]} (code {code})" in text and "Sites serving the commune" in text
    both = build_communes_pdf(tiny_report, ["Phường Đông"], "vi")
    assert "Phường Đông (mã 99002)" in _layout_text(both)


def test_an_unknown_commune_is_refused_with_the_names(tiny_report: ReportData) -> None:
    with pytest.raises(InputError, match="no commune has the code or name 'Nowhere'"):
        build_commune_pdf(tiny_report, "Nowhere")
