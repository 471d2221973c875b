"""The real path, end to end: a planner's own files, assembled as they come, with no renaming.

Two datasets are assembled in ``tmp_path`` with a ``dataset.toml`` that reads the real files of
``../shared/realdata`` in place (``allow_files_outside = true``; nothing is copied):

* **Thái Nguyên 2025**: the 92 real communes, with ``name`` mapped onto the file's own
  ``fullName`` (the file has both); OSM places as village points; OSM POIs with their
  ``fclass``; the coarse national roads with their Vietnamese columns and values; the SRTM
  tile (which covers only the south of the province); WorldPop; and a sites CSV in
  OpenCellID's layout written here.
* **Hà Nội roads**: the real OSM drive network as it comes (``highway``/``ref`` only, no
  ``road_class``), and an OSM XML and an OSM PBF made here from some of its ways.

Then ``validate``, ``analyze``, ``report`` and the app's loader run on them, and the figures
are checked against independent ones: WorldPop's total inside the province, the share of the
province south of 22° N that the SRTM tile covers, the road classes OSM's tags imply.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from covplan.cli.main import main
from covplan.io import load_dataset

pytestmark = pytest.mark.realdata

#: WorldPop 2020 1 km inside the merged province (shared/realdata README).
WORLDPOP_IN_PROVINCE = 1_495_114


def _places_inside(realdata: Path) -> gpd.GeoDataFrame:
    """OSM towns and cities inside the province: where the test puts its cells."""
    places = gpd.read_file(realdata / "thai_nguyen" / "places_osm_2018.geojson")
    province = gpd.read_file(realdata / "thai_nguyen" / "province_2025.geojson").geometry[0]
    inside = places[places.within(province) & places["fclass"].isin(["town", "city"])]
    return inside.sort_values("osm_id").reset_index(drop=True)


def write_opencellid(path: Path, points: list[tuple[float, float]]) -> int:
    """An OpenCellID export (with its header) of LTE cells of three operators at ``points``.

    A few GSM and UMTS cells are mixed in, as in a real export; covplan leaves them out.
    Returns the number of LTE/NR cells written.
    """
    header = ["radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples",
              "changeable", "created", "updated", "averageSignal"]
    rows, cell, modern = [], 1000, 0
    for i, (lon, lat) in enumerate(points):
        for k, net in enumerate((4, 2, 1)):  # Viettel, VinaPhone, MobiFone
            dx, dy = 0.004 * (k - 1), 0.003 * ((i + k) % 3 - 1)
            radio = "NR" if (i < 3 and net == 4) else "LTE"
            cell += 1
            rows.append([radio, 452, net, 12000 + i, cell, "", f"{lon + dx:.6f}",
                         f"{lat + dy:.6f}", 1500, 12, 1, 1577836800, 1735689600, 0])
            modern += 1
        cell += 1
        rows.append(["GSM", 452, 4, 12000 + i, cell, "", f"{lon:.6f}", f"{lat:.6f}", 3000, 5,
                     1, 1577836800, 1735689600, 0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return modern


def thai_nguyen_manifest(folder: Path, realdata: Path) -> Path:
    """The manifest a planner would write for the real files, with their own names."""
    tn = (realdata / "thai_nguyen").resolve()
    text = f'''# The real files are read in place from ../shared/realdata.
[dataset]
name = "Thái Nguyên 2025 (real data)"
province = "Thái Nguyên"
allow_files_outside = true
attribution = "vietnamese-provinces-database (MIT); NASA/USGS SRTM; WorldPop (CC-BY-4.0); \
© OpenStreetMap contributors (ODbL); CTU-SematX/LegoCity (CC BY-SA 4.0)"

[layers.communes]
file = "{tn / "communes_2025.geojson"}"
columns = {{ code = "code", name = "fullName" }}

[layers.villages]
file = "{tn / "places_osm_2018.geojson"}"
columns = {{ village_id = "osm_id" }}
where = {{ fclass = ["village", "hamlet", "town"] }}

[layers.roads]
file = "{tn / "roads_national_coarse.geojson"}"
columns = {{ name = "ten", ref = "ten", road_class = "cap_duong" }}
values = {{ road_class = {{ "Quốc Gia" = "national", "Cấp Tỉnh" = "provincial" }} }}
where = {{ loai_duong = ["Đường chính", "Đường thứ cấp"] }}

[layers.pois]
file = "{tn / "pois_osm_2018.geojson"}"
columns = {{ kind = "fclass" }}

[layers.sites]
file = "cell_towers.csv"

[layers.terrain]
file = "{tn / "N21E105.hgt"}"

[layers.population]
file = "{tn / "population_worldpop_2020_1km.tif"}"
'''
    (folder / "dataset.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def thai_nguyen(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("thai_nguyen")
    points = [(p.x, p.y) for p in _places_inside(realdata).geometry]
    write_opencellid(folder / "cell_towers.csv", points)
    return thai_nguyen_manifest(folder, realdata)


def test_the_real_province_loads_with_its_own_column_names(thai_nguyen: Path,
                                                           realdata: Path) -> None:
    ds = load_dataset(thai_nguyen)
    communes = ds.communes
    assert len(communes) == 92
    # name came from fullName, which replaced the file's own short name
    assert communes["name"].str.match(r"^(Phường|Xã) ").all()
    assert "Phường Đức Xuân" in set(communes["name"])
    # WorldPop's people inside the province, conserved into the communes
    assert communes["population"].sum() == pytest.approx(WORLDPOP_IN_PROVINCE, rel=0.01)
    assert set(ds.roads["road_class"]) == {"national", "provincial"}
    assert (ds.layer("pois")["kind"] == "hospital").sum() == 6
    towns = len(_places_inside(realdata))
    assert ds.sites["site_id"].nunique() >= towns  # three operators' cells per town
    assert set(ds.sites["technology"]) == {"4G", "5G"}  # GSM left out


def test_the_terrain_share_is_stated_and_right(thai_nguyen: Path, realdata: Path) -> None:
    ds = load_dataset(thai_nguyen)
    province = shapely.union_all(ds.communes.to_crs(4326).geometry.to_numpy())
    south = province.intersection(box(105.0, 21.0, 106.0, 22.0))
    expected = south.area / province.area  # degree areas: ratio at one latitude band, ~1 %
    share = ds.terrain_coverage.share
    assert share == pytest.approx(expected, abs=0.02)
    text = " ".join(ds.warnings)
    assert f"{round(100 * share)} %" in text and "terrain" in text


def test_validate_analyze_and_report_run_on_it(thai_nguyen: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "validate", str(thai_nguyen)]) == 0
    capsys.readouterr()
    out = tmp_path / "analysis"
    code = main(["analyze", str(thai_nguyen), "--targets", "thai_nguyen_2025",
                 "--resolution", "250", "--no-cache", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Thái Nguyên 2025 (real data)" in printed.out
    # the preset's language throughout, warnings too, each said once (no English log copy)
    assert "Cảnh báo: địa hình: N21E105.hgt phủ 38 % vùng nghiên cứu" in printed.err
    assert "Warning" not in printed.err and "WARNING" not in printed.err
    # no fibre layer: the target says it could not be measured, not "a share of no data"
    assert ("fibre_villages: tỷ lệ thôn, xóm, bản có cáp quang; chưa đo được: không có dữ "
            "liệu cáp quang (160 thôn, xóm, bản") in printed.out
    targets = pd.read_csv(out / "data" / "targets.csv")
    measured = targets["measured_percent"].dropna()
    assert len(measured) and measured.between(0, 100).all()
    summary = pd.read_csv(out / "data" / "commune_summary.csv")
    assert len(summary) == 92
    report = tmp_path / "report"
    assert main(["-q", "report", str(thai_nguyen), "--format", "pdf,csv", "--resolution", "250",
                 "--no-cache", "--out", str(report)]) == 0
    assert (report / "report.pdf").stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(report / "report.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "Thái Nguyên" in text


def test_the_apps_loader_opens_it(thai_nguyen: Path) -> None:
    from covplan.app.compute import cached_dataset

    ds = cached_dataset(str(thai_nguyen))
    assert len(ds.communes) == 92


def test_site_recommendation_on_it_is_what_the_engine_measures(thai_nguyen: Path) -> None:
    """``plan``'s chain on the real province: the fast matrix equals the engine's windows,
    and the engine, re-run with the chosen sites, measures what the solver promised."""
    from covplan.planning import (
        CandidateOptions,
        PlanOptions,
        ScenarioEvaluator,
        build_matrix,
        recommend_sites,
    )
    from covplan.predict import SiteCache
    from covplan.targets import load_targets

    dataset = load_dataset(thai_nguyen)
    targets = load_targets("thai_nguyen_2025")
    ev = ScenarioEvaluator(dataset, targets, resolution_m=500.0)
    rec = recommend_sites(dataset, targets, "roads_4g5g", evaluator=ev,
                          options=PlanOptions(mode="max", max_sites=5, time_limit_s=30.0,
                                              candidates=CandidateOptions(
                                                  road_spacing_m=4000.0, villages=False)))
    assert rec.matrix.problem.n_candidates > 20 and rec.matrix.problem.cover.nnz > 0
    assert 0 < rec.selection.count <= 5
    after = rec.after.set_index("id").loc["roads_4g5g", "covered"]
    assert after == pytest.approx(rec.predicted_covered, rel=1e-9)
    assert after > rec.demand.baseline_covered
    floors = {t: targets.floor_dbm(t) for t in ("4G", "5G")}
    windows = build_matrix(rec.demand, rec.candidates, dataset.terrain, ev.grid,
                           cache=SiteCache(), engine_threshold_dbm=floors, model=ev.model,
                           environment=ev.radio_environment, method="windows")
    assert windows.candidate_ids == rec.matrix.candidate_ids
    assert (windows.problem.cover != rec.matrix.problem.cover).nnz == 0


def test_a_new_operators_first_site_on_it_equals_the_whole_grid_evaluation(
        thai_nguyen: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's first click (a site of an operator no site had) on the real province: its
    network is patched in where it reaches, and every table equals the whole-grid path."""
    from covplan.planning import ScenarioEvaluator
    from covplan.predict import engine
    from covplan.targets import load_targets, networks
    from covplan.targets.networks import _Margin

    dataset = load_dataset(thai_nguyen)
    targets = load_targets("thai_nguyen_2025")
    x, y = dataset.communes.geometry.union_all().representative_point().coords[0]
    evaluator = ScenarioEvaluator(dataset, targets, resolution_m=250.0)
    evaluator.evaluate()
    scenario = evaluator.baseline().add_site(
        "NEW1", x, y, technology="4G", operator="Mạng mới", height_m=30,
        sectors=[{"azimuth_deg": a} for a in (0, 120, 240)])
    followed = evaluator.evaluate(scenario)
    network = followed.context.networks["Mạng mới"]["4G"]
    assert network.rsrp_tiles.values._full is None  # patched in, not merged into whole grids
    assert "Mạng mới" in set(followed.analysis.operators["network"])
    margins = [v for v in followed.context._cache.values()
               if isinstance(v, _Margin) and v.network is followed.context.networks["Mạng mới"]]
    assert margins and all(m.values._full is None for m in margins)  # made where it reaches
    monkeypatch.setattr(engine, "_empty_start", lambda *args: None)
    monkeypatch.setattr(networks, "_reach", lambda techs, net, shape: (0, shape[0], 0, shape[1]))
    whole = ScenarioEvaluator(dataset, targets, resolution_m=250.0).evaluate(scenario)
    for table in ("targets", "operators", "population"):
        pd.testing.assert_frame_equal(getattr(followed.analysis, table),
                                      getattr(whole.analysis, table))


