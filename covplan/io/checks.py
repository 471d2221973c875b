"""Checks shared by every vector layer: required columns, geometry, coordinates, ids."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.i18n import N_, Name, Num, Text
from covplan.io.columns import auto_rename, fold_name, suggest_column
from covplan.io.context import UNLOCATED, FileContext
from covplan.io.crs import VIETNAM_BOUNDS, inside_vietnam, looks_swapped
from covplan.io.poikind import poi_kind_from
from covplan.schema import GEOMETRY_TYPES, OPTIONAL, REQUIRED

#: Columns from which ``road_class`` is derived when the file has none (OSM tags).
ROAD_CLASS_SOURCES = ("highway", "ref")

#: "expected geometry type ..." for a layer of one, two or three geometry types.
_EXPECTED_TYPE: dict[int, str] = {
    1: N_("expected geometry type {first}, found {found}."),
    2: N_("expected geometry type {first} or {second}, found {found}."),
    3: N_("expected geometry type {first} or {second} or {third}, found {found}."),
}


def _id_like(frame: gpd.GeoDataFrame, found: list[str]) -> str | None:
    """A column that looks like an identifier: named ``…id``/``…code``/``ma…``, unique values."""
    for name in found:
        folded = fold_name(name)
        if not (folded.endswith(("id", "code")) or folded.startswith("ma")):
            continue
        values = frame[name]
        if values.notna().all() and values.is_unique:
            return name
    return None


def _road_class_values(frame: gpd.GeoDataFrame, found: list[str]) -> tuple[str, str] | None:
    """A manifest hint mapping a text column with a few values onto road classes.

    The ``columns = ...`` and ``values = ...`` entries of dataset.toml, or None.
    """
    keywords = (("caotoc", "expressway"), ("expressway", "expressway"), ("quoc", "national"),
                ("national", "national"), ("tinh", "provincial"), ("provincial", "provincial"))
    hints = ("class", "cap", "loai", "type", "hang", "grade", "level")

    def recognised(name: str) -> int:
        """How many of the column's values name a road class (its rank, with the hints)."""
        distinct = _text_values(frame, name)
        hits = sum(any(key in fold_name(v) for key, _ in keywords) for v in distinct)
        return -2 * hits - any(h in fold_name(name) for h in hints)

    for name in sorted(found, key=recognised):
        distinct = _text_values(frame, name)
        if not 1 < len(distinct) <= 12:
            continue
        pairs = []
        for value in distinct[:6]:
            folded = fold_name(value)
            cls = next((c for key, c in keywords if key in folded), "local")
            pairs.append(f'"{value}" = "{cls}"')
        return (f'columns = {{ road_class = "{name}" }}',
                f"values = {{ road_class = {{ {', '.join(pairs)} }} }}")
    return None


def _text_values(frame: gpd.GeoDataFrame, name: str) -> list[str]:
    """The distinct values of a text column (none for other columns)."""
    values = frame[name].dropna()
    if not len(values) or not all(isinstance(v, str) for v in values.head(50)):
        return []
    return [str(v) for v in values.astype(str).str.strip().unique()]


