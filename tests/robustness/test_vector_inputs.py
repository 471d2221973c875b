"""Bad vector and table inputs: each gives exit 2 with the file, the column or row, and the fix.

Every case starts from the valid tiny dataset of ``tests/conftest.py`` (``tiny_dir``), breaks
one file the way users' files break, and runs ``covplan validate`` on it. The positive cases at
the end check what must load: OSM roads as they come, column mappings onto names the file
already has, a table in the legacy Vietnamese code page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
from shapely.geometry import LineString, Point, box

from covplan import settings
from covplan.i18n import language, said
from covplan.io import load_dataset

from .conftest import CliResult, assert_nothing_new, assert_refused, snapshot

Cli = Callable[..., CliResult]
LON0, LAT0 = 105.80, 21.60
HEADER = "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
ROW = "TN001,{sector},{lon},21.605,4G,Viettel,30,{azimuth}\n"


def write_sites(folder: Path, body: str, header: str = HEADER) -> Path:
    path = folder / "sites.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def rows(n: int = 3, **override: str) -> str:
    values = [{"sector": str(k + 1), "lon": "105.805", "azimuth": str(120 * k)} for k in range(n)]
    for key, value in override.items():
        values[1][key] = value
    return "".join(ROW.format(**v) for v in values)


def manifest(folder: Path, text: str) -> None:
    (folder / "dataset.toml").write_text(text, encoding="utf-8")


# --- text tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "named", "fix"),
    [
        ("", ["sites.csv", "the file is empty"], "export the table again with its header"),
        ("   \n\n \t\n", ["sites.csv", "the file is empty"], "export the table again"),
        (HEADER, ["sites.csv", "the layer is empty (no features)"], "check that the right file"),
        (HEADER + rows() + "TN002,1,105.8,21.6,4G,x,30,0,extra,more\n",
         ["sites.csv", "line 5:", "expected 8 fields as in the header line, found 10"],
         "give each of these lines 8 fields"),
        (HEADER + rows() + 'TN002,1,105.8,21.6,"4G,Viettel,30,0\n',
         ["sites.csv", "line 5:", "a quote (\") is opened and never closed"],
         "close the quote"),
        (HEADER.replace("operator", "site_id"),
         ["sites.csv", "line 1:", "names column(s) 'site_id' more than once"],
         "give every column its own name"),
    ],
    ids=["empty", "whitespace", "header-only", "ragged-row", "unclosed-quote", "repeated-header"],
)
def test_broken_text_tables(tiny_dir: Path, cli: Cli, content: str, named: list[str],
                            fix: str) -> None:
    (tiny_dir / "sites.csv").write_text(content, encoding="utf-8")
    before = snapshot(tiny_dir)
    assert_refused(cli("validate", tiny_dir), *named, fix=fix)
    assert_nothing_new(before, tiny_dir)


def test_binary_garbage_under_csv_is_not_echoed(tiny_dir: Path, cli: Cli) -> None:
    garbage = bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8))
    (tiny_dir / "sites.csv").write_bytes(b"SECRET-CONTENT," + garbage)
    result = cli("validate", tiny_dir)
    assert_refused(result, "sites.csv", "expected a text table (CSV), found binary data",
                   fix="export the table from your spreadsheet as CSV (UTF-8)")
    assert "SECRET-CONTENT" not in result.text


def test_bytes_that_are_no_known_encoding(tiny_dir: Path, cli: Cli) -> None:
    # 0x81 and 0x8D are undefined in Windows-1258 and invalid alone in UTF-8
    (tiny_dir / "sites.csv").write_bytes(HEADER.encode() + b"TN\x81\x8d1,1,105.8,21.6,4G,a,30,0\n")
    assert_refused(cli("validate", tiny_dir), "sites.csv",
                   "neither UTF-8 nor Windows-1258 text", fix="as CSV (UTF-8)")


def test_a_layer_path_that_is_a_folder(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "sites.csv").unlink()
    (tiny_dir / "tram").mkdir()
    manifest(tiny_dir, '[layers.sites]\nfile = "tram"\n[layers.communes]\nfile = "communes.gpkg"\n')
    assert_refused(cli("validate", tiny_dir), "tram: is a folder, expected a sites file",
                   fix='file = "tram/<file>" under [layers.sites]')


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "named", "fix"),
    [
        ({"azimuth": "inf"}, ["column 'azimuth_deg'", "line 3", "expected a finite number"],
         "write the real value"),
        ({"lon": "inf"}, ["column 'lon'", "line 3", "expected a finite number"],
         "write the real value"),
        ({"lon": "-1e999"}, ["column 'lon'", "line 3", "infinity"], "write the real value"),
        ({"sector": "inf"}, ["column 'sector'", "line 3", "expected a finite number"],
         "write the real value"),
        ({"sector": "2.5"}, ["column 'sector'", "line 3", "whole sector number from 1 to 999"],
         "number the sectors of each site 1, 2, 3"),
        ({"sector": "1e12"}, ["column 'sector'", "line 3", "found 1e+12"],
         "number the sectors"),
        ({"sector": "0"}, ["column 'sector'", "line 3", "whole sector number"],
         "number the sectors"),
        ({"azimuth": "abc"}, ["column 'azimuth_deg'", "line 3", "expected a number, found 'abc'"],
         "write plain numbers"),
    ],
    ids=["azimuth-inf", "lon-inf", "lon-overflow", "sector-inf", "sector-fraction",
         "sector-huge", "sector-zero", "azimuth-text"],
)
def test_numbers_that_are_not_usable(tiny_dir: Path, cli: Cli, override: dict[str, str],
                                     named: list[str], fix: str) -> None:
    write_sites(tiny_dir, rows(**override))
    result = cli("validate", tiny_dir)
    assert_refused(result, "sites.csv", *named, fix=fix)
    assert "missing or empty geometry" not in result.text  # reported once, as what it is


def test_every_problem_of_a_file_at_once(tiny_dir: Path, cli: Cli) -> None:
    body = rows(azimuth="inf") + "TN002,1,105.81,21.61,3G,x,-5,0\n" + "TN003,1,,,4G,x,30,0\n"
    write_sites(tiny_dir, body)
    result = cli("validate", tiny_dir)
    assert_refused(result, "4 problems found", "column 'azimuth_deg': line 3",
                   "column 'technology': line 5", "column 'height_m': line 5",
                   "column 'lon/lat': line 6: missing coordinates")


# --- columns ------------------------------------------------------------------------------


def test_missing_and_misspelt_columns_suggest_the_manifest_entry(tiny_dir: Path,
                                                                 cli: Cli) -> None:
    header = "site_id,sector,lng,lat,technolgy,operator,height_m,azimuth_deg\n"
    write_sites(tiny_dir, rows(), header=header)
    assert_refused(cli("validate", tiny_dir), "missing required column 'lon'",
                   "missing required column 'technology'",
                   fix='columns = { technology = "technolgy" }')


def test_a_mapped_column_the_file_lacks(tiny_dir: Path, cli: Cli) -> None:
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n'
             'columns = { name = "ten_xa" }\n')
    assert_refused(cli("validate", tiny_dir), "communes.gpkg",
                   "maps name = \"ten_xa\" but the file has no column 'ten_xa'",
                   fix="correct the column name under [layers.communes] columns")


def test_values_mapped_for_a_column_the_layer_lacks(tiny_dir: Path, cli: Cli) -> None:
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n[layers.pois]\n'
             'file = "pois.gpkg"\nvalues = { loai = { "bv" = "hospital" } }\n')
    assert_refused(cli("validate", tiny_dir), "pois.gpkg", "column 'loai'",
                   fix="correct the column name under [layers.pois] values")


def test_duplicate_ids(tiny_dir: Path, cli: Cli) -> None:
    villages = gpd.read_file(tiny_dir / "villages.gpkg")
    villages.loc[2, "village_id"] = "V1"
    villages.to_file(tiny_dir / "villages.gpkg")
    assert_refused(cli("validate", tiny_dir), "villages.gpkg", "column 'village_id'",
                   "features 1, 3", "duplicate village_id (V1)", fix="give each row a unique")


def test_missing_id_suggests_an_id_like_column(tiny_dir: Path, cli: Cli) -> None:
    villages = gpd.read_file(tiny_dir / "villages.gpkg").rename(columns={"village_id": "osm_id"})
    villages.to_file(tiny_dir / "villages.gpkg")
    assert_refused(cli("validate", tiny_dir), "villages.gpkg",
                   "missing required column 'village_id'",
                   fix='[layers.villages] columns = { village_id = "osm_id" }')


def test_roads_without_class_or_osm_tags_propose_a_values_mapping(tiny_dir: Path,
                                                                  cli: Cli) -> None:
    roads = gpd.GeoDataFrame(
        {"ten": ["Quốc lộ 3", "ĐT 261"], "cap_duong": ["Quốc Gia", "Cấp Tỉnh"]},
        geometry=[LineString([(LON0, LAT0 + 0.02), (LON0 + 0.1, LAT0 + 0.02)]),
                  LineString([(LON0 + 0.05, LAT0), (LON0 + 0.05, LAT0 + 0.05)])], crs=4326)
    roads.to_file(tiny_dir / "roads.gpkg")
    assert_refused(cli("validate", tiny_dir), "roads.gpkg", "missing required column "
                   "'road_class'", fix='values = { road_class = { "Quốc Gia" = "national", '
                   '"Cấp Tỉnh" = "provincial" } }')


# --- geometry and formats -----------------------------------------------------------------


def test_road_with_nan_coordinates(tiny_dir: Path, cli: Cli) -> None:
    text = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"road_class": "national"}, "geometry": {"type": "LineString", "coordinates": '
            '[[105.8, 21.6], [105.9, 21.62]]}}, {"type": "Feature", "properties": {"road_class":'
            ' "local"}, "geometry": {"type": "LineString", "coordinates": [[105.8, 21.6], '
            '[NaN, 21.7]]}}]}')
    (tiny_dir / "roads.gpkg").unlink()
    (tiny_dir / "roads.geojson").write_text(text, encoding="utf-8")
    assert_refused(cli("validate", tiny_dir), "roads.geojson", "feature 2",
                   "coordinates that are not numbers", fix="fix or delete those features")


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        ("roads.gpkg", b"\x07\x00garbage" * 500, "not recognized as being in a supported"),
        ("roads.gpkg", b"SQLite format 3\x00" + b"\x13" * 5000, "GDAL:"),
        ("roads.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feat', "GDAL:"),
    ],
    ids=["garbage-gpkg", "sqlite-header-garbage", "truncated-geojson"],
)
def test_unreadable_vector_files(tiny_dir: Path, cli: Cli, name: str, content: bytes,
                                 named: str) -> None:
    (tiny_dir / "roads.gpkg").unlink()
    (tiny_dir / name).write_bytes(content)
    assert_refused(cli("validate", tiny_dir), name, "cannot be read as a vector file", named,
                   fix="export it again from your GIS")


def test_truncated_geopackage(tiny_dir: Path, cli: Cli) -> None:
    data = (tiny_dir / "roads.gpkg").read_bytes()
    (tiny_dir / "roads.gpkg").write_bytes(data[: len(data) // 3])
    assert_refused(cli("validate", tiny_dir), "roads.gpkg", "cannot be read as a vector file",
                   fix="a download or copy may have been cut short")


def test_wrong_geometry_type_and_empty_geometry(tiny_dir: Path, cli: Cli) -> None:
    roads = gpd.GeoDataFrame({"road_class": ["national", "local", "local"]},
                             geometry=[Point(LON0, LAT0), LineString([(LON0, LAT0),
                                                                      (LON0 + 0.1, LAT0)]),
                                       LineString()], crs=4326)
    roads.to_file(tiny_dir / "roads.gpkg")
    assert_refused(cli("validate", tiny_dir), "roads.gpkg",
                   "feature 1: expected geometry type LineString or MultiLineString, found 1 Point",
                   "feature 3: missing or empty geometry", fix="keep only the expected type")


def test_a_file_over_the_size_limit_is_not_read(tiny_dir: Path, cli: Cli,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "max_file_mb", 1.0)
    with (tiny_dir / "sites.csv").open("r+b") as handle:  # sparse: nothing is written
        handle.truncate(3 * 1024**2)
    assert_refused(cli("validate", tiny_dir), "sites.csv", "the sites file is 3 MB",
                   "more than covplan reads (1 MB)", fix="COVPLAN_MAX_FILE_MB")


def test_unknown_technology(tiny_dir: Path, cli: Cli) -> None:
    write_sites(tiny_dir, rows().replace("4G", "3G", 1))
    assert_refused(cli("validate", tiny_dir), "sites.csv", "column 'technology'", "line 2",
                   "unknown technology '3G'", fix="write 4G or 5G")


# --- what must load -----------------------------------------------------------------------

#: cp1258 (Windows-1258) has letters with circumflex, breve and horn precomposed and writes
#: the five tone marks as combining characters after them.
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """``text`` encoded as a Vietnamese Windows program writes Windows-1258."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append((base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


