"""Bad manifests, paths leaving the dataset folder, and folders found without a manifest.

Each case writes a ``dataset.toml`` (or a folder layout) beside the valid tiny dataset of
``tests/conftest.py`` and runs ``covplan validate``: exit 2, the manifest entry named, the fix
given. A "secret" file outside the folder must never be read: its content never appears.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from covplan.errors import ConfigError
from covplan.io import load_dataset
from covplan.io.manifest import discover

from .conftest import CliResult, assert_refused

Cli = Callable[..., CliResult]
SECRET = "site_id,sector,lon,lat\nTOPSECRET-9f3a,1,105.8,21.6\n"
LAYERS = """
[layers.communes]
file = "communes.gpkg"

[layers.sites]
file = "sites.csv"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "dataset.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the dataset folder that looks like a sites table."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = outside / "secret.csv"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "named", "fix"),
    [
        ('[dataset]\nname = "x\n' + LAYERS, ["dataset.toml", "not valid TOML", "line 2"],
         "check the quotes"),
        ("[dataset]\nname = Thai Nguyen\n" + LAYERS, ["dataset.toml", "line 2"],
         'text values need quotes'),
        ("[datset]\nname = 'x'\n" + LAYERS, ["unknown key 'datset'", "did you mean 'dataset'?"],
         None),
        ("[layers.commune]\nfile = 'communes.gpkg'\n",
         ["[layers.commune]", "unknown layer 'commune'", "did you mean 'communes'?"],
         "Allowed: communes"),
        ("[layers.sites]\nfiel = 'sites.csv'\n", ["unknown key 'fiel'", "did you mean 'file'?"],
         "'file' must be a file name"),
        ("layers = 5\n", ["'layers' must hold one table per layer", "found 5"],
         "[layers.sites] on its own line"),
        ("[layers]\nsites = 'sites.csv'\n", ["[layers.sites]", "expected a table"],
         "write [layers.sites] on its own line"),
        ("[layers.sites]\nfile = []\n", ["[layers.sites]", "'file' must be a file name"],
         'file = "sites.gpkg"'),
        ("[dataset]\nname = 5\n" + LAYERS, ["[dataset] name", "expected text in quotes"],
         'name = "5"'),
        ("[dataset]\nsynthetic = 'yes'\n" + LAYERS, ["[dataset] synthetic", "true or false"],
         "synthetic = true"),
        ("[dataset]\ncrs = 'EPSG:999999'\n" + LAYERS,
         ["[dataset] crs", "'EPSG:999999' is not a coordinate reference system"],
         'crs = "EPSG:32648"'),
        ("[dataset]\ncrs = 'not-a-crs'\n" + LAYERS, ["[dataset] crs", "'not-a-crs'"],
         'crs = "EPSG:32648"'),
        ("[dataset]\ncrs = 'EPSG:4326'\n" + LAYERS,
         ["[dataset] crs", "must be metric (projected)", "WGS 84"],
         "leave 'crs' out to use the UTM zone of the data"),
        (LAYERS + "crs = 'EPSG:999999'\n", ["[layers.sites].crs", "EPSG:999999"],
         'crs = "EPSG:4326"'),
        (LAYERS + "[layers.terrain]\nfile = 'terrain.tif'\nnodata = 'abc'\n",
         ["[layers.terrain].nodata", "expected a number, found 'abc'"], "nodata = -32768"),
        (LAYERS + "columns = ['name']\n", ["[layers.sites].columns"], 'columns = { name ='),
        (LAYERS + "where = { kind = 'x' }\n", ["[layers.sites].where"], "where = { fclass ="),
        (LAYERS + "values = { technology = 'x' }\n", ["[layers.sites].values"],
         "values = { road_class"),
        (LAYERS + "layer = 3\n", ["[layers.sites].layer", "found 3"], 'layer = "sites"'),
        (LAYERS + "[layers.roads]\nfile = 'roads.gpkg'\noutside = 'flat'\n",
         ["[layers.roads]", "apply to the terrain layer only"], "move them under [layers.terrain]"),
    ],
    ids=[
        "toml-unclosed-string", "toml-unquoted", "unknown-table", "unknown-layer", "unknown-key",
        "layers-not-table", "layer-not-table", "file-empty-list", "name-not-text",
        "synthetic-text", "crs-unknown-code", "crs-garbage", "crs-geographic", "layer-crs-bad",
        "nodata-text", "columns-list", "where-shape", "values-shape", "layer-number",
        "outside-on-roads",
    ],
)
def test_bad_manifests_name_the_entry_and_the_fix(
    tiny_dir: Path, cli: Cli, text: str, named: list[str], fix: str | None
) -> None:
    write(tiny_dir, text)
    assert_refused(cli("validate", tiny_dir), "dataset.toml", *named, fix=fix)


