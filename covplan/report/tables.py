"""The report's tables: targets, road gaps, villages and the commune summary.

Each function takes a table from :class:`covplan.targets.Analysis` and a
:class:`~covplan.i18n.Language`, and returns a ReportLab :class:`~reportlab.platypus.Table`
that fits the portrait text width, with its header repeated on every page it runs over.
Headers and words are in the language; figures are rounded for people in its format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table

from covplan.export import wording
from covplan.i18n import N_, Language
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
from covplan.targets.schema import localized, status_label

Row = dict[str, object]


@dataclass(frozen=True)
class Column:
    """One column of a report table: header (English, marked), width (mm), how a row shows.

    ``show`` takes the row and the language; ``right`` aligns figures right; ``ink`` gives
    the colour of a cell drawn bold (the status).
    """

    header: str
    width_mm: float
    show: Callable[[Row, Language], str]
    right: bool = False
    ink: Callable[[Row], str] | None = None


def figure(value: object, lang: Language, decimals: int = 0) -> str:
    """A figure in ``lang``'s format (``1.799.489``, ``12,3``); ``–`` for none."""
    if wording.is_missing(value):
        return "–"
    try:
        return lang.number(float(value), decimals)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def percent(value: object, lang: Language, decimals: int = 1) -> str:
    """A percentage in ``lang``'s format (``98,5 %``); ``–`` for none."""
    shown = figure(value, lang, decimals)
    return shown if shown == "–" else lang.percent(float(value), decimals)  # type: ignore[arg-type]


def records(frame: pd.DataFrame) -> list[Row]:
    """The rows of ``frame`` as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def data_table(rows: Sequence[Row], columns: Sequence[Column], lang: Language, *,
               compact: bool = False) -> Table:
    """A table of ``rows`` (dicts) with wrapped cells and a repeated header row.

    ``compact``: smaller type and padding (the commune sheets).
    """
    st = styles()
    head_style = st.compact_cell_head if compact else st.cell_head
    head = [Paragraph(text(lang._(c.header)), head_style) for c in columns]
    body = [[_cell(c, r, lang, compact) for c in columns] for r in rows]
    table = Table([head, *body], colWidths=[c.width_mm * mm for c in columns], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(grid_style(len(body) + 1, padding_pt=1.5 if compact else 2.5))
    return table


def _cell(column: Column, row: Row, lang: Language, compact: bool) -> Paragraph:
    st = styles()
    content = text(column.show(row, lang))
    if column.ink is not None:
        content = f'<font color="{column.ink(row)}"><b>{content}</b></font>'
    if compact:
        return Paragraph(content, st.compact_cell_right if column.right else st.compact_cell)
    return Paragraph(content, st.cell_right if column.right else st.cell)


def _status_ink(row: Row) -> str:
    ink = STATUS_INK.get(str(row["status"]), NO_DATA_INK)
    return str(ink.hexval()).replace("0x", "#")


def _shortfall(row: Row, lang: Language) -> str:
    return wording.amount(float(row["shortfall"]), str(row["unit"]), lang)  # type: ignore[arg-type]


def targets_table(targets: pd.DataFrame, lang: Language) -> Table:
    """Target | measured | goal | status (coloured: met, not met, no data) | shortfall."""
    columns = [
        Column(N_("Target"), 78, lambda r, lg: str(localized(r, "target", lg))),
        Column(N_("Measured"), 22, lambda r, lg: percent(r["measured_percent"], lg),
               right=True),
        Column(N_("Goal"), 17, lambda r, lg: wording.goal(float(r["goal_percent"]), lg),  # type: ignore[arg-type]
               right=True),
        Column(N_("Status"), 24, lambda r, lg: status_label(r["status"], lg), ink=_status_ink),
        Column(N_("Shortfall"), 39, _shortfall, right=True),
    ]
    rows = records(targets)
    table = data_table(rows, columns, lang)
    table.setStyle([("BACKGROUND", (3, row), (3, row),
                     STATUS_FILL.get(str(r["status"]), NO_DATA_FILL))
                    for row, r in enumerate(rows, start=1)])
    return table


def road_gap_table(gaps: pd.DataFrame, limit: int, lang: Language) -> Table:
    """The ``limit`` longest gaps: road, class, chainage, length, communes crossed."""
    columns = [
        Column(N_("Road"), 34, lambda r, lg: wording.road_label(r.get("road"), r.get("name"),
                                                                lg)),
        Column(N_("Class"), 20, lambda r, lg: wording.word(r["road_class"], lg)),
        Column(N_("From km"), 15, lambda r, lg: figure(r["start_km"], lg, 1), right=True),
        Column(N_("To km"), 15, lambda r, lg: figure(r["end_km"], lg, 1), right=True),
        Column(N_("Length km"), 17, lambda r, lg: figure(r["length_km"], lg, 1), right=True),
        Column(N_("Communes crossed"), 79, lambda r, lg: str(r.get("communes") or "–")),
    ]
    return data_table(records(gaps.head(limit)), columns, lang)


def village_table(villages: pd.DataFrame, limit: int, lang: Language) -> Table:
    """Villages (most populous first): commune, people, 4G / 5G share, fibre, missing."""
    columns = [
        Column(N_("Village"), 38, lambda r, lg: str(r["name"])),
        Column(N_("Commune"), 45, lambda r, lg: str(r.get("commune_name") or "–")),
        Column(N_("People"), 18, lambda r, lg: figure(r["population"], lg), right=True),
        Column(N_("4G signal"), 19, lambda r, lg: percent(r["signal_4g_percent"], lg),
               right=True),
        Column(N_("5G signal"), 19, lambda r, lg: percent(r["signal_5g_percent"], lg),
               right=True),
        Column(N_("Fibre"), 13, lambda r, lg: wording.yes_no(r["fibre_reached"], lg)),
        Column(N_("Missing"), 28, lambda r, lg: wording.services(r.get("missing"), lg)),
    ]
    return data_table(records(villages.head(limit)), columns, lang)


def commune_table(summary: pd.DataFrame, lang: Language) -> Table:
    """Every commune: people, villages, fibre, 4G / 5G population share, gaps."""
    columns = [
        Column(N_("Commune / ward"), 44, lambda r, lg: str(r["name"])),
        Column(N_("Code"), 13, lambda r, lg: str(r["code"])),
        Column(N_("People"), 19, lambda r, lg: figure(r["population"], lg), right=True),
        Column(N_("Villages"), 15, lambda r, lg: figure(r["villages"], lg), right=True),
        Column(N_("With fibre"), 16, lambda r, lg: percent(r["fibre_percent"], lg),
               right=True),
        Column(N_("People 4G"), 17, lambda r, lg: percent(r["population_4g_percent"], lg),
               right=True),
        Column(N_("People 5G"), 17, lambda r, lg: percent(r["population_5g_percent"], lg),
               right=True),
        Column(N_("Highway km no 4G/5G"), 21,
               lambda r, lg: figure(r["highway_uncovered_km"], lg, 1), right=True),
        Column(N_("POIs no 5G"), 18, lambda r, lg: figure(r["pois_without_5g"], lg),
               right=True),
    ]
    return data_table(records(summary), columns, lang)


def key_value_table(rows: Sequence[tuple[str, str]], widths_mm: tuple[float, float] = (45, 135)
                    ) -> Table:
    """Two-column label / value table (no header); labels and values already in words."""
    st = styles()
    data = [[Paragraph(text(k), st.cell_head), Paragraph(text(v), st.cell)] for k, v in rows]
    table = Table(data, colWidths=[w * mm for w in widths_mm], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])
    return table
