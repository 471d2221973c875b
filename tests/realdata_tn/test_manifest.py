"""The real Thai Nguyen data loads through its manifest; `covplan info`/`validate` run on it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from covplan.cli.main import main
from covplan.i18n import language, said
from covplan.io import load_dataset

MANIFEST = Path(__file__).with_name("dataset.toml")
pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def thai_nguyen(realdata: Path):  # type: ignore[no-untyped-def]
    return load_dataset(MANIFEST)


def test_every_layer_loads_in_the_working_crs(thai_nguyen, realdata: Path) -> None:  # type: ignore[no-untyped-def]
    ds = thai_nguyen
    assert ds.crs.to_epsg() == 32648
    assert len(ds.communes) == 92 and ds.communes["code"].str.fullmatch(r"\d{5}").all()
    assert ds.communes.is_valid.all()
    assert ds.communes.area.sum() / 1e6 == pytest.approx(8375.21, rel=0.01)
    assert set(ds.roads["road_class"]) == {"national", "provincial"}  # railways filtered out
    assert (ds.layer("pois")["kind"] == "hospital").sum() == 6
    assert ds.terrain is not None
    # Thai Nguyen city (21.59 N, 105.84 E) lies at about 33 m; Tam Dao peaks near 1,580 m.
    x, y = Transformer.from_crs(4326, ds.crs, always_xy=True).transform(105.84, 21.59)
    assert ds.terrain.sample(np.array([x]), np.array([y]))[0] == pytest.approx(33, abs=6)
    assert np.nanmax(ds.terrain.data) == pytest.approx(1580, abs=15)
    # Only the voids of the part read (the province and 5 km around it) are filled: count
    # them in the tile's own bytes, over the samples inside that box.
    tile = np.fromfile(realdata / "thai_nguyen" / "N21E105.hgt", dtype=">i2").reshape(1201, 1201)
    lat = 22.0 - np.arange(1201) / 1200.0
    lon = 105.0 + np.arange(1201) / 1200.0
    west, south, east, north = ds.communes.total_bounds + np.array([-5e3, -5e3, 5e3, 5e3])
    corners = Transformer.from_crs(ds.crs, 4326, always_xy=True).transform(
        [west, east, west, east], [south, south, north, north])
    rows = (lat >= min(corners[1])) & (lat <= max(corners[1]))
    cols = (lon >= min(corners[0])) & (lon <= max(corners[0]))
    voids = int((tile[np.ix_(rows, cols)] == -32768).sum())
    note = next(n for n in ds.notes if "void cells" in n)
    filled = int(re.search(r"filled ([\d,]+) void", note).group(1).replace(",", ""))
    assert 0 < voids <= 1_539 and filled == pytest.approx(voids, rel=0.03)
    # said in Vietnamese for the report and `covplan validate --lang vi`: 1.273, not 1,273
    vi = said(note, language("vi"))
    written = f"{filled:,}".replace(",", ".")
    assert vi == f"terrain: đã lấp {written} ô trống dữ liệu trong N21E105.hgt", vi


def test_population_is_conserved_into_communes(thai_nguyen) -> None:  # type: ignore[no-untyped-def]
    # WorldPop 2020 1 km inside the province: 1,495,114 (shared/realdata README)
    assert thai_nguyen.communes["population"].sum() == pytest.approx(1_495_114, rel=0.01)


def test_village_points_become_catchments_inside_communes(thai_nguyen) -> None:  # type: ignore[no-untyped-def]
    villages = thai_nguyen.villages
    assert (villages.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    assert villages["commune"].isin(set(thai_nguyen.communes["code"])).all()
    assert villages.area.sum() <= thai_nguyen.communes.area.sum() * 1.0001


def test_info_and_validate_run_on_the_manifest(realdata: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "validate", str(MANIFEST.parent)]) == 0
    assert main(["-q", "info", str(MANIFEST.parent)]) == 0
    out = capsys.readouterr().out
    assert "Thái Nguyên (real data, 2025 communes)" in out
    assert "void cells inside N21E105.hgt" in out
    # both commands state the terrain's share (the tile covers the south-west part only)
    assert out.count("Terrain: N21E105.hgt covers 38 % of the study area") == 2
    assert "flat ground at" in out and "N22E105.hgt" in out
    # in Vietnamese, numbers the Vietnamese way (86,2 m is not 86 thousand metres)
    assert main(["-q", "info", str(MANIFEST.parent), "--lang", "vi"]) == 0
    said = capsys.readouterr().out
    assert "raster 1092×1933, ô 86,2 m" in said and "dân số 1.498.693" in said


def test_an_officials_bad_tower_list_is_explained_in_vietnamese(
    realdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real province with a tower list as an operator keeps it (Vietnamese headers), a
    height written as a word and a 3G row: `validate --lang vi` names the file, column and
    line of each problem in Vietnamese, and how to fix it; nothing else is refused."""
    real = realdata / "thai_nguyen"
    (tmp_path / "my_towers.csv").write_text(
        "Mã trạm,Kinh độ,Vĩ độ,Công nghệ,Nhà mạng,Độ cao (m),Hướng (độ)\n"
        "TN001,105.8442,21.5928,4G,Viettel,35,0\n"
        "TN001,105.8442,21.5928,4G,Viettel,cao,120\n"
        "TN002,105.7800,21.6500,3G,VinaPhone,30,\n", encoding="utf-8")
    manifest = MANIFEST.read_text(encoding="utf-8").replace(
        "../../../shared/realdata/thai_nguyen/", f"{real.as_posix()}/")
    manifest += (
        '\n[layers.sites]\nfile = "my_towers.csv"\ncolumns = { site_id = "Mã trạm", '
        'lon = "Kinh độ", lat = "Vĩ độ", technology = "Công nghệ", operator = "Nhà mạng", '
        'height_m = "Độ cao (m)", azimuth_deg = "Hướng (độ)" }\n')
    (tmp_path / "dataset.toml").write_text(manifest, encoding="utf-8")
    assert main(["-q", "validate", str(tmp_path), "--lang", "vi"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("Lỗi: Phát hiện 2 lỗi trong dữ liệu đầu vào:\n"), said
    problems = said.splitlines()[1:3]
    (height,) = [p for p in problems if "(height_m)" in p]
    (technology,) = [p for p in problems if "(technology)" in p]
    # the column as the official's file names it, with covplan's name beside it
    assert height.startswith("  - my_towers.csv: lớp 'sites': cột 'Độ cao (m)' (height_m): "
                             "dòng 3: ")
    assert "cột 'Công nghệ' (technology)" in technology
    assert "'cao'" in height and "cần một số" in height and "Cách sửa: " in height
    assert "dòng 4: " in technology and "'3G'" in technology
    assert "expected" not in said and "Fix:" not in said
