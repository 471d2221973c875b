"""The national PDF: one line per province, the national map, then one page per province.

Built with ReportLab's platypus on A4 portrait in DejaVu Sans (Vietnamese names print),
with the styles of the provincial report (:mod:`covplan.report.styles`). Every page names
the country and its page number, and says "SYNTHETIC" when any province is.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from covplan import __version__
from covplan.i18n import Language, language, said
from covplan.report.fonts import BOLD, REGULAR, register_fonts
from covplan.report.styles import (
    MUTED,
    NO_DATA_FILL,
    RULE,
    STATUS_FILL,
    WARNING_INK,
    grid_style,
    styles,
    text,
)
from covplan.scale.province import ProvinceResult
from covplan.scale.summary import province_status
from covplan.targets.schema import STATUS_NOT_MET, localized, status_label, unit_label

MARGIN_MM: Final = 15.0
#: Width of the text frame (mm).
FRAME_MM: Final = 210.0 - 2 * MARGIN_MM
#: Communes listed on a province's page (the least covered first).
COMMUNE_ROWS: Final = 10

Row = Mapping[Any, Any]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
           right: Sequence[int] = ()) -> Table:
    """A data table with wrapped cells, a header repeated on every page and zebra rows."""
    st = styles()
    head = [Paragraph(text(h), st.cell_head) for h in header]
    body = [[Paragraph(text(v), st.cell_right if i in right else st.cell)
             for i, v in enumerate(row)] for row in rows]
    table = Table([head, *body], colWidths=[w * mm for w in widths_mm], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(grid_style(len(body) + 1))
    return table


def _percent(value: object, lang: Language) -> str:
    try:
        return lang.percent(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def _shortfall(row: Row, lang: Language) -> str:
    value, unit = float(row["shortfall"]), str(row["unit"])
    if math.isnan(value):
        return "–"
    if unit == "km":
        return lang.km(value)
    if unit == "km²":
        return f"{lang.number(value, 2)} km²"
    return f"{lang.count(value)} {unit_label(unit, lang, value)}"


def _furthest(targets: pd.DataFrame, lang: Language) -> str:
    """The unmet target furthest from its goal: ``Roads: 62,4 % (goal 100 %)``."""
    unmet = targets[targets["status"] == STATUS_NOT_MET]
    if not len(unmet):
        return "–"
    gap = (unmet["goal_percent"] - unmet["measured_percent"]).to_numpy()
    row = unmet.to_dict("records")[int(gap.argmax())]
    return lang._("{target}: {measured} (goal {goal})").format(
        target=localized(row, "target", lang), measured=_percent(row["measured_percent"], lang),
        goal=_percent(row["goal_percent"], lang))


def overview_table(results: Sequence[ProvinceResult], lang: Language) -> Table:
    """One line per province: preset, status, targets met / not met / no data, the furthest."""
    rows = []
    for result in results:
        targets = result.analysis.targets if result.analysis is not None else None
        counts = (["–"] * 3 if targets is None else
                  [lang.count(int((targets["status"] == s).sum()))
                   for s in ("met", "not met", "no data")])
        rows.append([result.name, result.targets, lang._(province_status(result)), *counts,
                     _furthest(targets, lang) if targets is not None else
                     "; ".join(said(p, lang) for p in result.problems[:1])])
    header = [lang._("Province"), lang._("Targets"), lang._("Status"), lang._("Met"),
              lang._("Not met"), lang._("No data"), lang._("Furthest from its goal")]
    return _table(header, rows, (38, 29, 24, 10, 12, 13, 54), right=(3, 4, 5))


def targets_table(targets: pd.DataFrame, lang: Language) -> Table:
    """A province's targets: measured, goal, status (coloured) and shortfall."""
    rows = [[localized(r, "target", lang), _percent(r["measured_percent"], lang),
             _percent(r["goal_percent"], lang), status_label(r["status"], lang),
             _shortfall(r, lang)] for r in targets.to_dict("records")]
    header = [lang._("Target"), lang._("Measured"), lang._("Goal"), lang._("Status"),
              lang._("Shortfall")]
    table = _table(header, rows, (76, 22, 18, 24, 40), right=(1, 2, 4))
    table.setStyle([("BACKGROUND", (3, i), (3, i), STATUS_FILL.get(str(s), NO_DATA_FILL))
                    for i, s in enumerate(targets["status"], start=1)])
    return table


def _figures(result: ProvinceResult, lang: Language) -> Table:
    """Key figures of a province: sectors, grid, tiles, terrain."""
    st = styles()
    stats = result.stats
    rows = [(lang._("Folder"), result.key), (lang._("Targets"), result.targets)]
    if stats is not None:
        rows += [(lang._("Sectors on air"), lang._("{sectors} ({sites} sites)").format(
                      sectors=lang.count(stats.sectors), sites=lang.count(stats.sites))),
                 (lang._("Grid cells"), lang.count(stats.cells)),
                 (lang._("Tiles"), lang.count(stats.tiles))]
    if result.terrain:
        rows.append((lang._("Terrain"), result.terrain))
    data = [[Paragraph(text(k), st.cell_head), Paragraph(text(v), st.cell)] for k, v in rows]
    table = Table(data, colWidths=[40 * mm, (FRAME_MM - 40) * mm], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)])
    return table


