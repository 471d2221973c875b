"""The report's tables: targets, road gaps, villages and the commune summary.

Each function takes a table from :class:`covplan.targets.Analysis` and returns a ReportLab
:class:`~reportlab.platypus.Table` that fits the portrait text width, with its header
repeated on every page it runs over.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table

from covplan.report.styles import (
    NO_DATA_FILL,
    NO_DATA_INK,
    RULE,
    STATUS_FILL,
    STATUS_INK,
    grid_style,
    styles,
    text,
)
from covplan.targets.schema import status_label

#: Units counted in whole items, and their singular.
_SINGULAR = {"villages": "village", "people": "person", "POIs": "POI"}


@dataclass(frozen=True)
class Column:
    """One column of a report table: header, width (mm), how to show a row, alignment."""

    header: str
    width_mm: float
    show: Callable[[dict[str, object]], str]
    right: bool = False
    ink: Callable[[dict[str, object]], str] | None = None


def number(value: object, decimals: int = 0, suffix: str = "") -> str:
    """``12,345.6`` style text; ``–`` for missing values."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    return f"{x:,.{decimals}f}{suffix}"


def amount(value: float, unit: str) -> str:
    """A shortfall in its natural unit: ``68.4 km``, ``16 villages``, ``1 person``."""
    if math.isnan(value):
        return "–"
    if unit == "km":
        return f"{value:,.1f} km"
    if unit == "km²":
        return f"{value:,.2f} km²"
    label = _SINGULAR.get(unit, unit) if round(value) == 1 else unit
    return f"{value:,.0f} {label}"


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of ``frame`` as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def data_table(rows: Sequence[dict[str, object]], columns: Sequence[Column]) -> Table:
    """A table of ``rows`` (dicts) with wrapped cells and a repeated header row."""
    st = styles()
    head = [Paragraph(text(c.header), st.cell_head) for c in columns]
    body = [[_cell(c, r) for c in columns] for r in rows]
    table = Table([head, *body], colWidths=[c.width_mm * mm for c in columns], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(grid_style(len(body) + 1))
    return table


def _cell(column: Column, row: dict[str, object]) -> Paragraph:
    st = styles()
    content = text(column.show(row))
    if column.ink is not None:
        content = f'<font color="{column.ink(row)}"><b>{content}</b></font>'
    return Paragraph(content, st.cell_right if column.right else st.cell)


def _status_ink(row: dict[str, object]) -> str:
    ink = STATUS_INK.get(str(row["status"]), NO_DATA_INK)
    return str(ink.hexval()).replace("0x", "#")


def targets_table(targets: pd.DataFrame) -> Table:
    """Target | measured | goal | status (coloured: met, not met, no data) | shortfall."""
    columns = [
        Column("Target", 78, lambda r: str(r["target"])),
        Column("Measured", 22, lambda r: number(r["measured_percent"], 1, " %"), right=True),
        Column("Goal", 17, lambda r: number(r["goal_percent"], 1, " %").replace(".0 %", " %"),
               right=True),
        Column("Status", 24, lambda r: status_label(r["status"]), ink=_status_ink),
        Column("Shortfall", 39, lambda r: amount(float(r["shortfall"]),  # type: ignore[arg-type]
                                                 str(r["unit"])), right=True),
    ]
    rows = records(targets)
    table = data_table(rows, columns)
    table.setStyle([("BACKGROUND", (3, row), (3, row),
                     STATUS_FILL.get(str(r["status"]), NO_DATA_FILL))
                    for row, r in enumerate(rows, start=1)])
    return table


def road_gap_table(gaps: pd.DataFrame, limit: int) -> Table:
    """The ``limit`` longest gaps: road, class, chainage, length, communes crossed."""
    columns = [
        Column("Road", 34, lambda r: _road_label(r)),
        Column("Class", 20, lambda r: str(r["road_class"])),
        Column("From km", 15, lambda r: number(r["start_km"], 1), right=True),
        Column("To km", 15, lambda r: number(r["end_km"], 1), right=True),
        Column("Length km", 17, lambda r: number(r["length_km"], 1), right=True),
        Column("Communes crossed", 79, lambda r: str(r.get("communes") or "–")),
    ]
    return data_table(records(gaps.head(limit)), columns)


def _road_label(row: dict[str, object]) -> str:
    road, name = str(row.get("road") or ""), str(row.get("name") or "")
    if name and name not in road and name != "nan":
        return f"{road} ({name})"
    return road


def _yes_no(value: object) -> str:
    """``yes`` / ``no``, ``no data`` for a missing value (no fibre data)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    return "yes" if bool(value) else "no"


def village_table(villages: pd.DataFrame, limit: int) -> Table:
    """Villages (most populous first): commune, people, 4G / 5G share, fibre."""
    columns = [
        Column("Village", 38, lambda r: str(r["name"])),
        Column("Commune", 45, lambda r: str(r.get("commune_name") or "–")),
        Column("People", 18, lambda r: number(r["population"]), right=True),
        Column("4G signal", 19, lambda r: number(r["signal_4g_percent"], 0, " %"), right=True),
        Column("5G signal", 19, lambda r: number(r["signal_5g_percent"], 0, " %"), right=True),
        Column("Fibre", 13, lambda r: _yes_no(r["fibre_reached"])),
        Column("Missing", 28, lambda r: str(r.get("missing") or "")),
    ]
    return data_table(records(villages.head(limit)), columns)


def commune_table(summary: pd.DataFrame) -> Table:
    """Every commune: people, villages, fibre, 4G / 5G population share, gaps."""
    columns = [
        Column("Commune / ward", 44, lambda r: str(r["name"])),
        Column("Code", 13, lambda r: str(r["code"])),
        Column("People", 19, lambda r: number(r["population"]), right=True),
        Column("Villages", 15, lambda r: number(r["villages"]), right=True),
        Column("With fibre", 16, lambda r: number(r["fibre_percent"], 0, " %"), right=True),
        Column("People 4G", 17, lambda r: number(r["population_4g_percent"], 1, " %"),
               right=True),
        Column("People 5G", 17, lambda r: number(r["population_5g_percent"], 1, " %"),
               right=True),
        Column("Highway km no 4G/5G", 21, lambda r: number(r["highway_uncovered_km"], 1),
               right=True),
        Column("POIs no 5G", 18, lambda r: number(r["pois_without_5g"]), right=True),
    ]
    return data_table(records(summary), columns)


def key_value_table(rows: Sequence[tuple[str, str]], widths_mm: tuple[float, float] = (45, 135)
                    ) -> Table:
    """Two-column label / value table (no header)."""
    st = styles()
    data = [[Paragraph(text(k), st.cell_head), Paragraph(text(v), st.cell)] for k, v in rows]
    table = Table(data, colWidths=[w * mm for w in widths_mm], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])
    return table
