"""Reading delimited text tables as users export them (Excel in Vietnamese locale included).

Handles a UTF-8 byte-order mark, ``;`` or tab delimiters, and numbers written with a
decimal comma and dot thousands separators (``8.375,21``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from covplan.io._context import FileContext

logger = logging.getLogger(__name__)

_DELIMITERS = (",", ";", "\t", "|")
_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


def read_text(path: Path) -> tuple[str, list[str]]:
    """File text with a BOM removed, and notes on what was done to decode it."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("cp1258", errors="replace")
        note = (
            f"{path.name}: not valid UTF-8 (byte {exc.start}); read as Windows-1258 "
            "(Vietnamese). Save the file as UTF-8 to be sure names are right."
        )
        return text, [note]


def sniff_delimiter(text: str) -> str:
    """The delimiter of a table: the candidate used most in the header line."""
    header = text.splitlines()[0] if text else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV/TSV file with every cell as text.

    Returns
    -------
    table, notes
        The table (strings, empty cells as NA) and notes on the encoding and delimiter.
    """
    text, notes = read_text(path)
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        notes.append(f"{path.name}: read with delimiter {delimiter!r}")
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skipinitialspace=True,
        quoting=csv.QUOTE_MINIMAL,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, notes


def _uses_decimal_comma(values: pd.Series) -> bool:
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    return bool(len(text) and text.str.contains(",").any() and text.str.match(_VI_NUMBER).all())


def to_numeric(values: pd.Series, ctx: FileContext, column: str) -> pd.Series:
    """Convert a column to float, accepting decimal commas; report cells that are not numbers.

    Parameters
    ----------
    values
        The column as read.
    ctx
        The file's context: problems (non-numeric cells) and notes (decimal commas
        converted) are recorded there.
    column
        The column's name, for messages.

    Returns
    -------
    pandas.Series
        Float values, NaN where empty or not a number.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(np.float64)
    text = values.astype("string").str.strip()
    if _uses_decimal_comma(text):
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        ctx.note(
            f"{ctx.file}: column '{column}' uses decimal commas (e.g. 8.375,21); read as "
            "Vietnamese-locale numbers"
        )
    numbers = pd.to_numeric(text, errors="coerce").astype(np.float64)
    bad = (numbers.isna() & text.notna() & (text != "")).fillna(False)
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        ctx.add(
            f"expected a number, found {examples}.",
            "write plain numbers (e.g. 30 or 30.5); remove units and text.",
            column=column,
            rows=ctx.rows(bad),
        )
    return numbers
