"""The report, the maps and the CSV tables in Vietnamese and in English, read back.

The PDF is read with poppler's ``pdftotext`` (as an official's viewer would render it); the
expected figures are formatted here from the analysis with Babel's locale data, not taken
from the report's own formatting code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from babel.numbers import format_decimal
from pypdf import PdfReader

from covplan.export.static_map import MapOptions, gaps_map, render_maps, save_map
from covplan.export.vectors import export_vectors
from covplan.report import ReportData, build_report_pdf, render_map_images

from ..export.conftest import REPORT_DATE

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

#: What each language must show, and what the other language's report must not.
WORDS = {
    "vi": {"status": ("Chưa đạt", "CHƯA ĐẠT"), "date": "01/07/2025",
           "headings": ("Báo cáo vùng phủ sóng hạ tầng số", "Mục tiêu: Thái Nguyên 2025",
                        "Các đoạn đường chưa có sóng dài nhất", "Tổng hợp theo xã, phường",
                        "Phương pháp và dữ liệu"),
           "page": "trang 1/",
           # what loading did (the defaults applied to the tiny dataset's 5G sector)
           "note": "sites: 5G, giá trị mặc định đã áp dụng: frequency_mhz = 3500 (1 sector)"},
    "en": {"status": ("Not met", "NOT MET"), "date": "1 Jul 2025",
           "headings": ("Digital-infrastructure coverage report", "Targets: Thái Nguyên 2025",
                        "Longest road gaps", "Commune summary", "Methods and data"),
           "page": "page 1 of",
           "note": "sites: 5G defaults applied: frequency_mhz = 3500 (1 sectors)"},
}


def _percent(value: float, code: str) -> str:
    """``73,7 %`` / ``73.7 %``, from Babel's locale data."""
    return format_decimal(round(value, 1), format="#,##0.0", locale=code) + " %"


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def map_pngs(tiny_report: ReportData, _built: dict[str, Any]) -> dict[str, dict[str, bytes]]:
    """The report's maps in each language (50 dpi)."""
    if "maps_by_lang" not in _built:
        _built["maps_by_lang"] = {
            code: render_map_images(tiny_report, MapOptions(dpi=50, created=REPORT_DATE,
                                                            lang=code))
            for code in WORDS}
    maps: dict[str, dict[str, bytes]] = _built["maps_by_lang"]
    return maps


@pytest.mark.parametrize("code", list(WORDS))
def test_the_report_speaks_one_language(tiny_report: ReportData, out_dir: Path, code: str,
                                        map_pngs: dict[str, dict[str, bytes]]) -> None:
    path = build_report_pdf(tiny_report, out_dir / "report.pdf", lang=code,
                            map_images=map_pngs[code])
    text = _flat(_pdftotext(path))
    words, other = WORDS[code], WORDS["en" if code == "vi" else "vi"]
    targets = tiny_report.analysis.targets
    label = "target_vi" if code == "vi" else "target"
    for row in targets.to_dict("records"):
        assert _flat(row[label]) in text
        if row["status"] != "no data":  # (speed: not measured on hand-made grids)
            assert _percent(row["measured_percent"], code) in text  # 1 decimal, locale's mark
    for word in (*words["status"], words["date"], *words["headings"], words["page"],
                 words["note"]):
        assert word in text
    for word in (*other["status"], *other["headings"][2:], other["page"], other["note"]):
        assert word not in text
    decimal = "," if code == "vi" else "."
    assert re.search(rf"\b\d+{re.escape(decimal)}\d %", text)  # percentages as people read them
    assert "Xã Tân Hòa" in text and "Phường Đông" in text and "Bản Pác" in text
    # how each target is measured: what it is a share of, in words, not the measure's key
    assert ("(roads_4g5g): tỷ lệ chiều dài đường có sóng, trên tổng số" if code == "vi" else
            "(roads_4g5g): share of road length with signal, out of") in text
    assert "length_share" not in text.split("roads_4g5g")[1][:200]
    # where the targets and thresholds come from: the preset's own words, in the language
    source, threshold = (
        ("chỉ tiêu hạ tầng số năm 2025 của tỉnh Thái Nguyên",
         "giả định: một thôn, xóm được tính là có sóng khi 90 % người dân ở đó có sóng")
        if code == "vi" else
        ("Thái Nguyên provincial digital-infrastructure targets for 2025",
         "assumption: a village is covered when 90 % of its people have signal"))
    assert source in text and threshold in text
    # the layers counted in words, sites with their sectors
    assert ("xã, phường; " if code == "vi" else " communes; ") in text
    assert ("hướng phát sóng)" if code == "vi" else " sectors)") in text


