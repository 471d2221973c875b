"""Reading vector layer files (GeoPackage, GeoJSON, shapefile, FlatGeobuf, KML, CSV, zip)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from covplan import settings
from covplan.errors import DataFileNotFoundError, LimitError, UnsupportedFormatError
from covplan.i18n import N_, Name, Num, Text
from covplan.io.columns import invert_mapping, suggest_column
from covplan.io.context import UNLOCATED, FileContext
from covplan.io.manifest import LayerSpec
from covplan.io.opencellid import read_opencellid
from covplan.io.osm import INCOMPLETE_WAYS, incomplete_warning, read_osm_roads
from covplan.io.tables import read_csv_table, to_numeric

logger = logging.getLogger(__name__)

_TEXT_TABLES = (".csv", ".tsv", ".txt")
_OGR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".kml", ".gml")
_WKT_COLUMNS = ("geometry", "wkt", "geom")


def context_for(spec: LayerSpec) -> FileContext:
    """A :class:`FileContext` numbering rows as the user sees them in this file."""
    if spec.files[0].suffix.lower() in _TEXT_TABLES:
        return FileContext(spec.label, spec.name, row_offset=2, row_label="line")
    return FileContext(spec.label, spec.name)


def check_file_size(path: Path, layer: str) -> None:
    """Refuse a file larger than :data:`covplan.settings.max_file_mb` before reading it.

    Raises
    ------
    covplan.errors.LimitError
        Naming the file, its size, the limit and the variable that raises it.
    """
    size_mb = path.stat().st_size / 1024**2
    if size_mb > settings.max_file_mb:
        variable = settings.LIMIT_VARIABLES["max_file_mb"]
        raise LimitError(
            N_("{path}: the {layer} file is {size} MB, more than covplan reads ({limit} MB). "
               "Fix: clip it to the province (e.g. ogr2ogr -clipsrc, or a province extract), or "
               "raise the limit with {variable}=<MB>."),
            path=str(path), layer=layer, size=Num(size_mb),
            limit=Num(settings.max_file_mb), variable=variable,
        )


def _check_file(path: Path, layer: str) -> None:
    if not path.exists():
        raise DataFileNotFoundError(
            N_("{path}: file not found. Fix: check the name in dataset.toml or put the file "
               "there."),
            path=str(path),
        )
    if path.is_dir():
        raise UnsupportedFormatError(
            N_("{path}: is a folder, expected a {layer} file. Fix: name the file inside it "
               '(file = "{folder}/<file>" under [layers.{layer}] in dataset.toml).'),
            path=str(path), layer=layer, folder=path.name,
        )
    check_file_size(path, layer)
    suffix = path.suffix.lower()
    if suffix not in _TEXT_TABLES + _OGR_SUFFIXES + (".zip", ".osm", ".pbf", ".xml"):
        raise UnsupportedFormatError(
            N_("{path}: unknown vector format '{suffix}'. covplan reads GeoPackage (.gpkg), "
               "GeoJSON, shapefile (.shp or .zip), FlatGeobuf, KML, CSV (lon/lat columns) and "
               "OSM XML/PBF (roads). Fix: convert the file to one of these (e.g. GeoPackage)."),
            path=str(path), suffix=suffix or path.name,
        )


def _points_from_table(table: pd.DataFrame, spec: LayerSpec, ctx: FileContext) -> gpd.GeoDataFrame:
    rename = invert_mapping({k: v for k, v in spec.columns.items() if k in ("lon", "lat")})
    table = table.rename(columns=rename)
    wkt = next((c for c in table.columns if c.lower() in _WKT_COLUMNS), None)
    crs = CRS.from_user_input(spec.crs) if spec.crs else CRS.from_epsg(4326)
    if "lon" not in table.columns or "lat" not in table.columns:
        if wkt is not None:
            geometry = shapely.from_wkt(table.pop(wkt).to_numpy(), on_invalid="ignore")
            return gpd.GeoDataFrame(table, geometry=geometry, crs=crs)
        for want in ("lon", "lat"):
            if want not in table.columns:
                guess = suggest_column(want, table.columns)
                hint = (
                    N_("rename column '{guess}' to '{name}', or map it in dataset.toml: {entry}.")
                    if guess
                    else N_("add a '{name}' column in decimal degrees (WGS 84)")
                )
                ctx.add(N_("missing required column '{name}' (found: {found})."), hint,
                        column=want, name=want, found=", ".join(map(str, table.columns)),
                        guess=guess,
                        entry=f'[layers.{ctx.layer}] columns = {{ {want} = "{guess}" }}')
        frame = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries([None] * len(table)), crs=crs)
        frame.attrs[UNLOCATED] = np.ones(len(frame), dtype=bool)  # said: no lon/lat columns
        return frame
    blank = table["lon"].isna() | table["lat"].isna()
    lon = to_numeric(table["lon"], ctx, "lon")
    lat = to_numeric(table["lat"], ctx, "lat")
    missing = lon.isna() | lat.isna()  # blank, or not a number (reported as such)
    if blank.any():
        ctx.add(
            N_("missing coordinates."),
            N_("fill in lon and lat for every row."),
            column="lon/lat",
            rows=ctx.rows(blank),
        )
    geometry = np.asarray(gpd.points_from_xy(lon.fillna(np.nan), lat.fillna(np.nan)), dtype=object)
    geometry[missing.to_numpy()] = None
    frame = gpd.GeoDataFrame(table.drop(columns=["lon", "lat"]), geometry=geometry, crs=crs)
    # rows without usable lon/lat are reported above: not again as "missing geometry"
    frame.attrs[UNLOCATED] = missing.to_numpy()
    return frame


def _read_ogr(path: Path, layer: str | None, ctx: FileContext) -> gpd.GeoDataFrame:
    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        with warnings.catch_warnings():
            # GDAL's complaints about a damaged file (bad GeoPackage application id, ...)
            # arrive as RuntimeWarnings before the error that says what matters
            warnings.simplefilter("ignore", RuntimeWarning)
            if layer is not None:
                available = [str(r[0]) for r in pyogrio.list_layers(source)]
                if layer not in available:
                    raise UnsupportedFormatError(
                        N_("{path}: no layer '{name}' (layers: {layers}). Fix: correct the "
                           "'layer' name under [layers.{layer}] in dataset.toml."),
                        path=str(path), name=layer, layers=", ".join(available),
                        layer=ctx.layer,
                    )
            return gpd.read_file(source, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise unreadable_vector(path, exc) from None


def unreadable_vector(path: Path, exc: Exception) -> UnsupportedFormatError:
    """The error for a vector file GDAL cannot open (damaged, truncated, or another format).

    GDAL's own words are kept to their first sentence, without the SQL or driver hints
    it adds for a damaged file.
    """
    detail = str(exc).split(";")[0].split(":")[-1].strip().rstrip(".")
    return UnsupportedFormatError(
        N_("{path}: cannot be read as a vector file (GDAL: {detail}). Fix: check that it is a "
           "complete GeoPackage/GeoJSON/shapefile (a download or copy may have been cut short) "
           "and export it again from your GIS."),
        path=str(path), detail=detail[:160],
    )


def _is_opencellid(path: Path) -> bool:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline().strip().lower()
    columns = [c.strip() for c in first.split(",")]
    header = {"radio", "mcc", "net", "area", "cell"} <= set(columns)
    headless = len(columns) >= 14 and columns[0].upper() in ("GSM", "UMTS", "LTE", "NR", "CDMA")
    return header or headless


def _read_opencellid(path: Path, ctx: FileContext) -> gpd.GeoDataFrame:
    """An OpenCellID export as sectors; 2G/3G cells are left out with a note."""
    cells = read_opencellid(path)
    legacy = ~cells["technology"].isin(["4G", "5G"])
    if legacy.any():
        counts = cells.loc[legacy, "radio"].value_counts().to_dict()
        ctx.note(Text(N_("OpenCellID: left out {count} cells of older technologies "
                         "({kinds})"), count=Num(int(legacy.sum())),
                      kinds=Name(", ".join(f"{n:,} {r}" for r, n in counts.items()))))
    ctx.note(Text(N_("OpenCellID: {cells} LTE/NR cells grouped into {sites} sites; height, "
                     "power and azimuth are not in OpenCellID, so defaults apply and "
                     "sectors are omnidirectional"), cells=Num(int((~legacy).sum())),
                  sites=Num(cells.loc[~legacy, "site_id"].nunique())))
    return cells[~legacy.to_numpy()].reset_index(drop=True)


def _filter_rows(frame: gpd.GeoDataFrame, spec: LayerSpec, ctx: FileContext) -> gpd.GeoDataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, allowed in spec.where.items():
        if column not in frame.columns:
            ctx.add(
                N_("dataset.toml filters on column '{name}' but the file has no such column."),
                N_("fix the column name under [layers.*.where] in dataset.toml."),
                column=column,
                name=column,
            )
            continue
        keep &= frame[column].astype("string").isin(allowed).fillna(False)
    if len(frame) and not keep.any() and all(c in frame.columns for c in spec.where):
        found = "; ".join(
            f"{column}: " + ", ".join(repr(v) for v in
                                      frame[column].dropna().astype(str).unique()[:8])
            for column in spec.where)
        ctx.add(N_("where {where} keeps none of the {count} features; the file has {found}."),
                N_("write the values as the file has them (accents and case included) under "
                   "[layers.{layer}] where in dataset.toml."),
                where=str(spec.where), count=Num(len(frame)), found=found, layer=ctx.layer)
        ctx.filtered_out = True
    elif not keep.all():
        ctx.note(Text(N_("kept {kept} of {count} features of {file} (where {where})"),
                      kept=Num(int(keep.sum())), count=Num(len(frame)),
                      file=Name(str(ctx.file)), where=Name(str(spec.where))))
    return frame[keep.to_numpy()]


def read_vector(spec: LayerSpec, ctx: FileContext) -> gpd.GeoDataFrame:
    """Read a layer's file as a GeoDataFrame in its own CRS, with manifest renames applied.

    Rows keep their file order (a RangeIndex), so problems can name them. A file without
    a CRS takes the manifest's ``crs``; with neither, a problem is recorded.
    """
    path = spec.files[0]
    _check_file(path, spec.name)
    suffix = path.suffix.lower()
    if suffix in _TEXT_TABLES and spec.name == "sites" and _is_opencellid(path):
        frame = _read_opencellid(path, ctx)
    elif suffix in _TEXT_TABLES:
        frame = _points_from_table(read_csv_table(path, ctx), spec, ctx)
    elif suffix in (".osm", ".pbf", ".xml"):
        frame = read_osm_roads(path)
        if dropped := int(frame.attrs.get(INCOMPLETE_WAYS, 0)):
            ctx.warn(incomplete_warning(dropped))
    else:
        frame = _read_ogr(path, spec.layer, ctx)
    if frame.crs is None:
        if spec.crs:
            frame = frame.set_crs(spec.crs)
        else:
            ctx.add(
                N_("the file has no coordinate reference system (CRS)."),
                N_("save it with a CRS (e.g. EPSG:4326 or VN-2000), add a .prj, or set "
                   'crs = "EPSG:4326" under [layers.{layer}] in dataset.toml.'),
                layer=spec.name,
            )
    frame = _filter_rows(frame, spec, ctx).reset_index(drop=True)
    frame = apply_columns(frame, spec, ctx)
    logger.debug("Read %d features from %s", len(frame), path)
    return frame


def apply_columns(
    frame: gpd.GeoDataFrame, spec: LayerSpec, ctx: FileContext
) -> gpd.GeoDataFrame:
    """Apply the manifest's ``columns = { contract = "file column" }`` mapping.

    Renames happen all at once, so a mapping may swap two names. A contract column mapped
    from another file column replaces the file's own column of that name (with a note:
    ``name = "fullName"`` on a file that has both ``name`` and ``fullName``). One file column
    may feed several contract columns (``name = "ten", ref = "ten"``): it is copied. The
    result never holds two columns of one name.
    """
    mapping = {k: v for k, v in spec.columns.items() if k not in ("lon", "lat")}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    present = [str(c) for c in frame.columns if c != geometry]
    for target, source in mapping.items():
        if source not in frame.columns:
            ctx.add(
                N_("dataset.toml maps {target} = \"{source}\" but the file has no column "
                   "'{source}' (columns: {columns})."),
                N_("correct the column name under [layers.{layer}] columns in dataset.toml."),
                column=source,
                target=target,
                source=source,
                columns=", ".join(present),
                layer=spec.name,
            )
    usable = {t: s for t, s in mapping.items() if s in frame.columns and s != geometry}
    sources = set(usable.values())
    for target, source in usable.items():
        if target != source and target in frame.columns and target not in sources:
            ctx.note(Text(N_("column '{target}' of {file} replaced by '{source}' (dataset.toml "
                             "maps {target} = \"{source}\")"), target=Name(target),
                          file=Name(str(ctx.file)), source=Name(source)))
    values = {t: frame[s].to_numpy() for t, s in usable.items()}
    dropped = [c for c in frame.columns if c != geometry and (c in sources or c in values)]
    out = frame.drop(columns=dropped)
    for target, column in values.items():
        out[target] = column
    repeated = sorted({str(c) for c in out.columns[out.columns.duplicated()]})
    if repeated:
        ctx.add(
            N_("the file has more than one column named {names}."),
            N_("give every column its own name, or map the one to use in dataset.toml."),
            column=repeated[0],
            names=", ".join(map(repr, repeated)),
        )
        out = out.loc[:, ~out.columns.duplicated()]
    return out
