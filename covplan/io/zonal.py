"""Population from a people-per-cell raster: totals per zone and resampling to a grid.

Conservation rules
------------------
*Zonal sums* (:func:`zonal_population`): each raster cell is split into
``subdivisions × subdivisions`` sub-cells holding equal shares of its people; each sub-cell
belongs to the one zone containing its centre (:func:`rasterio.features.rasterize` on the
refined grid, later zones winning where zones overlap). A cell's people are therefore split
between zones in proportion to the area each covers (to 1/``subdivisions²``), every person
inside the union of the zones is counted exactly once (shared edges cannot double count)
and the zone sums add up to the people inside the union. ``subdivisions=1`` is the plain
cell-centre rule.

*Resampling* (:func:`population_to_grid`): GDAL's ``sum`` resampling
(:func:`rasterio.warp.reproject` with :attr:`~rasterio.enums.Resampling.sum`) spreads each
source cell over the working cells it overlaps in proportion to the overlap, so the total
over the area both grids cover is conserved at any working resolution.

Nodata cells (WorldPop uses −99999) and NaN hold no people.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.features import rasterize
from rasterio.warp import Resampling

from covplan.errors import InputError, Problem
from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Text
from covplan.io.manifest import LayerSpec
from covplan.io.raster import (
    covered_share,
    extent,
    no_overlap,
    read_band,
    read_geotiff,
    values_on_area,
    warp,
    working_grid,
)

logger = logging.getLogger(__name__)

#: Default sub-cells per raster cell side for area-weighted zonal sums.
SUBDIVISIONS: Final = 10
#: A population raster covering less than this share of the study area is warned about.
POPULATION_WARN_SHARE: Final = 0.95


def people_per_cell(
    pop: np.ndarray, nodata: float | None = None, *, source: str = "population"
) -> np.ndarray:
    """float64 copy of ``pop`` with nodata and NaN set to 0 people.

    Raises
    ------
    InputError
        The raster holds negative counts (other than its nodata value).
    """
    values = np.asarray(pop, dtype=np.float64).copy()
    missing = ~np.isfinite(values)
    if nodata is not None and np.isfinite(nodata):
        missing |= values == nodata
    values[missing] = 0.0
    negative = int((values < 0).sum())
    if negative:
        raise InputError(
            [
                Problem(
                    source,
                    N_("expected people per cell (0 or more), found {count} negative cells "
                       "(minimum {minimum})."),
                    N_("set the raster's nodata value to the value it uses for 'no data' "
                       "(WorldPop: -99999)."),
                    layer="population",
                    params={"count": f"{negative:,}", "minimum": f"{values.min():g}"},
                )
            ]
        )
    return values


def read_population_geotiff(path: str | Path) -> tuple[np.ndarray, Affine, CRS]:
    """Read a people-per-cell GeoTIFF (such as WorldPop) as float64 with nodata as 0.

    Returns
    -------
    pop : numpy.ndarray
        People per cell.
    transform : affine.Affine
        The raster's transform.
    crs : pyproj.CRS
        The raster's CRS.
    """
    data, transform, crs, nodata = read_geotiff(path, layer="population")
    pop = people_per_cell(data, nodata, source=str(path))
    logger.info("Read %s people from %s", f"{pop.sum():,.0f}", path)
    return pop, transform, crs


def zonal_population(
    pop: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    zones: gpd.GeoDataFrame,
    *,
    nodata: float | None = None,
    subdivisions: int = SUBDIVISIONS,
) -> pd.Series:
    """People in each zone, conserving the total (see the module docstring).

    Parameters
    ----------
    pop
        People per cell.
    transform, crs
        Where ``pop`` lies.
    zones
        Zone polygons in any CRS (reprojected to the raster's CRS).
    nodata
        Nodata value of ``pop`` (counted as 0 people).
    subdivisions
        Sub-cells per cell side; 1 assigns each cell wholly by its centre.

    Returns
    -------
    pandas.Series
        People per zone, aligned to ``zones.index``, named ``population``.
    """
    if zones.crs is None:
        raise InputError(
            [
                Problem(
                    "zones",
                    N_("expected zones with a CRS, found none."),
                    N_("set the CRS of the zone file."),
                    layer="communes",
                )
            ]
        )
    if subdivisions < 1:
        raise ValueError(f"subdivisions must be 1 or more, got {subdivisions}")
    people = people_per_cell(pop, nodata)
    raster_crs = CRS.from_user_input(crs)
    geoms = zones.to_crs(raster_crs).geometry.values
    shape = (people.shape[0] * subdivisions, people.shape[1] * subdivisions)
    shapes = ((g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty)
    fine = transform @ Affine.scale(1 / subdivisions)
    labels = rasterize(shapes, out_shape=shape, transform=fine, fill=0, dtype="int32")
    share = np.repeat(
        np.repeat(people / subdivisions**2, subdivisions, axis=0), subdivisions, axis=1
    )
    sums = np.bincount(labels.ravel(), weights=share.ravel(), minlength=len(zones) + 1)
    result = pd.Series(sums[1:], index=zones.index, name="population")
    logger.info(
        "Zonal population: %s people in %d zones (%s in the raster)",
        f"{result.sum():,.0f}",
        len(zones),
        f"{people.sum():,.0f}",
    )
    return result


def population_to_grid(
    pop: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    grid: GridSpec,
    *,
    nodata: float | None = None,
) -> Raster:
    """People per working-grid cell, conserving the total (GDAL ``sum`` resampling).

    Parameters
    ----------
    pop
        People per source cell.
    transform, crs
        Where ``pop`` lies.
    grid
        The working grid.
    nodata
        Nodata value of ``pop`` (counted as 0 people).

    Returns
    -------
    covplan.grid.Raster
        float64 people per cell (``units="people"``); NaN where the source does not reach.
    """
    people = people_per_cell(pop, nodata)
    out = warp(people, transform, CRS.from_user_input(crs), grid, Resampling.sum, dtype=np.float64)
    logger.info(
        "Population on the working grid: %s people (%s in the source)",
        f"{np.nansum(out):,.0f}",
        f"{people.sum():,.0f}",
    )
    return Raster(
        out,
        grid,
        units="people",
        notes=(Text(N_("population resampled to the working grid with sum (total conserved)")),),
    )


def load_population(
    spec: LayerSpec, crs: CRS, area: shapely.Geometry | None = None
) -> tuple[Raster, float]:
    """People per cell on a grid in the working CRS, and the share of the area it covers.

    The total is conserved on reprojection (GDAL ``sum``). Only the window over the area
    (plus :data:`MARGIN_M`) is read.

    Raises
    ------
    InputError
        The raster does not overlap the study area.
    """
    source = read_band(spec, area.bounds if area is not None else None,
                   crs if area is not None else None)
    share = covered_share(values_on_area(source, area, crs)) if area is not None else 1.0
    if area is not None and share == 0.0:
        raise no_overlap(spec.label, "population", extent(source), source.crs, area.bounds,
                         crs)
    array = people_per_cell(source.array, source=spec.label).astype(np.float32)
    if source.crs.equals(crs):
        grid = GridSpec(crs.to_wkt(), source.transform, array.shape[1], array.shape[0])
        return Raster(array, grid, "people"), share
    grid = working_grid(array.shape, source.transform, source.crs, crs)
    return population_to_grid(array, source.transform, source.crs, grid), share