def test_a_windows_1258_table_is_decoded_with_a_warning(tiny_dir: Path, cli: Cli) -> None:
    names = ["Thái Nguyên", "Đồng Hỷ", "Xóm Bản Ạ"]
    body = "".join(f"S{k},1,105.80{k},21.605,4G,{name},30,0\n" for k, name in enumerate(names))
    raw = to_cp1258(HEADER + body)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (tiny_dir / "sites.csv").write_bytes(raw)
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "read as Windows-1258" in result.err and "save the file as 'CSV UTF-8'" in result.err
    operators = load_dataset(tiny_dir).sites["operator"].tolist()
    assert operators == names  # NFC, exactly as typed


def test_excels_unicode_text_is_read(tiny_dir: Path, cli: Cli) -> None:
    """Excel's "Unicode Text": UTF-16 little-endian with its byte-order mark, tab-separated."""
    names = ["Thái Nguyên", "Đồng Hỷ"]
    body = "".join(f"S{k},1,105.80{k},21.605,4G,{name},30,0\n" for k, name in enumerate(names))
    text = (HEADER + body).replace(",", "\t").replace("\n", "\r\n")
    (tiny_dir / "sites.csv").write_bytes(text.encode("utf-16"))  # BOM, then UTF-16-LE here
    assert b"\x00" in (tiny_dir / "sites.csv").read_bytes()[:10]
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "read as UTF-16 text (Excel's \"Unicode Text\")" in result.out
    assert load_dataset(tiny_dir).sites["operator"].tolist() == names


