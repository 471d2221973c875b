from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

from covplan.errors import InputError
from covplan.io.carriageways import merge_dual_carriageways, weighted_length_m

X0, Y0 = 580_000.0, 2_390_000.0  # UTM 48N, near Thai Nguyen
LENGTH_M = 10_000.0


def _pair(gap_m: float, *, opposite: bool = True, **columns: list[object]) -> gpd.GeoDataFrame:
    """Two 10 km one-way lines ``gap_m`` apart; the second drawn backwards when opposite."""
    east = LineString([(X0, Y0), (X0 + LENGTH_M / 2, Y0 + 1.0), (X0 + LENGTH_M, Y0)])
    coords = [(X0 + LENGTH_M, Y0 + gap_m), (X0 + LENGTH_M / 2, Y0 + gap_m + 1.0), (X0, Y0 + gap_m)]
    west = LineString(coords if opposite else coords[::-1])
    data: dict[str, list[object]] = {
        "road_class": ["national", "national"],
        "highway": ["trunk", "trunk"],
        "ref": ["QL.3", "QL.3"],
        "oneway": ["yes", "yes"],
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=[east, west], crs=32648)


def total_km(roads: gpd.GeoDataFrame) -> float:
    return float(weighted_length_m(roads).sum()) / 1000


def test_dual_carriageway_20m_apart_counts_once() -> None:
    merged = merge_dual_carriageways(_pair(20.0))
    assert total_km(merged) == pytest.approx(10.0, rel=0.01)
    assert list(merged["carriageway"]) == ["dual", "dual"]
    np.testing.assert_allclose(merged["length_weight"], 0.5)
    # geometry is untouched: coverage can still be sampled on both carriageways
    assert merged.geometry.geom_equals(_pair(20.0).geometry).all()


def test_roads_500m_apart_count_twice() -> None:
    merged = merge_dual_carriageways(_pair(500.0))
    assert total_km(merged) == pytest.approx(20.0, rel=1e-6)
    assert list(merged["carriageway"]) == ["single", "single"]


@pytest.mark.parametrize(
    ("case", "columns"),
    [
        ("same direction", {"opposite": False}),
        ("two-way roads", {"oneway": [None, None]}),
        ("different refs", {"ref": ["QL.3", "QL.37"]}),
        ("different classes", {"road_class": ["national", "provincial"]}),
        ("links", {"highway": ["trunk_link", "trunk_link"]}),
        ("different names, no ref", {"ref": [None, None], "name": ["Phố A", "Phố B"]}),
    ],
)
def test_not_paired(case: str, columns: dict[str, object]) -> None:
    opposite = bool(columns.pop("opposite", True))
    merged = merge_dual_carriageways(_pair(20.0, opposite=opposite, **columns))  # type: ignore[arg-type]
    assert total_km(merged) == pytest.approx(20.0, rel=1e-6), case


def test_paired_by_overlapping_refs_reversed_oneway_and_implied_motorway() -> None:
    # refs listed in different orders, one side sharing only CT.01
    roads = _pair(
        30.0,
        ref=["CT.01;CT.37;QL.1", "CT.37;CT.01"],
        road_class=["expressway", "expressway"],
        highway=["motorway", "motorway"],
        oneway=[None, None],
    )
    assert total_km(merge_dual_carriageways(roads)) == pytest.approx(10.0, rel=0.01)
    # a way drawn the same way but tagged oneway=-1 runs opposite
    roads = _pair(20.0, opposite=False, oneway=["yes", "-1"])
    assert total_km(merge_dual_carriageways(roads)) == pytest.approx(10.0, rel=0.01)


def test_expressways_may_be_farther_apart() -> None:
    columns = {"road_class": ["expressway"] * 2, "highway": ["motorway"] * 2, "ref": ["CT.03"] * 2}
    assert total_km(merge_dual_carriageways(_pair(47.0, **columns))) == pytest.approx(10, rel=0.01)
    assert total_km(merge_dual_carriageways(_pair(47.0))) == pytest.approx(20, rel=1e-6)


def test_partly_divided_road_counts_its_centre_line() -> None:
    # one carriageway 10 km, the other only along its first 4 km
    east = LineString([(X0, Y0), (X0 + LENGTH_M, Y0)])
    west = LineString([(X0 + 4000, Y0 + 20), (X0, Y0 + 20)])
    roads = gpd.GeoDataFrame(
        {"road_class": ["national"] * 2, "oneway": ["yes"] * 2}, geometry=[east, west], crs=32648
    )
    merged = merge_dual_carriageways(roads)
    assert total_km(merged) == pytest.approx(10.0, rel=0.01)
    assert merged["length_weight"].iloc[0] == pytest.approx(0.8, abs=0.01)


def test_refuses_geographic_crs() -> None:
    roads = _pair(20.0).to_crs(4326)
    with pytest.raises(InputError,
                       match=r"metric \(projected\) CRS.*EPSG:4326.*crs = \"EPSG:32648\""):
        merge_dual_carriageways(roads)
