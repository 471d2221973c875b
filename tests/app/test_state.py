"""The planner's pure state functions: clicks become sites, undo, ids, azimuths, files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from covplan.app.state import (
    SiteForm,
    add_site_at,
    clicked_point,
    edits_key,
    move_site_to,
    nearest_site,
    next_site_id,
    parse_azimuths,
    scenario_json,
    site_changes,
    undo,
)
from covplan.errors import InputError
from covplan.io.context import FileContext
from covplan.io.sites import normalise_sites
from covplan.planning import Scenario, load_scenario


@pytest.fixture
def baseline() -> Scenario:
    frame = gpd.GeoDataFrame(
        {
            "site_id": ["A", "A", "A"],
            "sector": [1, 2, 3],
            "technology": ["4G"] * 3,
            "azimuth_deg": [0.0, 120.0, 240.0],
        },
        geometry=[Point(585_000, 2_390_000)] * 3,
        crs=32648,
    )
    ctx = FileContext("test", "sites")
    return Scenario(normalise_sites(frame, ctx), dataset="test")


def test_click_adds_a_three_sector_site_where_clicked(baseline: Scenario) -> None:
    form = SiteForm.defaults("5G")
    assert (form.height_m, form.tx_power_dbm) == (25.0, 53.0)
    after = add_site_at(baseline, 21.6, 105.8, form)
    new = after.sites[after.sites["site_id"] == "NEW-001"]
    assert len(new) == 3 and set(new["technology"]) == {"5G"}
    assert sorted(new["azimuth_deg"]) == [0.0, 120.0, 240.0]
    assert (new["status"] == "planned").all()
    lonlat = new.to_crs(4326).geometry.iloc[0]
    assert (lonlat.x, lonlat.y) == pytest.approx((105.8, 21.6), abs=1e-9)
    assert next_site_id(after) == "NEW-002"


def test_omni_site_and_undo_restore_the_baseline(baseline: Scenario) -> None:
    form = SiteForm(technology="4G", azimuths_deg=())
    after = add_site_at(baseline, 21.6, 105.8, form)
    assert np.isnan(after.sites.iloc[-1]["azimuth_deg"]) and len(after.sites) == 4
    restored = undo(after)
    assert restored.edits == () and len(restored.sites) == 3
    assert edits_key(restored) == edits_key(baseline)
    assert undo(baseline) is baseline


def test_nearest_site_and_move(baseline: Scenario) -> None:
    lonlat = baseline.sites.to_crs(4326).geometry.iloc[0]
    assert nearest_site(baseline, lonlat.y + 0.001, lonlat.x) == "A"  # ~111 m away
    assert nearest_site(baseline, lonlat.y + 0.05, lonlat.x) is None  # ~5.5 km away
    moved = move_site_to(baseline, "A", lonlat.y + 0.01, lonlat.x)
    assert moved.sites.geometry.y.iloc[0] - baseline.sites.geometry.y.iloc[0] == pytest.approx(
        1106, abs=5
    )  # 0.01 degree of latitude at 21.6 N is about 1,106 m


def test_parse_azimuths() -> None:
    assert parse_azimuths("0, 120 ,240") == (0.0, 120.0, 240.0)
    assert parse_azimuths("-30;400") == (330.0, 40.0)
    assert parse_azimuths("omni") == () and parse_azimuths("") == ()
    with pytest.raises(ValueError, match="azimuth 'north' is not a number"):
        parse_azimuths("north")


def test_clicked_point_reads_streamlit_folium_events() -> None:
    assert clicked_point({"last_clicked": {"lat": 21.5, "lng": 105.9}}) == (21.5, 105.9)
    assert clicked_point({"last_clicked": None}) is None
    assert clicked_point(None) is None


def test_only_gaps_on_target_road_classes_are_highlighted() -> None:
    from shapely.geometry import LineString

    from covplan.app.state import gaps_to_highlight, target_road_classes
    from covplan.targets import load_targets

    targets = load_targets("thai_nguyen_2025")
    assert target_road_classes(targets) == ("expressway", "national")
    gaps = gpd.GeoDataFrame(
        {"road_class": ["national", "local", "expressway"]},
        geometry=[LineString([(0, 0), (1, 0)])] * 3,
        crs=32648,
    )
    assert list(gaps_to_highlight(gaps, targets)["road_class"]) == ["national", "expressway"]
    assert target_road_classes(load_targets("bac_ninh_2030")) is None  # no road target


def test_site_changes_hide_moved_and_removed_sites_and_draw_new_ones(baseline: Scenario) -> None:
    assert site_changes(baseline)[0] == () and site_changes(baseline)[1].empty
    added = add_site_at(baseline, 21.6, 105.8, SiteForm(azimuths_deg=(0.0,)))
    hidden, drawn = site_changes(added)
    assert hidden == () and set(drawn["site_id"]) == {"NEW-001"}
    moved = move_site_to(added, "A", 21.61, 105.81)
    hidden, drawn = site_changes(moved)
    assert hidden == ("A",) and set(drawn["site_id"]) == {"A", "NEW-001"}
    assert len(drawn[drawn["site_id"] == "A"]) == 3  # every sector of the moved site
    hidden, drawn = site_changes(baseline.remove_site("A"))
    assert hidden == ("A",) and drawn.empty


def test_edited_sites_say_what_the_scenario_did_not_their_old_status(baseline: Scenario) -> None:
    added = add_site_at(baseline, 21.6, 105.8, SiteForm(azimuths_deg=(0.0,)))
    _, drawn = site_changes(move_site_to(added, "A", 21.61, 105.81))
    status = dict(zip(drawn["site_id"], drawn["status"], strict=True))
    assert status == {"NEW-001": "new (scenario)", "A": "moved (scenario)"}


def test_the_scenario_file_gives_lon_lat_beside_x_y_and_reads_back(
    baseline: Scenario, tmp_path: Path
) -> None:
    scenario = move_site_to(add_site_at(baseline, 21.6, 105.8, SiteForm()), "A", 21.61, 105.81)
    document = json.loads(scenario_json(scenario))
    first, second = document["edits"]
    assert list(first)[:6] == ["op", "site_id", "x", "y", "lon", "lat"]
    assert (first["lon"], first["lat"]) == pytest.approx((105.8, 21.6), abs=1e-7)
    assert (second["lon"], second["lat"]) == pytest.approx((105.81, 21.61), abs=1e-7)
    path = tmp_path / "scenario.json"
    path.write_bytes(scenario_json(scenario))
    loaded = load_scenario(path, baseline.baseline)
    assert_geodataframe_equal(loaded.sites, scenario.sites)  # x/y place the sites exactly
    old = {**document, "edits": [{k: v for k, v in e.items() if k not in ("lon", "lat")}
                                 for e in document["edits"]]}
    path.write_text(json.dumps(old))  # a file from before lon/lat: still read
    assert_geodataframe_equal(load_scenario(path, baseline.baseline).sites, scenario.sites)


def test_a_scenario_file_whose_lon_lat_and_x_y_disagree_is_refused(
    baseline: Scenario, tmp_path: Path
) -> None:
    document = json.loads(scenario_json(add_site_at(baseline, 21.6, 105.8, SiteForm())))
    document["edits"][0]["lon"] = 105.9  # edited by hand: about 10 km east
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"x/y and lon/lat give two positions 10,3\d\d m apart"):
        load_scenario(path, baseline.baseline)

