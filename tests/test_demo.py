"""The synthetic demo province: determinism, schema, internal consistency and its targets."""

from __future__ import annotations

import itertools
import tomllib
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely

from covplan.demo import generate_demo
from covplan.schema import (
    GEOMETRY_TYPES,
    POI_KINDS,
    REQUIRED,
    ROAD_CLASSES,
    SITE_STATUSES,
    TECHNOLOGIES,
)

UTM = 32648
FILES = (
    "communes.gpkg",
    "villages.gpkg",
    "roads.gpkg",
    "sites.csv",
    "fibre.gpkg",
    "pois.gpkg",
    "terrain.tif",
    "population.tif",
    "landcover.tif",
    "drive_test.csv",
    "drive_test_truth.toml",
    "dataset.toml",
)
SITE_COLUMNS = [
    "site_id",
    "sector",
    "lon",
    "lat",
    "technology",
    "operator",
    "frequency_mhz",
    "bandwidth_mhz",
    "height_m",
    "azimuth_deg",
    "tilt_deg",
    "beamwidth_deg",
    "tx_power_dbm",
    "antenna_gain_dbi",
    "status",
]
VECTOR_COLUMNS = {
    "communes": ["code", "name", "population"],
    "villages": ["village_id", "name", "commune", "population", "households", "fibre"],
    "roads": ["road_class", "ref", "name"],
    "fibre": ["operator"],
    "pois": ["kind", "name"],
}


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo province, seed 57, generated once for the module."""
    return generate_demo(tmp_path_factory.mktemp("demo") / "small", size="small", seed=57)


def _read_layers(folder: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {
        name: gpd.read_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
        for name in VECTOR_COLUMNS
    }
    layers["sites"] = pd.read_csv(folder / "sites.csv", encoding="utf-8")
    return layers


@pytest.fixture(scope="module")
def small(small_dir: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The small province's vector layers and sites table."""
    return _read_layers(small_dir)


