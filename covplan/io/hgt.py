"""Read terrain: SRTM ``.hgt`` tiles (one or a mosaic) and GeoTIFF DEMs; put a DEM on a grid.

SRTM ``.hgt`` format
--------------------
A tile is a headerless square of big-endian int16 heights in metres: 1201 × 1201 samples
(SRTM3, 3″) or 3601 × 3601 (SRTM1, 1″), rows from north to south. The name gives the
**south-west** corner: ``N21E105.hgt`` spans 21–22 N, 105–106 E. Samples are
*pixel-is-point*: the first row lies on 22 N and the last on 21 N, so a cell centred on the
degree line extends half a cell beyond it, and neighbouring tiles share their edge row or
column (the mosaic keeps one copy). Voids are :data:`SRTM_VOID` (−32768). A tile missing
from a rectangular mosaic is sea in the SRTM convention (no tile is published for open
water) and is set to 0 m, with a log warning naming it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
from affine import Affine
from pyproj import CRS
from rasterio.warp import Resampling

from covplan.errors import DataFileNotFoundError, InputError, Problem
from covplan.grid import GridSpec, Raster

logger = logging.getLogger(__name__)

#: Value of a void sample in SRTM tiles.
SRTM_VOID: Final = -32768
#: Samples per side of each SRTM product, by name.
HGT_SIZES: Final[dict[str, int]] = {"SRTM3 (3″, 1201×1201)": 1201, "SRTM1 (1″, 3601×3601)": 3601}
_NAME: Final = re.compile(r"^([NS])(\d{2})([EW])(\d{3})$", re.IGNORECASE)


def _tile_corner(path: Path) -> tuple[int, int] | None:
    """(south latitude, west longitude) in whole degrees from a tile name, or None."""
    match = _NAME.match(path.name.split(".")[0])
    if not match:
        return None
    lat = int(match.group(2)) * (1 if match.group(1).upper() == "N" else -1)
    lon = int(match.group(4)) * (1 if match.group(3).upper() == "E" else -1)
    return lat, lon


def _check_tile(path: Path) -> tuple[list[Problem], int | None, tuple[int, int] | None]:
    """Problems with one tile, its side length in samples and its corner."""
    problems: list[Problem] = []
    corner = _tile_corner(path)
    if corner is None:
        problems.append(
            Problem(
                str(path),
                f"expected an SRTM tile name such as N21E105.hgt (south-west corner), "
                f"found '{path.name}'.",
                "keep the original tile name: the name is the only georeference a .hgt file has.",
                layer="terrain",
            )
        )
    size = path.stat().st_size
    side = next((n for n in HGT_SIZES.values() if size == n * n * 2), None)
    if side is None:
        expected = " or ".join(f"{n * n * 2:,} bytes for {k}" for k, n in HGT_SIZES.items())
        problems.append(
            Problem(
                str(path),
                f"expected {expected}, found {size:,} bytes.",
                "the tile seems truncated or is not an SRTM .hgt file: re-download it (for "
                "example from USGS EarthExplorer) and unzip it fully.",
                layer="terrain",
            )
        )
    return problems, side, corner


def read_hgt(paths: Sequence[str | Path]) -> tuple[np.ndarray, Affine, CRS]:
    """Read one or several SRTM ``.hgt`` tiles as one mosaic.

    Parameters
    ----------
    paths
        Tile files named by their south-west corner (``N21E105.hgt``), all of the same
        product (SRTM1 or SRTM3).

    Returns
    -------
    dem : numpy.ndarray
        int16 heights in metres, north row first; voids are :data:`SRTM_VOID`.
    transform : affine.Affine
        Upper-left corner of the upper-left cell (half a cell north-west of the corner
        sample).
    crs : pyproj.CRS
        EPSG:4326.

    Raises
    ------
    DataFileNotFoundError
        A tile does not exist.
    InputError
        Every badly named, wrongly sized, duplicated or mixed-resolution tile, all at once.
    """
    tiles = [Path(p) for p in paths]
    if not tiles:
        raise InputError(
            [
                Problem(
                    "terrain",
                    "expected at least one .hgt tile, found none.",
                    "list the tiles covering the area.",
                    layer="terrain",
                )
            ]
        )
    missing = [str(p) for p in tiles if not p.is_file()]
    if missing:
        raise DataFileNotFoundError(f"SRTM tile(s) not found: {', '.join(missing)}")
    problems: list[Problem] = []
    found: dict[tuple[int, int], Path] = {}
    sides: set[int] = set()
    for path in tiles:
        tile_problems, side, corner = _check_tile(path)
        problems += tile_problems
        if side is not None:
            sides.add(side)
        if corner is not None and corner in found:
            problems.append(
                Problem(
                    str(path),
                    f"duplicates tile {found[corner]}.",
                    "list each tile once.",
                    layer="terrain",
                )
            )
        elif corner is not None:
            found[corner] = path
    if len(sides) > 1:
        problems.append(
            Problem(
                ", ".join(str(p) for p in tiles),
                "expected tiles of one product, found SRTM1 and SRTM3 mixed.",
                "use tiles of one resolution.",
                layer="terrain",
            )
        )
    if problems:
        raise InputError(problems)
    return _mosaic(found, sides.pop())


def _mosaic(tiles: dict[tuple[int, int], Path], side: int) -> tuple[np.ndarray, Affine, CRS]:
    """Assemble tiles keyed by (south lat, west lon) into one array with shared edges."""
    step = side - 1
    lats = range(min(t[0] for t in tiles), max(t[0] for t in tiles) + 1)
    lons = range(min(t[1] for t in tiles), max(t[1] for t in tiles) + 1)
    dem = np.zeros((len(lats) * step + 1, len(lons) * step + 1), dtype=np.int16)
    north = lats[-1] + 1
    absent = []
    for lat in lats:
        for lon in lons:
            path = tiles.get((lat, lon))
            if path is None:
                absent.append(
                    f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}"
                    f"{'E' if lon >= 0 else 'W'}{abs(lon):03d}"
                )
                continue
            tile = np.fromfile(path, dtype=">i2").reshape(side, side).astype(np.int16)
            row, col = (north - 1 - lat) * step, (lon - lons[0]) * step
            dem[row : row + side, col : col + side] = tile
    if absent:
        logger.warning(
            "SRTM tiles %s not given: set to 0 m (sea, in the SRTM convention)", ", ".join(absent)
        )
    cell = 1.0 / step
    transform = Affine(cell, 0.0, lons[0] - cell / 2, 0.0, -cell, north + cell / 2)
    voids = int((dem == SRTM_VOID).sum())
    logger.info(
        "Read %d SRTM tile(s) into a %d×%d DEM with %s voids",
        len(tiles),
        dem.shape[0],
        dem.shape[1],
        f"{voids:,}",
    )
    return dem, transform, CRS.from_epsg(4326)


def read_dem_geotiff(path: str | Path) -> tuple[np.ndarray, Affine, CRS, float | None]:
    """Read a GeoTIFF DEM (heights in metres); see :func:`covplan.io.raster.read_geotiff`."""
    from covplan.io.raster import read_geotiff

    return read_geotiff(path, layer="terrain")


def dem_to_grid(
    dem: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    grid: GridSpec,
    *,
    nodata: float | None = None,
    notes: tuple[str, ...] = (),
) -> Raster:
    """Resample a DEM onto a working grid with bilinear interpolation.

    Parameters
    ----------
    dem
        Heights in metres (fill voids first with :func:`covplan.io.voids.fill_voids`).
    transform, crs
        Where ``dem`` lies.
    grid
        The working grid (usually metric, EPSG:32648).
    nodata
        Value of missing samples in ``dem``; NaN is always missing.
    notes
        Notes carried into the result (for example the void fill).

    Returns
    -------
    covplan.grid.Raster
        float32 heights in metres (``units="m"``); NaN where the DEM does not reach.
    """
    source = np.asarray(dem, dtype=np.float32)
    if nodata is not None and not np.isnan(nodata):
        source = np.where(source == nodata, np.float32(np.nan), source)
    from covplan.io.raster import warp

    out = warp(source, transform, CRS.from_user_input(crs), grid, Resampling.bilinear)
    missing = int(np.isnan(out).sum())
    if missing:
        logger.info("DEM does not cover %s of %s working cells", f"{missing:,}", f"{out.size:,}")
    return Raster(out, grid, units="m", notes=(*notes, "terrain resampled bilinearly"))