def test_mapping_onto_a_name_the_file_has_replaces_it(tiny_dir: Path, cli: Cli) -> None:
    communes = gpd.read_file(tiny_dir / "communes.gpkg")
    communes["fullName"] = ["Xã " + n for n in communes["name"]]
    communes.to_file(tiny_dir / "communes.gpkg")
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n'
             'columns = { code = "code", name = "fullName" }\n'
             '[layers.villages]\nfile = "villages.gpkg"\n[layers.sites]\nfile = "sites.csv"\n')
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "column 'name' of communes.gpkg replaced by 'fullName'" in result.out
    loaded = load_dataset(tiny_dir).communes
    assert list(loaded["name"]) == ["Xã Xã Tân Hòa", "Xã Phường Đông"]
    assert list(loaded.columns).count("name") == 1 and "fullName" not in loaded.columns
    out = tiny_dir.parent / "analysis"
    assert cli("analyze", tiny_dir, "--no-cache", "--resolution", "100", "--out", out).code == 0


def test_one_file_column_feeds_two(tiny_dir: Path) -> None:
    roads = gpd.GeoDataFrame(
        {"ten": ["QL.3", "ĐT.261"]},
        geometry=[LineString([(LON0, LAT0 + 0.02), (LON0 + 0.1, LAT0 + 0.02)]),
                  LineString([(LON0 + 0.05, LAT0), (LON0 + 0.05, LAT0 + 0.05)])], crs=4326)
    roads.to_file(tiny_dir / "roads.gpkg")
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n[layers.roads]\n'
             'file = "roads.gpkg"\ncolumns = { name = "ten", ref = "ten" }\n')
    loaded = load_dataset(tiny_dir).roads
    assert list(loaded["name"]) == ["QL.3", "ĐT.261"] == list(loaded["ref"])
    assert list(loaded["road_class"]) == ["national", "provincial"]


