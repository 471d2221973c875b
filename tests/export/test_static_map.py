"""Static maps: PNG size and content, PDF/SVG text, extents, furniture helpers."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from pypdf import PdfReader
from pyproj import CRS

from covplan.errors import InputError, OutputExistsError
from covplan.export._draw import block_mean, crop, rsrp_rgba
from covplan.export._furniture import fit_extent, nice_length_m, true_north_deg
from covplan.export.static_map import (
    MapOptions,
    coverage_map,
    gaps_map,
    render_maps,
    save_map,
)
from covplan.io import Dataset
from covplan.mapview import style
from covplan.predict import CoverageGrid
from covplan.report import ReportData

from .conftest import REPORT_DATE, listing

DPI = 60
OPTIONS = MapOptions(dpi=DPI, created=REPORT_DATE, subtitle="Thái Nguyên 2025")


@pytest.fixture
def maps(tiny_report: ReportData, _built: dict[str, Any]) -> dict[str, Figure]:
    if "maps" not in _built:
        _built["maps"] = render_maps(tiny_report.dataset, tiny_report.coverage,
                                     road_gaps=tiny_report.analysis.road_gaps,
                                     fibre_reached=tiny_report.fibre_reached,
                                     thresholds=tiny_report.thresholds_dbm, options=OPTIONS)
    maps: dict[str, Figure] = _built["maps"]
    return maps


def test_png_maps_have_the_page_size_and_are_not_blank(maps: dict[str, Figure],
                                                       out_dir: Path) -> None:
    assert list(maps) == ["coverage_4g", "coverage_5g", "gaps"]
    for name, fig in maps.items():
        path = save_map(fig, out_dir / f"{name}.png", dpi=DPI)
        with Image.open(path) as image:
            assert image.size == (int(297 / 25.4 * DPI), int(210 / 25.4 * DPI))  # A4 landscape
            pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
        assert pixels.std() > 20  # not a blank page
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200
    assert listing(out_dir) == ["coverage_4g.png", "coverage_5g.png", "gaps.png"]


def _has_colour(pixels: np.ndarray, colour: str, tolerance: float = 12.0) -> bool:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    return bool((np.abs(pixels - rgb).max(axis=-1) <= tolerance).any())


def test_maps_use_the_web_map_colours(maps: dict[str, Figure], out_dir: Path) -> None:
    path = save_map(maps["gaps"], out_dir / "gaps.png", dpi=100)
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    assert _has_colour(pixels, style.ROAD_GAP)  # road gaps (legend swatch and lines)
    assert _has_colour(pixels, style.FIBRE_COLOURS[False])  # the village without fibre


def test_pdf_and_svg_maps_carry_the_texts(maps: dict[str, Figure], out_dir: Path) -> None:
    pdf = save_map(maps["gaps"], out_dir / "gaps.pdf", dpi=DPI)
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    for expected in ("tiny: coverage gaps", "1 Jul 2025", "Thái Nguyên 2025", "Villages: fibre",
                     "no fibre", "road without 4G/5G (gap)", "2 km", "N", "EPSG:32648"):
        assert expected in text
    svg = save_map(maps["coverage_4g"], out_dir / "cov.svg", dpi=DPI)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and root.get("width", "").startswith("841")  # 297 mm


def test_commune_extent_zooms_in_and_labels_the_commune(tiny_dataset: Dataset,
                                                        tiny_coverage: dict[str, CoverageGrid],
                                                        out_dir: Path) -> None:
    options = MapOptions(dpi=DPI, commune="phường đông", created=REPORT_DATE)
    fig = coverage_map(tiny_dataset, tiny_coverage["4G"], threshold_dbm=-105, options=options)
    ax = fig.axes[0]
    width = ax.get_xlim()[1] - ax.get_xlim()[0]
    assert width < (tiny_dataset.bounds()[2] - tiny_dataset.bounds()[0])
    assert "Phường Đông" in [t.get_text() for t in ax.texts]
    with pytest.raises(InputError, match="no commune has the code or name 'Nowhere'"):
        gaps_map(tiny_dataset, options=MapOptions(commune="Nowhere"))


def test_saving_refuses_to_overwrite_and_an_interrupted_save_leaves_nothing(
        maps: dict[str, Figure], out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_map(maps["gaps"], out_dir / "gaps.png", dpi=DPI)
    with pytest.raises(OutputExistsError, match="--overwrite"):
        save_map(maps["gaps"], out_dir / "gaps.png", dpi=DPI)
    real = Figure.savefig

    def half_then_fail(self: Figure, fname: object, **kwargs: object) -> None:
        real(self, fname, **kwargs)  # type: ignore[arg-type]
        raise MemoryError("out of memory while saving")

    monkeypatch.setattr(Figure, "savefig", half_then_fail)
    with pytest.raises(MemoryError):
        save_map(maps["gaps"], out_dir / "other.pdf", dpi=DPI)
    assert listing(out_dir) == ["gaps.png"]
    with pytest.raises(ValueError, match="png, pdf, svg"):
        save_map(maps["gaps"], out_dir / "gaps.jpg")


def test_nice_scale_bar_lengths() -> None:
    assert [nice_length_m(v) for v in (9.0, 23_400.0, 730.0, 1_000.0)] == [
        5.0, 20_000.0, 500.0, 1_000.0]


def test_fit_extent_matches_the_frame_aspect() -> None:
    minx, miny, maxx, maxy = fit_extent((0.0, 0.0, 100.0, 10.0), (50.0, 50.0))
    assert math.isclose(maxx - minx, maxy - miny)
    assert minx < 0 and maxx > 100


def test_north_arrow_turns_with_the_meridian_convergence() -> None:
    utm48 = CRS.from_epsg(32648)  # central meridian 105 E at easting 500 km
    assert abs(true_north_deg(utm48, 500_000.0, 2_400_000.0)) < 0.01
    east = true_north_deg(utm48, 620_000.0, 2_400_000.0)  # ~106.16 E: true north left of up
    west = true_north_deg(utm48, 380_000.0, 2_400_000.0)
    assert -1.0 < east < -0.2 and 0.2 < west < 1.0


def test_block_mean_ignores_gaps_and_crop_keeps_the_georeferencing(
        tiny_coverage: dict[str, CoverageGrid]) -> None:
    assert block_mean(np.array([[1.0, 3.0], [np.nan, 5.0]]), 2).tolist() == [[3.0]]
    assert np.isnan(block_mean(np.full((2, 2), np.nan), 2)).all()
    raster = tiny_coverage["4G"].rsrp_dbm
    whole = crop(raster, raster.grid.bounds, max_px=10_000)
    assert whole is not None and whole.data.shape == raster.grid.shape
    left, right, bottom, top = whole.extent
    assert (left, bottom, right, top) == pytest.approx(raster.grid.bounds)
    thin = crop(raster, raster.grid.bounds, max_px=40)
    assert thin is not None and max(thin.data.shape) <= 40
    assert crop(raster, (0.0, 0.0, 10.0, 10.0), max_px=40) is None


def test_rsrp_classes_use_the_style_colours() -> None:
    rgba = rsrp_rgba(np.array([np.nan, -130.0, -107.0, -70.0]), opacity=1.0)
    assert rgba[0, 3] == 0 and rgba[1, 3] == 0  # not drawn
    red = [int(style.RSRP_COLOURS[0][i:i + 2], 16) / 255 for i in (1, 3, 5)]
    green = [int(style.RSRP_COLOURS[-1][i:i + 2], 16) / 255 for i in (1, 3, 5)]
    np.testing.assert_allclose(rgba[2, :3], red, atol=1e-6)
    np.testing.assert_allclose(rgba[3, :3], green, atol=1e-6)
