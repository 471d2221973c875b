"""The generator pipeline: every stage in order, each with its own random stream.

:func:`build_demo` runs the stages and returns the layers in their output form (vectors
in EPSG:4326 with the schema's columns); :func:`write_demo` writes them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan.demo import fibre, network, roads, writer
from covplan.demo._config import (
    LONLAT_EPSG,
    PROVINCE_NAME,
    TERRAIN_MARGIN_M,
    UTM_EPSG,
    SizeConfig,
)
from covplan.demo._random import stage_rng
from covplan.demo.drivetest import DriveTest, drive_test
from covplan.demo.landcover import NODATA as LANDCOVER_NODATA
from covplan.demo.landcover import landcover_raster
from covplan.demo.landscape import Landscape, build_landscape
from covplan.demo.outline import make_outline
from covplan.demo.pois import make_pois
from covplan.demo.population import POPULATION_NODATA, population_grid, population_raster
from covplan.demo.settlements import place_towns
from covplan.demo.terrain import refine_dem
from covplan.demo.villages import Settlement, build_settlement
from covplan.grid import GridSpec

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

SITE_COLUMNS = (
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
)


@dataclass(frozen=True, eq=False)
class DemoData:
    """The demo layers in output form.

    Parameters
    ----------
    config
        Size preset.
    seed
        Generator seed.
    terrain, terrain_grid
        int16 elevation (metres) and its 30 m grid.
    population, population_grid
        float32 people per cell and its 100 m grid.
    communes, villages, roads, fibre, pois
        Vector layers in EPSG:4326.
    sites
        One row per sector with ``lon``/``lat``.
    landcover
        uint8 ESA WorldCover classes on the terrain grid.
    drive
        The drive test along the roads and the truth behind it.
    """

    config: SizeConfig
    seed: int
    terrain: np.ndarray
    terrain_grid: GridSpec
    population: np.ndarray
    population_grid: GridSpec
    communes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    sites: pd.DataFrame
    fibre: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    landcover: np.ndarray
    drive: DriveTest


class Stages:
    """Reports progress at the start of each stage and logs how long each took."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._done = 0
        self._label = ""
        self._start = time.perf_counter()

    def next(self, label: str) -> None:
        """Close the running stage and open ``label``."""
        self._close()
        self._label = label
        if self._progress is not None:
            self._progress(self._done / self._total, label)

    def finish(self) -> None:
        """Close the last stage and report completion."""
        self._close()
        if self._progress is not None:
            self._progress(1.0, "Done")

    def _close(self) -> None:
        now = time.perf_counter()
        if self._label:
            logger.debug("Stage %-28s %.2f s", self._label, now - self._start)
            self._done += 1
        self._start = now


def _seats(settlement: Settlement) -> np.ndarray:
    """Points the provincial roads link: seats of rural communes and the town centres."""
    communes = settlement.communes
    rural = communes.loc[~communes["is_ward"], ["seat_x", "seat_y"]].to_numpy()
    towns = np.asarray([[t.x, t.y] for t in settlement.towns])
    return np.vstack([towns, rural])


def _sites(
    settlement: Settlement,
    road_lines: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame,
    landscape: Landscape,
    config: SizeConfig,
    seed: int,
) -> pd.DataFrame:
    """4G and 5G sectors with lon/lat."""
    gaps = network.find_gaps(settlement, road_lines, landscape, config, stage_rng(seed, "gaps"))
    xy4 = network.place_4g(
        settlement, road_lines, landscape, gaps, config.sites_4g, stage_rng(seed, "sites-4g")
    )
    xy5 = network.place_5g(settlement, pois, gaps, config.sites_5g, stage_rng(seed, "sites-5g"))
    sectors = pd.concat(
        [
            network.sector_table(xy4, "4G", stage_rng(seed, "sectors-4g")),
            network.sector_table(xy5, "5G", stage_rng(seed, "sectors-5g")),
        ],
        ignore_index=True,
    )
    to_lonlat = Transformer.from_crs(UTM_EPSG, LONLAT_EPSG, always_xy=True)
    lon, lat = to_lonlat.transform(sectors["x"].to_numpy(), sectors["y"].to_numpy())
    sectors["lon"] = np.round(lon, 6)
    sectors["lat"] = np.round(lat, 6)
    return sectors.loc[:, list(SITE_COLUMNS)]


def _vector_outputs(
    settlement: Settlement,
    road_lines: gpd.GeoDataFrame,
    fibre_lines: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame,
    unconnected: np.ndarray,
) -> dict[str, gpd.GeoDataFrame]:
    """The vector layers with their output columns, in EPSG:4326."""
    villages = settlement.villages.copy()
    has_fibre = np.ones(len(villages), dtype=bool)
    has_fibre[unconnected] = False
    villages["fibre"] = has_fibre
    columns = {
        "communes": (settlement.communes, ["code", "name", "population"]),
        "villages": (
            villages,
            ["village_id", "name", "commune", "population", "households", "fibre"],
        ),
        "roads": (road_lines, ["road_class", "ref", "name"]),
        "fibre": (fibre_lines, ["operator"]),
        "pois": (pois, ["kind", "name"]),
    }
    return {
        name: gpd.GeoDataFrame(
            frame[cols], geometry=frame.geometry.to_numpy(), crs=frame.crs
        ).to_crs(LONLAT_EPSG)
        for name, (frame, cols) in columns.items()
    }


