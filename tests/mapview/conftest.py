"""Hand-made datasets for the map tests: a tiny province and a full-size synthetic one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.ops
from affine import Affine
from pyproj import CRS
from shapely.geometry import LineString, Point, box

from covplan.grid import GridSpec, Raster
from covplan.io import Dataset
from covplan.io.terrain import TerrainCoverage
from covplan.mapview.assets import VENDOR_DIR

UTM48N = CRS.from_epsg(32648)
#: Height of the flat ground beyond a partial terrain (m).
FLAT_M = 155.0
#: South-west corner of the test provinces in UTM 48N (near 105.6 E, 21.5 N).
X0, Y0 = 560_000.0, 2_378_000.0


@dataclass(frozen=True, eq=False)
class FakeCoverage:
    """Stand-in for covplan.predict.CoverageGrid: what the map reads of it."""

    technology: str
    rsrp_dbm: Raster


@pytest.fixture(autouse=True, scope="session")
def _vendored_leaflet() -> None:
    if not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file():
        pytest.fail(f"Leaflet is not vendored in {VENDOR_DIR}: run `bash scripts/assets.sh`")


def smooth_field(shape: tuple[int, int], seed: int, *, waves: int = 6) -> np.ndarray:
    """A smooth pseudo-random field in [-1, 1] (sum of a few plane waves)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.meshgrid(
        np.linspace(0, 1, shape[0], dtype=np.float32),
        np.linspace(0, 1, shape[1], dtype=np.float32),
        indexing="ij",
    )
    field = np.zeros(shape, dtype=np.float32)
    for _ in range(waves):
        kr, kc = rng.uniform(-12, 12, 2)
        field += np.sin(kr * rows + kc * cols + rng.uniform(0, 6.3)).astype(np.float32)
    return field / waves


def _raster(data: np.ndarray, resolution_m: float, units: str) -> Raster:
    rows, cols = data.shape
    transform = Affine(resolution_m, 0.0, X0, 0.0, -resolution_m, Y0 + rows * resolution_m)
    grid = GridSpec(UTM48N.to_wkt(), transform, cols, rows)
    return Raster(data.astype(np.float32), grid, units)


def coverage_grid(technology: str, cells: int, resolution_m: float, seed: int) -> FakeCoverage:
    """RSRP between about −135 and −65 dBm with NaN (no signal) holes."""
    field = smooth_field((cells, cells), seed)
    rsrp = -100.0 + 35.0 * field
    rsrp[rsrp < -125.0] = np.nan
    return FakeCoverage(technology, _raster(rsrp, resolution_m, "dBm"))


def _sites(points: np.ndarray, rng: np.random.Generator, omni_every: int = 0) -> gpd.GeoDataFrame:
    rows = []
    for number, (x, y) in enumerate(points):
        technology = "5G" if number % 4 == 0 else "4G"
        omni = omni_every and number % omni_every == omni_every - 1
        azimuths = [np.nan] if omni else [0.0, 120.0, 240.0]
        for sector, azimuth in enumerate(azimuths, start=1):
            rows.append(
                {
                    "site_id": f"S{number:04d}",
                    "sector": sector,
                    "technology": technology,
                    "operator": ("Viettel", "VNPT", "MobiFone")[number % 3],
                    "height_m": float(rng.integers(20, 45)),
                    "azimuth_deg": azimuth,
                    "tilt_deg": 4.0,
                    "beamwidth_deg": 65.0,
                    "frequency_mhz": 3500.0 if technology == "5G" else 1800.0,
                    "status": "existing",
                    "geometry": Point(x, y),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM48N)


def _voronoi(points: np.ndarray, extent: shapely.Geometry) -> list[shapely.Geometry]:
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent)
    parts = [shapely.intersection(c, extent) for c in shapely.get_parts(cells)]
    return [p for p in parts if not p.is_empty]


