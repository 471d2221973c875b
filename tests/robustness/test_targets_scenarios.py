"""Bad presets and scenarios through the CLI, and "no data" for the layers a province lacks.

Every bad file is refused with exit 2, no traceback, a message naming the file, the key or
edit, and the fix, and nothing written. The dataset is what a planner of a new province
often has: two communes, four villages (no population, no fibre column) and two sites.
Targets files fail before the dataset loads and scenarios before the prediction, so only
the two "no data" runs predict (at 100 m, on 4 x 2 km).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from covplan.io import load_dataset
from covplan.planning import load_scenario

from .conftest import CliResult, assert_nothing_new, assert_refused, snapshot

LON0, LAT0 = 105.80, 21.60

GOOD_TARGET = ('[preset]\nname = "Thử"\n\n[[target]]\nid = "roads"\nlabel = "Đường"\n'
               'layer = "roads"\nmeasure = "length_share"\ntechnologies = ["4G"]\n'
               "goal_percent = 100\n")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Communes, villages and sites only, as a new province's planner has them."""
    folder = tmp_path_factory.mktemp("province")
    d = 0.02
    communes = gpd.GeoDataFrame(
        {"code": ["C1", "C2"], "name": ["Xã Một", "Xã Hai"]},
        geometry=[box(LON0, LAT0, LON0 + d, LAT0 + d), box(LON0 + d, LAT0, LON0 + 2 * d,
                                                            LAT0 + d)], crs=4326)
    communes.to_file(folder / "communes.geojson")
    villages = gpd.GeoDataFrame(
        {"village_id": [f"V{i}" for i in range(4)], "name": [f"Thôn {i}" for i in range(4)]},
        geometry=[box(LON0 + 0.003 + 0.01 * i, LAT0 + 0.005, LON0 + 0.008 + 0.01 * i,
                      LAT0 + 0.01) for i in range(4)], crs=4326)
    villages.to_file(folder / "villages.geojson")
    (folder / "sites.csv").write_text(
        "site_id,lon,lat,technology\nS1,105.805,21.607,4G\nS2,105.83,21.61,5G\n",
        encoding="utf-8")
    (folder / "dataset.toml").write_text(
        '[dataset]\nname = "Tỉnh Mới"\n\n[layers.communes]\nfile = "communes.geojson"\n\n'
        '[layers.villages]\nfile = "villages.geojson"\n\n[layers.sites]\nfile = "sites.csv"\n',
        encoding="utf-8")
    return folder


def _refused(cli: Callable[..., CliResult], tmp_path: Path, province: Path, *args: str | Path
             ) -> CliResult:
    """Run a command that must write nothing, and check that it wrote nothing."""
    before = snapshot(tmp_path, province)
    result = cli(*args, "--out", tmp_path / "out", "--no-cache", "--resolution", "100")
    assert_nothing_new(before, tmp_path, province)
    return result


# --- targets files: covplan analyze DATA --targets bad.toml ---------------------------------