def test_unknown_poi_kinds_are_counted_in_a_warning(tiny_dir: Path, cli: Cli) -> None:
    pois = gpd.GeoDataFrame({"kind": ["hospital", "bank", "bank", "cafe"]},
                            geometry=[Point(LON0 + 0.01 * k, LAT0 + 0.03) for k in range(4)],
                            crs=4326)
    pois.to_file(tiny_dir / "pois.gpkg")
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "3 points of interest of kinds covplan does not know count as 'other'" in result.err
    assert "'bank' (2), 'cafe' (1)" in result.err
    assert 'values = { kind = { "bank" = "hospital" } }' in result.err
    # the app says it in its reader's language; the values and the entry stay as written
    (warning,) = [w for w in load_dataset(tiny_dir).warnings if "points of interest" in w]
    vietnamese = said(warning, language("vi"))
    assert vietnamese.startswith("pois.gpkg: 3 điểm quan tâm có loại covplan không biết")
    assert "'bank' (2), 'cafe' (1)" in vietnamese
    assert 'values = { kind = { "bank" = "hospital" } }' in vietnamese
    said_vi = cli("validate", tiny_dir, "--lang", "vi")  # and the command line, asked to
    assert said_vi.code == 0 and "pois.gpkg: 3 điểm quan tâm" in said_vi.err


