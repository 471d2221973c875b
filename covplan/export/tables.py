"""Tables out: GeoPackage layers and CSV files that Excel opens with Vietnamese intact.

Nothing is half-written: each file is written to a temporary file in the destination
folder and renamed into place with :func:`os.replace` (atomic on one file system). An
existing file is kept unless ``overwrite=True`` (as ``rio`` refuses without
``--overwrite``).

CSV files are UTF-8 with a byte-order mark (``utf-8-sig``): without it Excel on Windows
reads them as the local code page and shows "XÃ£" for "Xã". Geometry is not written to CSV;
rows with a geometry get the ``lon``/``lat`` (WGS 84) of a point on it instead, so a
reader can find the place.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from covplan.errors import OutputExistsError

logger = logging.getLogger(__name__)


def _check_target(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise OutputExistsError(
            f"{path} already exists. Pass overwrite=True (on the command line: --overwrite) "
            "to replace it, or choose another output folder."
        )
    path.parent.mkdir(parents=True, exist_ok=True)


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()  # drivers such as GPKG want to create the file themselves
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


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
    _check_target(path, overwrite)

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            plain = gpd.GeoDataFrame(_plain(frame), geometry=frame.geometry.name, crs=frame.crs)
            plain.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")

    _atomic(path, write)
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
    _check_target(path, overwrite)
    if decimals is not None:
        frame = frame.round(decimals)
    table = _with_lonlat(frame)
    _atomic(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8-sig"))
    logger.info("Wrote %s (%s rows)", path, f"{len(table):,}")
    return path
