"""The live map: a base map drawn once and scenario layers swapped in by script."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio.crs
from rasterio.warp import Resampling, reproject

from covplan.app.livemap import (
    AFTER_MAP_CAP_MS,
    AFTER_MAP_WAIT_MS,
    BaseMap,
    after_map_js,
    code_in,
    loader,
    serialise,
)
from covplan.grid import Raster
from covplan.i18n import language
from covplan.io import Dataset
from covplan.mapview import style
from covplan.mapview._raster import _mercator_target, block_mean, warp_to_mercator
from covplan.mapview.live import (
    EDITED_SITES,
    ROAD_GAPS,
    VILLAGES,
    LayerRegistry,
    LiveLibrary,
    ScenarioView,
    base_map,
    scenario_script,
)
from covplan.mapview.overlays import COVERAGE_MAX_PX, coverage_image

from .conftest import FakeCoverage, coverage_grid

NODE = shutil.which("node")


def _settings(script: str) -> dict[str, object]:
    """The JSON settings handed to ``covplan.apply`` at the end of a scenario script."""
    match = re.search(
        r"window\.covplan\.apply\(map, \[.*?\], (\{.*?\})\);\n\(function.*\}\)\(map_div\);",
        script, re.S,
    )
    assert match, script[-500:]
    settings: dict[str, object] = json.loads(match.group(1))
    return settings


def _node_check(tmp_path: Path, name: str, code: str) -> None:
    if NODE is None:
        pytest.skip("node is not installed: cannot syntax-check the generated JavaScript")
    path = tmp_path / name
    path.write_text(code, encoding="utf-8")
    done = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_base_map_registers_its_layers_and_leaves_the_control_to_the_script(
    tiny_dataset: Dataset, tmp_path: Path
) -> None:
    fmap = base_map(tiny_dataset)
    children = list(fmap._children.values())
    assert not any(isinstance(c, folium.LayerControl) for c in children)
    assert isinstance(children[-1], LayerRegistry)
    assert any(isinstance(c, LiveLibrary) for c in children)
    base = serialise(fmap)
    # every layer is registered under its name, with the variable streamlit-folium gave it
    found = dict(re.findall(r'window\.covplan\.static\["([^"]+)"\] = \{layer: (\w+),', base.code))
    assert {"Terrain (offline)", VILLAGES, "Roads", "4G sites", "Points of interest"} <= set(found)
    for variable in found.values():
        assert re.search(rf"var {variable} = L\.", base.code), variable
    assert '"row"' in base.code  # villages carry their row for recolouring
    assert all(link.startswith("data:") for link in base.css_links)
    assert base.code.index("L.Icon.Default") < base.code.index("L.map(")  # Leaflet first
    # window.covplan and the tab's kept view come before the first layer (a view set after
    # the layers made Leaflet project every feature again), the registry after the last
    kept = base.code.index("window.covplan.keepView(map_div, ")
    first_layer = re.search(r"(?:geo_json|image_overlay|feature_group)_\w+\.addTo\(map_div\)",
                            base.code)
    assert first_layer is not None
    assert base.code.index("map_div.fitBounds(") < kept < first_layer.start()
    assert base.code.index("window.covplan.static[") > base.code.rindex(".addTo(map_div)")
    _node_check(tmp_path, "base.js", base.code)
    # sent once per browser tab, then reused from the page by a one-line loader
    first, later = loader(base, send_code=True), loader(base, send_code=False)
    # the first script is the code itself (no string literal of it), then keeps its text
    assert first.startswith(base.code) and code_in(first) == base.code and base.digest in first
    assert code_in(later) is None
    assert len(later) < 1000 and base.digest in later and "covplan_resend" in later
    _node_check(tmp_path, "first.js", first)
    _node_check(tmp_path, "later.js", later)


def test_the_first_script_keeps_the_code_it_ran_for_later_frames(tmp_path: Path) -> None:
    """In Node, with the page and frame stubbed as streamlit-folium runs the script."""
    if NODE is None:
        pytest.skip("node is not installed: cannot run the generated JavaScript")
    code = 'globalThis.ran = (globalThis.ran || 0) + 1; var quoted = "a \\"b\\" </p>";'
    base = BaseMap(code=code, digest="d1g", header="", html="", map_id="m", css_links=())
    first, later = loader(base, send_code=True), loader(base, send_code=False)
    test = f"""
    const first = {json.dumps(first)}, later = {json.dumps(later)};
    const page = {{}};
    globalThis.window = {{parent: page}};
    globalThis.document = {{currentScript: {{text: first}}}};  // an inline <script>'s text
    (0, eval)(first);
    globalThis.window = {{parent: page}};  // a new frame in the same page
    (0, eval)(later);
    let asked = null;
    globalThis.window = {{parent: {{}},  // another page: the code is not there
                          Streamlit: {{setComponentValue: (v) => {{ asked = v; }}}}}};
    (0, eval)(later);
    console.log(JSON.stringify({{kept: page.__covplanMaps["d1g"], ran: globalThis.ran,
                                 asked: asked.covplan_resend.split(":")[0]}}));
    """
    path = tmp_path / "keep.js"
    path.write_text(test, encoding="utf-8")
    done = subprocess.run([NODE, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"kept": code, "ran": 2, "asked": "d1g"}


#: Mounts the watcher of :func:`after_map_js` with a stubbed clock, page and map frame;
#: prints when (in ms of the stubbed clock) and how often it reported, for each case.
_WATCHER_CASES = """
import watch from "./watcher.mjs";
let now = 0;
const timers = [];
globalThis.setTimeout = (f, ms) => timers.push({f, at: now + ms});
globalThis.clearTimeout = (id) => { if (id) timers[id - 1].f = null; };
const advance = (ms) => {
  const end = now + ms;
  for (;;) {
    const due = timers.filter((t) => t.f && t.at <= end).sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    now = due.at; const f = due.f; due.f = null; f();
  }
  now = end;
};
let observers = [];
globalThis.MutationObserver = class {
  constructor(f) { this.f = f; this.on = false; observers.push(this); }
  observe() { this.on = true; }
  disconnect() { this.on = false; }
};
const mutate = () => observers.filter((o) => o.on).forEach((o) => o.f([]));
const mount = ({frame = true, loaded = false, drawn = false} = {}) => {
  now = 0; timers.length = 0; observers = [];
  globalThis.window = new EventTarget();
  if (drawn) window.__covplanMapDrawn = 1;
  const element = new EventTarget();
  element.contentDocument = loaded
    ? {readyState: "complete", URL: "http://127.0.0.1/component/index.html"}
    : {readyState: "complete", URL: "about:blank"};
  let shown = frame;
  globalThis.document = {querySelector: () => (shown ? element : null)};
  const seen = [];
  watch({setTriggerValue: (name, value) => seen.push([name, value, now])});
  // the map's frame comes into the page (Streamlit mounted the map after the watcher)
  const show = () => { shown = true; mutate(); };
  return {element, seen, show};
};
const out = {};
let run;
out.noMap = (run = mount({frame: false}), advance(60000), run.seen);
run = mount({frame: false});
advance(2000); mutate(); advance(1000);
out.lateFrameBeforeIt = run.seen.length;
run.show(); advance(1000); run.element.dispatchEvent(new Event("load")); advance(%(wait)d - 1);
out.lateFrameBeforeWait = run.seen.length;
advance(1);
out.lateFrame = run.seen;
out.lookingAfter = observers.filter((o) => o.on).length;
run = mount({frame: false});
advance(2000); run.show(); advance(500); window.dispatchEvent(new Event("covplan:map-drawn"));
out.lateFrameDrawn = (advance(60000), run.seen);
out.drawnBefore = mount({drawn: true}).seen;
run = mount();
advance(1000); window.dispatchEvent(new Event("covplan:map-drawn"));
run.element.dispatchEvent(new Event("load")); advance(60000);
out.reported = run.seen;
run = mount();
advance(20000); run.element.dispatchEvent(new Event("load")); advance(%(wait)d - 1);
out.slowFrameBeforeWait = run.seen.length;
advance(1);
out.slowFrame = run.seen;
out.loadedAlready = (run = mount({loaded: true}), advance(60000), run.seen);
out.neverLoads = (run = mount(), advance(60000), run.seen);
console.log(JSON.stringify(out));
"""


def test_the_tables_watcher_waits_for_the_map_counting_from_its_frames_load(
        tmp_path: Path) -> None:
    """In Node, with a stubbed clock: the report comes when the map says it is drawn; a map
    that never says so is waited for from its frame's load (a busy machine's slow frame is
    not cut short), a frame that never loads only up to the cap, and a frame not in the
    page yet (its element's code still loading) is waited for, not taken for no map."""
    if NODE is None:
        pytest.skip("node is not installed: cannot run the generated JavaScript")
    (tmp_path / "watcher.mjs").write_text(after_map_js(), encoding="utf-8")
    path = tmp_path / "cases.mjs"
    path.write_text(_WATCHER_CASES % {"wait": AFTER_MAP_WAIT_MS}, encoding="utf-8")
    done = subprocess.run([NODE, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["noMap"] == [["drawn", True, AFTER_MAP_CAP_MS]]
    # a frame mounted after the watcher is waited for, then followed like one found at once
    assert out["lateFrameBeforeIt"] == out["lateFrameBeforeWait"] == 0
    assert out["lateFrame"] == [["drawn", True, 4000 + AFTER_MAP_WAIT_MS]]
    assert out["lookingAfter"] == 0
    assert out["lateFrameDrawn"] == [["drawn", True, 2500]]
    assert out["drawnBefore"] == [["drawn", True, 0]]
    assert out["reported"] == [["drawn", True, 1000]]  # once, when the map said so
    assert out["slowFrameBeforeWait"] == 0
    assert out["slowFrame"] == [["drawn", True, 20000 + AFTER_MAP_WAIT_MS]]
    assert out["loadedAlready"] == [["drawn", True, AFTER_MAP_WAIT_MS]]
    assert out["neverLoads"] == [["drawn", True, AFTER_MAP_CAP_MS]]
    assert AFTER_MAP_WAIT_MS < 20000 < AFTER_MAP_CAP_MS


def test_scenario_script_carries_the_scenario(
    tiny_dataset: Dataset,
    tiny_coverage: dict[str, FakeCoverage],
    tiny_roads: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    tiny_status: pd.Series,
    tmp_path: Path,
) -> None:
    sites = tiny_dataset.sites
    assert sites is not None and tiny_dataset.villages is not None
    _, gaps = tiny_roads
    edited = sites[sites["site_id"] == sites["site_id"].iloc[0]]
    view = ScenarioView(
        coverage=tiny_coverage,
        road_gaps=gaps,
        village_status=tiny_status,
        edited_sites=edited,
        hidden_site_ids=(str(edited["site_id"].iloc[0]),),
    )
    script = scenario_script(tiny_dataset, view)
    _node_check(tmp_path, "scenario.js", script)
    settings = _settings(script)
    # coverage first, then the base map's layers ("*"), then gaps and edited sites
    assert settings["order"] == [
        "4G coverage (RSRP)",
        "5G coverage (RSRP)",
        "*",
        ROAD_GAPS,
        EDITED_SITES,
    ]
    assert settings["hidden"] == [str(edited["site_id"].iloc[0])]
    assert "4G sites" in settings["siteLayers"]  # type: ignore[operator]
    fills = settings["fills"]
    assert isinstance(fills, list) and len(fills) == len(tiny_dataset.villages)
    # tiny_status runs from 0 to 1: the first village is in the lowest class, the last in the top
    assert fills[0] == style.share_colour(0.0) and fills[-1] == style.SHARE_COLOURS[-1]
    assert settings["texts"][-1] == "100 % covered"  # type: ignore[index]
    assert script.count("L.imageOverlay") == 2
    for grid in tiny_coverage.values():  # each overlay loads its own image, inlined
        url, _, _ = coverage_image(grid.rsrp_dbm, max_px=COVERAGE_MAX_PX)
        assert script.count(url) == 1
    assert "data:,covplan-coverage" not in script  # no stand-in left behind


def test_scenario_script_without_villages_status_or_edits(
    tiny_dataset: Dataset, tiny_coverage: dict[str, FakeCoverage]
) -> None:
    script = scenario_script(tiny_dataset, ScenarioView(coverage={"4G": tiny_coverage["4G"]}))
    settings = _settings(script)
    assert settings["fills"] is None and settings["hidden"] == []
    assert settings["order"] == ["4G coverage (RSRP)", "*"]


def test_block_mean_against_a_hand_computed_grid() -> None:
    data = np.array([[1, 2, 3, 4, 9], [5, 6, 7, 8, 9], [np.nan, np.nan, 1, np.nan, 9]], float)
    # 2x2 blocks: (1+2+5+6)/4, (3+4+7+8)/4; the last row and column are partial: dropped
    np.testing.assert_allclose(block_mean(data, 2), [[3.5, 5.5]])
    # 3x3 block with three NaN: the mean of the six others
    np.testing.assert_allclose(block_mean(data, 3), [[(1 + 2 + 3 + 5 + 6 + 7 + 1) / 7]])
    assert np.isnan(block_mean(np.full((2, 2), np.nan), 2)).all()


def test_average_warp_agrees_with_gdal_average() -> None:
    """The block-and-lookup warp against rasterio/GDAL's average resampling."""
    coverage = coverage_grid("4G", 600, 30.0, seed=3)
    raster = coverage.rsrp_dbm
    image = warp_to_mercator(raster, max_px=200, fill_value=-200.0)
    target = _mercator_target(raster.grid, 200)
    source = np.where(np.isnan(raster.data), np.float32(-200.0), raster.data)
    reference = np.full(target.shape, np.nan, dtype=np.float32)
    reproject(
        source,
        reference,
        src_transform=raster.grid.transform,
        src_crs=rasterio.crs.CRS.from_wkt(raster.grid.crs_wkt),
        src_nodata=np.nan,
        dst_transform=target.transform,
        dst_crs="EPSG:3857",
        dst_nodata=np.nan,
        resampling=Resampling.average,
    )
    both = np.isfinite(image.data) & np.isfinite(reference)
    assert both.sum() >= 0.97 * np.isfinite(reference).sum()
    same_class = style.rsrp_class(image.data[both]) == style.rsrp_class(reference[both])
    assert same_class.mean() > 0.9
    signal = both & (reference > -120)  # compare where the field is smooth signal
    assert np.median(np.abs(image.data[signal] - reference[signal])) < 1.5


def test_coverage_image_is_remembered_with_its_grid(
    tiny_coverage: dict[str, FakeCoverage],
) -> None:
    raster = tiny_coverage["4G"].rsrp_dbm
    first = coverage_image(raster, max_px=200)
    assert coverage_image(raster, max_px=200) is first  # same grid object: not drawn again
    twin = Raster(raster.data.copy(), raster.grid, raster.units)
    again = coverage_image(twin, max_px=200)
    assert again is not first and again[0] == first[0]  # another grid is drawn, identically


def test_speed_layers_come_with_their_legend_in_mb_s(
    tiny_dataset: Dataset, tiny_coverage: dict[str, FakeCoverage], tmp_path: Path
) -> None:
    """A speed raster becomes a layer of its own, hidden at first, with a Mb/s legend."""
    from covplan.grid import Raster
    from covplan.mapview import style

    rsrp = tiny_coverage["4G"].rsrp_dbm
    mbps = np.where(np.isfinite(rsrp.data), 45.0, np.nan).astype(np.float32)  # 40-100 class
    sinr = np.where(np.isfinite(rsrp.data), 8.0, np.nan).astype(np.float32)  # 5-13 dB class
    view = ScenarioView(coverage=tiny_coverage, speed={"4G": Raster(mbps, rsrp.grid, "Mb/s")},
                        sinr={"4G": Raster(sinr, rsrp.grid, "dB")})
    script = scenario_script(tiny_dataset, view, lang=language("vi"))
    _node_check(tmp_path, "speed.js", script)
    name = language("vi")._("{tech} downlink speed (Mb/s)").format(tech="4G")
    assert name in _settings(script)["order"]  # type: ignore[operator]
    assert f"[{json.dumps(name)}, " in script and "≥ 100 Mb/s" in script
    assert style.speed_class(np.array([45.0])).tolist() == [4]
    sinr_name = language("vi")._("{tech} downlink SINR (dB)").format(tech="4G")
    assert sinr_name in _settings(script)["order"]  # type: ignore[operator]
    assert "≥ 20</span>" in script and "SINR" in script
    assert style.sinr_class(np.array([8.0])).tolist() == [3]
