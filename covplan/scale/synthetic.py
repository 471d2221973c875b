"""A synthetic country to run and measure national runs on: N demo provinces side by side.

:func:`generate_country` writes N provinces of the demo generator (:mod:`covplan.demo`),
each with its own seed (so its own terrain, villages, roads and sites) and size, moved
apart on a grid 130 km wide so they do not overlap (all within UTM zone 48N), each named
(fictional three-syllable names), labelled synthetic and given a target preset in its
manifest (``[dataset] targets``, the shipped presets in turn). A ``country.toml`` lists
them. The same count, sizes and seed always give the same files.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from pyproj import Transformer

from covplan._progress import ProgressFn, no_progress, scaled
from covplan.demo._config import LONLAT_EPSG, UTM_EPSG, size_config
from covplan.demo._random import stage_rng
from covplan.demo.names import NameBook
from covplan.demo.province import STAGE_COUNT, DemoData, Stages, build_demo, write_demo
from covplan.demo.writer import manifest_text, write_text
from covplan.grid import GridSpec
from covplan.scale.country import COUNTRY_FILE

logger = logging.getLogger(__name__)

CountrySize = Literal["small", "full", "mixed"]
#: Sizes of a ``"mixed"`` country, repeated: one full-size province, then two small ones.
MIXED_SIZES: Final = ("full", "small", "small")
#: Distance between neighbouring provinces' centres (m) and provinces per row.
SPACING_M: Final = 130_000.0
COLUMNS: Final = 4
#: Presets given to the provinces in turn.
PRESETS: Final = ("thai_nguyen_2025", "bac_ninh_2030")


def province_sizes(count: int, size: CountrySize = "mixed") -> list[str]:
    """The demo size of each of ``count`` provinces."""
    if size == "mixed":
        return [MIXED_SIZES[i % len(MIXED_SIZES)] for i in range(count)]
    return [size] * count


def _offset_m(index: int) -> tuple[float, float]:
    """Where province ``index`` goes relative to the demo's place (m east, m north).

    Rows of four going south, columns from 260 km west to 130 km east: all inside UTM
    zone 48N.
    """
    row, col = divmod(index, COLUMNS)
    return (col - 2) * SPACING_M, -row * SPACING_M


def _moved_grid(grid: GridSpec, dx: float, dy: float) -> GridSpec:
    t = grid.transform
    return dataclasses.replace(grid, transform=Affine(t.a, t.b, t.c + dx, t.d, t.e, t.f + dy))


def _moved(data: DemoData, dx: float, dy: float) -> DemoData:
    """The demo layers moved by (dx, dy) metres in UTM 48N."""
    def move(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        utm = frame.to_crs(UTM_EPSG)
        return utm.set_geometry(utm.geometry.translate(dx, dy)).to_crs(LONLAT_EPSG)

    layers = {name: move(getattr(data, name))
              for name in ("communes", "villages", "roads", "fibre", "pois")}
    drive = dataclasses.replace(data.drive, table=_moved_points(data.drive.table, dx, dy))
    return dataclasses.replace(data, terrain_grid=_moved_grid(data.terrain_grid, dx, dy),
                               population_grid=_moved_grid(data.population_grid, dx, dy),
                               sites=_moved_points(data.sites, dx, dy), drive=drive, **layers)


def _moved_points(table: pd.DataFrame, dx: float, dy: float) -> pd.DataFrame:
    """``table`` with its ``lon``/``lat`` moved by (dx, dy) metres in UTM 48N.

    Rows whose position is not a number (the drive test's damaged rows) stay as they are.
    """
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    x, y = Transformer.from_crs(LONLAT_EPSG, UTM_EPSG, always_xy=True).transform(lon[ok],
                                                                                 lat[ok])
    new_lon, new_lat = Transformer.from_crs(UTM_EPSG, LONLAT_EPSG, always_xy=True).transform(
        np.asarray(x) + dx, np.asarray(y) + dy)
    moved = table.copy()
    numeric = pd.api.types.is_numeric_dtype(table["lon"])
    for column, values in (("lon", new_lon), ("lat", new_lat)):
        rounded = np.round(np.asarray(values), 6)
        moved.loc[ok, column] = rounded if numeric else [f"{v:.6f}" for v in rounded]
    return moved


def _manifest(name: str, seed: int, size: str, preset: str) -> str:
    """The demo manifest with the province's name and its target preset."""
    text = manifest_text(name, seed, size)
    head, rest = text.split("\n", 1)
    return f'{head}\ntargets = "{preset}"\n{rest}'


def _country_toml(name: str, folders: Sequence[str]) -> str:
    lines = ["[country]", f'name = "{name}"', ""]
    for folder in folders:
        lines += ["[[province]]", f'path = "{folder}"', ""]
    return "\n".join(lines)


def generate_country(out_dir: str | Path, count: int, *, size: CountrySize = "mixed",
                     seed: int = 57, progress: ProgressFn | None = None) -> Path:
    """Write a synthetic country of ``count`` provinces and its ``country.toml``.

    Parameters
    ----------
    out_dir
        Folder to write into (``province-01`` … and ``country.toml``); created if missing.
    count
        Number of provinces (at least 1).
    size
        ``{"small", "full", "mixed"}``: every province small (seconds each), full (about
        8,400 km², ten seconds or more each), or one full then two small in turn.
    seed
        Seed of the first province; province ``i`` has ``seed + i``.
    progress
        Called with (fraction, message).

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    ValueError
        When ``count`` is below 1 or ``size`` is unknown.
    """
    if count < 1:
        raise ValueError(f"a country needs at least one province, got {count}")
    if size not in ("small", "full", "mixed"):
        raise ValueError(f"size must be 'small', 'full' or 'mixed', got {size!r}")
    report = progress or no_progress
    out = Path(out_dir)
    names = NameBook(stage_rng(seed, "country"))
    folders: list[str] = []
    for i, demo_size in enumerate(province_sizes(count, size)):
        folder = f"province-{i + 1:02d}"
        name = names.place_name(mountain=False)
        stages = Stages(scaled(report, i / count, (i + 1) / count), STAGE_COUNT)
        data = _moved(build_demo(size_config(demo_size), seed + i, stages), *_offset_m(i))
        write_demo(data, out / folder, stages)
        write_text(_manifest(name, seed + i, demo_size, PRESETS[i % len(PRESETS)]),
                   out / folder / "dataset.toml")
        stages.finish()
        folders.append(folder)
        logger.info("Wrote synthetic province %s (%s, seed %d) to %s", name, demo_size,
                    seed + i, out / folder)
    write_text(_country_toml(f"Synthetic country ({count} provinces)", folders),
               out / COUNTRY_FILE)
    report(1.0, f"{count} provinces written")
    return out