# --- OSM roads as they come --------------------------------------------------------------


def _hanoi_ways(realdata: Path, n: int = 60) -> gpd.GeoDataFrame:
    """Some real ways of each main class, with their tags as OSM has them."""
    roads = gpd.read_file(realdata / "hanoi" / "roads_osm_2025.geojson")
    picks = [roads[roads["highway"] == h].head(n // 4)
             for h in ("motorway", "trunk", "primary", "residential")]
    return pd.concat(picks).reset_index(drop=True)


def write_osm_xml(ways: gpd.GeoDataFrame, path: Path) -> None:
    """An OSM XML file (as JOSM or Overpass writes it) holding ``ways`` and their nodes."""
    nodes, lines, node_id = [], [], 1
    for way_id, row in zip(range(1, len(ways) + 1), ways.itertuples(), strict=True):
        refs = []
        for lon, lat in row.geometry.coords:
            nodes.append(f'  <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
            refs.append(node_id)
            node_id += 1
        tags = {k: getattr(row, k) for k in ("highway", "ref", "name")}
        body = "".join(f'    <nd ref="{r}"/>\n' for r in refs)
        body += "".join(f'    <tag k="{k}" v="{v}"/>\n' for k, v in tags.items()
                        if isinstance(v, str) and v)
        lines.append(f'  <way id="{way_id}" version="1">\n{body}  </way>')
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    + "\n".join(nodes + lines) + "\n</osm>\n", encoding="utf-8")


def write_osm_pbf(ways: gpd.GeoDataFrame, path: Path) -> None:
    """The same ways as an OSM PBF file, written with pyosmium."""
    writer = osmium.SimpleWriter(str(path))
    try:
        node_id, way_nodes = 1, []
        for row in ways.itertuples():
            refs = []
            for lon, lat in row.geometry.coords:
                writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat)))
                refs.append(node_id)
                node_id += 1
            way_nodes.append((refs, row))
        for way_id, (refs, row) in enumerate(way_nodes, start=1):
            tags = {k: getattr(row, k) for k in ("highway", "ref", "name")
                    if isinstance(getattr(row, k), str) and getattr(row, k)}
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()


