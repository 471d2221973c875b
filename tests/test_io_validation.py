"""Every bad-input case of the foundation issue yields one clear message naming the fix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from covplan.errors import (
    DataFileNotFoundError,
    InputError,
    UnsupportedFormatError,
)
from covplan.io import load_communes, load_dataset, load_sites, load_villages

HEADER = "site_id,sector,lon,lat,technology,height_m,tx_power_dbm\n"


def sites_csv(tmp_path: Path, body: str, header: str = HEADER, **kw: str) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text(header + body, encoding=kw.get("encoding", "utf-8"))
    return path


def problems(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    (tmp_path / "dataset.toml").write_text('[layers.sites]\nfile = "tram.csv"\n')
    with pytest.raises(DataFileNotFoundError,
                       match=r"tram\.csv: file not found\. Fix: check the name"):
        load_dataset(tmp_path)


def test_unknown_format_lists_what_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormatError, match=r"unknown vector format '\.xlsx'.*CSV"):
        load_sites(path)


def test_file_without_crs_says_how_to_set_one(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"code": ["1"], "name": ["A"]}, geometry=[box(105, 21, 106, 22)])
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(tmp_path / "communes.shp", engine="pyogrio")
    with pytest.raises(InputError) as err:
        load_communes(tmp_path / "communes.shp")
    assert "has no coordinate reference system" in problems(err)
    assert 'crs = "EPSG:4326" under [layers.communes]' in problems(err)


def test_coordinates_outside_vietnam(tmp_path: Path) -> None:
    path = sites_csv(tmp_path, "A,1,2.35,48.85,4G,30,46\nB,1,105.8,21.6,4G,30,46\n")
    with pytest.raises(InputError) as err:
        load_sites(path)
    text = problems(err)
    assert "line 2: coordinates outside Vietnam" in text and "lon 2.3500, lat 48.8500" in text


def test_swapped_lon_lat_is_recognised(tmp_path: Path) -> None:
    path = sites_csv(tmp_path, "A,1,21.6,105.8,4G,30,46\nB,1,21.7,105.9,4G,30,46\n")
    with pytest.raises(
        InputError,
        match=r"lines 2, 3: coordinates look like latitude/longitude "
        r"swapped.*exchange the lon and lat columns",
    ):
        load_sites(path)


def test_missing_column_suggests_the_near_miss(tmp_path: Path) -> None:
    path = sites_csv(tmp_path, "A,1,105.8,21.6,4G\n", header="site_id,sector,lng,lat,tech\n")
    with pytest.raises(InputError) as err:
        load_sites(path)
    text = problems(err)
    assert "missing required column 'lon'" in text
    assert "rename column 'lng' to 'lon'" in text and 'columns = { lon = "lng" }' in text
    assert "missing required column 'technology'" in text and "rename column 'tech'" in text


def test_duplicate_ids_are_listed(tmp_path: Path) -> None:
    path = sites_csv(
        tmp_path, "A,1,105.8,21.6,4G,30,46\nA,1,105.8,21.6,4G,30,46\nB,1,105.9,21.6,4G,30,46\n"
    )
    with pytest.raises(InputError, match=r"lines 2, 3: duplicate site_id \+ sector \(A/1\)"):
        load_sites(path)


def test_non_numeric_and_negative_heights_and_power(tmp_path: Path) -> None:
    path = sites_csv(
        tmp_path, "A,1,105.8,21.6,4G,ba mươi,46\nB,1,105.9,21.6,4G,-5,46\nC,1,105.7,21.6,4G,30,-3\n"
    )
    with pytest.raises(InputError) as err:
        load_sites(path)
    text = problems(err)
    assert "column 'height_m': line 2: expected a number, found 'ba mươi'" in text
    assert "column 'height_m': line 3: negative height_m (-5)" in text
    assert "column 'tx_power_dbm': line 4: tx_power_dbm -3 is outside the plausible range" in text
    assert err.value.problems and len(err.value.problems) == 3  # all at once


def test_unknown_technology(tmp_path: Path) -> None:
    path = sites_csv(
        tmp_path, "A,1,105.8,21.6,3G,30,46\nB,1,105.9,21.6,LTE,30,46\nC,1,105.7,21.6,NR,30,46\n"
    )
    with pytest.raises(InputError, match=r"line 2: unknown technology '3G'; expected 4G or 5G"):
        load_sites(path)


def test_technology_spellings_are_accepted(tmp_path: Path) -> None:
    path = sites_csv(tmp_path, "B,1,105.9,21.6,lte,30,46\nC,1,105.7,21.6,5G NR,30,46\n")
    assert list(load_sites(path)["technology"]) == ["4G", "5G"]


def test_empty_layer(tmp_path: Path) -> None:
    path = sites_csv(tmp_path, "")
    with pytest.raises(InputError, match=r"the layer is empty \(no features\)"):
        load_sites(path)


def test_invalid_polygon_is_repaired_with_a_note(tmp_path: Path) -> None:
    bowtie = Polygon([(105.8, 21.6), (105.9, 21.7), (105.9, 21.6), (105.8, 21.7), (105.8, 21.6)])
    frame = gpd.GeoDataFrame(
        {"code": ["1", "2"], "name": ["A", "B"]},
        geometry=[bowtie, box(105.9, 21.6, 106.0, 21.7)],
        crs=4326,
    )
    frame.to_file(tmp_path / "communes.gpkg", engine="pyogrio")
    communes = load_communes(tmp_path / "communes.gpkg")
    assert communes.is_valid.all()
    assert communes.geometry.iloc[0].area > 0
    assert any(
        "repaired 1 invalid geometry" in n and "features [1]" in n for n in communes.attrs["notes"]
    )


def test_empty_geometry_is_a_problem(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"village_id": ["1", "2"], "name": ["A", "B"]},
        geometry=[Polygon(), box(105.9, 21.6, 106.0, 21.7)],
        crs=4326,
    )
    frame.to_file(tmp_path / "villages.gpkg", engine="pyogrio")
    with pytest.raises(InputError, match=r"feature 1: missing or empty geometry"):
        load_villages(tmp_path / "villages.gpkg")


def test_mixed_geometry_types(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["1", "2"], "name": ["A", "B"]},
        geometry=[box(105.8, 21.6, 105.9, 21.7), Point(105.9, 21.6)],
        crs=4326,
    )
    frame.to_file(tmp_path / "communes.geojson", engine="pyogrio")
    with pytest.raises(
        InputError,
        match=r"feature 2: expected geometry type Polygon or "
        r"MultiPolygon, found 1 Point",
    ):
        load_communes(tmp_path / "communes.geojson")


def test_vietnamese_excel_csv_bom_semicolons_decimal_commas(tmp_path: Path) -> None:
    body = (
        "\ufeffsite_id;sector;lon;lat;technology;height_m;tx_power_dbm\n"
        "A;1;105,8;21,6;4G;32,5;46\nB;1;105,85;21,65;5G;1.025,0;53\n"
    )
    path = tmp_path / "sites.csv"
    path.write_bytes(body.encode("utf-8"))
    with pytest.raises(InputError, match="height_m 1025 is outside the plausible range 0-300"):
        load_sites(path)
    path.write_bytes(body.replace("1.025,0", "25,0").encode("utf-8"))
    sites = load_sites(path, crs="EPSG:4326")
    assert list(sites.columns[:2]) == ["site_id", "sector"]  # BOM not in the first name
    assert sites.geometry.x.tolist() == pytest.approx([105.8, 105.85])
    assert sites["height_m"].tolist() == pytest.approx([32.5, 25.0])
    assert any("decimal commas" in n for n in sites.attrs["notes"])


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    sites_csv(tmp_path, "A,1,105.8,21.6,3G,30,46\n")
    frame = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(105.8, 21.6, 105.9, 21.7)], crs=4326)
    frame.to_file(tmp_path / "communes.gpkg", engine="pyogrio")
    with pytest.raises(InputError) as err:
        load_dataset(tmp_path)
    text = problems(err)
    assert text.startswith("2 problems found in the input:")
    assert "sites.csv" in text and "communes.gpkg" in text
