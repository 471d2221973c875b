"""Raster layers: terrain (GeoTIFF or SRTM ``.hgt`` tiles) and population (people per cell)."""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.errors
from affine import Affine
from pyproj import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.warp import Resampling, reproject, transform_bounds

from covplan.errors import DataFileNotFoundError, InputError, Problem, UnsupportedFormatError
from covplan.grid import GridSpec, Raster
from covplan.io.manifest import LayerSpec

logger = logging.getLogger(__name__)

_RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc", ".hgt")


def _check_files(spec: LayerSpec) -> None:
    for path in spec.files:
        if not path.exists():
            raise DataFileNotFoundError(
                f"{path}: {spec.name} file not found. Check the name in dataset.toml."
            )
        if path.suffix.lower() not in _RASTER_SUFFIXES:
            raise UnsupportedFormatError(
                f"{path}: unknown raster format '{path.suffix}'. covplan reads GeoTIFF (.tif) "
                "and SRTM .hgt tiles."
            )


def read_geotiff(
    path: str | Path, *, layer: str = "terrain", crs: str | None = None
) -> tuple[np.ndarray, Affine, CRS, float | None]:
    """Read band 1 of a georeferenced raster (GeoTIFF or any GDAL format).

    Parameters
    ----------
    path
        The raster file.
    layer
        Dataset layer named in error messages, {"terrain", "population"}.
    crs
        CRS to assume when the file has none (the manifest's ``crs``).

    Returns
    -------
    data : numpy.ndarray
        Band 1 as stored.
    transform : affine.Affine
        The raster's affine transform.
    crs : pyproj.CRS
        The raster's CRS.
    nodata : float or None
        The band's nodata value.

    Raises
    ------
    InputError
        The file has no CRS or no georeference, or GDAL cannot read it.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"{path}: raster not found. Fix: check the path.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                data, transform, nodata = src.read(1), src.transform, src.nodata
                found = src.crs or (CRS.from_user_input(crs) if crs else None)
    except RasterioIOError as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"expected a GeoTIFF raster, GDAL says: {exc}.",
                    "re-export the raster as GeoTIFF.",
                    layer=layer,
                )
            ]
        ) from exc
    if found is None or transform == Affine.identity():
        found = "no georeference at all" if transform == Affine.identity() else "no CRS"
        raise InputError(
            [
                Problem(
                    str(path),
                    "expected a georeferenced raster with a coordinate reference system, "
                    f"found {found}.",
                    "assign the CRS the raster was made in, e.g. "
                    f"'gdal_edit.py -a_srs EPSG:4326 {path.name}', or re-export it with one.",
                    layer=layer,
                )
            ]
        )
    return data, transform, CRS.from_user_input(found), nodata


def _read(spec: LayerSpec) -> tuple[np.ndarray, Affine, CRS]:
    _check_files(spec)
    if all(p.suffix.lower() == ".hgt" for p in spec.files):
        from covplan.io.hgt import SRTM_VOID, read_hgt

        dem, transform, crs = read_hgt(list(spec.files))
        array = dem.astype(np.float32)
        array[dem == SRTM_VOID] = np.nan
        return array, transform, crs
    if len(spec.files) > 1:
        raise UnsupportedFormatError(
            f"{spec.label}: several {spec.name} files are only supported as SRTM .hgt tiles; "
            "merge GeoTIFFs first (gdal_merge.py or gdalbuildvrt)."
        )
    data, transform, crs, nodata = read_geotiff(spec.files[0], layer=spec.name, crs=spec.crs)
    array = data.astype(np.float32)
    nodata = spec.nodata if spec.nodata is not None else nodata
    if nodata is not None and np.isfinite(nodata):
        array[data == nodata] = np.nan
    return array, transform, crs


def working_grid(
    shape: tuple[int, int],
    transform: Affine,
    crs: CRS,
    target: CRS,
    bounds: tuple[float, float, float, float] | None = None,
) -> GridSpec:
    """A grid in ``target`` at about the source's resolution, over ``bounds`` if given."""
    height, width = shape
    west, south, east, north = rasterio.transform.array_bounds(height, width, transform)
    box = transform_bounds(crs, target, west, south, east, north, densify_pts=21)
    if crs.is_geographic:
        mid_lat = math.radians((south + north) / 2)
        res = abs(transform.a) * 111_320.0 * math.cos(mid_lat)
    else:
        res = abs(transform.a)
    if bounds is not None:
        box = (
            max(box[0], bounds[0]),
            max(box[1], bounds[1]),
            min(box[2], bounds[2]),
            min(box[3], bounds[3]),
        )
    return GridSpec.from_bounds(box, round(res, 3), target)


def warp(
    array: np.ndarray,
    transform: Affine,
    crs: CRS,
    grid: GridSpec,
    resampling: Resampling,
    *,
    dtype: type[np.floating[Any]] = np.float32,
) -> np.ndarray:
    """Reproject ``array`` onto ``grid`` (NaN = nodata on both sides).

    The one raster-warping primitive of :mod:`covplan.io`: terrain uses bilinear,
    population ``sum`` (total conserving) with ``dtype=np.float64``.
    """
    out = np.full(grid.shape, np.nan, dtype=dtype)
    reproject(
        source=array,
        destination=out,
        src_transform=transform,
        src_crs=crs,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=resampling,
    )
    return out


def load_terrain(
    spec: LayerSpec, crs: CRS, bounds: tuple[float, float, float, float] | None = None
) -> Raster:
    """Elevation in metres on a grid in the working CRS, voids filled.

    Voids (SRTM ``-32768`` or the file's nodata) are filled by
    :func:`covplan.io.voids.fill_voids` before reprojection; the count filled is recorded
    in the raster's notes. Resampling is bilinear (elevation is continuous).
    """
    from covplan.io.voids import fill_voids

    array, transform, src_crs = _read(spec)
    array, filled = fill_voids(array, np.nan)
    notes = [f"terrain: filled {filled:,} void cells ({spec.label})"] if filled else []
    if src_crs.equals(crs):
        grid = GridSpec(crs.to_wkt(), transform, array.shape[1], array.shape[0])
        return Raster(array.astype(np.float32), grid, "m", tuple(notes))
    grid = working_grid(array.shape, transform, src_crs, crs, bounds)
    data = warp(array, transform, src_crs, grid, Resampling.bilinear)
    logger.info(
        "Terrain %s: %d x %d cells at %.1f m",
        spec.label,
        grid.width,
        grid.height,
        grid.resolution_m,
    )
    return Raster(data, grid, "m", tuple(notes))


def load_population(spec: LayerSpec, crs: CRS) -> Raster:
    """People per cell on a grid in the working CRS; the total is conserved on reprojection."""
    from covplan.io.zonal import people_per_cell, population_to_grid

    array, transform, src_crs = _read(spec)
    array = people_per_cell(array, source=spec.label).astype(np.float32)
    if src_crs.equals(crs):
        grid = GridSpec(crs.to_wkt(), transform, array.shape[1], array.shape[0])
        return Raster(array, grid, "people")
    grid = working_grid(array.shape, transform, src_crs, crs)
    return population_to_grid(array, transform, src_crs, grid)
