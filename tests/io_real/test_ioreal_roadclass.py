from __future__ import annotations

import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString

from covplan.io.roadclass import canonical_ref, classify_roads, normalise_ref, road_class_from
from covplan.schema import ROAD_CLASSES


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("QL.3", [("QL", "3")]),
        ("QL3", [("QL", "3")]),
        ("QL 3", [("QL", "3")]),
        ("ql.3", [("QL", "3")]),
        ("QL-3", [("QL", "3")]),
        ("Quốc lộ 3", [("QL", "3")]),
        (nfd("Quốc lộ 3"), [("QL", "3")]),
        ("quoc lo 3", [("QL", "3")]),
        ("QUỐC LỘ 3", [("QL", "3")]),
        ("Đường Quốc lộ 3", [("QL", "3")]),
        ("QL.03", [("QL", "3")]),
        ("QL.1A", [("QL", "1A")]),
        ("QL1A", [("QL", "1A")]),
        ("QL.21C", [("QL", "21C")]),
        ("QL 3 (cũ)", [("QL", "3")]),
        ("CT.07", [("CT", "07")]),
        ("CT07", [("CT", "07")]),
        ("CT.7", [("CT", "07")]),
        ("ct 01", [("CT", "01")]),
        ("cao tốc", [("CT", "")]),
        ("Cao tốc Hà Nội – Thái Nguyên", [("CT", "")]),
        (nfd("Cao tốc Hà Nội – Thái Nguyên"), [("CT", "")]),
        ("Đường cao tốc Vành đai 3", [("CT", "")]),
        ("ĐT.261", [("ĐT", "261")]),
        (nfd("ĐT.261"), [("ĐT", "261")]),
        ("DT261", [("ĐT", "261")]),
        ("DT.261", [("ĐT", "261")]),
        ("đt 261", [("ĐT", "261")]),
        ("Đường tỉnh 261", [("ĐT", "261")]),
        ("Duong tinh 261", [("ĐT", "261")]),
        ("TL.261", [("ĐT", "261")]),
        ("Tỉnh lộ 261", [("ĐT", "261")]),
        ("ĐT.295B", [("ĐT", "295B")]),
        ("ĐH.12", [("ĐH", "12")]),
        ("AH1", [("AH", "1")]),
        ("AH14", [("AH", "14")]),
        ("AH 14", [("AH", "14")]),
        ("CT.01;CT.37;QL.1", [("CT", "01"), ("CT", "37"), ("QL", "1")]),
        ("CT.37;CT.01;QL1", [("CT", "37"), ("CT", "01"), ("QL", "1")]),
        ("QL.6; ĐT.70", [("QL", "6"), ("ĐT", "70")]),
        ("QL.1/AH1", [("QL", "1"), ("AH", "1")]),
        ("QL.3;QL3", [("QL", "3")]),  # repeats collapse
        ("34", []),  # a bare number has no prefix
        ("CTY", []),
        ("Ngõ 25 Đường Tỉnh 422B", []),  # an alley named after the road, not the road
        ("Đường Song Hành Cao Tốc Pháp Vân", []),
        ("", []),
        ("  ", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_normalise_ref(ref: str | None, expected: list[tuple[str, str]]) -> None:
    assert normalise_ref(ref) == expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("quoc lo 3", "QL.3"),
        ("CT07", "CT.07"),
        ("DT261", "ĐT.261"),
        ("AH14", "AH14"),
        ("CT.37;CT.01;QL1", "CT.37;CT.01;QL.1"),
        ("Cao tốc Hà Nội – Thái Nguyên", "CT"),
        ("34", None),
        (None, None),
    ],
)
def test_canonical_ref(ref: str | None, expected: str | None) -> None:
    assert canonical_ref(ref) == expected


@pytest.mark.parametrize(
    ("highway", "ref", "name", "expected"),
    [
        # a reference decides
        ("trunk", "CT.07", None, "expressway"),
        ("primary", "QL.3", None, "national"),
        ("secondary", "QL3", None, "national"),
        ("residential", "AH1", None, "national"),
        ("primary", "ĐT.261", None, "provincial"),
        ("trunk", "ĐT.70", None, "provincial"),  # trunk unless a ref says otherwise
        ("tertiary", "ĐH.12", None, "local"),
        ("trunk", "ĐH.12", None, "local"),
        (None, "QL.3", None, "national"),
        # a ;-separated ref takes the highest class
        ("trunk", "QL.6;ĐT.70", None, "national"),
        ("primary", "ĐT.70;QL.6", None, "national"),
        ("trunk", "CT.01;CT.37;QL.1", None, "expressway"),
        ("primary", "ĐT.70;ĐH.3", None, "provincial"),
        # motorway is always expressway
        ("motorway", None, None, "expressway"),
        ("motorway", "QL.1", None, "expressway"),
        ("motorway_link", None, None, "expressway"),
        ("MOTORWAY", None, None, "expressway"),
        # no ref: the highway tag (OSM Vietnam convention)
        ("trunk", None, None, "national"),
        ("trunk_link", None, None, "national"),
        ("primary", None, None, "provincial"),
        ("primary_link", None, None, "provincial"),
        ("secondary", None, None, "local"),
        ("tertiary", None, None, "local"),
        ("residential", None, None, "local"),
        ("unclassified", "34", None, "local"),
        (None, None, None, "local"),
        ("", "", "", "local"),
        # a name that starts with a designation stands in for a missing ref
        ("secondary", None, "Đường tỉnh 72", "provincial"),
        ("primary", None, "Quốc lộ 3", "national"),
        ("trunk", None, "Cao tốc Hà Nội – Thái Nguyên", "expressway"),
        ("primary", "ĐT.261", "Quốc lộ 3", "provincial"),  # the ref wins over the name
        ("residential", None, "Ngõ 136 Đường Tỉnh 422B", "local"),
        ("tertiary", None, "Đường Song Hành Cao Tốc Pháp Vân - Cầu Giẽ", "local"),
        ("residential", None, "Phố Quốc Tử Giám", "local"),
    ],
)
def test_road_class_from(
    highway: str | None, ref: str | None, name: str | None, expected: str
) -> None:
    assert road_class_from(highway, ref, name) == expected


def test_classify_roads_aligned_and_named() -> None:
    line = LineString([(0, 0), (1, 1)])
    gdf = gpd.GeoDataFrame(
        {
            "highway": ["motorway", "trunk", "primary", "residential", None],
            "ref": ["CT.01", None, "ĐT.70", None, "QL.3"],
            "name": [None, None, None, "Đường tỉnh 72", None],
        },
        geometry=[line] * 5,
        index=[10, 20, 30, 40, 50],
        crs=32648,
    )
    result = classify_roads(gdf)
    assert result.name == "road_class"
    assert list(result.index) == [10, 20, 30, 40, 50]
    assert list(result) == ["expressway", "national", "provincial", "provincial", "national"]
    assert set(result) <= set(ROAD_CLASSES)


def test_classify_roads_custom_and_missing_columns() -> None:
    frame = pd.DataFrame({"loai": ["trunk", "primary"], "so_hieu": ["ĐT.1", None]})
    result = classify_roads(frame, highway="loai", ref="so_hieu", name="ten")
    assert list(result) == ["provincial", "provincial"]
