"""Tables out: GeoPackage layers, CSV tables for people and CSV tables for machines.

Nothing is half-written: each file is written to a temporary file in the destination
folder and renamed into place (:func:`covplan.export.atomic.atomic_file`). An existing file
is kept unless ``overwrite=True`` (as ``rio`` refuses without ``--overwrite``).

Every table is written twice (:func:`to_csv_pair`):

- ``<name>.csv``, **for people** (:func:`to_human_csv`): headers in the chosen language
  (:data:`HUMAN_COLUMNS`), figures rounded (percentages and km to one decimal, people and
  counts whole), statuses, road classes and yes/no in words, the columns an official reads.
  Excel opens it as numbers in its own locale: Vietnamese files use ``;`` between fields
  and a decimal comma (``98,5``), as Excel in Vietnamese writes and reads them; English
  files ``,`` and a decimal point. No thousands separators, so every figure stays a number.
  UTF-8 with a byte-order mark (``utf-8-sig``): without it Excel on Windows reads the file
  as the local code page and shows "XÃ£" for "Xã".
- ``data/<name>.csv``, **for machines** (:func:`to_machine_csv`): every column under its
  stable English name, full precision, ``,`` and a decimal point, UTF-8 without a
  byte-order mark, the same in every language (as the GeoPackage's columns are).

Geometry is not written to CSV; rows with a geometry get the ``lon``/``lat`` (WGS 84) of a
point on it instead, so a reader can find the place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.export import wording
from covplan.export.atomic import atomic_file, check_outputs
from covplan.i18n import N_, Language
from covplan.targets.schema import localized, status_label, unit_label

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
           decimals: int | None = 3, bom: bool = True) -> Path:
    """Write ``frame`` as UTF-8 CSV, atomically (geometry as ``lon``/``lat``).

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
    bom
        Start with a UTF-8 byte-order mark (for Excel).
    """
    path = Path(path)
    check_outputs([path], overwrite=overwrite)
    if decimals is not None:
        frame = frame.round(decimals)
    table = _with_lonlat(frame)
    encoding = "utf-8-sig" if bom else "utf-8"
    atomic_file(path, lambda tmp: table.to_csv(tmp, index=False, encoding=encoding))
    logger.info("Wrote %s (%s rows)", path, f"{len(table):,}")
    return path


#: Folder (inside the output folder) of the machine-readable CSV tables.
MACHINE_DIR: Final = "data"
#: Field separator of the CSV for people, per language (the list separator of Excel there).
HUMAN_SEPARATOR: Final[Mapping[str, str]] = {"vi": ";", "en": ","}
#: Decimals of the longitude and latitude in the CSV for people (about 1 m).
LONLAT_DECIMALS: Final = 5

#: How a column is shown to people:
#: ``text`` as written (names, codes); ``word`` one of covplan's words, translated (road
#: classes, kinds, statuses of sites, ``4G or 5G``); ``services`` what a village lacks;
#: ``road`` a road label (unnamed roads by their class); ``status`` a target's status;
#: ``bool`` yes / no / no data; ``number`` rounded to ``decimals``; ``amount`` rounded as
#: its row's ``unit`` asks; ``unit`` that unit in words; ``localized`` the ``_vi`` twin of a
#: target-table column in Vietnamese.
ShowAs = Literal["text", "word", "services", "road", "status", "bool", "number", "amount",
                 "unit", "localized"]


@dataclass(frozen=True)
class HumanColumn:
    """One column of a CSV for people: the table's column, its header and how it shows.

    Parameters
    ----------
    column
        The column's machine name.
    header
        The English header, marked with :func:`~covplan.i18n.N_` and translated when written.
    show
        How values show (see :data:`ShowAs`).
    decimals
        Decimals kept by ``number``.
    """

    column: str
    header: str
    show: ShowAs = "text"
    decimals: int = 0


def _columns(*spec: HumanColumn | tuple[str, str] | tuple[str, str, ShowAs]
             | tuple[str, str, ShowAs, int]) -> tuple[HumanColumn, ...]:
    return tuple(item if isinstance(item, HumanColumn) else HumanColumn(*item)
                 for item in spec)


_PERCENT: Final = ("number", 1)
_KM: Final = ("number", 1)
_LONLAT: Final = _columns(("lon", N_("Longitude"), "number", LONLAT_DECIMALS),
                          ("lat", N_("Latitude"), "number", LONLAT_DECIMALS))
_ROAD_SHARES: Final = _columns(
    ("road_class", N_("Road class"), "word"),
    ("length_km", N_("Length (km)"), *_KM),
    ("covered_km", N_("With 4G/5G (km)"), *_KM),
    ("uncovered_km", N_("Without 4G/5G (km)"), *_KM),
    ("covered_percent", N_("With 4G/5G (%)"), *_PERCENT))

#: The columns of every table covplan writes, as people read them, in order. Columns left
#: out (flags the words already say, machine keys) stay in the machine CSV.
HUMAN_COLUMNS: Final[Mapping[str, tuple[HumanColumn, ...]]] = {
    "targets": _columns(
        ("id", N_("ID")),
        ("target", N_("Target"), "localized"),
        ("measured_percent", N_("Measured (%)"), *_PERCENT),
        ("goal_percent", N_("Goal (%)"), *_PERCENT),
        ("status", N_("Status"), "status"),
        ("shortfall", N_("Shortfall"), "amount"),
        ("covered", N_("Covered"), "amount"),
        ("total", N_("Total"), "amount"),
        ("unit", N_("Unit"), "unit"),
        ("technologies", N_("Technology"), "word"),
        ("threshold", N_("Counted when"), "localized"),
        ("denominator", N_("Measured on"), "localized"),
        ("note", N_("Note"), "localized")),
    "population_coverage": _columns(
        ("technology", N_("Technology"), "word"),
        ("operator", N_("Operator"), "word"),
        ("people_total", N_("People"), "number"),
        ("people_covered", N_("People with signal"), "number"),
        ("covered_percent", N_("People with signal (%)"), *_PERCENT),
        ("threshold", N_("Counted when"), "word"),
        ("basis", N_("Population source"), "word")),
    "operator_targets": _columns(
        ("id", N_("ID")),
        ("target", N_("Target"), "localized"),
        ("network", N_("Network"), "word"),
        ("measured_percent", N_("Measured (%)"), *_PERCENT),
        ("goal_percent", N_("Goal (%)"), *_PERCENT),
        ("status", N_("Status"), "status"),
        ("covered", N_("Covered"), "amount"),
        ("total", N_("Total"), "amount"),
        ("unit", N_("Unit"), "unit"),
        ("threshold", N_("Counted when"), "localized")),
    "road_coverage_by_class": _ROAD_SHARES,
    "road_coverage_by_road": _columns(("road", N_("Road"), "road"), *_ROAD_SHARES),
    "road_gaps": _columns(
        ("road", N_("Road"), "road"),
        ("name", N_("Road name")),
        ("road_class", N_("Road class"), "word"),
        ("start_km", N_("From km"), *_KM),
        ("end_km", N_("To km"), *_KM),
        ("length_km", N_("Length (km)"), *_KM),
        ("communes", N_("Communes crossed")),
        *_LONLAT),
    "village_gaps": _columns(
        ("village_id", N_("Village ID")),
        ("name", N_("Village")),
        ("commune", N_("Commune code")),
        ("commune_name", N_("Commune")),
        ("population", N_("People"), "number"),
        ("signal_4g_percent", N_("People with 4G (%)"), *_PERCENT),
        ("signal_5g_percent", N_("People with 5G (%)"), *_PERCENT),
        ("fibre_reached", N_("Fibre"), "bool"),
        ("missing", N_("Missing"), "services"),
        *_LONLAT),
    "poi_gaps": _columns(
        ("kind", N_("Kind"), "word"),
        ("name", N_("Name")),
        ("commune", N_("Commune code")),
        ("commune_name", N_("Commune")),
        ("rsrp_4g_dbm", N_("4G signal (dBm)"), "number"),
        ("rsrp_5g_dbm", N_("5G signal (dBm)"), "number"),
        ("has_4g", N_("Has 4G"), "bool"),
        *_LONLAT),
    "commune_summary": _columns(
        ("code", N_("Commune code")),
        ("name", N_("Commune")),
        ("population", N_("People"), "number"),
        ("villages", N_("Villages"), "number"),
        ("villages_fibre", N_("Villages with fibre"), "number"),
        ("fibre_percent", N_("Villages with fibre (%)"), *_PERCENT),
        ("population_4g_percent", N_("People with 4G (%)"), *_PERCENT),
        ("population_5g_percent", N_("People with 5G (%)"), *_PERCENT),
        ("highway_uncovered_km", N_("Expressway and national highway without 4G/5G (km)"),
         *_KM),
        ("pois_without_5g", N_("Points of interest without 5G"), "number"),
        *_LONLAT),
    "sites": _columns(
        ("site_id", N_("Site")),
        ("sector", N_("Sector")),
        ("technology", N_("Technology"), "word"),
        ("operator", N_("Operator")),
        ("status", N_("Site status"), "word"),
        ("frequency_mhz", N_("Frequency (MHz)"), "number"),
        ("height_m", N_("Antenna height (m)"), "number", 1),
        ("azimuth_deg", N_("Azimuth (°)"), "number"),
        ("tilt_deg", N_("Tilt (°)"), "number", 1),
        *_LONLAT),
}


def _numbers(values: pd.Series, decimals: int | np.ndarray, lang: Language) -> pd.Series:
    """Rounded figures with the language's decimal mark and no grouping; "" for none."""
    mark = "," if lang.code == "vi" else "."
    numeric = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    places = np.broadcast_to(np.asarray(decimals), numeric.shape)
    text = [_number_text(float(x), int(d), mark) for x, d in zip(numeric, places, strict=True)]
    return pd.Series(text, index=values.index, dtype=object)