def test_poi_values_mapped_in_the_manifest(tiny_dir: Path) -> None:
    pois = gpd.GeoDataFrame({"loai": ["benh vien", "truong"]},
                            geometry=[Point(LON0 + 0.01, LAT0 + 0.03), Point(LON0, LAT0 + 0.01)],
                            crs=4326)
    pois.to_file(tiny_dir / "pois.gpkg")
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n[layers.pois]\n'
             'file = "pois.gpkg"\ncolumns = { kind = "loai" }\n'
             'values = { kind = { "benh vien" = "hospital", "truong" = "school" } }\n')
    assert list(load_dataset(tiny_dir).layer("pois")["kind"]) == ["hospital", "school"]


# --- OSM roads as they come -----------------------------------------------------------------

OSM_WAYS = [  # (highway, ref, expected class): a motorway with a QL ref is still expressway
    ("motorway", "CT.01;QL.1", "expressway"),
    ("trunk", "QL.3", "national"),
    ("primary", "ĐT.261", "provincial"),
    ("primary", None, "provincial"),
    ("residential", None, "local"),
    ("secondary", "QL.37", "national"),
]


def _osm_coords(k: int) -> list[tuple[float, float]]:
    return [(LON0 + 0.01 * k, LAT0 + 0.01), (LON0 + 0.01 * k + 0.005, LAT0 + 0.04)]


def _write_xml(path: Path) -> None:
    nodes, ways, node = [], [], 1
    for k, (highway, ref, _) in enumerate(OSM_WAYS):
        refs = []
        for lon, lat in _osm_coords(k):
            nodes.append(f'<node id="{node}" version="1" lat="{lat}" lon="{lon}"/>')
            refs.append(node)
            node += 1
        tags = f'<tag k="highway" v="{highway}"/>' + (f'<tag k="ref" v="{ref}"/>' if ref else "")
        ways.append(f'<way id="{k + 1}" version="1">'
                    + "".join(f'<nd ref="{r}"/>' for r in refs) + tags + "</way>")
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")


def _write_pbf(path: Path) -> None:
    writer = osmium.SimpleWriter(str(path))
    try:
        node, ways = 1, []
        for k, (highway, ref, _) in enumerate(OSM_WAYS):
            refs = []
            for lon, lat in _osm_coords(k):
                writer.add_node(osmium.osm.mutable.Node(id=node, location=(lon, lat)))
                refs.append(node)
                node += 1
            tags = {"highway": highway, **({"ref": ref} if ref else {})}
            ways.append(osmium.osm.mutable.Way(id=k + 1, nodes=refs, tags=tags))
        for way in ways:
            writer.add_way(way)
    finally:
        writer.close()


def _write_geojson(path: Path) -> None:
    frame = gpd.GeoDataFrame({"highway": [w[0] for w in OSM_WAYS], "ref": [w[1] for w in OSM_WAYS]},
                             geometry=[LineString(_osm_coords(k)) for k in range(len(OSM_WAYS))],
                             crs=4326)
    frame.to_file(path)


@pytest.mark.parametrize(("name", "write"), [("roads.osm", _write_xml),
                                             ("roads.osm.pbf", _write_pbf),
                                             ("roads.geojson", _write_geojson)],
                         ids=["osm-xml", "osm-pbf", "geojson-highway-ref"])
