"""Paragraph and table styles of the PDF report (DejaVu Sans throughout)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from covplan.report.fonts import BOLD, REGULAR, register_fonts
from covplan.targets.schema import STATUS_MET, STATUS_NO_DATA, STATUS_NOT_MET

INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b7bd")
HEADER_FILL = colors.HexColor("#e8edf1")
STRIPE_FILL = colors.HexColor("#f7f9fa")
MET_FILL = colors.HexColor("#d9f0d3")
MET_INK = colors.HexColor("#1b7837")
NOT_MET_FILL = colors.HexColor("#fbdcd6")
NOT_MET_INK = colors.HexColor("#b2182b")
WARNING_INK = colors.HexColor("#b2182b")
NO_DATA_FILL = colors.HexColor("#eeeeee")
NO_DATA_INK = colors.HexColor("#555555")
#: Fill and ink of each target status (covplan.targets.schema.STATUSES).
STATUS_FILL = {STATUS_MET: MET_FILL, STATUS_NOT_MET: NOT_MET_FILL, STATUS_NO_DATA: NO_DATA_FILL}
STATUS_INK = {STATUS_MET: MET_INK, STATUS_NOT_MET: NOT_MET_INK, STATUS_NO_DATA: NO_DATA_INK}


@dataclass(frozen=True)
class Styles:
    """The report's paragraph styles."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    cell_centre: ParagraphStyle
    warning: ParagraphStyle
    #: Smaller cells for the commune sheets (one page each).
    compact_cell: ParagraphStyle
    compact_cell_right: ParagraphStyle
    compact_cell_head: ParagraphStyle


@cache
def styles() -> Styles:
    """The paragraph styles (fonts registered on first use)."""
    register_fonts()

    def make(name: str, size: float, **kwargs: object) -> ParagraphStyle:
        base: dict[str, object] = {"fontName": REGULAR, "fontSize": size,
                                   "leading": size * 1.3, "textColor": INK}
        base.update(kwargs)
        return ParagraphStyle(name, **base)  # type: ignore[arg-type]

    return Styles(
        title=make("title", 24, fontName=BOLD, leading=30, spaceAfter=10),
        subtitle=make("subtitle", 13, textColor=MUTED, leading=18, spaceAfter=4),
        # headings stay on the page of what follows them (no heading alone at a page foot)
        h1=make("h1", 15, fontName=BOLD, leading=19, spaceBefore=4, spaceAfter=8,
                keepWithNext=1),
        h2=make("h2", 11.5, fontName=BOLD, leading=15, spaceBefore=10, spaceAfter=5,
                keepWithNext=1),
        h3=make("h3", 9.5, fontName=BOLD, leading=12, spaceBefore=5, spaceAfter=2.5,
                keepWithNext=1),
        body=make("body", 9.5, spaceAfter=5),
        small=make("small", 8, textColor=MUTED, spaceAfter=3),
        cell=make("cell", 8, leading=10),
        cell_right=make("cell_right", 8, leading=10, alignment=TA_RIGHT),
        cell_head=make("cell_head", 8, fontName=BOLD, leading=10),
        cell_centre=make("cell_centre", 8, fontName=BOLD, leading=10, alignment=TA_CENTER),
        warning=make("warning", 10.5, fontName=BOLD, textColor=WARNING_INK, leading=14,
                     spaceAfter=6),
        compact_cell=make("compact_cell", 7, leading=8.5),
        compact_cell_right=make("compact_cell_right", 7, leading=8.5, alignment=TA_RIGHT),
        compact_cell_head=make("compact_cell_head", 7, fontName=BOLD, leading=8.5),
    )


def text(value: object) -> str:
    """``value`` as NFC text escaped for a ReportLab paragraph."""
    return escape(unicodedata.normalize("NFC", str(value)))


def grid_style(rows: int, *, header_rows: int = 1, padding_pt: float = 2.5) -> TableStyle:
    """Lines, header fill and zebra stripes of a data table of ``rows`` rows."""
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, INK),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), padding_pt),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding_pt),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in range(header_rows + 1, rows, 2):
        commands.append(("BACKGROUND", (0, row), (-1, row), STRIPE_FILL))
    return TableStyle(commands)

