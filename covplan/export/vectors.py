"""Gaps and sites as files: GeoPackage, GeoJSON, CSV (UTF-8 with BOM) and KML.

- GeoPackage keeps the metric working CRS (one file, one layer per table), as
  :func:`covplan.export.tables.to_gpkg` writes it;
- GeoJSON is WGS 84 longitude/latitude as RFC 7946 requires (one file per layer);
- CSV has no geometry but ``lon``/``lat`` of a point on each feature, twice per table
  (:func:`covplan.export.tables.to_csv_pair`): ``<layer>.csv`` for people (headers in the
  report's language, figures rounded, Excel opens it with Vietnamese intact) and
  ``data/<layer>.csv`` for machines (English columns, full precision);
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
from covplan.export.tables import _plain, csv_pairs_paths, to_csv_pair, to_gpkg
from covplan.i18n import Language, language

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
        elif fmt == "csv":
            paths += csv_pairs_paths(out, [*layers, *tables])
        else:
            paths.extend(out / f"{name}{suffix}" for name in layers)
    return paths


def export_vectors(layers: Mapping[str, gpd.GeoDataFrame], out_dir: str | Path,
                   formats: Sequence[str], *, tables: Mapping[str, pd.DataFrame] | None = None,
                   lang: Language | str | None = None, overwrite: bool = False) -> list[Path]:
    """Write ``layers`` (and plain ``tables``) in each of ``formats`` into ``out_dir``.

    Parameters
    ----------
    layers
        ``{name: GeoDataFrame}`` such as ``road_gaps``, ``village_gaps``, ``sites``.
    out_dir
        Output folder (created when missing).
    formats
        Subset of :data:`VECTOR_FORMATS`: ``gpkg`` and ``kml`` write one file
        (``gaps.gpkg``, ``gaps.kml``) with a layer per name; ``geojson`` one file per
        layer; ``csv`` two per layer and table, for people and for machines
        (:func:`covplan.export.tables.to_csv_pair`).
    tables
        Tables without geometry (such as the target table), written to CSV only.
    lang
        The language of the CSV for people (a :class:`~covplan.i18n.Language` or its code
        ``{"vi", "en"}``); default English.
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
    people = lang if isinstance(lang, Language) else language(lang or "en")
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
            for name, frame in {**layers, **tables}.items():
                written += to_csv_pair(frame, out, name, people, overwrite=overwrite)
    return written