def _number_text(value: float, decimals: int, mark: str) -> str:
    """``value`` rounded as :meth:`covplan.i18n.Language.number` rounds it, plain."""
    if not np.isfinite(value):
        return ""
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0.0 is 0.0
    return text.replace(".", mark)


def _map(values: pd.Series, show: Callable[[object], str]) -> pd.Series:
    """``show`` of each value, called once per distinct value (a missing one included)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    texts = np.array([show(v) for v in distinct], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


def _human_values(frame: pd.DataFrame, spec: HumanColumn, lang: Language) -> pd.Series:
    values = frame[spec.column]
    if spec.show == "number":
        return _numbers(values, spec.decimals, lang)
    if spec.show == "amount":
        units = frame["unit"].astype(str) if "unit" in frame else pd.Series("", frame.index)
        return _numbers(values, units.map(wording.amount_decimals).to_numpy(int), lang)
    if spec.show == "localized":
        shown: pd.Series = localized(frame, spec.column, lang)
        return shown.astype(object).fillna("")
    shows: dict[str, Callable[[object], str]] = {
        "text": lambda v: "" if wording.is_missing(v) else str(v),
        "word": lambda v: wording.word(v, lang),
        "services": lambda v: wording.services(v, lang),
        "road": lambda v: wording.road_label(v, "", lang),
        "status": lambda v: status_label(v, lang),
        "bool": lambda v: wording.yes_no(v, lang),
        "unit": lambda v: unit_label(str(v), lang),
    }
    return _map(values, shows[spec.show])


def human_table(frame: pd.DataFrame, table: str, lang: Language) -> pd.DataFrame:
    """``frame`` as people read it in ``lang``: chosen columns, translated headers, rounded.

    Parameters
    ----------
    frame
        A table covplan writes (a GeoDataFrame gets ``lon``/``lat`` of a point on each row).
    table
        Its name, a key of :data:`HUMAN_COLUMNS`.
    lang
        The language of the headers, words and decimal mark.

    Raises
    ------
    KeyError
        For a table without human columns (add them to :data:`HUMAN_COLUMNS`).
    """
    if table not in HUMAN_COLUMNS:
        raise KeyError(f"no columns for people are defined for the table {table!r}; add them "
                       f"to covplan.export.tables.HUMAN_COLUMNS (known: "
                       f"{', '.join(HUMAN_COLUMNS)})")
    plain = _with_lonlat(frame)
    shown = [spec for spec in HUMAN_COLUMNS[table] if spec.column in plain.columns]
    data = {lang._(spec.header): _human_values(plain, spec, lang) for spec in shown}
    return pd.DataFrame(data, index=plain.index, columns=list(data))


def to_human_csv(frame: pd.DataFrame, path: str | Path, table: str, lang: Language, *,
                 overwrite: bool = False) -> Path:
    """Write the CSV for people of ``frame`` (:func:`human_table`), atomically.

    Parameters
    ----------
    frame
        The table, with its machine column names.
    path
        The ``.csv`` file.
    table
        Its name, a key of :data:`HUMAN_COLUMNS`.
    lang
        Headers, words and number format (``;`` and a decimal comma in Vietnamese).
    overwrite
        Replace an existing file.
    """
    path = Path(path)
    check_outputs([path], overwrite=overwrite)
    shown = human_table(frame, table, lang)
    separator = HUMAN_SEPARATOR.get(lang.code, ",")
    atomic_file(path, lambda tmp: shown.to_csv(tmp, index=False, sep=separator,
                                               encoding="utf-8-sig"))
    logger.info("Wrote %s (%s rows, for people, %s)", path, f"{len(shown):,}", lang.code)
    return path


def to_machine_csv(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the CSV for machines of ``frame``: English columns, full precision, no BOM."""
    return to_csv(frame, path, overwrite=overwrite, decimals=None, bom=False)


