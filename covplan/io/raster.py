"""Raster primitives: read the window of a raster over the study area, warp, measure cover.

Terrain (:mod:`covplan.io.terrain`) and population (:mod:`covplan.io.zonal`) are loaded on
top of these. A raster is read only where the study area lies: the window of the file over
the area (plus :data:`MARGIN_M`) is found from the file's header, its cell count is checked
against :data:`covplan.settings.max_raster_cells` before anything is read, and a raster that
does not reach the area at all (another place, or the wrong CRS) is refused with the extents
of both. The share of the study area a raster covers is measured on a coarse grid over the
area (:func:`values_on_area`, :func:`covered_share`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import rasterio
import rasterio.errors
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.features import geometry_mask
from rasterio.warp import Resampling, reproject, transform_bounds
from rasterio.windows import Window, from_bounds

from covplan import settings
from covplan.errors import (
    CovplanError,
    DataFileNotFoundError,
    InputError,
    LimitError,
    Problem,
    UnsupportedFormatError,
)
from covplan.grid import GridSpec
from covplan.i18n import N_, Num
from covplan.io.manifest import FileProblem, LayerSpec

#: Raster formats covplan reads (``.hgt`` for terrain only).
RASTER_FILE_SUFFIXES: Final = (".tif", ".tiff", ".vrt", ".img", ".asc", ".hgt")
#: Margin read around the study area (m): profiles of border sites run beyond it.
MARGIN_M: Final = 5_000.0
#: Cells per side of the coarse grid on which coverage shares are measured.
_SHARE_CELLS: Final = 512

Bounds = tuple[float, float, float, float]


def check_files(spec: LayerSpec) -> None:
    """Every file of a raster layer exists, is a file, and has a raster suffix.

    Every file is checked: one wrong file raises its own error, several an
    :class:`~covplan.errors.InputError` listing each (all missing tiles at once).
    """
    found = [(path, error) for path in spec.files
             if (error := _file_error(path, spec)) is not None]
    if len(found) == 1:
        raise found[0][1]
    if found:
        raise InputError([FileProblem.of(error, str(path), spec.name) for path, error in found])


def _file_error(path: Path, spec: LayerSpec) -> CovplanError | None:
    """What is wrong with one file of a raster layer before it is opened, if anything."""
    if not path.exists():
        return DataFileNotFoundError(
            N_("{path}: {layer} file not found. Fix: check the name in dataset.toml."),
            path=str(path), layer=spec.name,
        )
    if path.is_dir():
        return UnsupportedFormatError(
            N_("{path}: is a folder, expected a {layer} raster. Fix: name the file inside it "
               "under [layers.{layer}] in dataset.toml."),
            path=str(path), layer=spec.name,
        )
    if path.suffix.lower() not in RASTER_FILE_SUFFIXES:
        return UnsupportedFormatError(
            N_("{path}: unknown raster format '{suffix}'. covplan reads GeoTIFF (.tif) and "
               "SRTM .hgt tiles. Fix: convert it to GeoTIFF (gdal_translate)."),
            path=str(path), suffix=path.suffix,
        )
    return None


def lonlat_text(bounds: Bounds, crs: CRS) -> str:
    """'lon 105.3–106.2, lat 21.3–22.0' for bounds in ``crs``."""
    try:
        w, s, e, n = transform_bounds(crs, CRS.from_epsg(4326), *bounds, densify_pts=21)
    except Exception:  # a CRS that cannot reach WGS 84: say where in its own units
        return f"x {bounds[0]:.0f}–{bounds[2]:.0f}, y {bounds[1]:.0f}–{bounds[3]:.0f} in {crs.name}"
    if not all(map(math.isfinite, (w, s, e, n))):
        return f"outside the valid area of {crs.name}"
    return f"lon {w:.2f}–{e:.2f}, lat {s:.2f}–{n:.2f}"


def check_cells(cells: int, label: str, layer: str) -> None:
    """Refuse a read of more than :data:`covplan.settings.max_raster_cells` cells."""
    if cells > settings.max_raster_cells:
        variable = settings.LIMIT_VARIABLES["max_raster_cells"]
        raise LimitError(
            N_("{label}: the {layer} raster has {cells} cells over the study area, more than "
               "covplan reads ({limit}). Fix: resample it to a coarser resolution or clip it to "
               "the province (gdalwarp -tr / -cutline), or raise the limit with "
               "{variable}=<cells>."),
            label=label, layer=layer, cells=Num(cells),
            limit=Num(settings.max_raster_cells), variable=variable,
        )


def window_over(transform: Affine, shape: tuple[int, int], crs: CRS, area: Bounds | None,
            area_crs: CRS | None) -> Window | None:
    """The window of a raster over ``area`` and :data:`MARGIN_M` around it (whole cells).

    None when they do not meet; the whole raster when ``area`` is None.
    """
    height, width = shape
    if area is None or area_crs is None:
        return Window(0, 0, width, height)
    box = transform_bounds(area_crs, crs, *padded(area), densify_pts=21)
    if not all(map(math.isfinite, box)):
        return None
    win = from_bounds(*box, transform=transform)
    c0 = max(0, math.floor(win.col_off))
    r0 = max(0, math.floor(win.row_off))
    c1 = min(width, math.ceil(win.col_off + win.width))
    r1 = min(height, math.ceil(win.row_off + win.height))
    if c1 <= c0 or r1 <= r0:
        return None
    return Window(c0, r0, c1 - c0, r1 - r0)


def no_overlap(label: str, layer: str, bounds: Bounds, crs: CRS, area: Bounds,
               area_crs: CRS) -> InputError:
    """The error for a raster at ``bounds`` that does not reach the study area ``area``."""
    fix = (N_("give the SRTM tiles that cover the area (tiles are named after their "
              "south-west corner, e.g. N21E105.hgt); if the file is right, its CRS is wrong: "
              "assign the CRS it was made in (gdal_edit.py -a_srs EPSG:<code>).")
           if layer == "terrain" else
           N_("give the raster of this province; if the file is right, its CRS is wrong: "
              "assign the CRS it was made in (gdal_edit.py -a_srs EPSG:<code>)."))
    return InputError(
        [
            Problem(
                label,
                N_("does not overlap the study area: the raster lies at {raster}, the study "
                   "area at {area}."),
                fix,
                layer=layer,
                params={"raster": lonlat_text(bounds, crs), "area": lonlat_text(area, area_crs)},
            )
        ]
    )


def read_geotiff(
    path: str | Path,
    *,
    layer: str = "terrain",
    crs: str | None = None,
    area: Bounds | None = None,
    area_crs: CRS | None = None,
) -> tuple[np.ndarray, Affine, CRS, float | None]:
    """Read band 1 of a georeferenced raster (GeoTIFF or any GDAL format).

    Only the window over ``area`` is read (the whole raster when ``area`` is None), after its
    cell count has been checked against :data:`covplan.settings.max_raster_cells`.

    Parameters
    ----------
    path
        The raster file.
    layer
        Dataset layer named in error messages, {"terrain", "population"}.
    crs
        CRS to assume when the file has none (the manifest's ``crs``).
    area, area_crs
        Bounds of the study area and their (metric) CRS; :data:`MARGIN_M` around them is
        read too.

    Returns
    -------
    data : numpy.ndarray
        Band 1 as stored, over the window read.
    transform : affine.Affine
        The window's affine transform.
    crs : pyproj.CRS
        The raster's CRS.
    nodata : float or None
        The band's nodata value.

    Raises
    ------
    InputError
        The file has no CRS or no georeference, GDAL cannot read it, or it does not overlap
        ``area``.
    covplan.errors.LimitError
        The window holds more cells than covplan reads.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(N_("{path}: raster not found. Fix: check the path."),
                                    path=str(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd headers
            with rasterio.open(path) as src:
                transform, nodata, shape = src.transform, src.nodata, src.shape
                found = _georeference(src, path, layer, crs)
                window = window_over(transform, shape, found, area, area_crs)
                if window is None:
                    bounds = rasterio.transform.array_bounds(*shape, transform)
                    west, south, east, north = bounds
                    raise no_overlap(str(path), layer, (west, south, east, north), found,
                                     area, area_crs)  # type: ignore[arg-type]
                check_cells(int(window.width) * int(window.height), str(path), layer)
                data = src.read(1, window=window)
                transform = src.window_transform(window)
    except (RasterioIOError, rasterio.errors.RasterioError) as exc:
        raise _unreadable(path, layer) from exc
    return data, transform, found, nodata


def check_header(spec: LayerSpec) -> None:
    """What reading a one-file raster layer checks before the study area counts.

    The file exists and is a raster (:func:`check_files`), the layer is one file, GDAL can
    open it and it is georeferenced. Only the header is read: for a dataset whose study
    area is not known (its vector layers have problems of their own).

    Raises
    ------
    InputError, covplan.errors.CovplanError
        As :func:`read_band` does for these.
    """
    check_files(spec)
    _one_file(spec)
    path = spec.files[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd headers
            with rasterio.open(path) as src:
                _georeference(src, path, spec.name, spec.crs)
    except (RasterioIOError, rasterio.errors.RasterioError) as exc:
        raise _unreadable(path, spec.name) from exc


def _georeference(src: Any, path: Path, layer: str, crs: str | None) -> CRS:
    """The CRS of an open raster (``crs`` when it has none); refused without georeference."""
    found = src.crs or (CRS.from_user_input(crs) if crs else None)
    _check_georeference(path, layer, found, src.transform)
    return CRS.from_user_input(found)


def _unreadable(path: Path, layer: str) -> InputError:
    """The error for a raster GDAL cannot read."""
    return InputError(
        [
            Problem(
                str(path),
                N_("expected a GeoTIFF raster; GDAL cannot read it (damaged, truncated or "
                   "another format)."),
                N_("re-export the raster as GeoTIFF."),
                layer=layer,
            )
        ]
    )


def _check_georeference(path: Path, layer: str, crs: Any, transform: Affine) -> None:
    if crs is not None and transform != Affine.identity():
        return
    message = (N_("expected a georeferenced raster with a coordinate reference system, found "
                  "no georeference at all.") if transform == Affine.identity() else
               N_("expected a georeferenced raster with a coordinate reference system, found "
                  "no CRS."))
    raise InputError(
        [
            Problem(
                str(path),
                message,
                N_("assign the CRS the raster was made in, e.g. 'gdal_edit.py -a_srs EPSG:4326 "
                   "{name}', or give it in dataset.toml (crs = \"EPSG:4326\" under "
                   "[layers.{layer}])."),
                layer=layer,
                params={"name": path.name, "layer": layer},
            )
        ]
    )


@dataclass(frozen=True)
class RasterWindow:
    """Band 1 of a raster layer over the study area, NaN where it has no data.

    Parameters
    ----------
    array
        float32 values, NaN = nodata.
    transform, crs
        Where the window lies.
    label
        The file(s), for messages.
    tiles
        True for a mosaic of SRTM tiles (every void is a void, not the land beyond).
    """

    array: np.ndarray
    transform: Affine
    crs: CRS
    label: str
    tiles: bool


def read_band(spec: LayerSpec, area: Bounds | None = None,
              area_crs: CRS | None = None) -> RasterWindow:
    """Band 1 of a one-file raster layer over ``area`` (see :func:`read_geotiff`), NaN = nodata.

    The manifest's ``nodata`` overrides the file's.
    """
    check_files(spec)
    _one_file(spec)
    data, transform, crs, nodata = read_geotiff(spec.files[0], layer=spec.name, crs=spec.crs,
                                                area=area, area_crs=area_crs)
    array = data.astype(np.float32)
    nodata = spec.nodata if spec.nodata is not None else nodata
    if nodata is not None and np.isfinite(nodata):
        array[data == nodata] = np.nan
    return RasterWindow(array, transform, crs, spec.label, tiles=False)


def _one_file(spec: LayerSpec) -> None:
    """Refuse a raster layer of several files (or of .hgt tiles) where one GeoTIFF is read."""
    if len(spec.files) > 1 or spec.files[0].suffix.lower() == ".hgt":
        raise UnsupportedFormatError(
            N_("{label}: the {layer} layer is one GeoTIFF (several files are only supported as "
               "SRTM .hgt terrain tiles). Fix: merge the files first (gdal_merge.py or "
               "gdalbuildvrt) and name the result."),
            label=spec.label, layer=spec.name,
        )


def working_grid(
    shape: tuple[int, int],
    transform: Affine,
    crs: CRS,
    target: CRS,
    bounds: Bounds | None = None,
) -> GridSpec:
    """A grid in ``target`` at about the source's resolution, over ``bounds`` if given.

    With ``bounds``, the grid covers them whole (beyond the source, cells are NaN once
    warped); without, it covers the source's extent.
    """
    height, width = shape
    west, south, east, north = rasterio.transform.array_bounds(height, width, transform)
    box = transform_bounds(crs, target, west, south, east, north, densify_pts=21)
    if crs.is_geographic:
        mid_lat = math.radians((south + north) / 2)
        res = abs(transform.a) * 111_320.0 * math.cos(mid_lat)
    else:
        res = abs(transform.a)
    return GridSpec.from_bounds(bounds if bounds is not None else box, round(res, 3), target)


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

    The one raster-warping primitive of :mod:`covplan.io`: terrain uses nearest (posts),
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


def values_on_area(source: RasterWindow, area: shapely.Geometry, crs: CRS) -> np.ndarray:
    """Values of ``source`` (nearest) on a coarse grid over ``area``; NaN outside ``area``."""
    minx, miny, maxx, maxy = area.bounds
    res = max(maxx - minx, maxy - miny, 1.0) / _SHARE_CELLS
    grid = GridSpec.from_bounds(area.bounds, res, crs)
    values = warp(source.array, source.transform, source.crs, grid, Resampling.nearest)
    inside = geometry_mask([area], out_shape=grid.shape, transform=grid.transform, invert=True,
                           all_touched=area.area == 0)
    values[~inside] = np.nan
    values[inside & np.isnan(values)] = -np.inf  # inside, but no data
    return values


def covered_share(values_on_area: np.ndarray) -> float:
    """Share of the area's cells with data, from :func:`_on_area`'s output."""
    inside = ~np.isnan(values_on_area)
    total = int(inside.sum())
    return float(np.isfinite(values_on_area).sum() / total) if total else 0.0


def extent(source: RasterWindow) -> Bounds:
    """(west, south, east, north) of a window in its own CRS."""
    west, south, east, north = rasterio.transform.array_bounds(*source.array.shape,
                                                               source.transform)
    return (west, south, east, north)


def padded(bounds: Bounds, pad_m: float = MARGIN_M) -> Bounds:
    """``bounds`` grown by ``pad_m`` on every side."""
    return (bounds[0] - pad_m, bounds[1] - pad_m, bounds[2] + pad_m, bounds[3] + pad_m)