def test_every_manifest_problem_is_listed_at_once(tiny_dir: Path, cli: Cli) -> None:
    write(tiny_dir, "[dataset]\ncrs = 'EPSG:4326'\nsynthetic = 'no'\n" + LAYERS + "nodata = 'x'\n")
    result = cli("validate", tiny_dir)
    assert_refused(result, "3 problems", "[dataset] crs", "[dataset] synthetic", ".nodata")


def test_a_manifests_problems_are_said_in_the_readers_language(tiny_dir: Path, cli: Cli) -> None:
    """``--lang vi``: every problem, its place and its fix in Vietnamese, all at once; keys,
    values and the TOML to write as the manifest has them."""
    write(tiny_dir, "[dataset]\ncrs = 'EPSG:4326'\nsynthetic = 'no'\n"
                    "[layers.sites]\nfile = '../x.csv'\n[layers.commune]\nfile = 'c.gpkg'\n")
    result = cli("validate", tiny_dir, "--lang", "vi")
    assert result.code == 2 and "Traceback" not in result.text
    lines = result.text.strip().splitlines()
    assert lines[0] == f"Lỗi: Có 4 lỗi trong tệp mô tả bộ dữ liệu {tiny_dir / 'dataset.toml'}:"
    assert lines[1:] == [
        "  - [dataset] synthetic: cần true hoặc false, nhưng gặp 'no'. Cách sửa: ghi synthetic "
        "= true (không có dấu ngoặc kép).",
        "  - [dataset] crs: hệ quy chiếu làm việc phải tính bằng mét (hệ chiếu phẳng), nhưng "
        "gặp WGS 84. Cách sửa: ví dụ ghi crs = \"EPSG:32648\" cho UTM 48N (miền Bắc Việt Nam), "
        "hoặc bỏ 'crs' để dùng múi UTM của dữ liệu.",
        f"  - [layers.sites]: file = \"../x.csv\" dẫn ra ngoài thư mục bộ dữ liệu; covplan chỉ "
        f"đọc các tệp bên trong {tiny_dir}. Cách sửa: chép tệp vào thư mục bộ dữ liệu và ghi "
        "tên tính từ thư mục đó, hoặc cho phép bằng [dataset] allow_files_outside = true.",
        "  - [layers.commune]: lớp 'commune' không hợp lệ. Cách sửa: có phải ý bạn là "
        "'communes'? Các giá trị được phép: communes, villages, roads, sites, fibre, pois, "
        "terrain, population, landcover.",
    ]


def test_a_manifest_that_is_not_utf8(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "dataset.toml").write_bytes(
        b'[dataset]\nname = "Th\xe1i Nguy\xean"\n' + LAYERS.encode()
    )
    assert_refused(cli("validate", tiny_dir), "dataset.toml", "line 2", "not UTF-8",
                   fix="save it as UTF-8")


def test_a_manifest_naming_a_missing_file(tiny_dir: Path, cli: Cli) -> None:
    write(tiny_dir, LAYERS.replace("sites.csv", "stations.csv"))
    assert_refused(cli("validate", tiny_dir), "stations.csv", "not found",
                   fix="dataset.toml")


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_paths_leaving_the_folder_are_refused_without_reading(
    tiny_dir: Path, cli: Cli, secret: Path, how: str
) -> None:
    if how == "absolute":
        name = str(secret)
    elif how == "dotdot":
        name = os.path.relpath(secret, tiny_dir)
    else:
        (tiny_dir / "linked.csv").symlink_to(secret)
        name = "linked.csv"
    write(tiny_dir, LAYERS.replace('"sites.csv"', f'"{name}"'))
    result = cli("validate", tiny_dir)
    expected = {"absolute": "is an absolute path", "dotdot": "leads outside the dataset folder",
                "symlink": "is a link to a file outside"}[how]
    assert_refused(result, "[layers.sites]", name, expected,
                   fix="copy the file into the dataset folder")
    assert "TOPSECRET" not in result.text


def test_every_escape_is_listed_at_once(tiny_dir: Path, cli: Cli, secret: Path) -> None:
    write(tiny_dir, f'[layers.sites]\nfile = "{secret}"\n[layers.roads]\nfile = "../x.gpkg"\n'
                    '[layers.terrain]\nfile = ["terrain.tif", "/etc/hostname"]\n')
    result = cli("validate", tiny_dir)
    assert_refused(result, "3 problems", "[layers.sites]", "[layers.roads]", "/etc/hostname")


