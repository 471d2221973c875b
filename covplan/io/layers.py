"""Normalising the non-site vector layers: communes, villages, roads, fibre, points of interest."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.i18n import N_, Name, Num, Text
from covplan.io.checks import check_unique, clean_text
from covplan.io.context import FileContext
from covplan.io.poikind import poi_kind_from
from covplan.io.roadclass import classify_roads
from covplan.io.tables import to_numeric
from covplan.schema import OPTIONAL, POI_KINDS, ROAD_CLASSES

_TRUE: Final = {"true", "1", "yes", "y", "x", "có", "co", "t"}
_FALSE: Final = {"false", "0", "no", "n", "không", "khong", "f", ""}


def _numeric_columns(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    for column, kind in OPTIONAL[ctx.layer].items():
        if kind != "float" or column not in frame.columns:
            continue
        values = to_numeric(frame[column], ctx, column)
        if (values < 0).any():
            ctx.add(
                N_("negative {column_name}."),
                N_("{column_name} must be zero or more."),
                column=column,
                rows=ctx.rows(values < 0),
                column_name=column,
            )
        frame[column] = values


def _text_columns(frame: gpd.GeoDataFrame, ctx: FileContext, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column in frame.columns:
            frame[column] = clean_text(frame[column])


def apply_values(
    frame: gpd.GeoDataFrame, mapping: dict[str, dict[str, str]], ctx: FileContext
) -> gpd.GeoDataFrame:
    """Apply the manifest's ``values = { column = { "file value" = "value" } }`` mapping.

    Works for every layer (road classes, POI kinds, technologies, statuses); values not
    listed stay as they are.
    """
    if not mapping:
        return frame
    frame = frame.copy()
    for column, table in mapping.items():
        if column not in frame.columns:
            ctx.add(
                N_("dataset.toml maps values of column '{column_name}', which the layer does not "
                   "have (columns: {columns})."),
                N_("correct the column name under [layers.{layer}] values, or map the file's "
                   "column onto it under columns."),
                column=column,
                column_name=column,
                columns=", ".join(str(c) for c in frame.columns if c != "geometry"),
                layer=ctx.layer,
            )
            continue
        frame[column] = frame[column].map(
            lambda v, t=table: t.get(str(v).strip(), v) if not pd.isna(v) else v
        )
    return frame


def _booleans(values: pd.Series, ctx: FileContext, column: str) -> pd.Series:
    text = values.astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        ctx.add(
            N_("expected true/false, found {found}."),
            N_("write true or false (1/0, yes/no, có/không are accepted)."),
            column=column,
            rows=ctx.rows(bad),
            found=repr(text[bad].iloc[0]),
        )
    return text.isin(_TRUE).astype(bool)


def normalise_communes(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Communes: text ``code`` and ``name``, numeric ``population``, unique codes."""
    frame = frame.copy()
    _text_columns(frame, ctx, ("code", "name"))
    _numeric_columns(frame, ctx)
    check_unique(frame, ["code"], ctx)
    return frame


def normalise_villages(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Villages: text ids and names, numeric population, boolean ``fibre``, unique ids."""
    frame = frame.copy()
    _text_columns(frame, ctx, ("village_id", "name", "commune"))
    _numeric_columns(frame, ctx)
    if "fibre" in frame.columns:
        frame["fibre"] = _booleans(frame["fibre"], ctx, "fibre")
    check_unique(frame, ["village_id"], ctx)
    return frame


def normalise_roads(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Roads: ``road_class`` from the file (values mapped by the manifest) or OSM highway/ref."""
    frame = frame.copy()
    _text_columns(frame, ctx, ("ref", "name", "highway"))
    if "road_class" in frame.columns:
        frame["road_class"] = clean_text(frame["road_class"]).str.lower()
    derivable = [c for c in ("highway", "ref", "name") if c in frame.columns]
    unknown = (
        ~frame["road_class"].isin(ROAD_CLASSES)
        if "road_class" in frame.columns
        else pd.Series(True, index=frame.index)
    )
    if unknown.any() and derivable:
        derived = classify_roads(frame, highway="highway", ref="ref", name="name")
        frame["road_class"] = frame.get("road_class", derived).where(~unknown, derived)
        ctx.note(Text(N_("road_class derived from {columns} for {count} roads"),
                      columns=Name("/".join(derivable)), count=Num(int(unknown.sum()))))
    elif unknown.any() and "road_class" in frame.columns:
        found = ", ".join(repr(v) for v in frame.loc[unknown, "road_class"].unique()[:5])
        ctx.add(
            N_("unknown road_class {found}; expected {classes}."),
            N_("use those classes, map your values in dataset.toml ({example}), or give "
               "highway/ref."),
            column="road_class",
            rows=ctx.rows(unknown),
            found=found,
            classes=", ".join(ROAD_CLASSES),
            example='values = { road_class = { "Quốc Gia" = "national" } }',
        )
    return frame


def normalise_fibre(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Fibre routes or access nodes, with an optional ``operator``."""
    frame = frame.copy()
    _text_columns(frame, ctx, ("operator",))
    return frame


def normalise_pois(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Points of interest: ``kind`` mapped onto covplan's kinds (OSM ``fclass`` accepted)."""
    frame = frame.copy()
    _text_columns(frame, ctx, ("kind", "name"))
    if "kind" in frame.columns:
        raw = frame["kind"].str.lower().str.strip()
        kind = raw.map(lambda v: v if v in POI_KINDS else poi_kind_from(v)).astype(object)
        unknown = raw[((kind == "other") & (raw != "other")).to_numpy()]
        unknown = unknown.fillna("<empty>").value_counts()
        if len(unknown):
            shown = ", ".join(f"{v!r} ({n:,})" for v, n in unknown.head(8).items())
            example = unknown.index[0] if unknown.index[0] != "<empty>" else "bank"
            values = {"count": Num(int(unknown.sum())), "shown": Name(shown),
                      "kinds": Name(", ".join(POI_KINDS[:-1])),
                      "entry": Name(f'values = {{ kind = {{ "{example}" = "hospital" }} }}')}
            if len(unknown) > 8:
                ctx.warn(Text(N_(
                    "{count} points of interest of kinds covplan does not know count as "
                    "'other': {shown} and {more} more values. Targets name {kinds}. If one of "
                    "them means a known kind, map it in dataset.toml: [layers.pois] {entry}."),
                    more=Num(len(unknown) - 8), **values))
            else:
                ctx.warn(Text(N_(
                    "{count} points of interest of kinds covplan does not know count as "
                    "'other': {shown}. Targets name {kinds}. If one of them means a known "
                    "kind, map it in dataset.toml: [layers.pois] {entry}."), **values))
        frame["kind"] = kind.fillna("other").astype("string")
    return frame


def drop_unusable(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows with usable geometry (used only after problems have been reported)."""
    keep = ~(frame.geometry.isna() | frame.geometry.is_empty)
    return frame[np.asarray(keep)]