TARGET_CASES = {
    "unknown measure": (GOOD_TARGET.replace("length_share", "lenght_share"),
                        ["[[target]] 1 (id 'roads')", "unknown measure 'lenght_share'"],
                        "did you mean 'length_share'?"),
    "goal of 150 %": (GOOD_TARGET.replace("goal_percent = 100", "goal_percent = 150"),
                      ["(id 'roads')", "goal_percent should be from 0 to 100, got 150"],
                      "write the goal as a percentage"),
    "negative goal": (GOOD_TARGET.replace("goal_percent = 100", "goal_percent = -5"),
                      ["(id 'roads')", "goal_percent should be from 0 to 100, got -5"],
                      "write the goal as a percentage"),
    "negative distance": (GOOD_TARGET + "\n[thresholds]\nfibre_drop_m = -500\n",
                          ["[thresholds]", "'fibre_drop_m' is a distance in metres"],
                          "write fibre_drop_m = 500 (it cannot be negative)"),
    "RSRP without its sign": (GOOD_TARGET + "\n[thresholds]\nrsrp_4g_dbm = 105\n",
                              ["[thresholds]", "'rsrp_4g_dbm' is a 4G RSRP in dBm",
                               "from -140 to -44"],
                              "write rsrp_4g_dbm = -105 (an RSRP threshold is negative)"),
    "implausible RSRP": (GOOD_TARGET.replace('goal_percent', 'thresholds = { rsrp_5g_dbm = '
                                             '-20 }\ngoal_percent'),
                         ["(id 'roads') thresholds", "'rsrp_5g_dbm'", "from -156 to -31"],
                         "write rsrp_5g_dbm = -105 (the default)"),
    "unknown key": (GOOD_TARGET.replace("goal_percent", "goal_pct"),
                    ["unknown key 'goal_pct'", "missing 'goal_percent'"],
                    "did you mean 'goal_percent'?"),
    "unknown layer": (GOOD_TARGET.replace('layer = "roads"', 'layer = "road"'),
                      ["(id 'roads')", "unknown layer 'road'"], "did you mean 'roads'?"),
    "unknown road class": (GOOD_TARGET.replace(
        "goal_percent", 'filter = { road_class = ["nationl"] }\ngoal_percent'),
        ["unknown road_class 'nationl' in the filter"], "did you mean 'national'?"),
    "TOML syntax": (GOOD_TARGET.replace('label = "Đường"', 'label = "Đường'),
                    ["not valid TOML", "line 6"], "check the quotes, brackets and commas"),
}


@pytest.mark.parametrize("case", list(TARGET_CASES))
def test_a_bad_targets_file_is_refused(cli: Callable[..., CliResult], tmp_path: Path,
                                       province: Path, case: str) -> None:
    content, named, fix = TARGET_CASES[case]
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    result = _refused(cli, tmp_path, province, "analyze", province, "--targets", path)
    assert_refused(result, str(path), *named, fix=fix)