def build_demo(config: SizeConfig, seed: int, stages: Stages) -> DemoData:
    """Run every generator stage.

    Parameters
    ----------
    config
        Size preset.
    seed
        Generator seed; each stage derives its own stream from it.
    stages
        Progress and timing reporter.

    Returns
    -------
    DemoData
        The layers in output form.
    """
    stages.next("Drawing the province outline")
    outline = make_outline(config, stage_rng(seed, "outline"))
    stages.next("Shaping terrain and rivers")
    landscape = build_landscape(outline, config, stage_rng(seed, "terrain"))
    stages.next("Refining terrain to 30 m")
    terrain = refine_dem(landscape.dem, landscape.roughness_m(), stage_rng(seed, "detail"))
    stages.next("Routing highways")
    towns = place_towns(landscape, config, stage_rng(seed, "towns"))
    ctx = roads.RoadContext.from_landscape(landscape, stage_rng(seed, "roads"))
    graph = roads.build_highways(ctx, towns, config.name)
    stages.next("Placing villages and communes")
    settlement = build_settlement(
        landscape,
        towns,
        roads.highway_attraction(graph, landscape),
        config,
        stage_rng(seed, "settlement"),
    )
    stages.next("Routing provincial and local roads")
    roads.add_provincial(graph, ctx, _seats(settlement), stage_rng(seed, "provincial"))
    roads.add_local_links(graph, ctx, settlement.villages[["x", "y"]].to_numpy())
    road_lines = roads.road_frame(graph, ctx, UTM_EPSG)
    stages.next("Spreading the population")
    pop_grid = population_grid(outline, TERRAIN_MARGIN_M)
    people = population_raster(settlement.villages, outline, pop_grid)
    stages.next("Placing points of interest and sites")
    pois = make_pois(settlement, outline, stage_rng(seed, "pois"))
    sites = _sites(settlement, road_lines, pois, landscape, config, seed)
    stages.next("Laying fibre")
    fibre_rng = stage_rng(seed, "fibre")
    unconnected = fibre.unconnected_villages(settlement.villages, road_lines, config, fibre_rng)
    fibre_lines = fibre.fibre_routes(road_lines, unconnected, settlement.villages, fibre_rng)
    vectors = _vector_outputs(settlement, road_lines, fibre_lines, pois, unconnected)
    stages.next("Classifying land cover")
    landcover = landcover_raster(landscape, towns, settlement.villages,
                                 stage_rng(seed, "landcover"))
    stages.next("Driving the test routes")
    drive = drive_test(road_lines, sites, terrain, landscape.grids.fine, landcover,
                       stage_rng(seed, "drive-test"))
    return DemoData(
        config=config,
        seed=seed,
        terrain=terrain,
        terrain_grid=landscape.grids.fine,
        population=people,
        population_grid=pop_grid,
        sites=sites,
        landcover=landcover,
        drive=drive,
        **vectors,
    )


#: Build stages plus the two writing stages, for progress fractions.
STAGE_COUNT = 13


def write_demo(data: DemoData, out_dir: Path, stages: Stages) -> None:
    """Write every layer and the manifest into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stages.next("Writing rasters")
    writer.write_geotiff(
        data.terrain,
        data.terrain_grid,
        out_dir / "terrain.tif",
        nodata=-32768,
        units="m",
        description="Elevation (synthetic)",
    )
    writer.write_geotiff(
        data.population,
        data.population_grid,
        out_dir / "population.tif",
        nodata=POPULATION_NODATA,
        units="people",
        description="People per cell (synthetic)",
    )
    writer.write_geotiff(
        data.landcover,
        data.terrain_grid,
        out_dir / "landcover.tif",
        nodata=LANDCOVER_NODATA,
        units="class",
        description="Land cover, ESA WorldCover classes (synthetic)",
    )
    stages.next("Writing vector layers and manifest")
    for name in ("communes", "villages", "roads", "fibre", "pois"):
        file, layer = writer.LAYER_FILES[name]
        writer.write_gpkg(getattr(data, name), out_dir / file, layer or name)
    writer.write_csv(data.sites, out_dir / "sites.csv")
    writer.write_csv(data.drive.table, out_dir / writer.DRIVE_TEST)
    writer.write_text(data.drive.truth, out_dir / writer.DRIVE_TEST_TRUTH)
    manifest = writer.manifest_text(PROVINCE_NAME, data.seed, data.config.name)
    writer.write_text(manifest, out_dir / "dataset.toml")
    logger.info(
        "Wrote the synthetic demo province (%s, seed %d) to %s",
        data.config.name,
        data.seed,
        out_dir,
    )
