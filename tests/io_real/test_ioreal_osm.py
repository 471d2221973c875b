from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pytest
from osmium.osm.mutable import Node, Way

from covplan.errors import DataFileNotFoundError, InputError, UnsupportedFormatError
from covplan.io.osm import read_osm_roads

#: node id -> (lon, lat): a small grid near Thai Nguyen city.
NODES = {
    1: (105.8000000, 21.5900000),
    2: (105.8100000, 21.5900000),
    3: (105.8200000, 21.5901000),
    4: (105.8200000, 21.5903000),
    5: (105.8100000, 21.5903000),
    6: (105.8000000, 21.5903000),
    7: (105.8100000, 21.6000000),
    8: (105.8150000, 21.6050000),
    9: (105.8050000, 21.5950000),
    10: (105.8060000, 21.5950000),
    11: (105.8060000, 21.5960000),
    12: (105.8050000, 21.5960000),
}
#: way id -> (node refs, tags). Ways 106-108 must be dropped.
WAYS = {
    101: (
        [1, 2, 3],
        {
            "highway": "motorway",
            "ref": "CT.07",
            "oneway": "yes",
            "name": "Cao tốc Hà Nội – Thái Nguyên",
        },
    ),
    102: ([4, 5, 6], {"highway": "motorway", "ref": "CT.07", "oneway": "yes"}),
    103: ([2, 7, 8], {"highway": "trunk", "ref": "QL.3", "name": "Quốc lộ 3"}),
    104: ([5, 9, 7], {"highway": "residential", "name": "Xóm Đồng"}),
    105: ([9, 10, 11, 12, 9], {"highway": "primary", "junction": "roundabout", "oneway": "yes"}),
    106: ([1, 9], {"highway": "footway"}),
    107: ([10, 11, 12], {"building": "yes"}),
    108: ([7, 99], {"highway": "tertiary"}),  # node 99 is not in the file
}
KEPT = [101, 102, 103, 104, 105]


def _xml() -> str:
    nodes = "\n".join(
        f'  <node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>'
        for i, (lon, lat) in NODES.items()
    )
    ways = []
    for i, (refs, tags) in WAYS.items():
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        tgs = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'  <way id="{i}" version="1">{nds}{tgs}</way>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hand">\n'
        + nodes
        + "\n"
        + "\n".join(ways)
        + "\n</osm>\n"
    )


@pytest.fixture
def osm_xml(tmp_path: Path) -> Path:
    path = tmp_path / "roads.osm"
    path.write_text(_xml(), encoding="utf-8")
    return path


@pytest.fixture
def osm_pbf(tmp_path: Path) -> Path:
    path = tmp_path / "roads.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    try:
        for i, loc in NODES.items():
            writer.add_node(Node(id=i, location=loc, version=1))
        for i, (refs, tags) in WAYS.items():
            writer.add_way(Way(id=i, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    return path


def test_xml_keeps_drivable_ways_only(osm_xml: Path) -> None:
    roads = read_osm_roads(osm_xml)
    assert list(roads["osm_id"]) == KEPT
    assert list(roads.columns) == [
        "osm_id",
        "highway",
        "ref",
        "name",
        "oneway",
        "junction",
        "geometry",
    ]
    assert roads.crs.to_epsg() == 4326
    assert set(roads.geom_type) == {"LineString"}
    first = roads.set_index("osm_id").loc[101]
    assert first["ref"] == "CT.07"
    assert first["name"] == "Cao tốc Hà Nội – Thái Nguyên"
    assert list(first.geometry.coords) == [NODES[1], NODES[2], NODES[3]]
    assert roads.set_index("osm_id").loc[105, "junction"] == "roundabout"


def test_xml_and_pbf_give_the_same_roads(osm_xml: Path, osm_pbf: Path) -> None:
    from_xml = read_osm_roads(osm_xml)
    from_pbf = read_osm_roads(osm_pbf)
    assert list(from_pbf["osm_id"]) == list(from_xml["osm_id"]) == KEPT
    for column in ("highway", "ref", "name", "oneway", "junction"):
        assert from_pbf[column].tolist() == from_xml[column].tolist(), column
    np.testing.assert_allclose(
        from_pbf.to_crs(32648).length.to_numpy(),
        from_xml.to_crs(32648).length.to_numpy(),
        rtol=1e-9,
    )
    assert from_pbf.geom_equals_exact(from_xml, tolerance=1e-7).all()
    # the motorway carriageway: 1.0 km + 1.04 km of road
    assert from_xml.to_crs(32648).length.iloc[0] == pytest.approx(2077, abs=30)


def test_truncated_pbf_is_a_clear_error(osm_pbf: Path, tmp_path: Path) -> None:
    data = osm_pbf.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.osm\.pbf.*seems truncated or corrupt") as info:
        read_osm_roads(cut)
    assert "re-download or re-export" in str(info.value)


def test_garbage_pbf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pbf"
    bad.write_bytes(b"<html>404 Not Found</html>" * 20)
    with pytest.raises(InputError, match=r"bad\.pbf.*truncated or corrupt"):
        read_osm_roads(bad)


def test_truncated_xml_is_a_clear_error(osm_xml: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.osm"
    cut.write_text(osm_xml.read_text(encoding="utf-8")[:700], encoding="utf-8")
    with pytest.raises(InputError, match=r"cut\.osm.*OSM XML.*truncated or corrupt"):
        read_osm_roads(cut)


def test_file_without_roads(tmp_path: Path) -> None:
    path = tmp_path / "empty.osm"
    path.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="21" lon="105">'
        '<tag k="place" v="village"/></node></osm>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"empty\.osm.*expected drivable roads.*found none"):
        read_osm_roads(path)


def test_wrong_extension_and_missing_file(tmp_path: Path) -> None:
    other = tmp_path / "roads.shp.zip"
    other.write_bytes(b"PK")
    expected = r"roads\.shp\.zip.*\.osm, \.xml or \.osm\.pbf"
    with pytest.raises(UnsupportedFormatError, match=expected):
        read_osm_roads(other)
    with pytest.raises(DataFileNotFoundError, match=r"nowhere\.osm\.pbf"):
        read_osm_roads(tmp_path / "nowhere.osm.pbf")
