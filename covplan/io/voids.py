"""Fill voids (missing samples) in a DEM before line-of-sight use.

Method
------
GDAL ``FillNodata`` through :func:`rasterio.fill.fillnodata`: each void sample takes the
inverse-distance-weighted mean of the valid samples found along rays cast in every
direction from it, up to ``max_search_distance`` cells away (GDAL's default of 100 is
raised to the DEM's larger side so that every void is filled), with no smoothing pass.
Voids in SRTM are small (clouds, steep shadowed slopes), so the interpolation stays between
the heights on the void's rim. The filled count goes into the result so loaders can report
it.
"""

from __future__ import annotations

import logging

import numpy as np
from rasterio.fill import fillnodata

from covplan.errors import InputError, Problem

logger = logging.getLogger(__name__)


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
                    "expected terrain heights, found only voids/nodata.",
                    "check the file's nodata value, or use a DEM tile that covers the area.",
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
                    f"expected every void within {distance} cells of valid terrain, "
                    f"found {left:,} voids farther away.",
                    "pass a larger max_search_distance or add the neighbouring tiles.",
                    layer="terrain",
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