def _communes(summary: pd.DataFrame, lang: Language) -> Table | None:
    """The communes with the smallest share of people with 4G signal."""
    if not len(summary) or "population_4g_percent" not in summary.columns:
        return None
    worst = summary.sort_values("population_4g_percent", na_position="first").head(COMMUNE_ROWS)
    rows = [[str(r["name"]), lang.count(float(r["population"])) if pd.notna(r["population"])
             else "–", _percent(r["population_4g_percent"], lang),
             _percent(r.get("population_5g_percent"), lang)] for r in worst.to_dict("records")]
    header = [lang._("Commune / ward"), lang._("People"), lang._("People with 4G"),
              lang._("People with 5G")]
    return _table(header, rows, (80, 30, 35, 35), right=(1, 2, 3))


def province_page(result: ProvinceResult, lang: Language) -> list[Flowable]:
    """One province: status, targets, key figures, warnings, least-covered communes."""
    st = styles()
    flow: list[Flowable] = [Paragraph(text(result.name), st.h1)]
    if result.synthetic:
        flow.append(Paragraph(text(lang._("SYNTHETIC DATA — not a real place")), st.warning))
    flow.append(Paragraph(text(lang._("Status: {status}").format(
        status=lang._(province_status(result)))), st.body))
    if result.analysis is None:
        flow.append(Paragraph(text(lang._("This province did not run:")), st.h2))
        flow += [Paragraph(text(said(p, lang)), st.body) for p in result.problems]
        return flow
    flow += [targets_table(result.analysis.targets, lang), Spacer(1, 4 * mm),
             _figures(result, lang)]
    flow += [Paragraph(text(lang._("Warning: {warning}").format(warning=said(w, lang))),
                       st.body) for w in result.warnings]
    communes = _communes(result.analysis.commune_summary, lang)
    if communes is not None:
        flow += [Paragraph(text(lang._("Communes with the fewest people with 4G")), st.h2),
                 communes]
    return flow


def _decorator(country: str, synthetic: bool) -> Callable[[Canvas, BaseDocTemplate], None]:
    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = A4
        margin = MARGIN_MM * mm
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, height - margin * 0.6, country)
        canvas.drawRightString(width - margin, margin * 0.45, str(doc.page))
        canvas.drawString(margin, margin * 0.45, f"covplan {__version__}")
        if synthetic:
            canvas.setFont(BOLD, 7.5)
            canvas.setFillColor(WARNING_INK)
            canvas.drawCentredString(width / 2, margin * 0.45, "SYNTHETIC DATA")
        canvas.restoreState()

    return decorate


def build_national_pdf(results: Sequence[ProvinceResult], path: str | Path, *, title: str,
                       map_png: bytes | None = None, lang: Language | None = None,
                       created: dt.date | None = None) -> Path:
    """Write the national PDF to ``path`` (a file in a staging folder).

    Parameters
    ----------
    results
        Every province of the run, in the country's order.
    path
        The ``.pdf`` file.
    title
        The country's name.
    map_png
        The national map (PNG bytes), on its own page after the overview.
    lang
        Language of the text and numbers (default English).
    created
        The report's date; default today.
    """
    register_fonts()
    lang = lang or language("en")
    st = styles()
    synthetic = any(r.synthetic for r in results)
    ran = sum(r.ok for r in results)
    story: list[Flowable] = [
        Paragraph(text(lang._("National coverage summary")), st.title),
        Paragraph(text(title), st.subtitle),
        Paragraph(text(lang._("{date}: {ran} of {total} provinces evaluated").format(
            date=lang.date(created or dt.date.today()), ran=ran, total=len(results))),
            st.body),
    ]
    if synthetic:
        story.append(Paragraph(text(lang._("SYNTHETIC DATA — not a real place. Figures "
                                           "illustrate the method only.")), st.warning))
    story += [Spacer(1, 4 * mm), overview_table(results, lang)]
    if map_png is not None:
        story += [PageBreak(), Paragraph(text(lang._("Province status")), st.h1),
                  Image(io.BytesIO(map_png), width=FRAME_MM * mm,
                        height=FRAME_MM * mm * 210.0 / 297.0)]
    for result in results:
        story += [PageBreak(), *province_page(result, lang)]
    frame = Frame(MARGIN_MM * mm, MARGIN_MM * mm, FRAME_MM * mm, A4[1] - 2 * MARGIN_MM * mm)
    doc = BaseDocTemplate(str(path), pagesize=A4, title=f"{title}: national coverage summary",
                          author="covplan", creator=f"covplan {__version__}",
                          initialFontName=REGULAR)
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=_decorator(title, synthetic))])
    doc.build(story)
    return Path(path)
