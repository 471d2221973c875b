"""Terrain: SRTM ``.hgt`` tiles (one or a mosaic) or a GeoTIFF DEM, voids filled, its cover.

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

Voids
-----
Voids *inside* the terrain (SRTM voids, nodata holes a GeoTIFF encloses) are filled by
:func:`fill_voids`: GDAL ``FillNodata`` through :func:`rasterio.fill.fillnodata`, each void
sample taking the inverse-distance-weighted mean of the valid samples found along rays cast in
every direction from it, up to ``max_search_distance`` cells away (GDAL's default of 100 is
raised to the DEM's larger side so that every void is filled), with no smoothing pass. Voids
in SRTM are small (clouds, steep shadowed slopes), so the interpolation stays between the
heights on the void's rim.

Beyond the terrain
------------------
What lies *beyond* the terrain (beyond the tiles given, or nodata reaching the edge of a
clipped GeoTIFF) is not invented from the nearest edge: the manifest's ``outside`` setting
decides, ``"flat"`` (the default) for flat ground at ``outside_height_m`` (default: the mean
height of the terrain inside the study area) or ``"refuse"`` to refuse a terrain that does
not cover the whole study area. The outcome is a :class:`TerrainCoverage`, stated by every
command, the report and the app.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.fill import fillnodata
from rasterio.warp import Resampling
from scipy import ndimage

from covplan.errors import DataFileNotFoundError, InputError, Problem
from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Language, Name, Num, Phrase, Text, language
from covplan.io.manifest import LayerSpec
from covplan.io.raster import (
    Bounds,
    RasterWindow,
    check_cells,
    check_files,
    check_header,
    covered_share,
    extent,
    no_overlap,
    padded,
    read_band,
    read_geotiff,
    values_on_area,
    warp,
    window_over,
    working_grid,
)

logger = logging.getLogger(__name__)

#: Share of the study area from which a terrain counts as covering it all.
FULL_SHARE: Final = 0.995

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


def tile_name(lat: int, lon: int) -> str:
    """The name of the SRTM tile whose south-west corner is (``lat``, ``lon``): N21E105."""
    return f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}{'E' if lon >= 0 else 'W'}{abs(lon):03d}"


def _check_tile(path: Path) -> tuple[list[Problem], int | None, tuple[int, int] | None]:
    """Problems with one tile, its side length in samples and its corner."""
    problems: list[Problem] = []
    corner = _tile_corner(path)
    if corner is None:
        problems.append(
            Problem(
                str(path),
                N_("expected an SRTM tile name such as N21E105.hgt (south-west corner), "
                   "found '{name}'."),
                N_("keep the original tile name: the name is the only georeference a .hgt file "
                   "has."),
                layer="terrain",
                params={"name": path.name},
            )
        )
    size = path.stat().st_size
    side = next((n for n in HGT_SIZES.values() if size == n * n * 2), None)
    if side is None:
        (small, small_side), (large, large_side) = HGT_SIZES.items()
        problems.append(
            Problem(
                str(path),
                N_("expected {small_bytes} bytes for {small} or {large_bytes} bytes for "
                   "{large}, found {size} bytes."),
                N_("the tile seems truncated or is not an SRTM .hgt file: re-download it (for "
                   "example from USGS EarthExplorer) and unzip it fully."),
                layer="terrain",
                params={"small": small, "small_bytes": Num(small_side * small_side * 2),
                        "large": large, "large_bytes": Num(large_side * large_side * 2),
                        "size": Num(size)},  # 2.884.802 in Vietnamese
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
                    N_("expected at least one .hgt tile, found none."),
                    N_("list the tiles covering the area."),
                    layer="terrain",
                )
            ]
        )
    missing = [str(p) for p in tiles if not p.is_file()]
    if missing:
        raise DataFileNotFoundError(N_("SRTM tile(s) not found: {tiles}"),
                                    tiles=", ".join(missing))
    problems, found, sides = _tiles(tiles)
    if problems:
        raise InputError(problems)
    return _mosaic(found, sides.pop())


def _tiles(tiles: list[Path]) -> tuple[list[Problem], dict[tuple[int, int], Path], set[int]]:
    """Problems of existing tiles (names, sizes, duplicates, products), by corner, and sides.

    Only the names and sizes of the files are looked at.
    """
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
                    N_("duplicates tile {tile}."),
                    N_("list each tile once."),
                    layer="terrain",
                    params={"tile": str(found[corner])},
                )
            )
        elif corner is not None:
            found[corner] = path
    if len(sides) > 1:
        problems.append(
            Problem(
                ", ".join(str(p) for p in tiles),
                N_("expected tiles of one product, found SRTM1 and SRTM3 mixed."),
                N_("use tiles of one resolution."),
                layer="terrain",
            )
        )
    return problems, found, sides


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
                absent.append(tile_name(lat, lon))
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
    """Resample a DEM onto a working grid, each cell taking its nearest post.

    Nearest, not bilinear: a DEM's heights are posts, and a blend of four lowers every peak
    and ridge between the new cell centres, which terrain diffraction reads (on the real
    SRTM tile N21E105 a bilinear warp made covplan's Longley-Rice about 2 dB optimistic
    against SPLAT!, ``benchmarks/bench_splat.py``).

    Parameters
    ----------
    dem
        Heights in metres (fill voids first with :func:`fill_voids`).
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
    out = warp(source, transform, CRS.from_user_input(crs), grid, Resampling.nearest)
    missing = int(np.isnan(out).sum())
    if missing:
        logger.info("DEM does not cover %s of %s working cells", f"{missing:,}", f"{out.size:,}")
    return Raster(out, grid, units="m",
                  notes=(*notes, Text(N_("terrain resampled to the nearest post"))))