def test_osm_roads_load_without_road_class(tiny_dir: Path, cli: Cli, name: str,
                                           write: Callable[[Path], None]) -> None:
    (tiny_dir / "roads.gpkg").unlink()
    write(tiny_dir / name)
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "road_class derived from" in result.out
    roads = load_dataset(tiny_dir).roads
    assert list(roads["road_class"]) == [w[2] for w in OSM_WAYS]


@pytest.mark.parametrize("clip", ["xml", "pbf"])
def test_a_clipped_osm_extract_warns_of_the_ways_it_drops(tiny_dir: Path, cli: Cli,
                                                          clip: str) -> None:
    """A way whose nodes an extract cut off cannot be drawn: it is left out, and every
    command says so in the reader's language (once, not also as an English log line)."""
    (tiny_dir / "roads.gpkg").unlink()
    name = "roads.osm" if clip == "xml" else "roads.osm.pbf"
    (_write_xml if clip == "xml" else _write_pbf)(tiny_dir / name)
    if clip == "xml":  # two ways reach past the extract: nodes 900 and 901 are missing
        text = (tiny_dir / name).read_text(encoding="utf-8").replace(
            "</osm>", '<way id="90"><nd ref="1"/><nd ref="900"/><tag k="highway" '
            'v="primary"/></way>\n<way id="91"><nd ref="2"/><nd ref="901"/><tag k="highway" '
            'v="trunk"/></way>\n</osm>')
        (tiny_dir / name).write_text(text, encoding="utf-8")
    else:
        clipped = tiny_dir / "clipped.osm.pbf"
        writer = osmium.SimpleWriter(str(clipped))
        try:
            for item in osmium.FileProcessor(str(tiny_dir / name)):
                if isinstance(item, osmium.osm.Node):
                    writer.add_node(item)
                else:
                    writer.add_way(item)
            for way, (node, highway) in enumerate(((900, "primary"), (901, "trunk")), 90):
                writer.add_way(osmium.osm.mutable.Way(id=way, nodes=[1, node],
                                                      tags={"highway": highway}))
        finally:
            writer.close()
        clipped.replace(tiny_dir / name)
    english = cli("validate", tiny_dir)
    assert english.code == 0, english.text
    assert ("Warning: roads.osm" in english.err and "dropped 2 highway ways whose nodes are "
            "not all in the file (the extract was clipped). Fix: extract with 'osmium "
            "extract -s complete_ways'" in english.err), english.err
    assert "WARNING" not in english.err
    vietnamese = cli("validate", tiny_dir, "--lang", "vi")
    assert "đã bỏ 2 tuyến đường (highway) có nút không nằm trong tệp" in vietnamese.err
    assert len(load_dataset(tiny_dir).roads) == len(OSM_WAYS)


def test_hanoi_osm_roads_as_they_come(realdata: Path, tmp_path: Path) -> None:
    from covplan.io import load_roads

    roads = load_roads(realdata / "hanoi" / "roads_osm_2025.geojson")
    assert len(roads) == 24_690
    motorway = roads["highway"] == "motorway"
    assert (roads.loc[motorway, "road_class"] == "expressway").all()
    ql = roads["ref"].fillna("").str.fullmatch(r"QL\.\w+") & roads["highway"].isin(
        ["trunk", "primary", "secondary"])
    assert ql.sum() > 100 and (roads.loc[ql, "road_class"] == "national").all()


def test_study_box_helper_is_plain_geometry() -> None:
    # the tiny dataset's communes, as the cases above break its other layers
    assert box(LON0, LAT0, LON0 + 0.1, LAT0 + 0.05).area == pytest.approx(0.005)


def test_an_opencellid_export_cut_short(tiny_dir: Path, cli: Cli, tmp_path: Path) -> None:
    """OpenCellID's own CSV with a quote left open (a download cut short): named, refused,
    nothing written."""
    (tiny_dir / "sites.csv").write_text(
        "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
        "averageSignal\n"
        "LTE,452,4,10101,27181313,0,105.8400,21.5900,1000,12,1,1459692000,1600000000,0\n"
        'LTE,452,4,10101,"2718', encoding="utf-8")
    out = tmp_path / "out"
    before = snapshot(tiny_dir, tmp_path)
    assert_refused(cli("analyze", tiny_dir, "--out", out, "--lang", "en"), "sites.csv",
                   "expected an OpenCellID CSV export", fix="download the export again")
    assert_nothing_new(before, tiny_dir, tmp_path)


