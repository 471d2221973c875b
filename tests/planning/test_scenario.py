"""Scenarios: edits, diff, file round trip and validation (no engine needed)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

from covplan.errors import ConfigError, InputError, OutputExistsError
from covplan.planning import Scenario, load_scenario, save_scenario, sites_hash
from covplan.planning.scenario import sites_diff
from covplan.radio.defaults import SECTOR_DEFAULTS

THREE = [{"azimuth_deg": a} for a in (0.0, 120.0, 240.0)]


def _edited(sites: gpd.GeoDataFrame) -> Scenario:
    return (Scenario(sites, name="test", dataset="tiny")
            .add_site("NEW1", 584_000.0, 2_389_000.0, technology="5G", height_m=35,
                      sectors=THREE)
            .move_site("TN001", 583_400.0, 2_389_400.0)
            .modify_site("TN002", tilt_deg=2.0)
            .remove_site("TN001", sector=2)
            .modify_site("TN003", technology="5G"))


def test_edits_apply_in_order(sites: gpd.GeoDataFrame) -> None:
    out = _edited(sites).sites
    new = out[out["site_id"] == "NEW1"]
    assert new["sector"].tolist() == [1, 2, 3]
    assert new["azimuth_deg"].tolist() == [0.0, 120.0, 240.0]
    assert (new["height_m"] == 35.0).all()
    assert (new["frequency_mhz"] == SECTOR_DEFAULTS["5G"].frequency_mhz).all()
    assert (new["status"] == "planned").all()
    moved = out[out["site_id"] == "TN001"]
    assert moved["sector"].tolist() == [1, 3]
    assert moved.geometry.x.tolist() == [583_400.0, 583_400.0]
    assert out.loc[out["site_id"] == "TN002", "tilt_deg"].item() == 2.0
    changed = out[out["site_id"] == "TN003"].iloc[0]
    assert changed["technology"] == "5G"
    assert changed["frequency_mhz"] == SECTOR_DEFAULTS["5G"].frequency_mhz  # reset to 5G
    assert changed["height_m"] == 35.0 and changed["azimuth_deg"] == 90.0  # kept
    assert len(out) == len(sites) + 3 - 1


def test_diff_lists_every_changed_sector(sites: gpd.GeoDataFrame) -> None:
    diff = _edited(sites).diff().set_index(["site_id", "sector"])
    assert diff.loc[("NEW1", 1), "change"] == "added"
    assert diff.loc[("TN001", 2), "change"] == "removed"
    assert diff.loc[("TN001", 1), "change"] == "moved"
    assert diff.loc[("TN001", 1), "moved_m"] > 50
    assert diff.loc[("TN002", 1), "details"] == "tilt_deg 6 -> 2"
    assert "technology 4G -> 5G" in diff.loc[("TN003", 1), "details"]
    assert diff.loc[("TN001", 3), "change"] == "moved"
    assert len(diff) == 3 + 1 + 2 + 1 + 1
    assert Scenario(sites).diff().empty
    # only the sites the edits name are compared: the same as comparing every sector
    edited = _edited(sites)
    assert_geodataframe_equal(edited.diff(), sites_diff(edited.baseline, edited.sites))


def test_removing_an_added_site_gives_back_the_baseline(sites: gpd.GeoDataFrame) -> None:
    back = (Scenario(sites).add_site("X", 584_000, 2_389_000, technology="4G", cost=3.0,
                                     sectors=THREE).remove_site("X"))
    assert_geodataframe_equal(back.sites, sites.reset_index(drop=True))
    assert back.diff().empty
    assert sites_hash(back.sites) == sites_hash(sites)


def test_scenario_file_round_trip(sites: gpd.GeoDataFrame, tmp_path: Path) -> None:
    scenario = _edited(sites)
    path = save_scenario(scenario, tmp_path / "out" / "s.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["covplan_scenario"] == 1
    assert document["baseline"]["sites_sha256"] == sites_hash(sites)
    assert [e["op"] for e in document["edits"]] == ["add", "move", "modify", "remove", "modify"]
    loaded = load_scenario(path, sites)
    assert loaded.edits == scenario.edits
    assert loaded.name == "test" and loaded.dataset == "tiny"
    assert_geodataframe_equal(loaded.sites, scenario.sites)
    assert [p.name for p in path.parent.iterdir()] == ["s.json"]  # no temporary file left
    with pytest.raises(OutputExistsError, match="overwrite"):
        save_scenario(scenario, path)
    save_scenario(scenario, path, overwrite=True)


def test_lon_lat_positions_are_projected(sites: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "ll.json"
    path.write_text(json.dumps({"covplan_scenario": 1, "edits": [
        {"op": "add", "site_id": "LL", "lon": 105.805, "lat": 21.605, "technology": "4G"}]}))
    added = load_scenario(path, sites).sites.query("site_id == 'LL'")
    first = sites.iloc[0].geometry  # TN001 is at the same lon/lat
    assert added.geometry.iloc[0].distance(first) < 1e-6


def test_every_bad_edit_is_reported_at_once(sites: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"covplan_scenario": 1, "edits": [
        {"op": "add", "site_id": "OK", "x": 584000, "y": 2389000, "technology": "4G"},
        {"op": "explode", "site_id": "TN001"},
        {"op": "remove", "site_id": "NOPE"},
        {"op": "modify", "site_id": "TN002", "height_m": 1000},
        {"op": "modify", "site_id": "TN002", "colour": "red", "tilt_deg": 3},
        {"op": "move", "site_id": "TN003"},
        {"op": "add", "site_id": "OK", "x": 584100, "y": 2389100, "technology": "4G"},
        {"op": "remove", "site_id": "OK"},
    ]}))
    with pytest.raises(InputError) as caught:
        load_scenario(path, sites)
    problems = caught.value.problems
    assert [p.rows for p in problems] == [(2,), (3,), (4,), (5,), (6,), (7,)]
    text = str(caught.value)
    assert "6 problems" in text
    assert "unknown op 'explode'" in text
    assert "site 'NOPE' does not exist" in text
    assert "height_m 1000 is outside the plausible range" in text
    assert "unknown field colour" in text
    assert "a move needs a position" in text
    assert "'OK' already exists" in text
    assert all(p.file == str(path) and p.row_label == "edit" for p in problems)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "line 1, column 2: not valid JSON"),
    ('{"covplan_scenario": 7, "edits": []}', "covplan_scenario should be 1"),
    ('{"covplan_scenario": 1, "edits": {}}', "'edits' should be a list"),
    ("[]", "holds one JSON object"),
])
def test_malformed_files_are_config_errors(sites: gpd.GeoDataFrame, tmp_path: Path,
                                           content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_scenario(path, sites)


def test_bad_edit_in_code_raises_at_once(sites: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="cannot be moved"):
        Scenario(sites).move_site("NOPE", 0.0, 0.0)
    with pytest.raises(InputError, match="unknown technology"):
        Scenario(sites).modify_site("TN001", technology="3G")


def test_batched_adds_match_one_by_one_and_name_the_bad_edit(sites: gpd.GeoDataFrame) -> None:
    one = Scenario(sites)
    for k in range(3):
        one = one.add_site(f"B{k}", 584_000 + 500 * k, 2_389_000, technology="4G",
                           sectors=THREE)
    together = Scenario(sites).with_edits(*one.edits)  # applied as one batch
    assert_geodataframe_equal(together.sites, one.sites)
    bad = (*one.edits[:1], replace(one.edits[1], values={"technology": "4G", "height_m": -5}))
    with pytest.raises(InputError) as caught:
        Scenario(sites).with_edits(*bad)
    assert [p.rows for p in caught.value.problems] == [(2,)]


def test_edits_hand_on_the_baselines_digest(sites: gpd.GeoDataFrame,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each click makes a new scenario; the digest of the shared baseline is taken once."""
    import covplan.planning.scenario as scenario_module
    from covplan.app.state import undo

    calls: list[int] = []

    def counted(table: gpd.GeoDataFrame) -> str:
        calls.append(len(table))
        return sites_hash(table)

    monkeypatch.setattr(scenario_module, "sites_hash", counted)
    base = Scenario(sites, name="test", dataset="tiny")
    digest = base.baseline_hash
    assert digest == sites_hash(sites) and calls == [len(sites)]
    edited = _edited(base.baseline)  # a fresh chain: its first scenario takes it again
    assert edited.baseline_hash == digest and len(calls) == 2
    later = edited.move_site("TN002", 583_000.0, 2_389_000.0)
    assert later.baseline_hash == digest and undo(later).baseline_hash == digest
    assert len(calls) == 2
    # another baseline table (even equal) is digested on its own
    other = Scenario(sites.copy(), name="test").with_edits(*later.edits)
    assert other.baseline_hash == digest and len(calls) == 3
