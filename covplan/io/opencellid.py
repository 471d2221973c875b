"""Read OpenCellID cell exports as site sectors.

OpenCellID publishes one row per cell: ``radio,mcc,net,area,cell,unit,lon,lat,range,
samples,changeable,created,updated,averageSignal`` (the per-country ``452.csv.gz`` files
have no header line; ``cell_towers.csv`` has one; both are accepted, gzip too).

Rules
-----
* ``radio``: ``LTE`` -> ``4G``, ``NR`` -> ``5G``; ``GSM`` -> ``2G`` and ``UMTS`` -> ``3G``
  are kept but flagged (covplan plans 4G/5G), as is any other radio value.
* ``mcc`` 452 is Vietnam; ``net`` names the operator (:data:`OPERATORS`, otherwise
  ``"452-NN"``). Any other ``mcc`` is kept and flagged.
* Sites: cells of one operator whose positions lie within ``site_radius_m`` of each other
  (single linkage, in UTM metres) form one site. OpenCellID positions are crowd-sourced
  estimates of where a cell was heard, not the mast, so cells of one mast often land tens
  of metres apart and count as separate sites; widen ``site_radius_m`` to merge more.
* ``site_id`` is ``OCID-<mcc>-<net>-<n>`` numbered west to east within each operator;
  ``sector`` numbers the cells of one site and technology 1, 2, … by cell id.
* ``flagged`` holds the reason a row should not be used as-is ("" when fine), so the
  loader can drop or report those rows. Antenna height, power and azimuth are not in
  OpenCellID and are left for the loader's defaults.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan.errors import DataFileNotFoundError, InputError, Problem
from covplan.i18n import N_

logger = logging.getLogger(__name__)

#: OpenCellID columns, in file order.
OCID_COLUMNS: Final = (
    "radio",
    "mcc",
    "net",
    "area",
    "cell",
    "unit",
    "lon",
    "lat",
    "range",
    "samples",
    "changeable",
    "created",
    "updated",
    "averageSignal",
)
#: covplan technology of each OpenCellID radio.
RADIO_TECHNOLOGY: Final[dict[str, str]] = {"LTE": "4G", "NR": "5G", "UMTS": "3G", "GSM": "2G"}
#: Vietnamese operators by mobile network code (mcc 452).
OPERATORS: Final[dict[int, str]] = {1: "MobiFone", 2: "VinaPhone", 4: "Viettel", 5: "Vietnamobile"}
VIETNAM_MCC: Final = 452
_NUMERIC: Final = ("mcc", "net", "area", "cell", "lon", "lat")


def _read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The CSV as text columns, and the spreadsheet row number of its first data row.

    Raises
    ------
    covplan.errors.InputError
        The file is empty, not text, or not a CSV (a quote opened and never closed, a
        download cut short).
    """
    try:
        first = pd.read_csv(path, header=None, nrows=1, dtype=str)
        has_header = str(first.iloc[0, 0]).strip().lower() == "radio"
        table = pd.read_csv(path, header=0 if has_header else None, dtype=str,
                            keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError([Problem(
            str(path), N_("the file is empty: expected one OpenCellID cell per line."),
            N_("download the OpenCellID export again, or name the right file in dataset.toml."),
            layer="sites")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, gzip.BadGzipFile,
            zlib.error):
        raise InputError([Problem(
            str(path), N_("expected an OpenCellID CSV export (gzip allowed) but the file cannot "
                          "be read as one: a quote (\") opened and never closed, a download cut "
                          "short, or a file of another kind."),
            N_("download the export again and use it unchanged, or close the open quote."),
            layer="sites")]) from None
    if not has_header:
        if table.shape[1] != len(OCID_COLUMNS):
            raise InputError(
                [
                    Problem(
                        str(path),
                        N_("expected {count} OpenCellID columns ({columns}) or a header line, "
                           "found {found} columns and no header."),
                        N_("use an OpenCellID export unchanged, or add the header line."),
                        layer="sites",
                        params={"count": len(OCID_COLUMNS), "columns": ",".join(OCID_COLUMNS),
                                "found": table.shape[1]},
                    )
                ]
            )
        table.columns = list(OCID_COLUMNS)
    return table, 2 if has_header else 1


def _validate(table: pd.DataFrame, path: Path, first_row: int) -> pd.DataFrame:
    """Numeric columns parsed, with every problem collected before raising."""
    absent = [c for c in ("radio", *_NUMERIC) if c not in table.columns]
    if absent:
        raise InputError(
            [
                Problem(
                    str(path),
                    N_("expected OpenCellID columns {absent}, found only {found}."),
                    N_("use the OpenCellID CSV layout (radio,mcc,net,area,cell,unit,lon,lat,…)."),
                    layer="sites",
                    params={"absent": ", ".join(absent),
                            "found": ", ".join(map(str, table.columns))},
                )
            ]
        )
    problems = []
    parsed = table.copy()
    for col in _NUMERIC:
        parsed[col] = pd.to_numeric(table[col].str.strip(), errors="coerce")
        bad = np.flatnonzero(parsed[col].isna().to_numpy())
        if len(bad):
            problems.append(
                Problem(
                    str(path),
                    N_("expected numbers, found {found} and {count} more."),
                    N_("fix or remove those rows."),
                    layer="sites",
                    column=col,
                    rows=tuple(int(i) + first_row for i in bad),
                    params={"found": repr(table[col].iloc[bad[0]]), "count": len(bad) - 1},
                )
            )
    for col, limit in (("lon", 180.0), ("lat", 90.0)):
        out = np.flatnonzero((parsed[col].abs() > limit).to_numpy())
        if len(out):
            problems.append(
                Problem(
                    str(path),
                    N_("expected degrees within ±{limit}, found {found}."),
                    N_("check that lon and lat are WGS84 degrees and not swapped or projected."),
                    layer="sites",
                    column=col,
                    rows=tuple(int(i) + first_row for i in out),
                    params={"limit": f"{limit:g}", "found": f"{parsed[col].iloc[out[0]]:g}"},
                )
            )
    if problems:
        raise InputError(problems)
    for col in ("mcc", "net", "area", "cell"):
        parsed[col] = parsed[col].astype("int64")
    return parsed


def _site_numbers(
    lon: np.ndarray, lat: np.ndarray, operator: np.ndarray, radius_m: float
) -> np.ndarray:
    """Cluster label per cell: same operator and chained within ``radius_m``."""
    zone = int((np.median(lon) + 180) // 6) + 1
    epsg = (32600 if np.median(lat) >= 0 else 32700) + zone
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    xy = np.column_stack([x, y])
    # imported here: scipy's clustering takes 0.14 s to import, on every start of the app
    from scipy.cluster.hierarchy import DisjointSet
    from scipy.spatial import cKDTree

    groups = DisjointSet(range(len(lon)))
    for i, j in cKDTree(xy).query_pairs(radius_m):
        if operator[i] == operator[j]:
            groups.merge(i, j)
    roots = np.array([groups[i] for i in range(len(lon))])
    return roots


def read_opencellid(path: str | Path, *, site_radius_m: float = 10.0) -> gpd.GeoDataFrame:
    """Read an OpenCellID CSV as one row per cell with site, sector and operator.

    Parameters
    ----------
    path
        OpenCellID CSV (``.csv`` or ``.csv.gz``), with or without the header line.
    site_radius_m
        Cells of one operator closer than this are one site.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``site_id, sector, technology, operator, cell_id, mcc, net, area, range_m,
        samples, radio, flagged, geometry`` (Point, EPSG:4326).

    Raises
    ------
    InputError
        Missing columns, or non-numeric or out-of-range values, listed at once with rows.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(N_("{path}: OpenCellID file not found. Fix: check the "
                                       "path."), path=str(path))
    table, first_row = _read_table(path)
    cells = _validate(table, path, first_row)
    if cells.empty:
        raise InputError(
            [
                Problem(
                    str(path),
                    N_("expected OpenCellID cells, found no data rows."),
                    N_("download the export again."),
                    layer="sites",
                )
            ]
        )
    radio = cells["radio"].str.strip().str.upper()
    technology = radio.map(RADIO_TECHNOLOGY).fillna(radio)
    operator = np.array(
        [
            OPERATORS.get(n, f"{m}-{n:02d}") if m == VIETNAM_MCC else f"{m}-{n:02d}"
            for m, n in zip(cells["mcc"], cells["net"], strict=True)
        ],
        dtype=object,
    )
    flagged = _flags(cells["mcc"], radio, technology)
    roots = _site_numbers(
        cells["lon"].to_numpy(float), cells["lat"].to_numpy(float), operator, site_radius_m
    )
    out = pd.DataFrame(
        {
            "technology": technology,
            "operator": operator,
            "cell_id": cells["cell"],
            "mcc": cells["mcc"],
            "net": cells["net"],
            "area": cells["area"],
            "range_m": _optional_number(cells, "range"),
            "samples": _optional_number(cells, "samples"),
            "radio": radio,
            "flagged": flagged,
            "lon": cells["lon"],
            "lat": cells["lat"],
            "_root": roots,
        }
    )
    out["site_id"] = _site_ids(out)
    out = out.sort_values(["site_id", "technology", "cell_id"], kind="stable")
    out["sector"] = out.groupby(["site_id", "technology"]).cumcount() + 1
    gdf = gpd.GeoDataFrame(
        out.drop(columns=["_root"]),
        geometry=gpd.points_from_xy(out["lon"], out["lat"]),
        crs="EPSG:4326",
    ).drop(columns=["lon", "lat"])
    columns = [
        "site_id",
        "sector",
        "technology",
        "operator",
        "cell_id",
        "mcc",
        "net",
        "area",
        "range_m",
        "samples",
        "radio",
        "flagged",
        "geometry",
    ]
    gdf = gdf[columns].sort_index()
    logger.info(
        "Read %s cells in %s sites from %s (%s flagged)",
        f"{len(gdf):,}",
        f"{gdf['site_id'].nunique():,}",
        path,
        f"{(gdf['flagged'] != '').sum():,}",
    )
    return gdf


def _optional_number(cells: pd.DataFrame, column: str) -> pd.Series:
    """An optional numeric column (NaN when absent or unparsable)."""
    if column not in cells.columns:
        return pd.Series(np.nan, index=cells.index, dtype=float)
    return pd.to_numeric(cells[column].str.strip(), errors="coerce")


def _flags(mcc: pd.Series, radio: pd.Series, technology: pd.Series) -> list[str]:
    """Why each cell should not be used as-is ("" when it is fine)."""
    flags = []
    for m, r, t in zip(mcc, radio, technology, strict=True):
        reasons = []
        if m != VIETNAM_MCC:
            reasons.append(f"mcc {m} is not Vietnam ({VIETNAM_MCC})")
        if t in ("2G", "3G"):
            reasons.append(f"{t} ({r}) cell: covplan plans 4G and 5G")
        elif t not in ("4G", "5G"):
            reasons.append(f"unknown radio '{r}' (expected LTE, NR, UMTS or GSM)")
        flags.append("; ".join(reasons))
    return flags


def _site_ids(cells: pd.DataFrame) -> pd.Series:
    """``OCID-<mcc>-<net>-<n>``, numbered by the site's westernmost cell within an operator."""
    sites = cells.groupby("_root").agg(
        mcc=("mcc", "first"), net=("net", "first"), lon=("lon", "min"), lat=("lat", "min")
    )
    sites = sites.sort_values(["mcc", "net", "lon", "lat"])
    sites["n"] = sites.groupby(["mcc", "net"]).cumcount() + 1
    names = {
        root: f"OCID-{r.mcc}-{r.net:02d}-{r.n:05d}"
        for root, r in zip(sites.index, sites.itertuples(), strict=True)
    }
    return cells["_root"].map(names)