def _utm(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(UTM)


def _site_points(sites: pd.DataFrame, technology: str) -> np.ndarray:
    one = sites[sites["technology"] == technology].drop_duplicates("site_id")
    points = gpd.GeoSeries(gpd.points_from_xy(one["lon"], one["lat"]), crs=4326).to_crs(UTM)
    return np.column_stack([points.x, points.y])


# --- files, manifest, determinism -------------------------------------------------------


def test_writes_every_file_and_a_manifest_that_parses(small_dir: Path) -> None:
    assert sorted(p.name for p in small_dir.iterdir()) == sorted(FILES)
    manifest = tomllib.loads((small_dir / "dataset.toml").read_text(encoding="utf-8"))
    meta = manifest["dataset"]
    assert meta["synthetic"] is True
    assert meta["seed"] == 57
    assert meta["size"] == "small"
    assert meta["name"] == "Tỉnh Minh Sơn — synthetic demo province"
    assert "SYNTHETIC" in meta["description"]
    assert "Synthetic" in meta["attribution"]
    assert set(manifest["layers"]) == {*VECTOR_COLUMNS, "sites", "terrain", "population",
                                       "landcover"}
    for name, spec in manifest["layers"].items():
        assert (small_dir / spec["file"]).is_file()
        if spec["file"].endswith(".gpkg"):
            assert spec["layer"] == name
            assert [row[0] for row in pyogrio.list_layers(small_dir / spec["file"])] == [name]


def test_same_seed_gives_identical_bytes_and_another_seed_differs(
    small_dir: Path, tmp_path: Path
) -> None:
    again = generate_demo(tmp_path / "again", size="small", seed=57)
    other = generate_demo(tmp_path / "other", size="small", seed=58)
    for name in FILES:
        original = (small_dir / name).read_bytes()
        assert (again / name).read_bytes() == original, f"{name} differs between runs"
        assert (other / name).read_bytes() != original, f"{name} ignores the seed"


def test_reports_progress_from_zero_to_one(tmp_path: Path) -> None:
    calls: list[tuple[float, str]] = []
    generate_demo(tmp_path / "p", size="small", progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert len(calls) >= 8
    assert all(isinstance(m, str) and m for _, m in calls)


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size must be 'small' or 'full', got 'huge'"):
        generate_demo(tmp_path, size="huge")  # type: ignore[arg-type]


def test_loads_with_the_dataset_loader(small_dir: Path) -> None:
    from covplan.io import load_dataset

    dataset = load_dataset(small_dir)
    assert dataset.synthetic is True
    assert dataset.villages is not None
    assert len(dataset.villages) > 0


# --- schema ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VECTOR_COLUMNS))
def test_vector_layers_follow_the_schema(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame], name: str
) -> None:
    frame = small[name]
    assert isinstance(frame, gpd.GeoDataFrame)
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert list(frame.columns.drop("geometry")) == VECTOR_COLUMNS[name]
    assert set(REQUIRED[name]) <= set(frame.columns)
    assert set(frame.geom_type) <= set(GEOMETRY_TYPES[name])
    assert frame.geometry.is_valid.all()
    assert len(frame) > 0


def test_values_are_in_their_allowed_sets(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    assert set(small["roads"]["road_class"]) <= set(ROAD_CLASSES)
    demo_kinds = {"hospital", "university", "college", "school", "government"}
    assert set(small["pois"]["kind"]) <= demo_kinds <= set(POI_KINDS)
    sites = small["sites"]
    assert list(sites.columns) == SITE_COLUMNS
    assert set(sites["technology"]) == set(TECHNOLOGIES)
    assert set(sites["status"]) <= set(SITE_STATUSES)
    assert set(sites["operator"]) <= {"Viettel", "VinaPhone", "MobiFone"}


def test_codes_ids_and_names(small: dict[str, gpd.GeoDataFrame | pd.DataFrame]) -> None:
    communes, villages = small["communes"], small["villages"]
    assert communes["code"].str.fullmatch(r"99\d{3}").all()
    assert communes["code"].is_unique
    assert villages["village_id"].is_unique
    assert communes["name"].str.match(r"^(Xã|Phường) ").all()
    assert communes["name"].str.startswith("Phường ").any()
    assert villages["name"].str.match(r"^(Xóm|Thôn|Bản|Tổ dân phố) ").all()
    for frame, column in ((communes, "name"), (villages, "name"), (small["pois"], "name")):
        for text in frame[column]:
            assert unicodedata.normalize("NFC", text) == text


def test_rasters_are_georeferenced_compressed_and_tiled(small_dir: Path) -> None:
    expected = {
        "terrain.tif": ("int16", -32768.0, 30.0),
        "population.tif": ("float32", -99999.0, 100.0),
    }
    for name, (dtype, nodata, res) in expected.items():
        with rasterio.open(small_dir / name) as src:
            assert src.crs.to_epsg() == UTM
            assert src.res == (res, res)
            assert src.dtypes[0] == dtype
            assert src.nodata == nodata
            assert src.compression is not None and src.compression.value == "DEFLATE"
            assert src.profile["tiled"] is True
            assert "ynthetic" in src.tags()["SOURCE"]


# --- consistency of the small province ---------------------------------------------------


def test_small_totals(small: dict[str, gpd.GeoDataFrame | pd.DataFrame]) -> None:
    communes, villages, roads = small["communes"], small["villages"], small["roads"]
    sites = small["sites"]
    area_km2 = _utm(communes).area.sum() / 1e6
    assert 100 <= area_km2 <= 200
    assert 1 <= len(communes) <= 2
    assert 20 <= len(villages) <= 80
    assert 30_000 <= villages["population"].sum() <= 60_000
    assert (communes["population"].sum()) == villages["population"].sum()
    ratio = villages["population"] / villages["households"]
    assert ratio.between(3.3, 4.1).all()
    assert 20 <= (sites["technology"] == "4G").sum() <= 40
    assert sites.loc[sites["technology"] == "5G", "site_id"].nunique() >= 1
    assert (roads["road_class"] == "national").any()
    assert {"national", "provincial", "local"} <= set(roads["road_class"])


def test_every_village_lies_in_exactly_one_commune(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    communes = _utm(small["communes"]).set_index("code")
    villages = _utm(small["villages"])
    inside = gpd.sjoin(
        gpd.GeoDataFrame(
            villages[["village_id", "commune"]], geometry=villages.representative_point(), crs=UTM
        ),
        communes.reset_index()[["code", "geometry"]],
        predicate="within",
    )
    assert inside["village_id"].is_unique
    assert len(inside) == len(villages)
    assert (inside["commune"] == inside["code"]).all()
    own = communes.loc[villages["commune"], "geometry"].to_numpy()
    shared = shapely.area(shapely.intersection(villages.geometry.to_numpy(), own))
    assert np.all(shared >= 0.999 * villages.area.to_numpy())


def test_communes_tile_the_province_without_overlaps(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    communes = _utm(small["communes"]).geometry.to_numpy()
    union = shapely.union_all(communes)
    assert isinstance(union, shapely.Polygon)
    assert union.area == pytest.approx(shapely.area(communes).sum(), rel=1e-9)
    for i in range(len(communes)):
        for j in range(i + 1, len(communes)):
            assert shapely.intersection(communes[i], communes[j]).area < 1.0


def test_population_raster_matches_the_villages(
    small_dir: Path, small: dict[str, gpd.GeoDataFrame | pd.DataFrame]
) -> None:
    with rasterio.open(small_dir / "population.tif") as src:
        people = src.read(1, masked=True)
    assert people.min() >= 0
    total = small["villages"]["population"].sum()
    assert float(people.sum()) == pytest.approx(total, rel=0.02)


def test_elevation_is_plausible(small_dir: Path) -> None:
    with rasterio.open(small_dir / "terrain.tif") as src:
        dem = src.read(1, masked=True)
    assert not np.ma.is_masked(dem)
    assert dem.min() <= 60
    assert 150 <= dem.max() <= 1_700


def test_every_site_has_three_sectors_with_distinct_azimuths(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    sites = small["sites"]
    per_site = sites.groupby("site_id")
    assert (per_site.size() == 3).all()
    assert (per_site["azimuth_deg"].nunique() == 3).all()
    assert (per_site[["lon", "lat", "technology", "operator"]].nunique() == 1).all().all()
    assert sites["azimuth_deg"].between(0, 360, inclusive="left").all()
    four = sites[sites["technology"] == "4G"]
    assert (four["frequency_mhz"] == 1800).all() and four["height_m"].between(25, 40).all()
    five = sites[sites["technology"] == "5G"]
    assert (five["frequency_mhz"] == 3500).all() and (five["bandwidth_mhz"] == 100).all()


def test_fibre_share_and_no_fibre_near_unconnected_villages(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    villages = _utm(small["villages"])
    share = villages["fibre"].mean()
    assert 0.85 <= share < 1.0
    fibre = shapely.union_all(_utm(small["fibre"]).geometry.to_numpy())
    unconnected = villages.loc[~villages["fibre"], "geometry"].to_numpy()
    assert np.all(shapely.distance(unconnected, fibre) >= 500.0)


def test_every_village_is_reached_by_a_road(
    small: dict[str, gpd.GeoDataFrame | pd.DataFrame],
) -> None:
    roads = shapely.union_all(_utm(small["roads"]).geometry.to_numpy())
    villages = _utm(small["villages"]).geometry.to_numpy()
    assert shapely.intersects(villages, roads).all()


# --- names against the real province -----------------------------------------------------

_MODERN = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip


def _comparable(name: str) -> str:
    """Casefolded NFC with the modern tone-mark placement (``Hoà`` and ``Hòa`` match)."""
    text = unicodedata.normalize("NFC", name).strip().casefold()
    for old, new in _MODERN.items():
        text = text.replace(old, new)
    return text


@pytest.mark.realdata
def test_names_never_spell_real_thai_nguyen_places(realdata: Path) -> None:
    from covplan.demo import names

    folder = realdata / "thai_nguyen"
    communes = gpd.read_file(folder / "communes_2025.geojson", engine="pyogrio")
    places = gpd.read_file(folder / "places_osm_2018.geojson", engine="pyogrio")
    real = {_comparable(n) for n in [*communes["name"], *places["name"].dropna()]}
    pairs = {
        f"{a} {b}"
        for syllables in (names.HAMLET, names.TAY)
        for a, b in itertools.permutations(syllables, 2)
    }
    triples = {
        " ".join(parts)
        for parts in itertools.chain(
            itertools.product(names.KINH_FIRST, names.KINH_SECOND, names.KINH_THIRD),
            itertools.product(names.TAY, names.TAY, ("Thượng", "Hạ", "Trung")),
        )
    }
    drawable = {_comparable(n) for n in (pairs | triples) - names.REAL_NAMES}
    assert not drawable & real
    assert {_comparable(n) for n in names.REAL_NAMES} <= real
    assert not any(str(code).startswith("99") for code in communes["code"])


# --- the full province (slow) ------------------------------------------------------------


@pytest.mark.slow
def test_full_province_meets_its_targets(tmp_path: Path) -> None:
    folder = generate_demo(tmp_path / "full", size="full", seed=57)
    layers = _read_layers(folder)
    communes, villages, sites = layers["communes"], layers["villages"], layers["sites"]
    assert _utm(communes).area.sum() / 1e6 == pytest.approx(8_400, rel=0.05)
    assert 80 <= len(communes) <= 100
    assert 1_500 <= len(villages) <= 2_500
    assert 1_700_000 <= villages["population"].sum() <= 1_900_000
    assert 1_650 <= (sites["technology"] == "4G").sum() <= 1_950
    assert 120 <= sites.loc[sites["technology"] == "5G", "site_id"].nunique() <= 180
    assert 0.975 <= villages["fibre"].mean() <= 0.993
    with rasterio.open(folder / "terrain.tif") as src:
        dem = src.read(1, masked=True)
    assert 1_300 <= dem.max() <= 1_700
    assert dem.min() <= 40
    centres = _utm(villages).representative_point()
    xy = _site_points(sites, "4G")
    nearest = np.min(
        np.hypot(
            centres.x.to_numpy()[:, None] - xy[None, :, 0],
            centres.y.to_numpy()[:, None] - xy[None, :, 1],
        ),
        axis=1,
    )
    assert (nearest > 3_000).any(), "every village is within 3 km of a site: no gaps to plan"


def test_the_command_does_not_write_over_a_users_dataset(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``covplan demo --out`` into a folder of the user's own files is refused (exit 2,
    nothing touched); an earlier demo is rewritten; --overwrite writes anyway; a file as
    --out is refused with what to do, not an unexpected failure."""
    from covplan.cli.main import main

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "dataset.toml").write_text('[dataset]\nname = "Thái Nguyên"\n', encoding="utf-8")
    (mine / "tram_bts.csv").write_text("Mã trạm;Kinh độ\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    assert main(["-q", "demo", "--size", "small", "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "holds files that are not a covplan demo (dataset.toml, tram_bts.csv)" in err
    assert "--overwrite" in err
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    assert main(["-q", "demo", "--size", "small", "--out", str(afile)]) == 2
    assert "is an existing file, not a folder" in capsys.readouterr().err
    demo = tmp_path / "demo"
    assert main(["-q", "demo", "--size", "small", "--out", str(demo)]) == 0
    assert main(["-q", "demo", "--size", "small", "--out", str(demo)]) == 0  # a demo again
    assert main(["-q", "demo", "--size", "small", "--out", str(mine), "--overwrite"]) == 0
    assert "synthetic = true" in (mine / "dataset.toml").read_text(encoding="utf-8")
