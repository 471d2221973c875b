"""Quarterly snapshots of the demo province: the network and fibre as they grew.

:func:`generate_snapshots` writes the demo province as it stood at the end of each of the
last ``count`` quarters (``DIR/2025-Q1`` … ``DIR/2025-Q4`` for four), each a full dataset
folder whose ``dataset.toml`` gives its ``as_of`` date. The last quarter is the demo as
generated; each earlier quarter is derived from the next by taking back what was built in
between, the way operators build:

- **new sites**, chosen at random with more weight along the expressway and national
  highways (within :data:`HIGHWAY_M`) and in towns (villages of at least
  :data:`TOWN_PEOPLE_PER_KM2`): :data:`NEW_4G_SHARE` of the 4G sites and
  :data:`NEW_5G_SHARE` of the 5G sites a quarter;
- **5G upgrades**: :data:`UPGRADE_5G_SHARE` of the 5G sites a quarter were 4G sites
  before (same site and sectors, the 4G radio values of the province);
- **fibre** reaching :data:`FIBRE_SHARE` of the villages a quarter: before, the village's
  ``fibre`` flag is false and no fibre route comes within :data:`~covplan.demo.fibre.
  CLEARANCE_M` of it (a route is taken back only where that strands no other village).

At least one of each is taken back per quarter where the province has one to spare (the
small demo has 13 sites). Everything else (terrain, roads, villages, communes, population)
is the same in every quarter, byte for byte. The same seed, size and count give the same
files.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from covplan import __version__, settings
from covplan.demo._config import LONLAT_EPSG, UTM_EPSG, DemoSize
from covplan.demo._random import stage_rng
from covplan.demo.fibre import CLEARANCE_M
from covplan.demo.writer import write_csv, write_gpkg, write_text
from covplan.metrics.villages import fibre_reached
from covplan.progress.snapshots import quarter_end

logger = logging.getLogger(__name__)

#: Share of the 4G sites built in a quarter.
NEW_4G_SHARE: Final = 0.03
#: Share of the 5G sites built in a quarter (5G went up fast in 2025).
NEW_5G_SHARE: Final = 0.06
#: Share of the 5G sites that were 4G sites upgraded in a quarter.
UPGRADE_5G_SHARE: Final = 0.04
#: Share of the villages fibre reached in a quarter.
FIBRE_SHARE: Final = 0.004
#: A site this close to an expressway or national highway is a highway site.
HIGHWAY_M: Final = 1_500.0
#: A site in a village at least this dense is a town site.
TOWN_PEOPLE_PER_KM2: Final = 1_000.0
#: The quarter the last snapshot describes.
LAST_QUARTER: Final = (2025, 4)
#: Files rewritten in each earlier quarter (everything else is copied as it is).
_CHANGED: Final = ("sites.csv", "villages.gpkg", "fibre.gpkg", "dataset.toml")
_STAMP: Final = ".covplan-snapshots"
#: Villages this close to a village whose fibre is taken back are checked to keep theirs.
_NEIGHBOURS_M: Final = 3_000.0


def quarters_back(count: int, last: tuple[int, int] = LAST_QUARTER) -> list[tuple[int, int]]:
    """The ``count`` quarters ending with ``last``, oldest first: ``[(2025, 1), …]``."""
    index = last[0] * 4 + last[1] - 1
    return [(k // 4, k % 4 + 1) for k in range(index - count + 1, index + 1)]


@dataclass(frozen=True)
class _Growth:
    """The snapshot (0 = the first) from which each site, upgrade and fibre link exists."""

    site_from: dict[str, int]
    upgrade_from: dict[str, int]
    fibre_from: dict[int, int]


def _weighted_pick(weights: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` positions drawn without replacement, heavier ones more likely first."""
    if count <= 0 or not len(weights):
        return np.zeros(0, dtype=np.int64)
    keys = np.log(rng.random(len(weights))) / np.maximum(weights, 1e-9)
    return np.argsort(-keys, kind="stable")[:count]


def _per_quarter(share: float, total: int, count: int, spare: int) -> dict[int, int]:
    """How many each snapshot after the first takes back, by snapshot.

    ``share`` of ``total`` (at least one) a quarter, the latest quarters first, ``spare``
    in all.
    """
    wanted = max(1, round(share * total))
    out: dict[int, int] = {}
    for snapshot in range(count - 1, 0, -1):
        out[snapshot] = min(wanted, max(spare, 0))
        spare -= out[snapshot]
    return out


