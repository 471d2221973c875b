from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from covplan.io.poikind import POI_KIND_OF, classify_pois, poi_kind_from
from covplan.schema import POI_KINDS

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("hospital", "hospital"),
        ("Hospital", "hospital"),
        (" hospital ", "hospital"),
        ("clinic", "clinic"),
        ("doctors", "clinic"),
        ("dentist", "clinic"),
        ("university", "university"),
        ("college", "college"),
        ("school", "school"),
        ("kindergarten", "kindergarten"),
        ("town_hall", "government"),
        ("townhall", "government"),
        ("town hall", "government"),
        ("public_building", "government"),
        ("police", "police"),
        ("post_office", "post_office"),
        ("post-office", "post_office"),
        ("post_box", "other"),
        ("cafe", "other"),
        ("", "other"),
        (None, "other"),
        (float("nan"), "other"),
    ],
)
def test_poi_kind_from(value: str | None, kind: str) -> None:
    assert poi_kind_from(value) == kind


def test_every_kind_is_in_the_schema() -> None:
    assert set(POI_KIND_OF.values()) <= set(POI_KINDS)


def test_classify_pois_aligned() -> None:
    frame = pd.DataFrame({"amenity": ["school", None, "townhall"]}, index=[5, 6, 7])
    kinds = classify_pois(frame, column="amenity")
    assert kinds.name == "kind"
    assert kinds.to_dict() == {5: "school", 6: "other", 7: "government"}
    with pytest.raises(KeyError, match="'fclass' not found; columns are amenity"):
        classify_pois(frame)


@pytest.mark.realdata
def test_real_osm_pois() -> None:
    if not REALDATA.is_dir():
        pytest.skip(
            "../shared/realdata not found: real-data tests need the shared folder "
            "beside the repository"
        )
    pois = gpd.read_file(REALDATA / "thai_nguyen" / "pois_osm_2018.geojson")
    counts = classify_pois(pois).value_counts().to_dict()
    assert counts == {
        "school": 9,
        "post_office": 8,
        "hospital": 6,
        "government": 3,
        "police": 3,
        "clinic": 2,
        "university": 2,
        "college": 1,
    }