def fill_voids(
    dem: np.ndarray,
    nodata: float | None,
    *,
    max_search_distance: int | None = None,
    source: str = "terrain",
) -> tuple[np.ndarray, int]:
    """Fill the voids of a DEM by inverse-distance interpolation from their edges.

    Parameters
    ----------
    dem
        Heights in metres, any numeric dtype.
    nodata
        Value marking voids (such as −32768 for SRTM); NaN samples are voids too.
    max_search_distance
        How far (in cells) to look for valid samples; default: the DEM's larger side.
    source
        File or layer named in the error message when nothing can be filled.

    Returns
    -------
    filled : numpy.ndarray
        float32 heights with no voids.
    count : int
        Number of samples filled.

    Raises
    ------
    InputError
        The DEM has no valid sample at all.

    Examples
    --------
    >>> dem = np.array([[10, 10, 10], [10, -32768, 10], [10, 10, 10]], dtype=np.int16)
    >>> filled, count = fill_voids(dem, -32768)
    >>> float(filled[1, 1]), count
    (10.0, 1)
    """
    heights = np.asarray(dem, dtype=np.float32)
    void = np.isnan(heights)
    if nodata is not None and not np.isnan(nodata):
        void |= heights == np.float32(nodata)
    count = int(void.sum())
    if count == 0:
        return heights.copy(), 0
    if count == void.size:
        raise InputError(
            [
                Problem(
                    source,
                    N_("expected terrain heights, found only voids/nodata."),
                    N_("check the file's nodata value, or use a DEM tile that covers the area."),
                    layer="terrain",
                )
            ]
        )
    distance = max_search_distance or max(heights.shape)
    work = np.where(void, np.float32(np.nan), heights)  # unreached voids stay NaN
    filled = fillnodata(
        work, mask=(~void).astype(np.uint8), max_search_distance=distance, smoothing_iterations=0
    )
    filled = np.asarray(filled, dtype=np.float32)
    left = int((~np.isfinite(filled)).sum())
    if left:
        raise InputError(
            [
                Problem(
                    source,
                    N_("expected every void within {distance} cells of valid terrain, "
                       "found {count} voids farther away."),
                    N_("pass a larger max_search_distance or add the neighbouring tiles."),
                    layer="terrain",
                    params={"distance": distance, "count": f"{left:,}"},
                )
            ]
        )
    logger.info(
        "Filled %s void cells of %s (%.3f %%) by inverse-distance interpolation",
        f"{count:,}",
        f"{void.size:,}",
        100 * count / void.size,
    )
    return filled, count