def _expected_class(highway: str, ref: object) -> str:
    """The road class OSM's tags imply in Vietnam (independent of covplan's parser)."""
    refs = str(ref).split(";") if isinstance(ref, str) else []
    if highway == "motorway" or any(r.startswith("CT") for r in refs):
        return "expressway"
    if any(r.startswith("QL") for r in refs) or highway == "trunk":
        return "national"
    if any(r.startswith("ĐT") for r in refs) or highway == "primary":
        return "provincial"
    return "local"


def _hanoi_folder(folder: Path, roads_file: str, realdata: Path) -> Path:
    hgt = (realdata / "thai_nguyen" / "N21E105.hgt").resolve()
    roads = (realdata / "hanoi" / "roads_osm_2025.geojson").resolve()
    file = str(roads) if roads_file == "geojson" else roads_file
    (folder / "dataset.toml").write_text(f'''[dataset]
name = "Hà Nội roads ({roads_file})"
allow_files_outside = true

[layers.roads]
file = "{file}"

[layers.sites]
file = "cell_towers.csv"

[layers.terrain]
file = "{hgt}"
''', encoding="utf-8")
    write_opencellid(folder / "cell_towers.csv",
                     [(105.80 + 0.03 * i, 21.03 + 0.01 * (i % 3)) for i in range(6)])
    return folder


@pytest.mark.parametrize("kind", ["geojson", "roads.osm", "roads.osm.pbf"])
def test_osm_roads_load_as_they_come(kind: str, realdata: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    ways = _hanoi_ways(realdata)
    if kind == "roads.osm":
        write_osm_xml(ways, tmp_path / kind)
    elif kind == "roads.osm.pbf":
        write_osm_pbf(ways, tmp_path / kind)
    folder = _hanoi_folder(tmp_path, kind, realdata)
    assert main(["-q", "validate", str(folder)]) == 0, capsys.readouterr().err
    roads = load_dataset(folder).roads
    if kind == "geojson":
        assert len(roads) > 20_000
        assert {"expressway", "national", "provincial", "local"} <= set(roads["road_class"])
        return
    assert len(roads) == len(ways)
    got = roads.sort_values("osm_id")["road_class"].to_numpy()
    want = np.array([_expected_class(h, r) for h, r in zip(ways["highway"], ways["ref"],
                                                           strict=True)])
    assert (got == want).all()
    out = tmp_path / "analysis"
    assert main(["-q", "analyze", str(folder), "--resolution", "200", "--no-cache",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    assert (out / "road_gaps.csv").exists()
