"""Reading measurement files: drive tests and crowdsourced logs of received power.

Two formats are read, recognised from their header line:

**Plain CSV** (any delimiter covplan reads, Vietnamese-locale numbers included), one
measurement per row:

================  ========  ==========================================================
column            required  meaning (accepted aliases)
================  ========  ==========================================================
``lon``, ``lat``  yes       WGS 84 degrees (``longitude``, ``lng``, ``Kinh độ``;
                            ``latitude``, ``Vĩ độ``)
``rsrp_dbm``      yes       serving-cell RSRP, LTE RSRP or NR SS-RSRP (``rsrp``,
                            ``ss_rsrp``, ``level``)
``technology``    no        ``4G``/``5G`` (``LTE``/``NR`` accepted; ``tech``, ``rat``);
                            rows of 2G/3G are skipped and counted
``site_id``,      no        the serving sector as the sites layer names it
``sector``
``cell_id``       no        the serving cell's id (ECI/NCI or the operator's), matched
                            with the sites layer's ``cell_id`` (``cellid``, ``eci``,
                            ``nci``)
``pci``           no        physical cell id, matched with the nearest sector of the
                            sites layer that carries it
``operator``      no        the network measured; the best server is looked for among
                            its sectors (``operatorname``, ``carrier``)
``time``          no        kept as written (``timestamp``, ``datetime``)
``route``         no        drive route: cross-validation can hold out whole routes
================  ========  ==========================================================

**G-NetTrack** (Pro and Lite, Gyokov Solutions) text logs: tab-separated, a header line
naming ``Timestamp``, ``Longitude``, ``Latitude``, ``Operatorname``, ``CellID``, ``Node``,
``NetworkTech``, ``Level``, ``Qual``, ``PSC`` … . covplan reads ``Longitude``/``Latitude``
(degrees), ``Level`` (the serving cell's RSRP for LTE rows, SS-RSRP for NR rows, in dBm),
``NetworkTech`` (``4G``/``LTE`` and ``5G``/``NR`` rows are kept, ``2G``/``3G`` rows skipped),
``CellID`` (the cell id), ``PSC`` (the PCI on LTE and NR rows), ``Operatorname`` and
``Timestamp``; every other column is ignored.

Every row that cannot be used is reported with its line number, column and value (a problem
per kind, listing all lines) and dropped; the rows kept are counted. A file with no usable
row is an :class:`~covplan.errors.InputError`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from covplan import settings
from covplan.errors import InputError, LimitError, Problem
from covplan.i18n import N_, Num
from covplan.io.columns import fold_name
from covplan.io.context import FileContext
from covplan.io.tables import read_csv_table, to_numeric

logger = logging.getLogger(__name__)

#: Columns of a measurement table after reading, in this order.
COLUMNS: Final = ("line", "lon", "lat", "rsrp_dbm", "technology", "site_id", "sector",
                  "cell_id", "pci", "operator", "time", "route")
#: Alternative names of the plain CSV's columns (compared case-insensitively).
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "lon": ("lon", "longitude", "lng", "long", "kinh_do"),
    "lat": ("lat", "latitude", "vi_do"),
    "rsrp_dbm": ("rsrp_dbm", "rsrp", "ss_rsrp", "ss_rsrp_dbm", "nr_rsrp", "level", "muc_thu",
                 "cuong_do_tin_hieu"),
    "technology": ("technology", "tech", "rat", "networktech", "network_tech", "cong_nghe"),
    "site_id": ("site_id", "siteid", "site", "ma_tram"),
    "sector": ("sector",),
    "cell_id": ("cell_id", "cellid", "eci", "nci", "cid", "ma_cell"),
    "pci": ("pci", "nr_pci"),
    "operator": ("operator", "operatorname", "carrier", "nha_mang"),
    "time": ("time", "timestamp", "datetime", "date_time", "thoi_gian"),
    "route": ("route", "run", "track", "drive", "tuyen", "lo_trinh"),
}
#: G-NetTrack log columns read, and what they become.
GNETTRACK: Final[dict[str, str]] = {
    "Longitude": "lon", "Latitude": "lat", "Level": "rsrp_dbm", "NetworkTech": "technology",
    "CellID": "cell_id", "PSC": "pci", "Operatorname": "operator", "Timestamp": "time",
}
#: Technology spellings (lower case, no separators) and what they mean; None: not 4G/5G.
TECHNOLOGY_NAMES: Final[dict[str, str | None]] = {
    "4g": "4G", "lte": "4G", "4glte": "4G", "ltea": "4G", "eutra": "4G",
    "5g": "5G", "nr": "5G", "5gnr": "5G", "nrnsa": "5G", "nrsa": "5G", "5gsa": "5G",
    "5gnsa": "5G",
    "2g": None, "gsm": None, "edge": None, "gprs": None, "3g": None, "umts": None,
    "wcdma": None, "hspa": None, "hspa+": None, "hsdpa": None, "hsupa": None, "cdma": None,
}
#: RSRP a device can report, by technology (3GPP TS 36.133 and TS 38.133 report mappings).
RSRP_RANGE_DBM: Final[dict[str | None, tuple[float, float]]] = {
    "4G": (-140.0, -44.0), "5G": (-156.0, -31.0), None: (-156.0, -31.0),
}


@dataclass(frozen=True, eq=False)
class Measurements:
    """The usable rows of a measurement file and what was dropped.

    Parameters
    ----------
    frame
        One row per usable measurement, columns :data:`COLUMNS` (``technology`` may be NA
        when the file does not say; ``line`` is the row's line in the file).
    source
        The file.
    format
        ``{"csv", "g-nettrack"}``.
    rows
        Data rows in the file.
    problems
        Bad rows, one problem per kind with every line (they were dropped).
    skipped
        Rows left out that are not errors, by reason (2G/3G rows), with their count.
    notes
        What reading did (delimiter, decimal commas).
    """

    frame: pd.DataFrame
    source: Path
    format: str
    rows: int
    problems: tuple[Problem, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def dropped(self) -> int:
        """Rows of the file not kept (bad or skipped)."""
        return self.rows - len(self.frame)

    def summary(self) -> str:
        """``12,408 of 12,800 rows kept from drive_test.csv (392 bad, …)``."""
        bad = sum(len(p.rows) for p in self.problems)
        parts = [f"{bad:,} bad rows dropped"] if bad else []
        parts += [f"{n:,} {why}" for why, n in self.skipped.items()]
        extra = f" ({'; '.join(parts)})" if parts else ""
        return (f"{len(self.frame):,} of {self.rows:,} rows kept from {self.source.name} "
                f"[{self.format}]{extra}")


def _find(columns: list[str], wanted: str) -> str | None:
    """The column of ``columns`` named as one of ``wanted``'s aliases.

    Compared without case, accents, separators or a unit in brackets: ``Kinh độ``,
    ``RSRP (dBm)`` and ``rsrp_dbm`` all name what they say.
    """
    folded: dict[str, str] = {}
    for column in columns:
        folded.setdefault(fold_name(column), column)
        folded.setdefault(fold_name(re.sub(r"\(.*?\)|\[.*?\]", "", column)), column)
    return next((folded[f] for a in ALIASES[wanted] if (f := fold_name(a)) in folded), None)


def _is_gnettrack(columns: list[str]) -> bool:
    return {"Longitude", "Latitude", "Level"} <= set(columns) and (
        "NetworkTech" in columns or "NetworkMode" in columns)


def _mapped(raw: pd.DataFrame, gnettrack: bool) -> pd.DataFrame:
    """The file's columns renamed onto :data:`COLUMNS` (absent ones empty)."""
    columns = [str(c) for c in raw.columns]
    if gnettrack:
        names = {v: k for k, v in GNETTRACK.items() if k in columns}
        if "technology" not in names and "NetworkMode" in columns:
            names["technology"] = "NetworkMode"
    else:
        names = {k: c for k in ALIASES if (c := _find(columns, k)) is not None}
    out = pd.DataFrame(index=raw.index)
    for column in COLUMNS[1:]:
        out[column] = raw[names[column]] if column in names else pd.Series(
            pd.NA, index=raw.index, dtype="string")
    return out


def _technology(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(technology or NA, rows of another technology, rows of an unknown one)."""
    key = values.astype("string").str.strip().str.lower().str.replace(
        r"[\s_\-/.()]+", "", regex=True)
    given = key.notna() & (key != "")
    known = key.isin(list(TECHNOLOGY_NAMES))
    tech = key.map(lambda k: TECHNOLOGY_NAMES.get(k) if isinstance(k, str) else None)
    other = given & known & tech.isna()
    unknown = given & ~known
    return tech.astype("string"), other, unknown


def _check_rows(frame: pd.DataFrame, ctx: FileContext, bad: pd.Series
                ) -> tuple[pd.Series, dict[str, int]]:
    """Bad rows (reported in ``ctx``) and skipped ones; the mask of rows to keep.

    ``bad`` marks rows already reported (ragged lines).
    """
    bad = bad.copy()
    for column in ("lon", "lat", "rsrp_dbm", "sector", "pci"):
        text = frame[column].astype("string").str.strip()
        given = (text.notna() & (text != "")).fillna(False)
        frame[column] = to_numeric(frame[column], ctx, column)  # reports what is no number
        bad |= given & frame[column].isna()
    for column, low, high in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        missing = frame[column].isna() & ~bad
        if missing.any():
            ctx.add(N_("no {column_name} (degrees)."), N_("give every measurement its position "
                    "in WGS 84 degrees (lon, lat), or delete the row."), column=column,
                    rows=ctx.rows(missing), column_name=column)
            bad |= missing
        out = (frame[column] < low) | (frame[column] > high)
        if out.any():
            shown = ", ".join(f"{v:g}" for v in frame.loc[out, column].unique()[:3])
            ctx.add(N_("{column_name} {values} is outside {low} to {high} degrees."),
                    N_("write WGS 84 degrees (lon 102-110, lat 8-24 in Vietnam), not projected "
                       "metres or swapped columns."), column=column, rows=ctx.rows(out),
                    column_name=column, values=shown, low=f"{low:g}", high=f"{high:g}")
            bad |= out
    written = frame["technology"]
    tech, other, unknown = _technology(written)
    unknown &= ~bad
    frame["technology"] = tech
    if unknown.any():
        shown = ", ".join(repr(str(v)) for v in written[unknown].unique()[:3])
        ctx.add(N_("unknown technology {found}."),
                N_("write 4G or 5G (LTE and NR are accepted)."),
                column="technology", rows=ctx.rows(unknown), found=shown)
        bad |= unknown
    rsrp = frame["rsrp_dbm"]
    missing = rsrp.isna() & ~bad
    if missing.any():
        ctx.add(N_("no RSRP."), N_("give the serving cell's RSRP in dBm, or delete the row."),
                column="rsrp_dbm", rows=ctx.rows(missing))
        bad |= missing
    for name, (low, high) in RSRP_RANGE_DBM.items():
        rows = (tech == name) if name is not None else tech.isna()
        out = rows.fillna(False) & ((rsrp < low) | (rsrp > high)) & ~bad
        if out.any():
            shown = ", ".join(f"{v:g}" for v in rsrp[out].unique()[:3])
            message = (N_("{technology} RSRP {values} dBm is outside what a device reports "
                          "({low} to {high} dBm).") if name else
                       N_("RSRP {values} dBm is outside what a device reports ({low} to "
                          "{high} dBm)."))
            ctx.add(message, N_("check the column holds RSRP in dBm (not RSSI, RSRQ or a "
                                "signal bar)."), column="rsrp_dbm", rows=ctx.rows(out),
                    technology=name or "", values=shown, low=f"{low:g}", high=f"{high:g}")
            bad |= out
    sector = frame["sector"]
    odd = sector.notna() & ((sector % 1 != 0) | (sector < 1)) & ~bad
    if odd.any():
        ctx.add(N_("sector should be a whole number from 1."), N_("write the sector number as "
                "the sites layer does, or leave the cell empty."), column="sector",
                rows=ctx.rows(odd))
        bad |= odd
    skipped = {}
    other &= ~bad
    if other.any():
        skipped["rows of 2G/3G skipped (covplan calibrates 4G and 5G)"] = int(other.sum())
    return ~bad & ~other, skipped


def read_measurements(path: str | Path) -> Measurements:
    """Read a measurement file (plain CSV or a G-NetTrack log; see the module docstring).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Measurements
        The usable rows; bad rows are in ``problems`` with their line numbers.

    Raises
    ------
    covplan.errors.InputError
        The file is missing, empty, not text, lacks a required column, or has no usable row
        (every problem listed).
    covplan.errors.LimitError
        The file is larger than :data:`covplan.settings.max_file_mb`.
    """
    path = Path(path)
    ctx = FileContext(str(path), "measurements", row_offset=2, row_label="line")
    if not path.is_file():
        raise InputError([Problem(str(path), N_("measurement file not found."),
                                  N_("give the path of the drive-test CSV or G-NetTrack log."),
                                  layer="measurements")])
    size_mb = path.stat().st_size / 1e6
    if size_mb > settings.max_file_mb:
        raise LimitError(N_("{path}: {size} MB is more than covplan reads ({limit} MB). Fix: "
                            "split the file, or raise the limit with {variable}=<MB>."),
                         path=str(path), size=Num(size_mb, 1),
                         limit=f"{settings.max_file_mb:g}",
                         variable=settings.LIMIT_VARIABLES["max_file_mb"])
    raw = read_csv_table(path, ctx)
    columns = [str(c) for c in raw.columns]
    gnettrack = _is_gnettrack(columns)
    frame = _mapped(raw, gnettrack)
    missing = [c for c in ("lon", "lat", "rsrp_dbm") if frame[c].isna().all()
               and (gnettrack or _find(columns, c) is None)]
    if missing:
        message = (N_("missing column(s) {missing} (found: {found}).") if columns else
                   N_("missing column(s) {missing} (found: none)."))
        raise InputError([Problem(str(path), message,
                                  N_("give lon, lat and rsrp_dbm columns (see covplan calibrate "
                                     "--help), or a G-NetTrack log with its header line."),
                                  layer="measurements",
                                  params={"missing": ", ".join(missing),
                                          "found": ", ".join(columns)})])
    lines = np.arange(len(frame)) + ctx.row_offset
    reported = [r for p in ctx.problems for r in p.rows]  # ragged lines came back empty
    blank = raw.isna().all(axis=1).to_numpy(bool) & ~np.isin(lines, reported)  # ";;;;;;"
    keep, skipped = _check_rows(frame, ctx, pd.Series(np.isin(lines, reported) | blank,
                                                      index=frame.index))
    if blank.any():  # nothing to measure on them: skipped, not bad
        skipped["empty rows skipped"] = int(blank.sum())
    frame.insert(0, "line", np.arange(len(frame), dtype=np.int64) + 2)
    kept = frame[keep.to_numpy(bool)].reset_index(drop=True)
    problems = tuple(_without_duplicates(ctx.problems))
    if not len(kept):
        raise InputError([*problems, Problem(
            str(path), N_("no usable measurement among {count} rows."),
            N_("give rows with lon, lat (WGS 84 degrees) and the RSRP in dBm of 4G or 5G cells."),
            layer="measurements", params={"count": f"{len(frame):,}"})])
    for column in ("site_id", "cell_id", "operator", "time", "route"):
        kept[column] = kept[column].astype("string").str.strip()
    result = Measurements(kept, path, "g-nettrack" if gnettrack else "csv", len(frame), problems,
                          skipped, tuple(ctx.notes))
    logger.info("%s", result.summary())
    return result


def _without_duplicates(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        key = str(p)  # the template alone would merge problems that differ in their values
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
