"""``covplan report`` in-process on the small demo province: every format, exit codes."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import rasterio
from PIL import Image
from pypdf import PdfReader

from covplan.cli.main import main
from covplan.datasets import ensure_demo

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


@pytest.fixture(scope="module")
def demo_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data"))


def _run(data: Path, out: Path, *extra: str) -> int:
    return main(["-q", "report", str(data), "--out", str(out), "--no-cache", "--dpi", "72",
                 *extra])


def test_report_writes_every_format(demo_small: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "maps"
    assert _run(demo_small, out, "--lang", "en") == 0
    stdout = capsys.readouterr().out
    assert "targets on Tỉnh Minh Sơn" in stdout and "(SYNTHETIC dataset)" in stdout
    # 36 files, and a speed and a SINR map per technology in three formats
    assert "Wrote 48 files to" in stdout and "  data/targets.csv" in stdout
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".")]
    for name in ("map.html", "report.pdf", "gaps.gpkg", "gaps.kml", "road_gaps.geojson",
                 "targets.csv", "map_gaps.png", "map_coverage_4g.svg", "map_coverage_5g.pdf",
                 "rsrp_4G.tif", "server_5G.csv", "data"):
        assert name in names
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(
        f"{n}.csv" for n in ("road_gaps", "village_gaps", "poi_gaps", "commune_summary",
                             "sites", "targets"))
    reader = PdfReader(out / "report.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for label in ("4G/5G on 100 % of expressways and national highways",
                  "Fibre to 99.3 % of villages", "5G in residential areas", "Phường",
                  # the prediction's notes in the methods
                  "receiver 1.5 m above ground", "calibration: none (the model as published)"):
        assert label in text
    with Image.open(out / "map_gaps.png") as image:
        assert image.size == (int(297 / 25.4 * 72), int(210 / 25.4 * 72))
    gaps = gpd.read_file(out / "gaps.gpkg", layer="road_gaps", engine="pyogrio")
    assert len(gaps) == len(gpd.read_file(out / "road_gaps.geojson", engine="pyogrio"))
    with rasterio.open(out / "rsrp_4G.tif") as src:
        assert src.crs.to_epsg() == 32648


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_vietnamese_report_states_the_prediction_in_vietnamese(
        demo_small: Path, tmp_path: Path) -> None:
    """The methods page's prediction rows (model, receiver, clutter, calibration, the
    model's validity range) are said in Vietnamese, numbers written the Vietnamese way."""
    assert _run(demo_small, tmp_path / "out", "--format", "pdf") == 0
    text = " ".join(_pdf_text(tmp_path / "out" / "report.pdf").split())
    methods = text[text.index("Phương pháp và dữ liệu"):]
    for said in ("máy thu cao 1,5 m so với mặt đất", "hiệu chỉnh mô hình: không có",
                 "mô hình hata-suburban (COST 231", "nằm ngoài phạm vi áp dụng 30–200 m",
                 "theo loại lớp phủ mặt đất (chú giải ESA WorldCover v200 (mặc định))"):
        assert said in methods, said
    for english in ("receiver 1.5 m", "calibration: none", "outside its validity range",
                    "legend (default)"):
        assert english not in methods, english


def test_report_refuses_to_overwrite_and_rejects_bad_formats(
        demo_small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "maps"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"the minister's copy")
    assert _run(demo_small, out, "--format", "pdf,csv") == 2
    err = capsys.readouterr().err
    assert "report.pdf" in err and "--overwrite" in err and "Traceback" not in err
    assert (out / "report.pdf").read_bytes() == b"the minister's copy"
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]
    assert _run(demo_small, out, "--format", "pdf,docx") == 2
    assert "unknown output format(s): docx" in capsys.readouterr().err
    # said in the report's language: the preset's (Vietnamese) without --lang
    assert _run(demo_small, out, "--format", "csv", "--commune", "Nowhere") == 2
    assert "không có xã, phường nào có mã hoặc tên 'Nowhere'" in capsys.readouterr().err
    assert _run(demo_small, out, "--format", "csv", "--communes", "Nowhere", "--lang",
                "en") == 2
    assert "no commune has the code or name 'Nowhere'" in capsys.readouterr().err
    assert _run(demo_small, out, "--commune", "99001", "--communes", "all") == 2
    assert "not both" in capsys.readouterr().err
    assert _run(demo_small, out, "--format", "pdf", "--overwrite") == 0
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_full_demo_pdf_report(tmp_path: Path) -> None:
    data = ensure_demo("full", data_dir=tmp_path / "data")
    assert main(["-q", "report", str(data), "--out", str(tmp_path / "maps"), "--format",
                 "pdf", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert len(PdfReader(tmp_path / "maps" / "report.pdf").pages) >= 8


def test_report_maps_a_scenario(demo_small: Path, tmp_path: Path) -> None:
    from covplan.io import load_dataset
    from covplan.planning import Scenario, save_scenario

    sites = load_dataset(demo_small).sites
    assert sites is not None
    x, y = sites.geometry.iloc[0].x + 1_500.0, sites.geometry.iloc[0].y
    scenario = Scenario(sites, name="one more mast").add_site("NEW-1", x, y, technology="4G")
    path = save_scenario(scenario, tmp_path / "scenario.json")
    assert _run(demo_small, tmp_path / "out", "--scenario", str(path), "--format", "csv") == 0
    exported = (tmp_path / "out" / "sites.csv").read_text(encoding="utf-8-sig")
    assert "NEW-1" in exported


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_commune_reports_in_vietnamese_by_default(demo_small: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """--commune: the report of one commune; --communes all: every commune, one page each."""
    from covplan.io import load_dataset

    communes = load_dataset(demo_small).communes
    assert communes is not None
    code, name = str(communes["code"].iloc[0]), str(communes["name"].iloc[0])
    one = tmp_path / "one"
    assert _run(demo_small, one, "--format", "pdf,png", "--commune", name) == 0
    stdout = capsys.readouterr().out
    assert "các mục tiêu trên Tỉnh Minh Sơn" in stdout and "Đã ghi 8 tệp vào" in stdout
    assert sorted(p.name for p in one.iterdir()) == [
        f"commune_{code}.pdf", "map_coverage_4g.png", "map_coverage_5g.png", "map_gaps.png",
        "map_sinr_4g.png", "map_sinr_5g.png", "map_speed_4g.png", "map_speed_5g.png"]
    sheet = _pdf_text(one / f"commune_{code}.pdf")
    assert f"{name} (mã {code})" in sheet and "Số liệu của xã, phường" in sheet
    assert "Các trạm phục vụ xã, phường" in sheet and "Tỉnh Minh Sơn" in sheet

    every = tmp_path / "every"
    assert _run(demo_small, every, "--format", "csv", "--communes", "all") == 0
    capsys.readouterr()
    reader = PdfReader(every / "communes.pdf")
    assert len(reader.pages) == len(communes)  # one page per commune
    with zipfile.ZipFile(every / "communes.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"commune_{c}.pdf"
                                                    for c in communes["code"].astype(str))
        assert archive.read(f"commune_{code}.pdf").startswith(b"%PDF")
    pages = [_pdf_text(every / "communes.pdf").split("\f")[k] for k in range(len(communes))]
    for page, commune in zip(pages, communes["name"].astype(str), strict=True):
        assert commune in page and "Mục tiêu tại xã, phường" in page