def test_the_vietnamese_report_is_the_default_for_the_shipped_presets(
        tiny_report: ReportData, out_dir: Path) -> None:
    assert tiny_report.targets.language == "vi"
    text = _flat(_pdftotext(build_report_pdf(tiny_report, out_dir / "report.pdf")))
    assert "Báo cáo vùng phủ sóng hạ tầng số" in text and "CHƯA ĐẠT" in text


@pytest.mark.parametrize(("code", "title", "legend", "scale"), [
    ("vi", "tiny: khoảng trống phủ sóng", "Thôn, xóm, bản: cáp quang", "Hệ tọa độ"),
    ("en", "tiny: coverage gaps", "Villages: fibre", "Projection"),
])
def test_map_words_follow_the_language(tiny_report: ReportData, out_dir: Path, code: str,
                                       title: str, legend: str, scale: str) -> None:
    fig = gaps_map(tiny_report.dataset, road_gaps=tiny_report.analysis.road_gaps,
                   fibre_reached=tiny_report.fibre_reached,
                   options=MapOptions(dpi=50, created=REPORT_DATE, lang=code))
    text = _flat(" ".join(p.extract_text() for p in PdfReader(
        save_map(fig, out_dir / "gaps.pdf", dpi=50)).pages))
    for expected in (title, legend, scale, WORDS[code]["date"]):
        assert expected in text
    coverage = render_maps(tiny_report.dataset, tiny_report.coverage,
                           options=MapOptions(dpi=50, lang=code))["coverage_4g"]
    legend_texts = {t.get_text() for t in coverage.axes[1].texts}
    assert ("Tín hiệu 4G (RSRP, dBm)" if code == "vi" else "4G signal (RSRP, dBm)") in legend_texts


def _read_people_csv(path: Path, separator: str) -> pd.DataFrame:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    return pd.read_csv(path, sep=separator, encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)


@pytest.mark.parametrize(("code", "separator", "headers", "status"), [
    ("vi", ";", ("Mã", "Mục tiêu", "Đo được (%)", "Đánh giá"), "CHƯA ĐẠT"),
    ("en", ",", ("ID", "Target", "Measured (%)", "Status"), "NOT MET"),
])
def test_csv_for_people_is_rounded_and_localised_for_machines_stable_and_exact(
        tiny_report: ReportData, out_dir: Path, code: str, separator: str,
        headers: tuple[str, ...], status: str) -> None:
    layers = tiny_report.layers()
    targets = tiny_report.analysis.targets
    export_vectors(layers, out_dir / code, ["csv"], tables={"targets": targets},
                   lang=code)
    people = _read_people_csv(out_dir / code / "targets.csv", separator)
    id_, target, measured, verdict = headers
    assert list(people.columns[:2]) == [id_, target]
    label = "target_vi" if code == "vi" else "target"
    assert people[target].tolist() == targets[label].tolist()
    # one decimal with the locale's decimal mark and no grouping: a number in Excel there
    assert people[measured].tolist() == [
        format_decimal(round(v, 1), format="0.0", locale=code) if v == v else ""  # NaN: blank
        for v in targets["measured_percent"]]
    assert status in set(people[verdict])
    summary = _read_people_csv(out_dir / code / "commune_summary.csv", separator)
    percent_columns = [c for c in summary.columns if c.endswith("(%)")]
    assert percent_columns
    for column in percent_columns:  # one decimal, the locale's decimal mark, no grouping
        assert all(re.fullmatch(rf"\d+\{',' if code == 'vi' else '.'}\d", v) or v == ""
                   for v in summary[column])

    machine = pd.read_csv(out_dir / code / "data" / "targets.csv")
    assert list(machine.columns) == list(targets.columns)  # English, every column
    pd.testing.assert_series_equal(machine["measured_percent"], targets["measured_percent"],
                                   check_names=False, check_index=False)
    assert machine["covered"].tolist() == targets["covered"].tolist()  # full precision


def test_the_machine_csv_is_the_same_in_both_languages(tiny_report: ReportData,
                                                        out_dir: Path) -> None:
    layers = tiny_report.layers()
    for code in ("vi", "en"):
        export_vectors(layers, out_dir / code, ["csv"],
                       tables={"targets": tiny_report.analysis.targets}, lang=code)
    for name in (*layers, "targets"):
        vi = (out_dir / "vi" / "data" / f"{name}.csv").read_bytes()
        assert vi == (out_dir / "en" / "data" / f"{name}.csv").read_bytes()
        assert not vi.startswith(b"\xef\xbb\xbf")
    assert (out_dir / "vi" / "village_gaps.csv").read_bytes() != (
        out_dir / "en" / "village_gaps.csv").read_bytes()
