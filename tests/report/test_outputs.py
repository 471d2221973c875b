"""Every format of ``covplan report`` into one folder, and the HTML map in a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covplan.errors import ConfigError, OutputExistsError
from covplan.export.static_map import MapOptions
from covplan.report import FORMATS, ReportData, parse_formats, planned_outputs, write_outputs

from ..export.conftest import listing

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OPTIONS = MapOptions(dpi=50)
#: The static map formats (SVG, PDF) are covered by the static-map and CLI tests.
WRITTEN = tuple(f for f in FORMATS if f not in ("svg", "mappdf"))


def test_parse_formats() -> None:
    assert parse_formats("all") == FORMATS
    assert parse_formats("pdf, HTML,tif") == ("html", "pdf", "cog")
    assert parse_formats(["kml", "json"]) == ("geojson", "kml")
    with pytest.raises(ConfigError, match=r"unknown output format\(s\): docx, xls\. Choose"):
        parse_formats("pdf,docx,xls")
    with pytest.raises(ConfigError, match="none given"):
        parse_formats(" , ")


def test_planned_outputs_names(tmp_path: Path) -> None:
    names = [p.name for p in planned_outputs(tmp_path, ("html", "png", "pdf", "gpkg", "cog"),
                                             ["5G", "4G"])]
    assert names == ["map.html", "map_coverage_4g.png", "map_coverage_5g.png", "map_gaps.png",
                     "report.pdf", "rsrp_4G.tif", "server_4G.tif", "server_4G.csv",
                     "rsrp_5G.tif", "server_5G.tif", "server_5G.csv", "gaps.gpkg"]


@pytest.fixture
def everything(tiny_report: ReportData, out_dir: Path, _built: dict[str, Any]) -> list[Path]:
    if "everything" not in _built:
        _built["everything"] = write_outputs(tiny_report, out_dir, WRITTEN, options=OPTIONS)
    written: list[Path] = _built["everything"]
    return written


def test_all_formats_write_exactly_the_planned_files(everything: list[Path]) -> None:
    out = everything[0].parent
    planned = planned_outputs(out, WRITTEN, ["4G", "5G"])
    assert sorted(everything) == sorted(planned)
    assert listing(out) == sorted({p.relative_to(out).parts[0] for p in planned})
    assert listing(out / "data") == sorted(p.name for p in planned if p.parent.name == "data")
    assert all(p.stat().st_size > 0 for p in everything)


def test_existing_outputs_are_refused_with_their_names(tiny_report: ReportData,
                                                       out_dir: Path) -> None:
    out_dir.mkdir()
    (out_dir / "report.pdf").write_bytes(b"an earlier report")
    (out_dir / "map.html").write_text("an earlier map", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"2 output files already exist: .*map\.html, "
                                                r".*report\.pdf.*--overwrite"):
        write_outputs(tiny_report, out_dir, ("html", "pdf", "csv"), options=OPTIONS)
    assert listing(out_dir) == ["map.html", "report.pdf"]  # nothing else was written
    written = write_outputs(tiny_report, out_dir, ("html", "csv"), options=OPTIONS,
                            overwrite=True)
    assert (out_dir / "map.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(written) == 1 + 2 * 6  # the map, and each table for people and for machines


PROBE = """() => {
    const box = document.querySelector('.leaflet-container').getBoundingClientRect();
    const imgs = [...document.querySelectorAll('img.leaflet-image-layer')];
    const canvases = [...document.querySelectorAll('.leaflet-container canvas')];
    return {width: box.width, height: box.height, version: L.version,
            images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
            canvases: canvases.filter(c => c.width > 0 && c.height > 0).length,
            legend: !!document.querySelector('.covplan-legend')};
}"""


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs {CHROMIUM}")
def test_html_map_draws_with_the_network_off(everything: list[Path]) -> None:
    from playwright.sync_api import sync_playwright

    html = next(p for p in everything if p.name == "map.html")
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 800},
                                          offline=True)

            def route(request_route: Any) -> None:
                url = request_route.request.url
                if url.startswith(("file://", "data:")):
                    request_route.continue_()
                else:
                    blocked.append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(html.as_uri())
            page.wait_for_function("() => window.L !== undefined && "
                                   "document.querySelector('.leaflet-container') !== null")
            # the legend, in the report's language (Vietnamese for the shipped presets)
            page.wait_for_selector("text=Cường độ sóng (RSRP, dBm)", state="visible")
            seen = page.evaluate(PROBE)
        finally:
            browser.close()
    assert errors == [] and blocked == []
    assert seen["width"] > 500 and seen["height"] > 500 and seen["legend"]
    assert seen["images"] >= 2  # hillshade and the 4G overlay
    assert seen["canvases"] >= 1  # vectors drawn on the canvas renderer
