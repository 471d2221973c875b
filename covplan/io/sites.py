"""Sites layer: one row per sector, technologies normalised, missing radio parameters defaulted."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.i18n import N_, Name, Num, Text
from covplan.io.checks import check_unique, clean_text
from covplan.io.context import FileContext
from covplan.io.tables import to_numeric
from covplan.radio.defaults import SECTOR_DEFAULTS
from covplan.schema import NON_NEGATIVE, OPTIONAL, SITE_STATUSES

_TECH_ALIASES: Final[dict[str, str]] = {
    "4g": "4G",
    "lte": "4G",
    "4glte": "4G",
    "ltea": "4G",
    "eutra": "4G",
    "4g lte": "4G",
    "5g": "5G",
    "nr": "5G",
    "5gnr": "5G",
    "nr5g": "5G",
    "5g nr": "5G",
}
#: Largest sector number: a site carries a handful of sectors per band, and numbering
#: schemes such as band x 10 + sector (11, 12, 21 …) or 101, 102 stay well below it.
MAX_SECTOR: Final = 999
#: Plausible ranges for radio parameters: (low, high, unit).
_RANGES: Final[dict[str, tuple[float, float, str]]] = {
    "height_m": (0.0, 300.0, "m above ground"),
    "frequency_mhz": (400.0, 6000.0, "MHz"),
    "tilt_deg": (-10.0, 30.0, "degrees"),
    "beamwidth_deg": (10.0, 360.0, "degrees"),
    "tx_power_dbm": (0.0, 70.0, "dBm"),
    "eirp_dbm": (0.0, 90.0, "dBm"),
    "antenna_gain_dbi": (-5.0, 35.0, "dBi"),
    "bandwidth_mhz": (1.4, 400.0, "MHz"),
    "mimo_layers": (1.0, 8.0, "layers"),
    "load": (0.0, 1.0, "(a share of the cell's resources, 0-1)"),
}
#: The out-of-range problem and its fix for units said in words (translated whole); other
#: units (MHz, dBm, dBi) are symbols and fill ``{unit}`` of :data:`_RANGE_TEXT`.
_RANGE_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "m above ground": (
        N_("{column_name} {value} is outside the plausible range {low}-{high} m above ground."),
        N_("check the unit of '{column_name}' (expected m above ground)."),
    ),
    "degrees": (
        N_("{column_name} {value} is outside the plausible range {low}-{high} degrees."),
        N_("check the unit of '{column_name}' (expected degrees)."),
    ),
    "layers": (
        N_("{column_name} {value} is outside the plausible range {low}-{high} layers."),
        N_("check the unit of '{column_name}' (expected layers)."),
    ),
    "(a share of the cell's resources, 0-1)": (
        N_("{column_name} {value} is outside the plausible range {low}-{high} (a share of the "
           "cell's resources, 0-1)."),
        N_("check the unit of '{column_name}' (expected (a share of the cell's resources, "
           "0-1))."),
    ),
}
_RANGE_TEXT: Final = (
    N_("{column_name} {value} is outside the plausible range {low}-{high} {unit}."),
    N_("check the unit of '{column_name}' (expected {unit})."),
)


def _technology(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    raw = clean_text(frame["technology"])
    key = raw.str.lower().str.replace(r"[\s_\-/.]+", "", regex=True)
    tech = key.map(lambda k: _TECH_ALIASES.get(k) if isinstance(k, str) else None)
    bad = tech.isna()
    if bad.any():
        found = ", ".join(repr(v) for v in raw[bad].fillna("<empty>").unique()[:5])
        ctx.add(
            N_("unknown technology {found}; expected 4G or 5G (LTE and NR are accepted too)."),
            N_("write 4G or 5G; covplan does not plan 2G/3G, so remove those rows."),
            column="technology",
            rows=ctx.rows(bad),
            found=found,
        )
    frame["technology"] = tech.astype("string")


def _numbers(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    for column, kind in OPTIONAL["sites"].items():
        if kind != "float" or column not in frame.columns:
            continue
        values = to_numeric(frame[column], ctx, column)
        if column in NON_NEGATIVE and (values < 0).any():
            ctx.add(
                N_("negative {column_name} ({value})."),
                N_("{column_name} must be zero or more."),
                column=column,
                rows=ctx.rows(values < 0),
                column_name=column,
                value=f"{values[values < 0].iloc[0]:g}",
            )
        elif column in _RANGES:
            low, high, unit = _RANGES[column]
            out = (values < low) | (values > high)
            if out.any():
                message, fix = _RANGE_TEXTS.get(unit, _RANGE_TEXT)
                ctx.add(
                    message,
                    fix,
                    column=column,
                    rows=ctx.rows(out),
                    column_name=column,
                    value=f"{values[out].iloc[0]:g}",
                    low=f"{low:g}",
                    high=f"{high:g}",
                    unit=unit,
                )
        frame[column] = values


def _sectors(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    frame["site_id"] = clean_text(frame["site_id"])
    missing = frame["site_id"].isna() | (frame["site_id"] == "")
    if missing.any():
        ctx.add(
            N_("missing site_id."),
            N_("give every row a site_id."),
            column="site_id",
            rows=ctx.rows(missing),
        )
    if "sector" in frame.columns:
        sector = to_numeric(frame["sector"], ctx, "sector")
        bad = sector.notna() & ((sector % 1 != 0) | (sector < 1) | (sector > MAX_SECTOR))
        if bad.any():
            ctx.add(
                N_("expected a whole sector number from 1 to {largest}, found {found}."),
                N_("number the sectors of each site 1, 2, 3 … (or leave the cell empty to "
                   "number them in file order)."),
                column="sector",
                rows=ctx.rows(bad),
                largest=MAX_SECTOR,
                found=f"{sector[bad].iloc[0]:g}",
            )
        frame["sector"] = sector.where(~bad)
    else:
        frame["sector"] = frame.groupby("site_id", dropna=False).cumcount().astype(float) + 1
    blank = frame["sector"].isna()
    frame.loc[blank, "sector"] = frame[blank].groupby("site_id").cumcount() + 1
    frame["sector"] = frame["sector"].astype(np.int32)
    check_unique(frame, ["site_id", "sector"], ctx)


def _eirp_to_power(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    """Split a given EIRP into transmit power and antenna gain where they are missing."""
    if "eirp_dbm" not in frame.columns:
        return
    has = frame["eirp_dbm"].notna()
    if "tx_power_dbm" not in frame.columns:
        frame["tx_power_dbm"] = np.nan
    need = has & frame["tx_power_dbm"].isna()
    if not need.any():
        return
    for tech, defaults in SECTOR_DEFAULTS.items():
        rows = need & (frame["technology"] == tech)
        gain = frame.get("antenna_gain_dbi", pd.Series(np.nan, index=frame.index))
        gain = gain.where(gain.notna(), defaults.antenna_gain_dbi)
        loss = frame.get("cable_loss_db", pd.Series(np.nan, index=frame.index)).fillna(0.0)
        frame.loc[rows, "tx_power_dbm"] = (frame["eirp_dbm"] - gain + loss)[rows]
        frame.loc[rows, "cable_loss_db"] = loss[rows]
    ctx.note(Text(N_("tx_power_dbm derived from eirp_dbm for {count} sectors (tx power = "
                     "EIRP - antenna gain + cable loss)"), count=Num(int(need.sum()))))


def _defaults(frame: gpd.GeoDataFrame, ctx: FileContext) -> None:
    for tech, defaults in SECTOR_DEFAULTS.items():
        rows = frame["technology"] == tech
        if not rows.any():
            continue
        applied = []
        for column, value in defaults.as_columns().items():
            if column not in frame.columns:
                frame[column] = np.nan
            fill = rows & frame[column].isna()
            if fill.any():
                frame.loc[fill, column] = value
                applied.append(Text(N_("{value} ({count} sectors)"),
                                    value=Name(f"{column} = {value:g}"),
                                    count=Num(int(fill.sum()))))
        if applied:
            ctx.note(Text(N_("{technology} defaults applied: {values}"), technology=Name(tech),
                          values=tuple(applied)))
    if "azimuth_deg" not in frame.columns:
        frame["azimuth_deg"] = np.nan
        ctx.note(Text(N_("no azimuth_deg column: every sector is omnidirectional")))
    azimuth = pd.to_numeric(frame["azimuth_deg"], errors="coerce")
    turned = (azimuth < 0.0) | (azimuth >= 360.0)
    if turned.any():  # a typo as often as a convention (400 for 40): read, and said
        first = int(np.flatnonzero(turned.to_numpy())[0])
        ctx.warn(Text(N_("azimuth_deg outside 0-360 on {count} rows ({rows}): read as the same "
                         "direction ({example}); check them"),
                      count=Num(int(turned.sum())),
                      rows=Name(", ".join(map(str, ctx.rows(turned)[:10]))),
                      example=Name(f"{azimuth.iloc[first]:g} → "
                                   f"{float(np.mod(azimuth.iloc[first], 360.0)):g}")))
    frame["azimuth_deg"] = np.mod(frame["azimuth_deg"], 360.0)
    frame["operator"] = clean_text(frame.get("operator", pd.Series(pd.NA, index=frame.index)))
    frame["operator"] = frame["operator"].fillna("")
    status = clean_text(frame.get("status", pd.Series(pd.NA, index=frame.index)))
    status = status.str.lower().fillna("existing")
    bad = ~status.isin(SITE_STATUSES)
    if bad.any():
        ctx.add(
            N_("unknown status {found}; expected {statuses}."),
            N_("use existing, planned or candidate (or leave empty for existing)."),
            column="status",
            rows=ctx.rows(bad),
            found=repr(status[bad].iloc[0]),
            statuses=", ".join(SITE_STATUSES),
        )
    frame["status"] = status


def normalise_sites(frame: gpd.GeoDataFrame, ctx: FileContext) -> gpd.GeoDataFrame:
    """Bring a sites table to the contract: one row per sector with every radio column filled.

    Missing columns and empty cells take the per-technology defaults of
    :mod:`covplan.radio.defaults`; each default applied is recorded in ``ctx.notes``.
    """
    frame = frame.copy()
    _technology(frame, ctx)
    _numbers(frame, ctx)
    _sectors(frame, ctx)
    _eirp_to_power(frame, ctx)
    _defaults(frame, ctx)
    columns = ["site_id", "sector", "technology", *[c for c in OPTIONAL["sites"] if c != "sector"]]
    keep = [c for c in columns if c in frame.columns]
    extra = [c for c in frame.columns if c not in keep and c != frame.geometry.name]
    return frame[[*keep, *extra, frame.geometry.name]]