def csv_pair_paths(out_dir: str | Path, name: str) -> list[Path]:
    """``<name>.csv`` (for people) and ``data/<name>.csv`` (for machines) in ``out_dir``."""
    out = Path(out_dir)
    return [out / f"{name}.csv", out / MACHINE_DIR / f"{name}.csv"]


def to_csv_pair(frame: pd.DataFrame, out_dir: str | Path, name: str, lang: Language, *,
                overwrite: bool = False) -> list[Path]:
    """Write the table ``name`` for people and for machines (:func:`csv_pair_paths`).

    Parameters
    ----------
    frame
        The table, with its machine column names.
    out_dir
        The output folder; the machine CSV goes into its ``data`` folder (created).
    name
        The table's name (a key of :data:`HUMAN_COLUMNS`) and the files' stem.
    lang
        The language of the CSV for people.
    overwrite
        Replace existing files.
    """
    human, machine = csv_pair_paths(out_dir, name)
    check_outputs([human, machine], overwrite=overwrite)
    machine.parent.mkdir(parents=True, exist_ok=True)
    return [to_human_csv(frame, human, name, lang, overwrite=overwrite),
            to_machine_csv(frame, machine, overwrite=overwrite)]


def csv_pairs_paths(out_dir: str | Path, names: Sequence[str]) -> list[Path]:
    """:func:`csv_pair_paths` of every table in ``names``."""
    return [path for name in names for path in csv_pair_paths(out_dir, name)]
