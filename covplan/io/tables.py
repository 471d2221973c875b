"""Reading delimited text tables as users export them (Excel in Vietnamese locale included).

Handles a UTF-8 byte-order mark, ``;`` or tab delimiters, and numbers written with a
decimal comma and dot thousands separators (``8.375,21``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from covplan.errors import InputError, Problem
from covplan.i18n import N_, Name, Num, Text
from covplan.io.context import FileContext

_DELIMITERS = (",", ";", "\t", "|")
_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
#: A cell written as a number in either convention (digits, separators, a sign).
_NUMBER_LIKE = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
#: Bytes inspected to tell a text table from a binary file.
_SNIFF_BYTES = 65_536
#: Control characters that never occur in a text table (tab, CR, LF and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _not_text(ctx: FileContext, message: str) -> InputError:
    """The file is no text table; ``message`` (marked with ``N_``) says what was found."""
    return InputError(
        [
            Problem(
                ctx.file,
                message,
                N_("export the table from your spreadsheet as CSV (UTF-8), or name the right "
                   "file in dataset.toml."),
                layer=ctx.layer,
            )
        ]
    )


def read_text(path: Path, ctx: FileContext) -> str:
    """The text of a table file: UTF-8 (a BOM removed), else Windows-1258, NFC-normalised.

    UTF-16 with its byte-order mark (what Excel saves as "Unicode Text", tab-separated) is
    read too, with a note.

    A file that is not valid UTF-8 is read as Windows-1258, the legacy Vietnamese code page
    (what Excel saves as "CSV" on a Vietnamese Windows), with a warning in ``ctx``. That code
    page writes many letters as a base letter and a combining tone mark, so the text is
    normalised to NFC (``"Thái"`` is then one code point per letter, as typed).

    Raises
    ------
    covplan.errors.InputError
        The file is binary, or neither UTF-8 nor Windows-1258 text. The message never shows
        the file's content.
    """
    raw = path.read_bytes()
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's "Unicode Text"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text(ctx, N_("expected a text table (CSV), found a file that starts "
                                    "as UTF-16 text but is not.")) from None
        ctx.note(Text(N_("read as UTF-16 text (Excel's \"Unicode Text\")")))
        raw = text.encode("utf-8")
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise _not_text(ctx, N_("expected a text table (CSV), found binary data (NUL bytes)."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp1258")
        except UnicodeDecodeError:
            raise _not_text(ctx, N_("expected a text table (CSV), found bytes that are neither "
                                    "UTF-8 nor Windows-1258 text.")) from None
        if _CONTROL.search(text[:_SNIFF_BYTES]):
            raise _not_text(ctx, N_("expected a text table (CSV), found binary data.")) from None
        ctx.warn(Text(
            N_("not UTF-8 (first bad byte at offset {offset}); read as Windows-1258, the "
               "legacy Vietnamese code page. Check the names, and save the file as "
               "'CSV UTF-8' to be sure."), offset=Num(exc.start)))
    if _CONTROL.search(text[:_SNIFF_BYTES]):
        raise _not_text(
            ctx, N_("expected a text table (CSV), found binary data (control characters)."))
    return unicodedata.normalize("NFC", text)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a table: the candidate used most in the header line."""
    header = text.splitlines()[0] if text else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _rows(text: str, delimiter: str, ctx: FileContext) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a delimited text; every ragged row reported with its line."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True,
                        strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    ragged: list[int] = []
    widths: set[int] = set()
    records = iter(reader)
    while True:
        start = reader.line_num + 1  # the line this record starts on
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            ctx.add(
                N_("the table cannot be read from line {line} on ({error}): a quote (\") is "
                   "opened and never closed, or a quoted value is followed by more text."),
                N_("close the quote or remove the stray quote character in that line (a value "
                   'holding the separator is written "like, this").'),
                rows=(start,),
                line=start,
                error=str(exc),
            )
            raise InputError(ctx.problems) from None
        if header is None:
            if any(cell.strip() for cell in record):
                header = [cell.strip() for cell in record]
            continue  # blank lines before the header are skipped
        if len(record) == len(header):
            rows.append(record)
        elif not any(cell.strip() for cell in record):
            rows.append([""] * len(header))  # a blank line: an empty row, reported as such
        else:
            ragged.append(start)
            widths.add(len(record))
            rows.append([""] * len(header))  # keeps later rows on their line numbers
    if header is None:
        raise InputError(
            [
                Problem(
                    ctx.file,
                    N_("the file is empty: expected a header line and one row per feature."),
                    N_("export the table again with its header, or name the right file in "
                       "dataset.toml."),
                    layer=ctx.layer,
                )
            ]
        )
    if ragged:
        ctx.add(
            N_("expected {count} fields as in the header line, found {found}."),
            N_("give each of these lines {count} fields separated by {delimiter} "
               "(quote values that contain the separator)."),
            rows=ragged,
            count=len(header),
            found=", ".join(str(w) for w in sorted(widths)),
            delimiter=repr(delimiter),
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        ctx.add(
            N_("the header line names column(s) {names} more than once."),
            N_("give every column its own name in the header line."),
            rows=(1,),
            names=", ".join(map(repr, repeated)),
        )
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # blank lines at the end
    return header, rows


def read_csv_table(path: Path, ctx: FileContext) -> pd.DataFrame:
    """Read a CSV/TSV file with every cell as text.

    Problems (ragged rows) are recorded in ``ctx``; decoding warnings and the delimiter
    used go to its warnings and notes.

    Returns
    -------
    pandas.DataFrame
        Strings, empty cells as NA; rows in file order (ragged rows empty).

    Raises
    ------
    covplan.errors.InputError
        The file is empty, binary, or has an unclosed quote.
    """
    text = read_text(path, ctx)
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        ctx.note(Text(N_("{file}: read with delimiter {delimiter}"), file=Name(path.name),
                      delimiter=Name(repr(delimiter))))
    header, rows = _rows(text, delimiter, ctx)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.apply(lambda c: c.str.strip()).replace("", pd.NA) if len(frame) else frame
    return frame.astype("string") if len(frame.columns) else frame


def _uses_decimal_comma(values: pd.Series) -> bool:
    """Whether the numbers of a column are written the Vietnamese way (``8.375,21``).

    Only the cells written as numbers count: a word among them (``cao``, ``mất sóng``) is
    reported as not a number, and does not turn its column's numbers into problems too.
    """
    text = values.dropna().astype(str).str.strip()
    numbers = text[text.str.match(_NUMBER_LIKE)]
    return bool(len(numbers) and numbers.str.contains(",").any()
                and numbers.str.match(_VI_NUMBER).all())


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
        numbers = values.astype(np.float64)
        _refuse_infinite(numbers, ctx, column)
        return numbers.where(np.isfinite(numbers))
    text = values.astype("string").str.strip()
    if _uses_decimal_comma(text):
        example = str(text[text.str.contains(",", regex=False).fillna(False)].iloc[0])
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        ctx.note(Text(N_("{file}: column '{column}' uses decimal commas (e.g. {example}); read "
                         "as Vietnamese-locale numbers"),
                      file=Name(str(ctx.file)), column=Name(column), example=Name(example)))
    numbers = pd.to_numeric(text, errors="coerce").astype(np.float64)
    bad = (numbers.isna() & text.notna() & (text != "")).fillna(False)
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        ctx.add(
            N_("expected a number, found {found}."),
            N_("write plain numbers (e.g. 30 or 30.5); remove units and text."),
            column=column,
            rows=ctx.rows(bad),
            found=examples,
        )
    _refuse_infinite(numbers, ctx, column)
    return numbers.where(np.isfinite(numbers))


def _refuse_infinite(numbers: pd.Series, ctx: FileContext, column: str) -> None:
    """Record infinite values (``inf``, ``1e999``) as a problem; they become NaN."""
    infinite = np.isinf(numbers.to_numpy(dtype=np.float64))
    if infinite.any():
        ctx.add(
            N_("expected a finite number, found infinity (inf)."),
            N_("write the real value, or leave the cell empty for the default."),
            column=column,
            rows=ctx.rows(infinite),
        )