def test_every_problem_of_a_targets_file_is_listed_at_once(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text(GOOD_TARGET.replace("length_share", "lenght_share")
                    .replace("goal_percent = 100", "goal_percent = 150")
                    + '\n[thresholds]\nrsrp_6g_dbm = -100\n', encoding="utf-8")
    result = _refused(cli, tmp_path, province, "analyze", province, "--targets", path)
    assert_refused(result, f"3 problems in the targets file {path}", "lenght_share",
                   "got 150", "unknown key 'rsrp_6g_dbm'", fix="did you mean 'rsrp_5g_dbm'?")


def test_a_targets_file_in_a_legacy_code_page_is_refused(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path) -> None:
    path = tmp_path / "cp1258.toml"
    # Đ, ư, ơ are single bytes in Windows-1258 (0xD0, 0xFD, 0xF5), invalid as UTF-8
    path.write_bytes(GOOD_TARGET.replace("Thử", "Thu").replace("Đường", "Đông Tân Cương")
                     .encode("cp1258"))
    result = _refused(cli, tmp_path, province, "analyze", province, "--targets", path)
    assert_refused(result, str(path), "line 6", "not UTF-8 text",
                   fix="save it as UTF-8")


def test_a_folder_given_as_targets_file_is_refused(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path) -> None:
    folder = tmp_path / "targets.toml"
    folder.mkdir()
    result = _refused(cli, tmp_path, province, "analyze", province, "--targets", folder)
    assert_refused(result, str(folder), "is a folder", fix="give the path of the targets file")


# --- scenarios: covplan report DATA --scenario bad.json --format csv -------------------------

def _edits(*edits: dict[str, object]) -> str:
    return json.dumps({"covplan_scenario": 1, "edits": list(edits)})


SCENARIO_CASES = {
    "not JSON": ('{"covplan_scenario": 1,\n "edits": [\n  {"op": "remove" "site_id": "S1"}]}',
                 ["line 3, column 19: not valid JSON"], "check the quotes, commas and brackets"),
    "edits not a list": ('{"covplan_scenario": 1, "edits": 5}',
                         ["'edits' should be a list, got 5"], 'write "edits": ['),
    "wrong types in the document": (
        '{"covplan_scenario": 1, "layers": 5, "baseline": "demo", "edits": []}',
        ["2 problems in the scenario file", "unknown key 'layers'",
         "'baseline' should be an object, got 'demo'"], 'write "baseline": {'),
    "wrong type in the baseline": (
        '{"covplan_scenario": 1, "baseline": {"dataset": 5, "sites_sha": "x"}, "edits": []}',
        ["'baseline.dataset' should be text, got 5", "unknown key 'baseline.sites_sha'"],
        "did you mean 'baseline.sites_sha256'?"),
    "version": ('{"covplan_scenario": "1", "edits": []}',
                ["covplan_scenario should be 1", "got '1'"], '"covplan_scenario": 1 at the top'),
    "no version": ('{"edits": []}', ['no "covplan_scenario" at the top'],
                   '"covplan_scenario": 1 at the top'),
    "a site that does not exist": (_edits({"op": "remove", "site_id": "S9"}),
                                   ["column 'site_id'", "edit 1", "site 'S9' does not exist"],
                                   "check the site_id"),
    "unknown op": (_edits({"op": "remove", "site_id": "S1"}, {"op": "delete", "site_id": "S1"}),
                   ["column 'op'", "edit 2", "unknown op 'delete'"],
                   'Write "op": "add", "move", "remove" or "modify"'),
    "a site added at lon 10, lat 50": (
        _edits({"op": "add", "site_id": "N1", "lon": 10, "lat": 50, "technology": "4G"}),
        ["column 'lon'", "edit 1", "lon 10.0000, lat 50.0000 lies outside Vietnam"],
        "give lon/lat in WGS 84 degrees inside Vietnam"),
    "lon and lat swapped": (
        _edits({"op": "move", "site_id": "S1", "lon": 21.6, "lat": 105.81}),
        ["edit 1", "lon and lat look swapped"], "exchange lon and lat"),
    "missing fields": (
        _edits({"site_id": "S1"}, {"op": "add", "site_id": "N1", "lon": 105.81, "lat": 21.61},
               {"op": "move", "site_id": "S1"}),
        ["3 problems", "edit 1: missing op", "edit 2: an add needs a technology",
         "edit 3: a move needs a position"], 'add "op": one of'),
    "non-finite numbers": (
        '{"covplan_scenario": 1, "edits": [{"op": "modify", "site_id": "S1", "height_m": '
        'Infinity}, {"op": "move", "site_id": "S2", "lon": NaN, "lat": 21.6}]}',
        ["column 'height_m'", "edit 1", "height_m should be a finite number, got inf",
         "column 'lon'", "edit 2"], "replace inf by a real value"),
    "misspelt field": (_edits({"op": "modify", "site_id": "S1", "hieght_m": 30}),
                       ["edit 1", "unknown field hieght_m"], "write 'height_m' for 'hieght_m'"),
}


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_a_bad_scenario_is_refused(cli: Callable[..., CliResult], tmp_path: Path,
                                   province: Path, case: str) -> None:
    content, named, fix = SCENARIO_CASES[case]
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = _refused(cli, tmp_path, province, "report", province, "--scenario", path,
                      "--format", "csv")
    assert_refused(result, str(path), *named, fix=fix)


def test_a_scenarios_structure_is_refused_in_the_readers_language(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"covplan_scenario": 1, "layers": 5, "baseline": {"dataset": 5}, '
                    '"edits": []}', encoding="utf-8")
    result = _refused(cli, tmp_path, province, "report", province, "--scenario", path,
                      "--format", "csv", "--lang", "vi")
    assert result.text.strip().splitlines() == [
        f"Lỗi: Có 2 lỗi trong tệp kịch bản {path}:",
        "  - cấp ngoài cùng: khóa 'layers' không hợp lệ. Cách sửa: bỏ khóa này, hoặc dùng một "
        "trong: covplan_scenario, name, description, baseline, crs, edits.",
        "  - baseline: 'baseline.dataset' phải là văn bản, nhưng gặp 5. Cách sửa: ghi "
        "\"dataset\": \"Thái Nguyên\".",
    ]


def test_a_scenario_in_a_legacy_code_page_is_refused(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path) -> None:
    path = tmp_path / "cp1258.json"
    path.write_bytes('{"covplan_scenario": 1,\n "name": "Tân Cương",\n "edits": []}'
                     .encode("cp1258"))
    result = _refused(cli, tmp_path, province, "report", province, "--scenario", path,
                      "--format", "csv")
    assert_refused(result, str(path), "line 2", "not UTF-8 text", fix="save it as UTF-8")


def test_a_site_outside_the_study_area_loads_with_a_warning(province: Path,
                                                            tmp_path: Path) -> None:
    dataset = load_dataset(province)
    assert dataset.sites is not None
    path = tmp_path / "far.json"
    # in Vietnam, 38 km east of the two communes (which end at 105.84 E)
    path.write_text(_edits({"op": "add", "site_id": "N1", "lon": 106.2, "lat": 21.7,
                            "technology": "4G"},
                           {"op": "add", "site_id": "N2", "lon": 105.81, "lat": 21.61,
                            "technology": "4G"}), encoding="utf-8")
    scenario = load_scenario(path, dataset.sites, area=dataset.area())
    assert set(scenario.sites["site_id"]) == {"S1", "S2", "N1", "N2"}
    assert len(scenario.warnings) == 1
    warning = scenario.warnings[0]
    assert f"{path}: edit 1 (add N1)" in warning and "outside the study area" in warning
    assert "lon 106.2000, lat 21.7000, 3" in warning  # 36-40 km away
    assert not load_scenario(path, dataset.sites).warnings  # no area given, nothing to check


# --- a missing layer is "no data": covplan analyze on communes, villages and sites ----------

@pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")
@pytest.mark.parametrize("preset", ["thai_nguyen_2025", "bac_ninh_2030"])
def test_absent_layers_are_no_data_in_the_table_and_csv(
        cli: Callable[..., CliResult], tmp_path: Path, province: Path, preset: str) -> None:
    out = tmp_path / "out"
    result = cli("analyze", province, "--targets", preset, "--out", out, "--no-cache",
                 "--resolution", "100", "--lang", "en")
    assert result.code == 0, result.text
    rows = {line.split("  ")[0]: line for line in result.out.splitlines()}
    data = out / "data"  # the CSV for machines: covplan's column names and values
    targets = pd.read_csv(data / "targets.csv").set_index("id")
    if preset == "thai_nguyen_2025":
        for label in ("4G/5G on 100 % of expressways and national highways",
                      "Fibre to 99.3 % of villages",
                      "High-speed internet (4G/5G or fibre) for 95 % of people",
                      "5G at universities and hospitals"):
            assert rows[label].split()[-2:] == ["DATA", "–"], rows[label]  # NO DATA, no shortfall
        assert (targets["status"] == "no data").sum() == 5  # and people by speed
        assert targets.loc["fibre_villages", "denominator"].startswith("no fibre data")
        assert targets.loc["people_broadband", "denominator"].startswith("no population data")
        assert targets[["measured_percent", "shortfall"]].drop(index="residential_5g"
                                                               ).isna().all().all()
    assert "residential_5g" in list(targets.index)
    assert targets.loc["residential_5g", "status"] in {"met", "not met"}
    assert targets.loc["residential_5g", "unit"] == "km²"  # village area: no population
    assert "NO DATA: no population data (give a population raster" in result.out
    people = pd.read_csv(data / "population_coverage.csv")
    assert people[["people_total", "people_covered"]].isna().all().all()
    villages = pd.read_csv(data / "village_gaps.csv", keep_default_na=False)
    assert not villages["missing"].str.contains("fibre").any()
    communes = pd.read_csv(data / "commune_summary.csv")
    assert communes[["population", "fibre_percent", "population_4g_percent",
                     "highway_uncovered_km", "pois_without_5g"]].isna().all().all()
    assert communes["villages"].tolist() == [2, 2]
