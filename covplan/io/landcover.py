"""Land cover: a raster of class values over the study area, and its class table.

The reference legend is ESA WorldCover 10 m v200 (:data:`covplan.radio.clutter.WORLDCOVER`);
any GeoTIFF of integer classes loads with a class table in the manifest that says what P.2108
clutter each value stands for::

    [layers.landcover]
    file = "landcover.tif"
    classes = { 1 = "forest", 2 = "open", 3 = { clutter = "urban", height_m = 12 } }

The raster is read like terrain and population: only its window over the study area (size
checked first), refused when it lies elsewhere, with a warning when it covers the area only
in part. It is kept at its own resolution in the working CRS (nearest neighbour: classes are
never averaged); class value 0, the file's nodata and values outside the table add no clutter.
"""

from __future__ import annotations

import logging
from typing import Final

import numpy as np
import shapely
from pyproj import CRS
from rasterio.warp import Resampling

from covplan.errors import InputError, Problem
from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Name, Num, Text
from covplan.io.manifest import LayerSpec
from covplan.io.raster import (
    covered_share,
    extent,
    no_overlap,
    read_band,
    values_on_area,
    warp,
    working_grid,
)
from covplan.radio.clutter import WORLDCOVER, ClutterTable

logger = logging.getLogger(__name__)

#: A land cover covering less than this share of the study area is warned about.
LANDCOVER_WARN_SHARE: Final = 0.95
#: Share of the study area's cells whose class must be in the table before a warning.
KNOWN_SHARE: Final = 0.5


def clutter_table(spec: LayerSpec) -> ClutterTable:
    """The class table of a land-cover layer: the manifest's, else the WorldCover legend."""
    if spec.classes is None:
        return ClutterTable(WORLDCOVER)
    return ClutterTable(spec.classes, source=Text(N_("class table of {file} in dataset.toml"),
                                                  file=Name(spec.label)))


def load_landcover(spec: LayerSpec, crs: CRS, area: shapely.Geometry | None = None
                   ) -> tuple[Raster, ClutterTable, list[str]]:
    """Land-cover class values in the working CRS over the study area, and the class table.

    Parameters
    ----------
    spec
        The ``landcover`` layer of the manifest.
    crs
        The working CRS.
    area
        The study area in ``crs``; None: the raster's own extent.

    Returns
    -------
    landcover : covplan.grid.Raster
        int32 class values (0: no data), ``units="class"``.
    table : covplan.radio.clutter.ClutterTable
        What each class stands for.
    warnings : list of str
        A partial cover of the study area, or classes the table does not know.

    Raises
    ------
    InputError
        The raster does not overlap the study area, or holds values that are not whole
        class numbers.
    """
    source = read_band(spec, area.bounds if area is not None else None,
                       crs if area is not None else None)
    table = clutter_table(spec)
    values = source.array
    finite = values[np.isfinite(values)]
    bad = finite[(finite % 1 != 0) | (finite < 0) | (finite > 65535)]
    if bad.size:
        raise InputError([Problem(
            spec.label, N_("expected whole class numbers (0-65535) in a land-cover raster, "
                           "found values such as {value}."),
            N_("give the classified land-cover raster (e.g. ESA WorldCover), not a continuous "
               "index."), layer="landcover", params={"value": f"{float(bad[0]):g}"})])
    warnings: list[str] = []
    if area is not None:
        on_area = values_on_area(source, area, crs)
        share = covered_share(on_area)
        if share == 0.0:
            raise no_overlap(spec.label, "landcover", extent(source), source.crs, area.bounds,
                             crs)
        if share < LANDCOVER_WARN_SHARE:
            warnings.append(Text(
                N_("landcover ({label}) covers {share} of the study area; beyond it no "
                   "clutter loss is added. Fix: give a land-cover raster that covers the "
                   "whole province."),
                label=Name(spec.label), share=Num(round(100 * share), percent=True)))
        codes = on_area[np.isfinite(on_area)]
        known = np.isin(codes, table.codes)
        if codes.size and known.mean() < KNOWN_SHARE:
            seen = ", ".join(str(int(c)) for c in np.unique(codes[~known])[:8])
            warnings.append(Text(
                N_("landcover ({label}): {share} of the study area holds classes the class "
                   "table does not list ({seen}); they add no clutter loss. Fix: give their "
                   "clutter in dataset.toml [layers.landcover] classes = {example}."),
                label=Name(spec.label), share=Num(100 * (1 - known.mean()), percent=True),
                seen=Name(seen), example=Name('{ <value> = "forest", ... }')))
    grid = working_grid(values.shape, source.transform, source.crs, crs)
    if source.crs.equals(crs):
        grid = GridSpec(crs.to_wkt(), source.transform, values.shape[1], values.shape[0])
        out = values
    else:
        out = warp(np.where(values > 0, values, np.float32(np.nan)), source.transform,
                   source.crs, grid, Resampling.nearest)
    codes_out = np.where(np.isfinite(out), out, 0).astype(np.int32)
    logger.info("Land cover %s: %d x %d cells at %.1f m, %d classes in its table", spec.label,
                grid.width, grid.height, grid.resolution_m, len(table.classes))
    note = Text(N_("land cover {label} ({legend})"), label=Name(spec.label),
                legend=table.source)
    return Raster(codes_out, grid, "class", (note,)), \
        table, warnings
