"""The Streamlit app through AppTest, on the small demo province (in Vietnamese, its default)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets

APP = str(Path(__file__).resolve().parents[2] / "app.py")




def values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_app_opens_on_the_demo_with_every_target(app: AppTest) -> None:
    targets = load_targets("thai_nguyen_2025")
    assert len(app.metric) == len(targets.targets)
    assert any("GIẢ LẬP" in i.value for i in app.info)
    assert not app.error


def test_a_page_not_served_by_the_launcher_gets_the_apps_style_from_the_script(
        app: AppTest) -> None:
    """AppTest, like ``streamlit run``, serves Streamlit's own first page: the script sends
    the page's rules (``scripts/app.sh`` puts them in the first page's head instead)."""
    from covplan.app.boot import PAGE_STYLE

    assert [e.proto.body for e in app.get("html")] == [PAGE_STYLE]


def test_changing_preset_changes_the_dashboard(app: AppTest) -> None:
    before = values(app)
    app.selectbox(key="preset").set_value("bac_ninh_2030").run()
    after = values(app)
    assert not app.exception
    assert after != before
    assert len(after) == len(load_targets("bac_ninh_2030").targets)


def _gap_location(small_demo: Path) -> tuple[float, float]:
    """The middle of the demo's longest uncovered highway stretch (lat, lon)."""
    ds = load_dataset(small_demo)
    gaps = run_analysis(ds, load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.to_crs(4326).geometry.iloc[0].interpolate(0.5, normalized=True)
    return point.y, point.x


def _percent(value: str) -> float:
    """``"72,1 %"`` (the page's Vietnamese) as 72.1."""
    return float(value.rstrip(" %").replace(".", "").replace(",", "."))


def test_adding_a_site_raises_coverage_and_undo_restores(app: AppTest, small_demo: Path) -> None:
    before = values(app)
    lat, lon = _gap_location(small_demo)
    app.number_input(key="add_lat").set_value(lat)
    app.number_input(key="add_lon").set_value(lon)
    app.button(key="add_coords").click().run()
    assert not app.exception, [e.value for e in app.exception]
    after = values(app)
    assert all(_percent(after[k]) >= _percent(before[k]) for k in before)
    assert any(_percent(after[k]) > _percent(before[k]) for k in before)
    assert any(m.delta for m in app.metric)  # deltas against the baseline are shown
    app.button(key="undo").click().run()
    assert values(app) == before


def test_bad_upload_shows_an_error_and_keeps_the_state(app: AppTest) -> None:
    before = values(app)
    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("bad.zip", b"not a zip at all", "application/zip"))
    app.run()
    assert not app.exception
    assert any("Tệp tải lên bị từ chối" in e.value and "không phải tệp zip hợp lệ" in e.value
               for e in app.error)  # said in the page's language
    assert not any("not a valid zip file" in e.value for e in app.error)
    assert values(app) == before


def test_bad_folder_shows_an_error_and_keeps_the_state(app: AppTest, tmp_path: Path) -> None:
    before = values(app)
    (tmp_path / "sites.csv").write_text("site_id,lng,lat,technology\nA,105.8,21.6,3G\n")
    app.radio(key="source").set_value("Folder on disk").run()
    app.text_input(key="folder_input").set_value(str(tmp_path))
    app.button(key="open_folder").click().run()
    # said in the page's language (Vietnamese), the user's column names as written
    assert any("đổi tên cột 'lng' thành 'lon'" in e.value for e in app.error)
    assert not any("rename column" in e.value for e in app.error)
    assert values(app) == before