def _kind_like(frame: gpd.GeoDataFrame, found: list[str]) -> str | None:
    """The text column whose values most often name a point-of-interest kind (OSM fclass)."""
    best, best_hits = None, 0
    for name in found:
        hits = sum(poi_kind_from(v) != "other" for v in _text_values(frame, name)[:200])
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def check_columns(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Rename near-identical column names and report required columns that are missing.

    ``road_class`` is not required of roads that carry OSM ``highway`` or ``ref`` tags: it is
    derived from them. A missing column's message proposes the dataset.toml entry that maps
    the likeliest column of the file onto it.
    """
    wanted = REQUIRED[ctx.layer] + tuple(OPTIONAL[ctx.layer])
    frame = frame.rename(columns=auto_rename(frame.columns, wanted))
    found = [str(c) for c in frame.columns if c != frame.geometry.name]
    for column in REQUIRED[ctx.layer]:
        if column in frame.columns:
            continue
        if column == "road_class" and any(c in frame.columns for c in ROAD_CLASS_SOURCES):
            continue
        guess = suggest_column(column, found)
        if guess is None and column.endswith(("_id", "code")):
            guess = _id_like(frame, found)
        if guess is None and column == "kind":
            guess = _kind_like(frame, found)
        example = (_road_class_values(frame, found)
                   if column == "road_class" and not guess else None)
        columns, values = example or ("", "")
        if guess:
            fix = N_("rename column '{guess}' to '{name}', or map it in dataset.toml: {entry}.")
        elif example:
            fix = N_("give the roads a road_class (expressway, national, provincial, local) or "
                     "OSM highway/ref tags, or map your class column in dataset.toml under "
                     "[layers.roads]; e.g. {columns} and {values} (check each class).")
        elif column == "road_class":
            fix = N_("give the roads a road_class (expressway, national, provincial, local) or "
                     "OSM highway/ref tags, or map your class column in dataset.toml under "
                     "[layers.roads].")
        else:
            fix = N_("add a '{name}' column, or map one of yours in dataset.toml: "
                     '[layers.{layer}] columns = {lbrace} {name} = "<your column>" {rbrace}.')
        message = (N_("missing required column '{name}' (found: {found}).") if found else
                   N_("missing required column '{name}' (found: none)."))
        ctx.add(message, fix, column=column, name=column, found=", ".join(found),
                layer=ctx.layer, guess=guess, columns=columns, values=values,
                entry=f'[layers.{ctx.layer}] columns = {{ {column} = "{guess}" }}',
                lbrace="{", rbrace="}")
    return frame


def check_not_empty(frame: gpd.GeoDataFrame, ctx: FileContext) -> bool:
    """Record a problem and return False when the layer has no rows."""
    if len(frame) == 0:
        if not ctx.filtered_out:  # else the where filter's problem says why already
            ctx.add(N_("the layer is empty (no features)."),
                    N_("check that the right file/layer is named."))
        return False
    return True


def check_geometry(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Report missing/empty and wrong-type geometries; repair invalid polygons and lines.

    Geometries with a non-finite coordinate (NaN, infinity) are reported and dropped before
    any geometric operation, which GEOS would refuse with an exception.
    """
    values = np.asarray(frame.geometry.values, dtype=object)
    coords, owner = shapely.get_coordinates(values, include_z=False, return_index=True)
    broken = np.zeros(len(values), dtype=bool)
    broken[owner[~np.isfinite(coords).all(axis=1)]] = True
    if broken.any():
        ctx.add(
            N_("coordinates that are not numbers (NaN or infinity)."),
            N_("fix or delete those features' coordinates in your GIS."),
            rows=ctx.rows(broken),
        )
        frame = frame.copy()
        frame.loc[broken, frame.geometry.name] = None
    geoms = frame.geometry
    reported = np.asarray(frame.attrs.get(UNLOCATED, np.zeros(len(frame), bool)), dtype=bool)
    if reported.shape != broken.shape:
        reported = np.zeros(len(frame), dtype=bool)
    unusable = broken | reported
    empty = (geoms.isna() | geoms.is_empty) & ~unusable
    if empty.any():
        ctx.add(
            N_("missing or empty geometry."),
            N_("give every feature a location (or delete the rows)."),
            rows=ctx.rows(empty),
        )
    allowed = GEOMETRY_TYPES[ctx.layer]
    types = geoms.geom_type.where(~empty)
    wrong = types.notna() & ~types.isin(allowed)
    if wrong.any():
        counts = types[wrong].value_counts().to_dict()
        found = ", ".join(f"{n} {t}" for t, n in counts.items())
        expected = {"first": allowed[0], "second": " ".join(allowed[1:2]),
                    "third": " or ".join(allowed[2:])}
        ctx.add(
            _EXPECTED_TYPE[min(len(allowed), 3)],
            N_("split mixed geometry types into separate layers, or keep only the expected "
               "type."),
            rows=ctx.rows(wrong),
            found=found,
            **expected,
        )
    invalid = ~empty & ~wrong & ~unusable & ~geoms.is_valid
    if invalid.any():
        repaired = shapely.make_valid(geoms[invalid].to_numpy())
        kinds = shapely.get_type_id(repaired)
        if np.isin(kinds, [7]).any():  # GeometryCollection: keep the parts of the layer's type
            repaired = np.array([_keep_type(g, allowed) for g in repaired], dtype=object)
        frame = frame.copy()
        frame.loc[invalid, frame.geometry.name] = repaired
        ctx.note(Text(N_("repaired {count} invalid geometry with make_valid ({file}, {rows})")
                      if invalid.sum() == 1 else
                      N_("repaired {count} invalid geometries with make_valid ({file}, {rows})"),
                      count=Num(int(invalid.sum())), file=Name(str(ctx.file)),
                      rows=Name(f"{ctx.row_label}s {list(ctx.rows(invalid))[:10]}")))
    return frame


def _keep_type(geom: shapely.Geometry, allowed: tuple[str, ...]) -> shapely.Geometry:
    if geom.geom_type != "GeometryCollection":
        return geom
    parts = [g for g in geom.geoms if g.geom_type in allowed or f"Multi{g.geom_type}" in allowed]
    return shapely.union_all(parts) if parts else geom


def check_in_vietnam(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    """Report features whose coordinates lie outside Vietnam, and lon/lat swaps."""
    if frame.crs is None or len(frame) == 0:
        return
    valid = ~(frame.geometry.isna() | frame.geometry.is_empty)
    if not valid.any():
        return
    points = frame.geometry[valid].representative_point().to_crs(4326)
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    outside = ~inside_vietnam(lon, lat)
    if not outside.any():
        return
    positions = np.flatnonzero(valid.to_numpy())[outside]
    rows = tuple(int(p) + ctx.row_offset for p in positions)
    swapped = looks_swapped(lon, lat)[outside]
    if swapped.all():
        ctx.add(
            N_("coordinates look like latitude/longitude swapped (e.g. lon {lon}, lat {lat})."),
            N_("exchange the lon and lat columns (longitude is about 102-110 in Vietnam, "
               "latitude about 8-23.5)."),
            rows=rows,
            lon=f"{lon[outside][0]:.4f}",
            lat=f"{lat[outside][0]:.4f}",
        )
        return
    west, south, east, north = VIETNAM_BOUNDS
    ctx.add(
        N_("coordinates outside Vietnam (expected lon {west}-{east}, lat {south}-{north}; "
           "found e.g. lon {lon}, lat {lat})."),
        N_("check the CRS declared for the file (e.g. VN-2000 vs WGS 84) and the coordinates."),
        rows=rows,
        west=str(west), east=str(east), south=str(south), north=str(north),
        lon=f"{lon[outside][0]:.4f}",
        lat=f"{lat[outside][0]:.4f}",
    )


def check_unique(frame: pd.DataFrame, columns: list[str], ctx: FileContext) -> None:
    """Report rows whose key ``columns`` repeat an earlier row."""
    if not all(c in frame.columns for c in columns):
        return
    key = frame[columns]
    dup = key.duplicated(keep=False) & key.notna().all(axis=1)
    if dup.any():
        values = ", ".join(
            "/".join(str(v) for v in row) for row in key[dup].drop_duplicates().head(5).to_numpy()
        )
        ctx.add(
            N_("duplicate {key} ({values})."),
            N_("give each row a unique {key}."),
            column="+".join(columns),
            rows=ctx.rows(dup),
            key=" + ".join(columns),
            values=values,
        )


def clean_text(values: pd.Series) -> pd.Series:
    """Strip text cells and turn numbers read as floats (``12.0``) back into ``"12"``."""

    def one(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return pd.NA if pd.isna(v) else str(v).strip()

    return values.map(one).astype("string")
