"""The PDF report, read back with pypdf and poppler: pages, targets, Vietnamese, fonts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import BaseDocTemplate

from covplan.errors import OutputExistsError
from covplan.export.static_map import MapOptions, render_maps
from covplan.report import ReportData, build_report_pdf
from covplan.report.outputs import _png_bytes

from ..export.conftest import REPORT_DATE, listing


@pytest.fixture
def map_images(tiny_report: ReportData, _built: dict[str, Any]) -> dict[str, bytes]:
    if "images" not in _built:
        figures = render_maps(tiny_report.dataset, tiny_report.coverage,
                              road_gaps=tiny_report.analysis.road_gaps,
                              fibre_reached=tiny_report.fibre_reached,
                              options=MapOptions(dpi=50, created=REPORT_DATE))
        _built["images"] = {name: _png_bytes(fig, 50) for name, fig in figures.items()}
    images: dict[str, bytes] = _built["images"]
    return images


@pytest.fixture
def report_pdf(tiny_report: ReportData, map_images: dict[str, bytes], out_dir: Path) -> Path:
    return build_report_pdf(tiny_report, out_dir / "report.pdf", map_images=map_images,
                            lang="en")


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pages_and_orientation(report_pdf: Path) -> None:
    reader = PdfReader(report_pdf)
    # title, targets, three landscape maps, gaps, communes, methods
    assert len(reader.pages) == 8
    landscape = [float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages]
    assert landscape == [False, False, True, True, True, False, False, False]
    assert reader.metadata is not None and "tiny" in str(reader.metadata.title)
    assert "page 8 of 8" in reader.pages[-1].extract_text()


def test_every_target_and_its_status_is_in_the_text(report_pdf: Path,
                                                    tiny_report: ReportData) -> None:
    text = _text(PdfReader(report_pdf))
    for row in tiny_report.analysis.targets.to_dict("records"):
        assert row["target"] in text
        assert row["id"] in text
    assert "NOT MET" in text
    assert "Thái Nguyên 2025" in text and "Nghị quyết 57-NQ/TW" in text
    for name in ("Xã Tân Hòa", "Phường Đông", "Bản Pác", "Quốc lộ 3"):  # Vietnamese intact
        assert name in text
    for heading in ("Longest road gaps", "Largest villages without service",
                    "Commune summary", "Methods and data", "1 Jul 2025"):
        assert heading in text


def test_dejavu_sans_is_embedded(report_pdf: Path) -> None:
    embedded: set[str] = set()
    for page in PdfReader(report_pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_poppler_reads_the_vietnamese_names(report_pdf: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(report_pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Phường Đông" in text and "Xã Tân Hòa" in text and "Xóm Đồng" in text


def test_without_maps_and_refusing_to_overwrite(tiny_report: ReportData,
                                                out_dir: Path) -> None:
    path = build_report_pdf(tiny_report, out_dir / "plain.pdf", lang="en")
    assert len(PdfReader(path).pages) == 5  # title, targets, gaps, communes, methods
    with pytest.raises(OutputExistsError, match="--overwrite"):
        build_report_pdf(tiny_report, path, lang="en")


def test_an_interrupted_build_leaves_no_file(tiny_report: ReportData, out_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = BaseDocTemplate.build

    def half_then_fail(self: BaseDocTemplate, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        raise RuntimeError("killed")

    monkeypatch.setattr(BaseDocTemplate, "build", half_then_fail)
    with pytest.raises(RuntimeError, match="killed"):
        build_report_pdf(tiny_report, out_dir / "report.pdf")
    assert listing(out_dir) == []


def test_no_heading_ends_a_page(tiny_report: ReportData, out_dir: Path) -> None:
    """Page 6 of the full demo's report ended on "Largest villages without service".

    The gap section is laid out after blank space of every height from none to a full page,
    so each heading meets the foot of a page somewhere; none may be a page's last line.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from covplan.i18n import language
    from covplan.report.pdf import TEXT_FRAME_MM, build_story, report_document
    from covplan.report.sections import gaps_section

    lang = language("en")
    headings = {"Longest road gaps", "Largest villages without service", "Without fibre"}
    for space_mm in range(0, int(TEXT_FRAME_MM[1]) - 10, 6):
        path = out_dir / f"gaps_{space_mm}.pdf"
        out_dir.mkdir(exist_ok=True)
        story = [Spacer(1, space_mm * mm), *gaps_section(tiny_report, lang)]
        build_story(report_document(path, tiny_report, lang, title="gaps"), story, lang)
        for page in PdfReader(path).pages:
            lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
            body = [line for line in lines if not line.startswith(("covplan", "page ", "tiny",
                                                                   "Thái Nguyên", "SYNTHETIC"))]
            assert not body or not any(body[-1].startswith(h) for h in headings), (space_mm,
                                                                                     body[-1])
