"""Presets name their province: a dataset of another province gets a warning."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import CRS
from shapely.geometry import box

from covplan.errors import ConfigError
from covplan.io import Dataset
from covplan.targets import load_targets, parse_targets, province_warning
from covplan.targets.province import fold_province, share_inside

UTM48N = CRS.from_epsg(32648)
TARGET = {"id": "roads", "label": "Roads", "layer": "roads", "measure": "length_share",
          "technologies": ["4G"], "goal_percent": 100}


def _dataset(west: float, south: float, east: float, north: float, **fields: object
             ) -> Dataset:
    """One commune covering a lon/lat box, in UTM 48N."""
    communes = gpd.GeoDataFrame({"code": ["1"], "name": ["Xã Một"]},
                                geometry=[box(west, south, east, north)], crs=4326)
    return Dataset(name="Thử", path=Path("."), crs=UTM48N,
                   vectors={"communes": communes.to_crs(UTM48N)}, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("a", "b"), [
    ("Thái Nguyên", "thai nguyen"),
    ("Tỉnh Thái Nguyên", "THÁI NGUYÊN"),
    ("Thành phố Hà Nội", "Hà Nội"),
    ("Bắc Ninh", "Tỉnh  Bắc   Ninh"),
    ("Đắk Lắk", "dak lak"),
])
def test_province_names_are_compared_folded(a: str, b: str) -> None:
    assert fold_province(a) == fold_province(b)


def test_different_provinces_stay_different() -> None:
    assert fold_province("Bắc Ninh") != fold_province("Bắc Giang")
    assert fold_province("Thái Nguyên") != fold_province("Thái Bình")


def test_presets_name_their_province_and_extent() -> None:
    tn, bn = load_targets("thai_nguyen_2025"), load_targets("bac_ninh_2030")
    assert tn.province == "Thái Nguyên" and bn.province == "Bắc Ninh"
    # the merged Thai Nguyen (with Bac Kan) reaches 22.74 N; the merged Bac Ninh (with
    # Bac Giang) reaches 107.0 E
    assert tn.extent_lonlat == (105.43, 21.32, 106.25, 22.75)
    assert bn.extent_lonlat is not None and bn.extent_lonlat[2] > 107.0


@pytest.mark.realdata
def test_real_communes_warn_only_under_another_provinces_preset(realdata: Path) -> None:
    communes = gpd.read_file(realdata / "thai_nguyen" / "communes_2025.geojson").to_crs(UTM48N)
    dataset = Dataset(name="Thái Nguyên 2025 communes", path=realdata, crs=UTM48N,
                      vectors={"communes": communes})
    tn, bn = load_targets("thai_nguyen_2025"), load_targets("bac_ninh_2030")
    assert province_warning(dataset, tn) is None
    warning = province_warning(dataset, bn)
    assert warning is not None
    assert "'Bắc Ninh 2030' are for Bắc Ninh" in warning and "Fix: choose the targets" in warning
    # independent reference: clip the communes to Bac Ninh's box in UTM and sum the areas
    assert bn.extent_lonlat is not None
    clip_box = gpd.GeoSeries([box(*bn.extent_lonlat)], crs=4326).to_crs(UTM48N)
    inside = gpd.clip(communes, clip_box).area.sum() / communes.area.sum()
    assert 0.02 < inside < 0.2  # only the southern strip (Pho Yen, Song Cong) is in the box
    assert share_inside(dataset, bn.extent_lonlat) == pytest.approx(inside, abs=0.01)
    assert f"only {100 * inside:.0f} % of the study area" in warning


def test_a_manifest_naming_another_province_warns() -> None:
    tn = load_targets("thai_nguyen_2025")
    inside = _dataset(105.8, 21.6, 105.9, 21.7, province="Tỉnh Bắc Giang")
    warning = province_warning(inside, tn)
    assert warning is not None
    assert "are for Thái Nguyên, but the dataset Thử covers Tỉnh Bắc Giang" in warning
    assert "correct [dataset] province in dataset.toml" in warning
    assert province_warning(replace(inside, province="tỉnh thái nguyên"), tn) is None


def test_half_outside_the_extent_is_the_limit() -> None:
    tn = load_targets("thai_nguyen_2025")
    # boxes straddling Thai Nguyen's eastern edge (106.25 E): 60 % inside, then 40 %
    assert province_warning(_dataset(106.10, 21.6, 106.35, 21.7), tn) is None
    assert province_warning(_dataset(106.15, 21.6, 106.40, 21.7), tn) is not None


def test_synthetic_data_and_files_without_a_province_get_no_warning() -> None:
    far = _dataset(108.0, 12.0, 108.2, 12.2)  # in Khanh Hoa, far from both presets
    assert province_warning(replace(far, synthetic=True),
                            load_targets("thai_nguyen_2025")) is None
    plain = parse_targets({"preset": {"name": "Mine"}, "target": [TARGET]})
    assert plain.province == "" and plain.extent_lonlat is None
    assert province_warning(far, plain) is None


@pytest.mark.parametrize("extent", [
    [21.32, 105.43, 22.75, 106.25],  # lat/lon swapped: "latitudes" beyond 90
    [105.43, 21.32, 106.25],
    [105.43, 21.32, 106.25, "22.75"],
    "105.43, 21.32, 106.25, 22.75",
])
def test_a_bad_extent_is_refused_with_its_fix(extent: object) -> None:
    doc = {"preset": {"name": "Mine", "extent_lonlat": extent}, "target": [TARGET]}
    with pytest.raises(ConfigError, match=r"\[preset\]: extent_lonlat should be \[west, south, "
                                          r"east, north\].*Fix: write it as extent_lonlat"):
        parse_targets(doc)