def test_a_where_filter_that_keeps_nothing_says_what_the_file_has(tiny_dir: Path,
                                                                  cli: Cli) -> None:
    """Values typed without their accents keep no road: the problem names the filter and
    the values the file has, instead of "the layer is empty"."""
    manifest(tiny_dir, '[layers.communes]\nfile = "communes.gpkg"\n[layers.roads]\n'
             'file = "roads.gpkg"\nwhere = { name = ["Quoc lo 3"] }\n')
    result = cli("validate", tiny_dir)
    assert_refused(result, "roads.gpkg", "keeps none of the 2 features",
                   "the file has name: 'Quốc lộ 3', 'x'",
                   fix="write the values as the file has them (accents and case included)")
    assert "the layer is empty" not in result.text
    vietnamese = cli("validate", tiny_dir, "--lang", "vi")
    assert "không giữ lại đối tượng nào trong 2 đối tượng" in vietnamese.err


VIETNAMESE_SITES = ("Mã trạm;Kinh độ;Vĩ độ;Công nghệ;Độ cao anten (m)\n"
                    "TN01;105,80;21,605;4G;30\n"
                    "TN02;105,81;21,606;4G;cao\n")


def test_vietnamese_headers_are_suggested_and_named_as_written(tiny_dir: Path,
                                                              cli: Cli) -> None:
    """A sites file with its own Vietnamese headers: unmapped, each missing column is
    matched to the user's column with the dataset.toml line to write; mapped, a bad value
    names the user's column beside covplan's."""
    (tiny_dir / "sites.csv").unlink()
    (tiny_dir / "tram.csv").write_text(VIETNAMESE_SITES, encoding="utf-8")
    layers = ('[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "tram.csv"\n')
    manifest(tiny_dir, layers)
    result = cli("validate", tiny_dir)
    for contract, mine in (("lon", "Kinh độ"), ("lat", "Vĩ độ"), ("site_id", "Mã trạm"),
                           ("technology", "Công nghệ")):
        assert f"rename column '{mine}' to '{contract}', or map it in dataset.toml" in \
            result.err, (contract, result.err)
    manifest(tiny_dir, layers + 'columns = { site_id = "Mã trạm", lon = "Kinh độ", '
             'lat = "Vĩ độ", technology = "Công nghệ", height_m = "Độ cao anten (m)" }\n')
    result = cli("validate", tiny_dir)
    assert_refused(result, "tram.csv", "column 'Độ cao anten (m)' (height_m): line 3")
    vietnamese = cli("validate", tiny_dir, "--lang", "vi")
    assert "cột 'Độ cao anten (m)' (height_m): dòng 3" in vietnamese.err


def test_an_azimuth_outside_a_turn_is_read_and_said(tiny_dir: Path, cli: Cli) -> None:
    """400 is 40 degrees, -90 is 270: read so, with a warning naming the lines (a typo as
    often as a convention)."""
    rows = [ROW.format(sector=1, lon=105.80, azimuth=400), ROW.format(sector=2, lon=105.80,
                                                                     azimuth=-90),
            ROW.format(sector=3, lon=105.80, azimuth=120)]
    (tiny_dir / "sites.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert ("azimuth_deg outside 0-360 on 2 rows (2, 3): read as the same direction "
            "(400 → 40); check them") in result.err
    assert sorted(load_dataset(tiny_dir).sites["azimuth_deg"]) == [40.0, 120.0, 270.0]


def test_one_word_in_a_decimal_comma_column_is_the_only_problem(tiny_dir: Path,
                                                                cli: Cli) -> None:
    """Vietnamese Excel's numbers (28,5) stay numbers when one cell of the column is a word:
    only that cell's line is reported (every line of the column was, with its own value)."""
    (tiny_dir / "sites.csv").write_text(
        "site_id;sector;lon;lat;technology;height_m\n"
        "S1;1;105,800;21,605;4G;28,5\n"
        "S2;1;105,810;21,606;4G;cao\n"
        "S3;1;105,820;21,607;4G;31,5\n", encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert_refused(result, "1 problem found", "column 'height_m': line 3",
                   "expected a number, found 'cao'", fix="write plain numbers")
    assert "'28,5'" not in result.text and "'31,5'" not in result.text
