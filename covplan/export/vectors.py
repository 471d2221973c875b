"""Gaps and sites as files: GeoPackage, GeoJSON, CSV (UTF-8 with BOM) and KML.

- GeoPackage keeps the metric working CRS (one file, one layer per table), as
  :func:`covplan.export.tables.to_gpkg` writes it;
- GeoJSON is WGS 84 longitude/latitude as RFC 7946 requires (one file per layer);
- CSV has no geometry but ``lon``/``lat`` of a point on each feature
  (:func:`covplan.export.tables.to_csv`), so Excel opens it with Vietnamese intact;
- KML is one file with a folder per layer (:func:`covplan.export.kml.to_kml`).

Every file is written atomically and an existing file is kept unless ``overwrite``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from covplan.export.atomic import check_outputs, write_atomic
from covplan.export.kml import to_kml
from covplan.export.tables import _plain, to_csv, to_gpkg

#: Vector formats and the file suffix of each.
VECTOR_FORMATS: Final = {"gpkg": ".gpkg", "geojson": ".geojson", "csv": ".csv", "kml": ".kml"}
#: File stem of the one-file formats (GeoPackage and KML hold every layer).
BUNDLE_STEM: Final = "gaps"


def to_geojson(frame: gpd.GeoDataFrame, path: str | Path, *, overwrite: bool = False,
               precision: int = 7) -> Path:
    """Write ``frame`` as RFC 7946 GeoJSON (WGS 84 longitude/latitude), atomically.

    Parameters
    ----------
    frame
        Features in any CRS; reprojected to EPSG:4326.
    path
        The ``.geojson`` file.
    overwrite
        Replace an existing file.
    precision
        Decimals kept in coordinates (7 is about 1 cm).
    """
    out = frame.to_crs(4326) if frame.crs is not None else frame
    plain = gpd.GeoDataFrame(_plain(pd.DataFrame(out)), geometry=frame.geometry.name,
                             crs=out.crs)

    def write(tmp: Path) -> None:
        plain.to_file(tmp, driver="GeoJSON", engine="pyogrio", RFC7946="YES",
                      COORDINATE_PRECISION=precision, WRITE_NAME="NO")

    write_atomic(path, write, overwrite=overwrite)
    return Path(path)


def vector_paths(out_dir: str | Path, layers: Sequence[str], formats: Sequence[str],
                 *, tables: Sequence[str] = ()) -> list[Path]:
    """The files :func:`export_vectors` writes for ``layers`` in ``formats``.

    Parameters
    ----------
    out_dir
        Output folder.
    layers
        Layer names (file stems for GeoJSON and CSV).
    formats
        Subset of :data:`VECTOR_FORMATS`.
    tables
        Names of tables without geometry, written to CSV only.
    """
    out = Path(out_dir)
    paths: list[Path] = []
    for fmt in formats:
        suffix = VECTOR_FORMATS[fmt]
        if fmt in ("gpkg", "kml"):
            paths.append(out / f"{BUNDLE_STEM}{suffix}")
        else:
            paths.extend(out / f"{name}{suffix}" for name in layers)
        if fmt == "csv":
            paths.extend(out / f"{name}.csv" for name in tables)
    return paths


def export_vectors(layers: Mapping[str, gpd.GeoDataFrame], out_dir: str | Path,
                   formats: Sequence[str], *, tables: Mapping[str, pd.DataFrame] | None = None,
                   overwrite: bool = False) -> list[Path]:
    """Write ``layers`` (and plain ``tables``) in each of ``formats`` into ``out_dir``.

    Parameters
    ----------
    layers
        ``{name: GeoDataFrame}`` such as ``road_gaps``, ``village_gaps``, ``sites``.
    out_dir
        Output folder (created when missing).
    formats
        Subset of :data:`VECTOR_FORMATS`: ``gpkg`` and ``kml`` write one file
        (``gaps.gpkg``, ``gaps.kml``) with a layer per name; ``geojson`` and ``csv`` one
        file per layer.
    tables
        Tables without geometry (such as the target table), written to CSV only.
    overwrite
        Replace existing files; otherwise every existing file is named in one error
        before anything is written.

    Returns
    -------
    list of Path
        The files written.
    """
    unknown = sorted(set(formats) - set(VECTOR_FORMATS))
    if unknown:
        raise ValueError(f"unknown vector format(s) {unknown}; expected {list(VECTOR_FORMATS)}")
    tables = dict(tables or {})
    out = Path(out_dir)
    check_outputs(vector_paths(out, list(layers), formats, tables=list(tables)),
                  overwrite=overwrite)
    written: list[Path] = []
    for fmt in formats:
        if fmt == "gpkg":
            written.append(to_gpkg(layers, out / f"{BUNDLE_STEM}.gpkg", overwrite=overwrite))
        elif fmt == "kml":
            written.append(to_kml(layers, out / f"{BUNDLE_STEM}.kml", overwrite=overwrite))
        elif fmt == "geojson":
            written += [to_geojson(frame, out / f"{name}.geojson", overwrite=overwrite)
                        for name, frame in layers.items()]
        else:
            frames = {**layers, **tables}
            written += [to_csv(frame, out / f"{name}.csv", overwrite=overwrite)
                        for name, frame in frames.items()]
    return written