@dataclass(frozen=True)
class TerrainCoverage:
    """How much of the study area the terrain covers, and what happens beyond it.

    Parameters
    ----------
    share
        Share (0-1) of the study area with terrain heights; 0 without terrain.
    outside
        ``{"flat", "refuse"}``, the manifest's ``outside`` setting.
    outside_height_m
        Height of the flat ground beyond the terrain (and of the flat earth without
        terrain), in metres.
    source
        The terrain file(s); "" without terrain.
    missing_tiles
        SRTM tiles that would cover the rest of the study area (tiles only).
    """

    share: float
    outside: str = "flat"
    outside_height_m: float = 0.0
    source: str = ""
    missing_tiles: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        """Whether the dataset has terrain at all."""
        return bool(self.source)

    @property
    def complete(self) -> bool:
        """Whether the terrain covers the whole study area."""
        return self.share >= FULL_SHARE

    @property
    def partial(self) -> bool:
        """Whether there is terrain that misses part of the area (a dataset warning)."""
        return self.present and not self.complete

    def describe(self, lang: Language | None = None) -> str:
        """One sentence for people in ``lang`` (default English): the share and beyond."""
        return self.phrase()(lang or language("en"))

    def phrase(self) -> Phrase:
        """:meth:`describe` in any language."""
        if not self.present:
            return Phrase(N_("no terrain layer: every prediction runs over flat ground (flat "
                             "earth); add SRTM tiles or a DEM for terrain-aware prediction"))
        covers = Phrase.of(N_("{source} covers {percent} of the study area"),
                           source=Name(self.source),
                           percent=Num(round(100 * self.share), percent=True))
        if self.complete:
            return covers
        tiles = (Phrase.of(N_("; the tiles {tiles} would cover the rest"),
                           tiles=Name(", ".join(self.missing_tiles)))
                 if self.missing_tiles else Phrase(""))
        return Phrase.of(N_('{covers}; beyond it the prediction runs over flat ground at '
                            '{height} m (outside = "flat"; set outside_height_m in '
                            "dataset.toml to choose the height){tiles}"),
                         covers=covers, height=Num(self.outside_height_m), tiles=tiles)


def _missing_tiles(area: shapely.Geometry, crs: CRS, given: tuple[Path, ...]) -> tuple[str, ...]:
    """Names of the 1° SRTM tiles the area reaches that are not among ``given``."""
    to_lonlat = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    outline = shapely.transform(area, lambda xy: np.column_stack(to_lonlat.transform(*xy.T)))
    w, s, e, n = outline.bounds
    names = {p.name.split(".")[0].upper() for p in given}
    wanted = [tile_name(lat, lon) for lat in range(math.floor(s), math.floor(n) + 1)
              for lon in range(math.floor(w), math.floor(e) + 1)
              if outline.intersects(shapely.box(lon, lat, lon + 1, lat + 1))]
    return tuple(f"{t}.hgt" for t in wanted if t.upper() not in names)


def _fill_inner_voids(source: RasterWindow) -> tuple[np.ndarray, int]:
    """Fill the voids the terrain encloses; nodata reaching its edge stays NaN (outside).

    Every void of SRTM tiles is filled (a tile is data by definition); in a GeoTIFF, nodata
    connected to the raster's edge is the area beyond a clipped DEM, not a void.
    """
    array = source.array
    void = np.isnan(array)
    if not void.any():
        return array, 0
    if void.all():
        raise InputError(
            [
                Problem(
                    source.label,
                    N_("expected terrain heights over the study area, found only nodata there."),
                    N_("check the file's nodata value (nodata = ... under [layers.terrain]), or "
                       "use a DEM that covers the area."),
                    layer="terrain",
                )
            ]
        )
    outside = np.zeros_like(void)
    if not source.tiles:
        labels, _ = ndimage.label(void)
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        outside = np.isin(labels, edge[edge > 0])
    filled, count = fill_voids(np.where(outside, np.float32(0), array), np.nan,
                               source=source.label)
    filled[outside] = np.nan
    return filled, count


def _read_tiles(spec: LayerSpec, area: Bounds | None, area_crs: CRS | None) -> RasterWindow:
    side = max(HGT_SIZES.values())
    sizes = {p.stat().st_size for p in spec.files}
    side = next((n for n in HGT_SIZES.values() if {n * n * 2} == sizes), side)
    check_cells(len(spec.files) * side * side, spec.label, "terrain")
    dem, transform, crs = read_hgt(list(spec.files))
    window = window_over(transform, dem.shape, crs, area, area_crs)
    if window is None:
        bounds = rasterio.transform.array_bounds(*dem.shape, transform)
        raise no_overlap(spec.label, "terrain", bounds, crs, area, area_crs)  # type: ignore[arg-type]
    rows, cols = window.toslices()
    part = dem[rows, cols]
    array = part.astype(np.float32)
    array[part == SRTM_VOID] = np.nan
    return RasterWindow(array, rasterio.windows.transform(window, transform), crs, spec.label, True)