def test_the_opt_out_is_honoured_on_disk(tiny_dir: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.move(tiny_dir / "sites.csv", shared / "sites.csv")
    write(tiny_dir, "[dataset]\nallow_files_outside = true\n"
                    + LAYERS.replace('"sites.csv"', '"../shared/sites.csv"'))
    ds = load_dataset(tiny_dir)
    assert ds.sites is not None and len(ds.sites) > 0


def test_the_opt_out_is_ignored_for_uploads(tiny_dir: Path, secret: Path) -> None:
    write(tiny_dir, "[dataset]\nallow_files_outside = true\n"
                    + LAYERS.replace('"sites.csv"', f'"{secret}"'))
    with pytest.raises(ConfigError) as caught:
        load_dataset(tiny_dir, confined=True)
    message = str(caught.value)
    assert "is an absolute path" in message and "TOPSECRET" not in message
    assert "allow_files_outside" not in message  # an upload cannot opt out: not proposed


def test_discovery_refuses_a_link_leaving_the_folder(tiny_dir: Path, cli: Cli,
                                                     secret: Path) -> None:
    (tiny_dir / "sites.csv").unlink()
    (tiny_dir / "sites.csv").symlink_to(secret)
    result = cli("validate", tiny_dir)
    assert_refused(result, "sites.csv", "link to a file outside the dataset folder",
                   fix="copy the file itself")
    assert "TOPSECRET" not in result.text


def test_discovery_by_name_prefix(tiny_dir: Path) -> None:
    (tiny_dir / "communes.gpkg").rename(tiny_dir / "communes_2025.gpkg")
    (tiny_dir / "villages.gpkg").rename(tiny_dir / "places_osm_2018.gpkg")
    manifest = discover(tiny_dir)
    assert manifest.layers["communes"].files == (tiny_dir / "communes_2025.gpkg",)
    assert manifest.layers["villages"].files == (tiny_dir / "places_osm_2018.gpkg",)
    assert "sitesx" not in {p.stem for s in manifest.layers.values() for p in s.files}


def test_a_stem_that_only_starts_like_a_layer_is_not_claimed(tiny_dir: Path) -> None:
    (tiny_dir / "roads.gpkg").rename(tiny_dir / "roadside_trees.gpkg")
    assert "roads" not in discover(tiny_dir).layers


def test_two_files_for_one_layer(tiny_dir: Path, cli: Cli) -> None:
    shutil.copy(tiny_dir / "roads.gpkg", tiny_dir / "roads_2024.gpkg")
    assert_refused(cli("validate", tiny_dir), "2 files could be the roads layer",
                   "roads.gpkg, roads_2024.gpkg", fix='[layers.roads] file = "roads.gpkg"')


def test_a_folder_without_vector_layers_gets_a_starter_manifest(tmp_path: Path, cli: Cli,
                                                                tiny_dir: Path) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(tiny_dir / "terrain.tif", folder / "terrain.tif")
    (folder / "ranh_gioi.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    result = cli("validate", folder)
    assert_refused(result, str(folder), "no vector layer found", "terrain: terrain.tif",
                   "communes (communes/commune…)", fix="[layers.LAYER]")
    assert 'file = "ranh_gioi.geojson"' in result.text


def test_a_garbage_geopackage_given_as_the_dataset(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "province.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    assert_refused(cli("info", path), "province.gpkg", "not a readable GeoPackage",
                   fix="export the layers again")


def test_an_explicit_geographic_crs_is_refused(tiny_dir: Path) -> None:
    from covplan.errors import CovplanError

    with pytest.raises(CovplanError, match="must be metric"):
        load_dataset(tiny_dir, crs="EPSG:4326")


def test_the_raw_real_folder_is_discovered(realdata: Path) -> None:
    folder = realdata / "thai_nguyen"
    manifest = discover(folder)
    found = {name: [p.name for p in spec.files] for name, spec in manifest.layers.items()}
    assert found["communes"] == ["communes_2025.geojson"]
    assert found["villages"] == ["places_osm_2018.geojson"]
    assert found["pois"] == ["pois_osm_2018.geojson"]
    assert found["roads"] == ["roads_national_coarse.geojson"]
    assert found["population"] == ["population_worldpop_2020_1km.tif"]
    assert found["terrain"] == ["N21E105.hgt"]


def test_the_raw_real_folder_gets_the_manifest_entries_that_fix_it(realdata: Path,
                                                                    cli: Cli) -> None:
    """Issue 13, item 7: no bare exception; each file, column and the entry that maps it."""
    result = cli("validate", realdata / "thai_nguyen")
    assert_refused(result, "places_osm_2018.geojson", "column 'village_id'",
                   "roads_national_coarse.geojson", "pois_osm_2018.geojson",
                   fix='columns = { village_id = "osm_id" }')
    # the class column is the one whose values name road classes (Quốc Gia, Cấp Tỉnh)
    assert 'columns = { road_class = "cap_duong" }' in result.text
    assert '"Quốc Gia" = "national"' in result.text
    # the kind column is the one whose values are POI kinds (OSM fclass)
    assert 'columns = { kind = "fclass" }' in result.text
