"""Targets files: the presets load, and malformed files give one clear error listing all."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from covplan.errors import ConfigError, ConfigFileError
from covplan.i18n import language
from covplan.targets import load_targets, parse_targets, preset_names

GOOD_TARGET = {"id": "roads", "label": "Roads", "layer": "roads", "measure": "length_share",
               "technologies": ["4G"], "goal_percent": 100}


def _doc(*targets: dict[str, object], **top: object) -> dict[str, object]:
    return {"preset": {"name": "Thử nghiệm"}, "target": list(targets), **top}


def test_presets_load_with_every_target() -> None:
    assert {"thai_nguyen_2025", "bac_ninh_2030"} <= set(preset_names())
    tn = load_targets("thai_nguyen_2025")
    assert tn.name == "Thái Nguyên 2025"
    assert [t.id for t in tn.targets] == ["roads_4g5g", "fibre_villages", "people_broadband",
                                          "poi_5g", "residential_5g", "people_highspeed"]
    speed = tn.targets[5]
    assert speed.speed and speed.min_dl_mbps == 40 and speed.or_fibre
    assert speed.operators == ("any",) and speed.technologies == ("4G", "5G")
    roads = tn.targets[0]
    assert roads.filter_values("road_class") == ("expressway", "national")
    assert roads.technologies == ("4G", "5G") and roads.goal_percent == 100
    assert tn.targets[1].goal_percent == pytest.approx(99.3)
    assert tn.targets[2].or_fibre and tn.targets[2].goal_percent == 95
    assert tn.targets[3].filter_values("kind") == ("university", "hospital")
    assert tn.thresholds.rsrp_4g_dbm == -105
    assert "Ofcom" in tn.thresholds.sources["rsrp_4g_dbm"]
    assert "assumption" in tn.thresholds.sources["rsrp_5g_dbm"]
    bn = load_targets("bac_ninh_2030")
    assert [(t.measure, t.technologies, t.goal_percent) for t in bn.targets] == [
        ("village_share", ("5G",), 100.0)]


def test_unknown_key_suggests_the_right_one() -> None:
    bad = {**GOOD_TARGET, "goal_pct": 90}
    with pytest.raises(ConfigError, match=r"unknown key 'goal_pct'.*did you mean 'goal_percent'"):
        parse_targets(_doc(bad))


def test_goal_above_100_percent_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"goal_percent should be from 0 to 100, got 120"):
        parse_targets(_doc({**GOOD_TARGET, "goal_percent": 120}))


def test_a_targets_files_problems_are_said_in_the_readers_language() -> None:
    """Officials edit targets files: every problem, its place and its fix in Vietnamese;
    what the file holds (keys, values, TOML to write) stays as written."""
    bad = {**GOOD_TARGET, "id": "a b", "goal_percent": 120, "layer": "road",
           "thresholds": {"rsrp_4g_dbm": 105}}
    with pytest.raises(ConfigError) as err:
        parse_targets(_doc(bad, preset={"name": "x", "year": "2030"}, extra=1), "muc_tieu.toml")
    assert isinstance(err.value, ConfigFileError) and len(err.value.findings) == 6
    vi = err.value.text(language("vi")).splitlines()
    assert vi == [
        "Có 6 lỗi trong tệp mục tiêu muc_tieu.toml:",
        "  - cấp ngoài cùng: khóa 'extra' không hợp lệ. Cách sửa: Các giá trị được phép: "
        "preset, thresholds, target.",
        "  - [preset]: year phải là một năm, ví dụ 2030, nhưng gặp '2030'. Cách sửa: ghi year "
        "= 2030 (một số, không có dấu ngoặc kép), hoặc bỏ dòng này.",
        "  - [[target]] 1 (id 'a b'): id 'a b' chỉ được dùng chữ cái không dấu, chữ số, '_' và "
        "'-'. Cách sửa: ghi dạng id = \"a_b\"",
        "  - [[target]] 1 (id 'a b'): layer 'road' không hợp lệ. Cách sửa: có phải ý bạn là "
        "'roads'? Các giá trị được phép: roads, villages, population, pois.",
        "  - [[target]] 1 (id 'a b') thresholds: 'rsrp_4g_dbm' là mức RSRP 4G tính bằng dBm (số "
        "âm: LTE báo từ -140 đến -44 dBm), từ -140 đến -44; nhưng gặp 105. Cách sửa: ghi "
        "rsrp_4g_dbm = -105 (ngưỡng RSRP là số âm).",
        "  - [[target]] 1 (id 'a b'): goal_percent phải từ 0 đến 100, nhưng gặp 120. Cách sửa: "
        "ghi mục tiêu theo phần trăm (99.3, không phải 0.993 hay 993).",
    ]
    english = str(err.value)
    assert english.startswith("6 problems in the targets file muc_tieu.toml:\n  - top level: "
                              "unknown key 'extra'.")
    assert "Fix: write rsrp_4g_dbm = -105 (an RSRP threshold is negative)." in english
    # a worker's error reaches the client whole (dask pickles it)
    again = pickle.loads(pickle.dumps(err.value))
    assert str(again) == english and again.text(language("vi")).splitlines() == vi


def test_unknown_layer_measure_and_technology_are_named() -> None:
    bad = {**GOOD_TARGET, "layer": "road", "technologies": ["4G", "6G"]}
    with pytest.raises(ConfigError) as err:
        parse_targets(_doc(bad, {**GOOD_TARGET, "id": "x", "measure": "lenght_share"}))
    text = str(err.value)
    assert text.startswith("3 problems in the targets file <targets>:")
    assert "unknown layer 'road'. Fix: did you mean 'roads'?" in text
    assert "unknown technology '6G'" in text
    assert "unknown measure 'lenght_share'. Fix: did you mean 'length_share'?" in text


def test_layer_and_measure_must_agree_and_filters_are_checked() -> None:
    bad = {**GOOD_TARGET, "layer": "villages", "measure": "length_share",
           "filter": {"road_class": ["national"]}}
    wrong_value = {**GOOD_TARGET, "id": "b", "filter": {"road_class": ["nationl"]}}
    with pytest.raises(ConfigError) as err:
        parse_targets(_doc(bad, wrong_value))
    text = str(err.value)
    assert "measure 'length_share' applies to layer 'roads', not 'villages'" in text
    assert "filter: unknown key 'road_class'" in text
    assert "unknown road_class 'nationl' in the filter. Fix: did you mean 'national'?" in text


def test_missing_keys_duplicate_ids_and_bad_thresholds() -> None:
    doc = _doc({"id": "a", "layer": "roads"}, GOOD_TARGET, GOOD_TARGET,
               thresholds={"rsrp_4g_dbm": 5, "rsrp_6g_dbm": -100})
    with pytest.raises(ConfigError) as err:
        parse_targets(doc)
    text = str(err.value)
    assert "missing 'label', 'measure', 'goal_percent'" in text
    assert "the id is used twice" in text
    assert ("'rsrp_4g_dbm' is a 4G RSRP in dBm (negative: LTE reports -140 to -44 dBm), from "
            "-140 to -44; got 5. Fix: write rsrp_4g_dbm = -105 (the default)") in text
    assert "unknown key 'rsrp_6g_dbm'" in text


def test_measure_options_are_checked() -> None:
    with pytest.raises(ConfigError) as err:
        parse_targets(_doc(
            {**GOOD_TARGET, "technologies": []},
            {"id": "f", "label": "F", "layer": "villages", "measure": "fibre_share",
             "technologies": ["4G"], "goal_percent": 99, "weight": "area"},
            {"id": "v", "label": "V", "layer": "villages", "measure": "village_share",
             "technologies": ["5G"], "goal_percent": 99, "weight": "households"},
        ))
    text = str(err.value)
    assert "measure 'length_share' needs technologies" in text
    assert "measure 'fibre_share' takes no technologies" in text
    assert "weight applies only to measure 'village_share'" in text
    assert "unknown weight 'households'" in text


def test_target_thresholds_override_the_file_wide_ones() -> None:
    doc = _doc({**GOOD_TARGET, "thresholds": {"rsrp_4g_dbm": -100}},
               thresholds={"rsrp_4g_dbm": -110, "sources": {"rsrp_4g_dbm": "operator data"}})
    targets = parse_targets(doc)
    assert targets.thresholds.rsrp_4g_dbm == -110
    assert targets.thresholds.sources["rsrp_4g_dbm"] == "operator data"
    assert targets.targets[0].thresholds.rsrp_4g_dbm == -100


def test_files_unknown_presets_and_bad_toml(tmp_path: Path) -> None:
    good = tmp_path / "tinh.toml"
    good.write_text('[preset]\nname = "Tỉnh"\n[[target]]\nid = "f"\nlabel = "Cáp quang"\n'
                    'layer = "villages"\nmeasure = "fibre_share"\ngoal_percent = 99\n',
                    encoding="utf-8")
    assert load_targets(good).targets[0].label == "Cáp quang"
    with pytest.raises(ConfigError, match=r"unknown targets preset 'thai_nguyen_2026'.*"
                                          r"did you mean 'thai_nguyen_2025'"):
        load_targets("thai_nguyen_2026")
    with pytest.raises(ConfigError, match="targets file not found"):
        load_targets(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[preset\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_targets(broken)


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # Windows Notepad writes UTF-8 with a BOM, which tomllib alone refuses
    path = tmp_path / "bom.toml"
    path.write_text('[preset]\nname = "Bắc Kạn"\nprovince = "Thái Nguyên"\n[[target]]\n'
                    'id = "f"\nlabel = "Cáp quang"\nlayer = "villages"\n'
                    'measure = "fibre_share"\ngoal_percent = 99\n', encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    targets = load_targets(path)
    assert targets.name == "Bắc Kạn" and targets.province == "Thái Nguyên"