def make_dataset(
    *,
    size_m: float,
    villages: int,
    sites: int,
    roads: int,
    road_km: float,
    seed: int = 7,
    terrain_cells: int = 200,
    synthetic: bool = True,
) -> Dataset:
    """A province of ``size_m`` square with the given counts, in UTM 48N."""
    rng = np.random.default_rng(seed)
    extent = box(X0, Y0, X0 + size_m, Y0 + size_m)
    communes = _voronoi(
        rng.uniform([X0, Y0], [X0 + size_m, Y0 + size_m], (max(2, villages // 20), 2)), extent
    )
    village_cells = _voronoi(
        rng.uniform([X0, Y0], [X0 + size_m, Y0 + size_m], (villages, 2)), extent
    )
    n_v = len(village_cells)
    village_frame = gpd.GeoDataFrame(
        {
            "village_id": [f"V{i:05d}" for i in range(n_v)],
            "name": [f"Thôn {i}" for i in range(n_v)],
            "commune": [f"Xã {i % 97}" for i in range(n_v)],
            "population": rng.integers(80, 3000, n_v).astype(float),
            "fibre": rng.random(n_v) > 0.05,
        },
        geometry=village_cells,
        crs=UTM48N,
    )
    commune_frame = gpd.GeoDataFrame(
        {
            "code": [f"{i:05d}" for i in range(len(communes))],
            "name": [f"Xã {i}" for i in range(len(communes))],
        },
        geometry=communes,
        crs=UTM48N,
    )
    road_frame = _roads(rng, roads, road_km, extent)
    site_points = rng.uniform([X0, Y0], [X0 + size_m, Y0 + size_m], (sites, 2))
    poi_kinds = ["hospital", "school", "university", "government", "clinic"]
    n_poi = max(3, sites // 3)
    pois = gpd.GeoDataFrame(
        {
            "kind": [poi_kinds[i % len(poi_kinds)] for i in range(n_poi)],
            "name": [f"POI {i}" for i in range(n_poi)],
        },
        geometry=shapely.points(rng.uniform([X0, Y0], [X0 + size_m, Y0 + size_m], (n_poi, 2))),
        crs=UTM48N,
    )
    fibre = gpd.GeoDataFrame(
        {"operator": ["VNPT"]}, geometry=[road_frame.geometry.iloc[0]], crs=UTM48N
    )
    terrain = 400.0 + 350.0 * smooth_field((terrain_cells, terrain_cells), seed + 1)
    terrain[:3, :3] = np.nan
    return Dataset(
        name="Tỉnh Thử Nghiệm (test)",
        path=Path("."),
        crs=UTM48N,
        vectors={
            "communes": commune_frame,
            "villages": village_frame,
            "roads": road_frame,
            "sites": _sites(site_points, rng, omni_every=5),
            "fibre": fibre,
            "pois": pois,
        },
        terrain=_raster(terrain, size_m / terrain_cells, "m"),
        synthetic=synthetic,
        attribution="covplan test fixture",
    )


def _roads(
    rng: np.random.Generator, count: int, total_km: float, extent: shapely.Geometry
) -> gpd.GeoDataFrame:
    """Wiggly random walks with a vertex every 30 m, clipped to the province."""
    classes = ["expressway", "national", "provincial", "local", "local", "local"]
    steps = max(2, int(total_km * 1000 / 30 / count))
    minx, miny, maxx, maxy = extent.bounds
    lines, attrs = [], []
    for number in range(count):
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.08, steps))
        start = rng.uniform([minx, miny], [maxx, maxy])
        xy = start + np.cumsum(30.0 * np.column_stack([np.cos(heading), np.sin(heading)]), axis=0)
        line = shapely.intersection(LineString(xy), extent)
        if line.is_empty or line.length < 100:
            continue
        road_class = classes[number % len(classes)]
        lines.append(line)
        attrs.append(
            {
                "road_class": road_class,
                "ref": f"QL.{number}" if road_class == "national" else None,
                "name": f"Đường {number}",
            }
        )
    return gpd.GeoDataFrame(attrs, geometry=lines, crs=UTM48N).explode(index_parts=False)


def road_samples(
    roads: gpd.GeoDataFrame, piece_m: float = 200.0, seed: int = 3
) -> gpd.GeoDataFrame:
    """Roads cut into ``piece_m`` pieces with a ``covered`` flag (runs of both states)."""
    rng = np.random.default_rng(seed)
    pieces, covered, classes = [], [], []
    for geom, road_class in zip(roads.geometry, roads["road_class"], strict=True):
        cuts = np.arange(0.0, geom.length, piece_m)
        state = True
        for start in cuts:
            pieces.append(shapely.ops.substring(geom, start, min(start + piece_m, geom.length)))
            if rng.random() < 0.08:
                state = not state
            covered.append(state)
            classes.append(road_class)
    return gpd.GeoDataFrame(
        {"covered": covered, "road_class": classes}, geometry=pieces, crs=roads.crs
    )


def road_gaps(samples: gpd.GeoDataFrame, count: int = 20) -> gpd.GeoDataFrame:
    """Some uncovered pieces as gap segments with the metrics' columns."""
    gaps = samples[~samples["covered"]].head(count)
    lengths = gaps.length / 1000
    return gpd.GeoDataFrame(
        {
            "ref": "QL.3",
            "name": "Quốc lộ 3",
            "length_km": lengths.to_numpy(),
            "start_km": np.arange(len(gaps)) * 5.0,
            "end_km": np.arange(len(gaps)) * 5.0 + lengths.to_numpy(),
        },
        geometry=gaps.geometry.to_numpy(),
        crs=samples.crs,
    )


@pytest.fixture(scope="session")
def tiny_dataset() -> Dataset:
    """A 6 km province: 30 villages, 6 sites (one omni), a few roads, POIs and terrain."""
    return make_dataset(size_m=6_000.0, villages=30, sites=6, roads=6, road_km=20.0)


@pytest.fixture(scope="session")
def tiny_coverage() -> dict[str, FakeCoverage]:
    return {"4G": coverage_grid("4G", 200, 30.0, 1), "5G": coverage_grid("5G", 200, 30.0, 2)}


@pytest.fixture(scope="session")
def tiny_roads(tiny_dataset: Dataset) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    assert tiny_dataset.roads is not None
    samples = road_samples(tiny_dataset.roads)
    return samples, road_gaps(samples)


@pytest.fixture(scope="session")
def tiny_status(tiny_dataset: Dataset) -> pd.Series:
    villages = tiny_dataset.villages
    assert villages is not None
    return pd.Series(np.linspace(0.0, 1.0, len(villages)), index=villages.index)


@pytest.fixture(scope="session")
def partial(tiny_dataset: Dataset) -> Dataset:
    """The tiny province whose terrain reaches only its west half (flat ground beyond)."""
    terrain = tiny_dataset.terrain
    assert terrain is not None
    data = np.nan_to_num(terrain.data.copy(), nan=400.0)
    data[:, data.shape[1] // 2:] = FLAT_M
    coverage = TerrainCoverage(0.5, "flat", FLAT_M, "N21E105.hgt", ("N21E106.hgt",))
    return replace(tiny_dataset, terrain=Raster(data, terrain.grid, "m"),
                   terrain_coverage=coverage)