def test_a_map_click_is_listed_and_can_be_undone_at_once(
    app: AppTest, small_demo: Path
) -> None:
    """A click is applied in the run it starts: that run's edit list already holds it."""
    lat, lon = _gap_location(small_demo)
    key = app.session_state["map_key"]  # the map component drawn last
    app.session_state[key] = {"last_clicked": {"lat": lat, "lng": lon}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    edits = [frame.value for frame in app.dataframe if "Thay đổi" in frame.value.columns]
    assert len(edits) == 1
    assert list(edits[0]["Thay đổi"].unique()) == ["thêm mới"]
    assert any(m.delta for m in app.metric)
    assert not app.button(key="undo").disabled  # the click can be undone at once
    app.button(key="undo").click().run()
    assert not [f for f in app.dataframe if "Thay đổi" in f.value.columns]
    assert not any(m.delta for m in app.metric)
    assert app.button(key="undo").disabled  # nothing left to undo, in the same run


def test_results_let_their_grids_go_and_the_map_layers_can_be_rebuilt(app: AppTest) -> None:
    """Kept results drop their coverage grids once the map layers are drawn; layers needed
    again later are drawn from the evaluator's grids."""
    from collections import OrderedDict

    results = app.session_state["results"]
    assert results and all(r.coverage == {} for r in results.values())
    scripts = app.session_state["map_scripts"]
    (key, first), = scripts.items()
    app.session_state["map_scripts"] = OrderedDict()  # as if evicted
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    again = app.session_state["map_scripts"][key]
    assert again.count("L.imageOverlay") == first.count("L.imageOverlay") > 0
    assert len(again) == len(first)


def test_move_mode_says_to_click_the_new_position_after_the_first_click(
    app: AppTest, small_demo: Path
) -> None:
    sites = load_dataset(small_demo).sites
    assert sites is not None
    site = sites.to_crs(4326).iloc[0]
    app.radio(key="mode").set_value("Move a site").run()
    assert any("rồi bấm vào vị trí mới" in c.value for c in app.caption)
    key = app.session_state["map_key"]  # the map component drawn last
    app.session_state[key] = {"last_clicked": {"lat": site.geometry.y, "lng": site.geometry.x}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    said = [i.value for i in app.info if "bây giờ hãy bấm vào vị trí mới" in i.value]
    assert said and str(site["site_id"]) in said[0]
    app.session_state[key] = {"last_clicked": {"lat": site.geometry.y + 0.01,
                                               "lng": site.geometry.x}}
    app.run()
    edits = [f.value for f in app.dataframe if "Thay đổi" in f.value.columns]
    assert edits and set(edits[0]["Thay đổi"]) == {"đã di chuyển"}
    assert not [i for i in app.info if "vị trí mới" in i.value]


def test_per_operator_results_and_speed_layers_are_shown(app: AppTest, small_demo: Path) -> None:
    """The Thai Nguyen preset counts speed: a per-operator tab, and speed on the map."""
    from covplan.app.compute import DatasetRef, TargetChoice, evaluator_for
    from covplan.app.page import link_layers

    labels = [t.label for t in app.tabs]
    assert "Theo nhà mạng" in labels  # "Per operator"
    app.session_state["covplan_tables"] = "Theo nhà mạng"  # the tab chosen
    app.run()
    frames = [d.value for d in app.dataframe]
    networks = [f for f in frames if "Mạng" in f.columns]
    assert networks and {"MobiFone", "Viettel", "VinaPhone"} <= set(networks[0]["Mạng"])
    evaluator = evaluator_for(DatasetRef.at(str(small_demo)), TargetChoice("thai_nguyen_2025"))
    layers = link_layers(evaluator, evaluator.dataset.sites)
    speed, sinr = layers["speed"], layers["sinr"]
    assert speed is not None and set(speed) == {"4G", "5G"}
    assert 0 < float(np.nanmax(speed["4G"].data)) <= 20 * 2 * 4.4 * 0.5 + 1e-3
    assert sinr is not None and sinr["4G"].units == "dB"
    assert np.array_equal(np.isfinite(sinr["4G"].data), np.isfinite(speed["4G"].data))


def _frames(at: AppTest) -> list[str]:
    """The first column name of every table on the page."""
    return [str(f.value.columns[0]) for f in at.dataframe]


def test_only_the_table_in_view_is_made_and_a_chosen_tab_stays_chosen(
    app: AppTest, small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables' tabs draw only the tab in view: a click does not make the per-operator
    table (every target once per operator) until its tab is chosen, and the chosen tab
    stays in view after an edit and in another language."""
    analyze = importlib.import_module("covplan.targets.analyze")  # the module, not the function

    made: list[str] = []
    real = analyze.operator_table

    def counted(targets, ctx):  # type: ignore[no-untyped-def]
        made.append(targets.name)
        return real(targets, ctx)

    monkeypatch.setattr(analyze, "operator_table", counted)
    lat, lon = _gap_location(small_demo)
    app.number_input(key="add_lat").set_value(lat)
    app.number_input(key="add_lon").set_value(lon)
    app.button(key="add_coords").click().run()  # a new scenario: a new analysis
    assert not app.exception, [e.value for e in app.exception]
    assert [t.label for t in app.tabs][-1] == "Theo nhà mạng"
    assert "Mã xã, phường" in _frames(app) and "Mã" not in _frames(app)
    assert made == []  # out of view: not made

    app.session_state["covplan_tables"] = "Theo nhà mạng"  # the tab chosen
    app.run()
    assert "Mã" in _frames(app) and "Mã xã, phường" not in _frames(app)
    assert len(made) == 1
    app.button(key="undo").click().run()  # another scenario: the tab stays
    assert "Mã" in _frames(app)
    app.radio(key="lang").set_value("en").run()  # another language: the tab stays
    assert not app.exception, [e.value for e in app.exception]
    assert "ID" in _frames(app) and "Commune code" not in _frames(app)


def test_switching_presets_back_and_forth_predicts_nothing_again(app: AppTest) -> None:
    """A preset changes the targets, not the radio predictions: every switch measures the
    same grids, and the map (the same legend) stays the same component."""
    from covplan.app.compute import _predictions

    ref = app.session_state["dataset"]
    cache, _ = _predictions(ref.path, ref.fingerprint, ref.confined)
    predicted, key = cache.misses, app.session_state["map_key"]
    first = values(app)
    seen = []
    for preset in ("bac_ninh_2030", "thai_nguyen_2025", "bac_ninh_2030"):
        app.selectbox(key="preset").set_value(preset).run()
        assert not app.exception, [e.value for e in app.exception]
        seen.append(values(app))
        assert app.session_state["map_key"] == key
    assert cache.misses == predicted
    assert seen[0] != first and seen[1] == first and seen[2] == seen[0]


def test_a_new_session_draws_its_tables_once_its_map_is_drawn(
    small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run places a watcher where the tables go (the browser reports the map
    drawn through it, tests/app/test_browser.py); the downloads are drawn at once."""
    from covplan import settings
    from covplan.app.livemap import AFTER_MAP_KEY

    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (watcher,) = at.get("bidi_component")
    assert watcher.proto.component_name == "covplan_after_map"
    assert not at.dataframe and not at.tabs
    assert "Chuẩn bị tệp tải xuống" in [b.label for b in at.button]  # "Prepare downloads"
    at.session_state[AFTER_MAP_KEY] = True  # what the watcher's report sets
    at.run()
    assert not at.get("bidi_component")
    assert _frames(at) == ["Mã xã, phường"]  # the commune summary, its tab in view


def test_a_loaded_scenario_is_named_as_chosen_and_its_warnings_are_shown(
        app: AppTest, small_demo: Path) -> None:
    """A scenario file made on other sites, moving a site 150 km out of the province: both
    warnings shown in the page's language with the file's own name; a broken file is refused
    by that name, not by the temporary copy the app reads."""
    sites = load_dataset(small_demo).sites
    assert sites is not None
    site = str(sites["site_id"].iloc[0])
    plan = {"covplan_scenario": 1, "name": "far", "baseline": {"sites_sha256": "0" * 64,
                                                                "dataset": "old"},
            "edits": [{"op": "move", "site_id": site, "lon": 106.9, "lat": 22.9}]}
    app.file_uploader(key="scenario_upload").set_value(
        ("ke_hoach.json", json.dumps(plan).encode(), "application/json")).run()
    assert not app.exception
    warnings = [w.value.replace("\\_", "_") for w in app.warning]  # markdown as shown
    assert any("ke_hoach.json được lập trên bộ trạm khác (bộ dữ liệu old)" in w
               for w in warnings), warnings
    assert any(f"ke_hoach.json: thay đổi 1 (move {site})" in w and "km" in w
               for w in warnings), warnings
    app.file_uploader(key="scenario_upload").set_value(
        ("hong.json", b"{not json", "application/json")).run()
    errors = [e.value for e in app.error]
    assert any(e.startswith("Chưa mở được kịch bản: hong.json: dòng 1, cột 2: ")
               for e in errors), errors
    assert not any("/tmp" in e or "scenario.json" in e for e in errors)


def test_choosing_the_demo_again_reopens_it(app: AppTest, small_demo: Path,
                                            tmp_path: Path) -> None:
    """After a folder of one's own, the "demo" choice opens the demo again (the radio and
    the page no longer disagree)."""
    import shutil

    mine = tmp_path / "mine"
    shutil.copytree(small_demo, mine)
    manifest = mine / "dataset.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "Tỉnh Minh Sơn", "Tỉnh Thử Nghiệm", 1), encoding="utf-8")
    demo_name = next(i.value for i in app.info if "GIẢ LẬP" in i.value)
    app.radio(key="source").set_value("Folder on disk").run()
    app.text_input(key="folder_input").set_value(str(mine))
    app.button(key="open_folder").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any("Tỉnh Thử Nghiệm" in i.value for i in app.info)
    app.radio(key="source").set_value("Demo province (synthetic)").run()
    assert not app.exception and not app.error
    assert any(i.value == demo_name for i in app.info)
    assert not any("Tỉnh Thử Nghiệm" in i.value for i in app.info)