def _site_weights(sites: pd.DataFrame, roads: gpd.GeoDataFrame, villages: gpd.GeoDataFrame
                  ) -> pd.Series:
    """Per site: 1 + 2 near a highway + 1.5 in a town."""
    first = sites.drop_duplicates("site_id")
    to_utm = Transformer.from_crs(LONLAT_EPSG, UTM_EPSG, always_xy=True)
    x, y = to_utm.transform(first["lon"].to_numpy(float), first["lat"].to_numpy(float))
    points = shapely.points(x, y)
    trunk = roads[roads["road_class"].isin(["expressway", "national"])]
    highway = np.zeros(len(first), dtype=bool)
    if len(trunk):
        lines = shapely.union_all(np.asarray(trunk.geometry.values))
        highway = shapely.distance(points, lines) <= HIGHWAY_M
    density = villages["population"].to_numpy(float) / np.maximum(
        villages.geometry.area.to_numpy(float) / 1e6, 1e-6)
    tree = shapely.STRtree(np.asarray(villages.geometry.values))
    nearest = tree.nearest(points)
    town = density[nearest] >= TOWN_PEOPLE_PER_KM2
    weight = 1.0 + 2.0 * highway + 1.5 * town
    return pd.Series(weight, index=first["site_id"].astype(str).to_numpy())


