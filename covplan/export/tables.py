"""Tables out: GeoPackage layers and CSV files that Excel opens with Vietnamese intact.

Nothing is half-written: each file is written to a temporary file in the destination
folder and renamed into place (:func:`covplan.export.atomic.atomic_file`). An existing file
is kept unless ``overwrite=True`` (as ``rio`` refuses without ``--overwrite``).

CSV files are UTF-8 with a byte-order mark (``utf-8-sig``): without it Excel on Windows
reads them as the local code page and shows "XÃ£" for "Xã". Geometry is not written to CSV;
rows with a geometry get the ``lon``/``lat`` (WGS 84) of a point on it instead, so a
reader can find the place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from covplan.export.atomic import atomic_file, check_outputs

logger = logging.getLogger(__name__)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types every GDAL driver writes (nullable ints/bools as float/object)."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.BooleanDtype | pd.StringDtype):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def to_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path, *,
            overwrite: bool = False) -> Path:
    """Write ``layers`` as the layers of one GeoPackage, atomically.

    Parameters
    ----------
    layers
        ``{layer name: GeoDataFrame}``; empty frames become empty layers.
    path
        The ``.gpkg`` file.
    overwrite
        Replace an existing file.
    """
    path = Path(path)
    check_outputs([path], overwrite=overwrite)

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            plain = gpd.GeoDataFrame(_plain(frame), geometry=frame.geometry.name, crs=frame.crs)
            plain.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")

    atomic_file(path, write)
    logger.info("Wrote %s (%s)", path,
                ", ".join(f"{name}: {len(frame):,}" for name, frame in layers.items()))
    return path


def _with_lonlat(frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    geometry = frame.geometry
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if len(frame) and frame.crs is not None:
        points = geometry.representative_point().to_crs(4326)
        table["lon"] = points.x.round(6).to_numpy()
        table["lat"] = points.y.round(6).to_numpy()
    return table


def to_csv(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = False,
           decimals: int | None = 3) -> Path:
    """Write ``frame`` as UTF-8-with-BOM CSV, atomically (geometry as ``lon``/``lat``).

    Parameters
    ----------
    frame
        A table; a GeoDataFrame's geometry becomes ``lon``/``lat`` columns (6 decimals).
    path
        The ``.csv`` file.
    overwrite
        Replace an existing file.
    decimals
        Round float columns to this many decimals (metres in km, thousandths of a
        percent); None keeps full precision.
    """
    path = Path(path)
    check_outputs([path], overwrite=overwrite)
    if decimals is not None:
        frame = frame.round(decimals)
    table = _with_lonlat(frame)
    atomic_file(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8-sig"))
    logger.info("Wrote %s (%s rows)", path, f"{len(table):,}")
    return path