def _read_terrain(spec: LayerSpec, area: Bounds | None, area_crs: CRS | None) -> RasterWindow:
    check_files(spec)
    if all(p.suffix.lower() == ".hgt" for p in spec.files):
        return _read_tiles(spec, area, area_crs)
    return read_band(spec, area, area_crs)


def check_terrain_files(spec: LayerSpec) -> None:
    """What reading the terrain checks before the study area counts, reading no heights.

    The files exist and are rasters; tiles are named and sized as SRTM tiles, one GeoTIFF
    opens and is georeferenced (its header only). For a dataset whose study area is not known
    (its vector layers have problems of their own).

    Raises
    ------
    InputError, covplan.errors.CovplanError
        As :func:`load_terrain` does for these.
    """
    check_files(spec)
    if all(p.suffix.lower() == ".hgt" for p in spec.files):
        problems = _tiles(list(spec.files))[0]
        if problems:
            raise InputError(problems)
    else:
        check_header(spec)


def load_terrain(
    spec: LayerSpec, crs: CRS, area: shapely.Geometry | None = None
) -> tuple[Raster, TerrainCoverage]:
    """Elevation in metres on a grid in the working CRS over the study area, and its coverage.

    Parameters
    ----------
    spec
        The terrain layer (``.hgt`` tiles or one GeoTIFF), with its ``outside`` setting.
    crs
        The working CRS.
    area
        The study area in ``crs``; None: the terrain's own extent.

    Returns
    -------
    terrain : covplan.grid.Raster
        float32 heights over the area plus :data:`MARGIN_M`, no NaN: voids inside the
        terrain filled, cells beyond it at the flat height.
    coverage : TerrainCoverage
        The share of the area covered and the flat height used beyond it.

    Raises
    ------
    InputError
        The terrain does not overlap the area, holds no height there, or (with
        ``outside = "refuse"``) does not cover all of it.
    """
    source = _read_terrain(spec, area.bounds if area is not None else None,
                   crs if area is not None else None)
    filled, count = _fill_inner_voids(source)
    source = RasterWindow(filled, source.transform, source.crs, source.label, source.tiles)
    notes = [Text(N_("terrain: filled {count} void cells inside {label}"), count=Num(count),
                  label=Name(spec.label))] if count else []
    share, height = 1.0, 0.0
    missing: tuple[str, ...] = ()
    if area is not None:
        on_area = values_on_area(source, area, crs)
        share = covered_share(on_area)
        heights = on_area[np.isfinite(on_area)]
        height = float(np.mean(heights)) if heights.size else 0.0
        if source.tiles:
            missing = _missing_tiles(area, crs, spec.files)
    if spec.outside_height_m is not None:
        height = float(spec.outside_height_m)
    coverage = TerrainCoverage(share, spec.outside, round(height), spec.label, missing)
    if area is not None and share == 0.0:
        raise no_overlap(spec.label, "terrain", extent(source), source.crs, area.bounds, crs)
    if spec.outside == "refuse" and not coverage.complete:
        fix = (N_('add the terrain that covers the rest ({tiles}), or write outside = "flat" '
                  "under [layers.terrain] to predict over flat ground there.") if missing else
               N_('add the terrain that covers the rest, or write outside = "flat" under '
                  "[layers.terrain] to predict over flat ground there."))
        raise InputError(
            [
                Problem(
                    spec.label,
                    N_('covers {percent} of the study area, and dataset.toml says '
                       'outside = "refuse".'),
                    fix,
                    layer="terrain",
                    params={"percent": f"{100 * share:.1f} %", "tiles": ", ".join(missing)},
                )
            ]
        )
    bounds = padded(area.bounds) if area is not None else None
    grid = working_grid(source.array.shape, source.transform, source.crs, crs, bounds)
    if source.crs.equals(crs) and bounds is None:
        data = source.array.copy()
        grid = GridSpec(crs.to_wkt(), source.transform, data.shape[1], data.shape[0])
    else:
        data = warp(source.array, source.transform, source.crs, grid, Resampling.nearest)
    data[~np.isfinite(data)] = np.float32(coverage.outside_height_m)
    logger.info("Terrain %s: %d x %d cells at %.1f m, %.1f %% of the study area",
                spec.label, grid.width, grid.height, grid.resolution_m, 100 * share)
    return Raster(data.astype(np.float32), grid, "m", tuple(notes)), coverage