def _plan_sites(sites: pd.DataFrame, weights: pd.Series, count: int,
                rng: np.random.Generator) -> tuple[dict[str, int], dict[str, int]]:
    """From which snapshot each site exists, and each 5G site has been 5G."""
    tech = sites.drop_duplicates("site_id").set_index(
        sites.drop_duplicates("site_id")["site_id"].astype(str))["technology"].astype(str)
    ids4, ids5 = tech.index[tech == "4G"].to_numpy(), tech.index[tech == "5G"].to_numpy()
    new4 = _per_quarter(NEW_4G_SHARE, len(ids4), count, len(ids4) // 2)
    new5 = _per_quarter(NEW_5G_SHARE, len(ids5), count, max(len(ids5) - 1, 0) // 2)
    up5 = _per_quarter(UPGRADE_5G_SHARE, len(ids5), count,
                       max(len(ids5) - 1 - sum(new5.values()), 0))
    site_from: dict[str, int] = {}
    upgrade_from: dict[str, int] = {}
    for snapshot in range(count - 1, 0, -1):  # what the last quarter added goes first
        for ids, plan, into in ((ids4, new4, site_from), (ids5, new5, site_from),
                                (ids5, up5, upgrade_from)):
            free = np.array([i for i in ids if i not in site_from and i not in upgrade_from])
            for k in _weighted_pick(weights.reindex(free).to_numpy(float), plan[snapshot], rng):
                into[str(free[k])] = snapshot
    return site_from, upgrade_from


def _utm(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(UTM_EPSG)


def _plan_fibre(villages: gpd.GeoDataFrame, fibre: gpd.GeoDataFrame, count: int,
                rng: np.random.Generator) -> dict[int, int]:
    """From which snapshot each village the last quarters connected has fibre."""
    v, f = _utm(villages), _utm(fibre)
    reached = fibre_reached(v, f).to_numpy(bool)
    density = v["population"].to_numpy(float) / np.maximum(v.area.to_numpy(float) / 1e6, 1e-6)
    rural = np.flatnonzero(reached & (density < TOWN_PEOPLE_PER_KM2))
    per = _per_quarter(FIBRE_SHARE, len(v), count, len(rural) // 2)
    order = rural[_weighted_pick(np.ones(len(rural)), len(rural), rng)]
    points = shapely.point_on_surface(np.asarray(v.geometry.values))
    lines = np.asarray(f.geometry.values)
    village_tree, line_tree = shapely.STRtree(points), shapely.STRtree(lines)
    chosen: dict[int, int] = {}
    holes: list[shapely.Geometry] = []
    targets = [s for s in range(count - 1, 0, -1) for _ in range(per[s])]
    for k in order:
        if not targets:
            break
        hole = shapely.buffer(points[k], CLEARANCE_M)
        near = village_tree.query(shapely.buffer(points[k], _NEIGHBOURS_M))
        wires = lines[line_tree.query(shapely.buffer(points[k], _NEIGHBOURS_M + 1_000.0))]
        before = _reached(v.iloc[near], wires, holes, set(chosen))
        after = _reached(v.iloc[near], wires, [*holes, hole], {*chosen, int(k)})
        lost = set(near[before & ~after].tolist())
        if lost == {int(k)}:
            holes.append(hole)
            chosen[int(k)] = targets.pop(0)
    return chosen


def _reached(villages: gpd.GeoDataFrame, lines: np.ndarray, holes: list[shapely.Geometry],
             cut: set[int]) -> np.ndarray:
    """Fibre reach of ``villages`` once ``holes`` are cut and the villages ``cut`` unflagged."""
    routes = shapely.difference(lines, shapely.union_all(holes)) if holes else lines
    frame = villages.copy()
    frame["fibre"] = [bool(flag) and int(i) not in cut
                      for i, flag in zip(villages.index, villages["fibre"], strict=True)]
    return fibre_reached(frame, gpd.GeoDataFrame(geometry=routes, crs=villages.crs)
                         ).to_numpy(bool)


def _sites_at(sites: pd.DataFrame, growth: _Growth, snapshot: int) -> pd.DataFrame:
    ids = sites["site_id"].astype(str)
    keep = ids.map(lambda s: growth.site_from.get(s, 0) <= snapshot).to_numpy(bool)
    out = sites[keep].copy()
    reverted = ids[keep].map(lambda s: growth.upgrade_from.get(s, 0) > snapshot).to_numpy(bool)
    if reverted.any():
        radio = sites[sites["technology"] == "4G"]
        for column in ("frequency_mhz", "bandwidth_mhz", "tx_power_dbm", "antenna_gain_dbi",
                       "beamwidth_deg"):
            if column in out.columns and len(radio):
                out.loc[reverted, column] = radio[column].mode().iloc[0]
        out.loc[reverted, "technology"] = "4G"
    return out


def _fibre_at(villages: gpd.GeoDataFrame, fibre: gpd.GeoDataFrame, growth: _Growth,
              snapshot: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    later = [k for k, first in growth.fibre_from.items() if first > snapshot]
    if not later:
        return villages, fibre
    out = villages.copy()
    out.loc[out.index[later], "fibre"] = False
    points = shapely.point_on_surface(np.asarray(_utm(villages).geometry.values)[later])
    holes = gpd.GeoSeries(shapely.buffer(points, CLEARANCE_M), crs=UTM_EPSG).to_crs(
        villages.crs)
    cut = shapely.difference(np.asarray(fibre.geometry.values), shapely.union_all(holes.values))
    routes = gpd.GeoDataFrame(fibre.drop(columns=fibre.geometry.name), geometry=cut,
                              crs=fibre.crs).explode(index_parts=False)
    routes = routes[routes.geometry.geom_type == "LineString"]
    return out, routes[~routes.geometry.is_empty].reset_index(drop=True)


def _manifest(text: str, as_of: dt.date) -> str:
    lines = text.splitlines()
    at = lines.index("[dataset]") + 1
    return "\n".join([*lines[:at], f"as_of = {as_of.isoformat()}", *lines[at:]]) + "\n"


@dataclass(frozen=True, eq=False)
class _Layers:
    """The last quarter's layers that earlier quarters change."""

    manifest: str
    sites: pd.DataFrame
    villages: gpd.GeoDataFrame
    fibre: gpd.GeoDataFrame


def _read_layers(base: Path) -> _Layers:
    return _Layers(manifest=(base / "dataset.toml").read_text(encoding="utf-8"),
                   sites=pd.read_csv(base / "sites.csv", encoding="utf-8"),
                   villages=gpd.read_file(base / "villages.gpkg", engine="pyogrio"),
                   fibre=gpd.read_file(base / "fibre.gpkg", engine="pyogrio"))


def _write_snapshot(base: Path, folder: Path, snapshot: int, as_of: dt.date, growth: _Growth,
                    layers: _Layers) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if folder != base:
        for item in sorted(base.iterdir()):
            if item.name not in _CHANGED and not item.name.startswith("."):
                if item.is_dir():
                    shutil.copytree(item, folder / item.name, dirs_exist_ok=True)
                else:
                    shutil.copy2(item, folder / item.name)
        villages, fibre = _fibre_at(layers.villages, layers.fibre, growth, snapshot)
        write_csv(_sites_at(layers.sites, growth, snapshot), folder / "sites.csv")
        write_gpkg(villages, folder / "villages.gpkg", "villages")
        write_gpkg(fibre, folder / "fibre.gpkg", "fibre")
    write_text(_manifest(layers.manifest, as_of), folder / "dataset.toml")


def generate_snapshots(
    out_dir: str | Path,
    *,
    count: int = 4,
    size: DemoSize = "full",
    seed: int = 57,
    progress: Callable[[float, str], None] | None = None,
) -> list[Path]:
    """Write the demo province as ``count`` quarterly snapshots (see the module docstring).

    Parameters
    ----------
    out_dir
        Parent folder; each snapshot goes to ``out_dir/<year>-Q<n>`` (created).
    count
        How many quarters, ending with 2025-Q4.
    size
        ``{"small", "full"}``, as for :func:`covplan.demo.generate_demo`.
    seed
        Random seed of the province and of its growth.
    progress
        Called with (fraction, message).

    Returns
    -------
    list of pathlib.Path
        The snapshot folders, oldest first.

    Raises
    ------
    ValueError
        When ``count`` is below 1.
    """
    from covplan.demo import generate_demo

    if count < 1:
        raise ValueError(f"count {count!r}: give at least one quarter (--snapshots 4).")
    report = progress or (lambda fraction, message: None)
    quarters = quarters_back(count)
    root = Path(out_dir)
    folders = [root / f"{year}-Q{quarter}" for year, quarter in quarters]
    base = folders[-1]
    generate_demo(base, size=size, seed=seed,
                  progress=lambda f, m: report(0.8 * f, m))
    report(0.8, "taking back what each quarter built")
    layers = _read_layers(base)
    roads = _utm(gpd.read_file(base / "roads.gpkg", engine="pyogrio"))
    weights = _site_weights(layers.sites, roads, _utm(layers.villages))
    site_from, upgrade_from = _plan_sites(layers.sites, weights, count,
                                          stage_rng(seed, "snapshots-sites"))
    fibre_from = _plan_fibre(layers.villages, layers.fibre, count,
                             stage_rng(seed, "snapshots-fibre"))
    growth = _Growth(site_from, upgrade_from, fibre_from)
    for k, (folder, (year, quarter)) in enumerate(zip(folders, quarters, strict=True)):
        report(0.8 + 0.2 * k / count, f"writing {folder.name}")
        _write_snapshot(base, folder, k, quarter_end(year, quarter), growth, layers)
    write_text(f"{__version__} {seed} {size} {count}\n", root / _STAMP)
    logger.info("Wrote %d quarterly snapshots of the demo province to %s: %d sites built, "
                "%d upgraded to 5G, %d villages reached by fibre after %s", count, root,
                len(site_from), len(upgrade_from), len(fibre_from), folders[0].name)
    report(1.0, "snapshots written")
    return folders


def ensure_demo_snapshots(
    size: DemoSize = "full",
    *,
    count: int = 4,
    data_dir: Path | None = None,
    seed: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> list[Path]:
    """The demo's quarterly snapshots under ``data_dir/demo-<size>-snapshots``.

    They are generated first when missing or written by another version, seed or count.

    Parameters
    ----------
    size, count, seed, progress
        As for :func:`generate_snapshots` (``seed`` default
        :data:`covplan.settings.demo_seed`).
    data_dir
        Parent folder; default :data:`covplan.settings.data_dir`.

    Returns
    -------
    list of pathlib.Path
        The snapshot folders, oldest first.
    """
    seed = settings.demo_seed if seed is None else seed
    root = (data_dir or settings.data_dir) / f"demo-{size}-snapshots"
    folders = [root / f"{year}-Q{quarter}" for year, quarter in quarters_back(count)]
    stamp = root / _STAMP
    current = stamp.is_file() and stamp.read_text().split() == [__version__, str(seed), size,
                                                                 str(count)]
    if current and all(_dated(f) for f in folders):
        return folders
    return generate_snapshots(root, count=count, size=size, seed=seed, progress=progress)


def _dated(folder: Path) -> bool:
    manifest = folder / "dataset.toml"
    if not manifest.is_file():
        return False
    return "as_of" in tomllib.loads(manifest.read_text(encoding="utf-8")).get("dataset", {})
