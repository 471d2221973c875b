"""The progress section of the PDF report, and the progress report on its own.

:func:`progress_section` returns the section's flowables (ReportLab platypus), in the
report's styles (:mod:`covplan.report.styles`), so that the full report can include it;
:func:`progress_pdf` writes it as an A4 document of its own. The section holds the
snapshots, the target table over time, the chart, the pace (labelled as a linear
extrapolation), for each consecutive pair what changed with its map, and the communes over
time.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Final

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from covplan import __version__
from covplan.i18n import N_, Language, said
from covplan.progress.compare import Comparison
from covplan.progress.figures import change_map, figure_png, progress_chart
from covplan.progress.summary import (
    CHANGE_WORDS,
    change_lines,
    extrapolation_note,
    pace_sentence,
    target_rows,
)
from covplan.report.fonts import REGULAR
from covplan.report.styles import (
    MET_INK,
    MUTED,
    NOT_MET_INK,
    WARNING_INK,
    grid_style,
    styles,
    text,
)
from covplan.targets.schema import STATUS_MET, STATUS_NOT_MET, localized

#: Width of the text frame (A4 portrait, 15 mm margins).
TEXT_WIDTH_MM: Final = 180.0
#: Changed sites listed per pair in the PDF (the CSV has them all).
SITE_ROWS: Final = 40
_INK = {STATUS_MET: MET_INK, STATUS_NOT_MET: NOT_MET_INK}


def _image(png: bytes, width_mm: float) -> Image:
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / max(image.imageWidth, 1)
    return Image(io.BytesIO(png), width=width_mm * mm, height=width_mm * ratio * mm)


def _grid(rows: Sequence[Sequence[str]], widths_mm: Sequence[float], *,
          right: Sequence[int] = (), inks: dict[tuple[int, int], str] | None = None) -> Table:
    """A table with a repeated header.

    Columns ``right`` align right; ``inks`` colours cells by (row, column).
    """
    st = styles()
    inks = inks or {}
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            content = text(cell)
            if (r, c) in inks:
                content = f'<font color="{inks[(r, c)]}">{content}</font>'
            style = st.cell_head if r == 0 else (st.cell_right if c in right else st.cell)
            cells.append(Paragraph(content, style))
        body.append(cells)
    table = Table(body, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(grid_style(len(body)))
    return table


def _target_table(comparison: Comparison, lang: Language) -> Table:
    """Targets over time, each share in the colour of its status (met green, not met red)."""
    rows = target_rows(comparison, lang)
    labels = comparison.labels
    tail = [13.0, 22.0, 25.0] if len(labels) > 1 else [13.0, 25.0]  # goal, change, pace
    share = min(16.0, (TEXT_WIDTH_MM - 50.0 - sum(tail)) / len(labels))
    widths = [TEXT_WIDTH_MM - sum(tail) - share * len(labels), *([share] * len(labels)), *tail]
    inks = {}
    for r, row in enumerate(comparison.target_table().to_dict("records"), start=1):
        for c, label in enumerate(labels, start=1):
            ink = _INK.get(str(row[f"status_{label}"]))
            if ink is not None:
                inks[(r, c)] = str(ink.hexval()).replace("0x", "#")
    return _grid(rows, widths, right=range(1, len(widths)), inks=inks)


def _snapshot_table(comparison: Comparison, lang: Language) -> Table:
    rows = [[lang._("Snapshot"), lang._("As of"), lang._("Sites on air"), lang._("Source")]]
    for s in comparison.snapshots:
        date = lang.date(s.as_of) if s.as_of is not None else lang._("undated (a plan)")
        rows.append([s.label, date, lang.count(s.sites), s.source])
    return _grid(rows, [24, 26, 22, 108], right=(2,))


def _site_table(comparison: Comparison, index: int, lang: Language) -> list[Flowable]:
    sites = comparison.changes[index].site_summary
    if not len(sites):
        return []
    rows = [[lang._("Site"), lang._("Change"), lang._("Technology"), lang._("Details")]]
    for r in sites.head(SITE_ROWS).to_dict("records"):
        rows.append([str(r["site_id"]), lang._(CHANGE_WORDS.get(str(r["change"]),
                                                                str(r["change"]))),
                     str(r["technology"]), str(r["details"]) or "–"])
    out: list[Flowable] = [_grid(rows, [30, 20, 24, 106])]
    if len(sites) > SITE_ROWS:
        out.append(Paragraph(text(lang._("{shown} of {count} changed sites shown; the CSV "
                                         "lists them all.").format(
            shown=SITE_ROWS, count=len(sites))), styles().small))
    return out


def _commune_changes(comparison: Comparison, index: int, lang: Language) -> list[Flowable]:
    communes = comparison.changes[index].communes
    if not len(communes):
        return []
    names = {str(r["id"]): unicodedata.normalize("NFC", str(localized(r, "target", lang)))
             for r in comparison.snapshots[-1].targets.to_dict("records")}
    rows = [[lang._("Commune / ward"), lang._("Target"), lang._("Change"),
             lang._("Before"), lang._("After")]]
    for r in communes.to_dict("records"):
        rows.append([str(r["name"]), names.get(str(r["target"]), str(r["target"])),
                     lang._(CHANGE_WORDS.get(str(r["change"]), str(r["change"]))),
                     lang.percent(float(r["before_percent"])),
                     lang.percent(float(r["after_percent"]))])
    return [_grid(rows, [44, 76, 24, 18, 18], right=(3, 4))]


def _pair(comparison: Comparison, index: int, lang: Language, png: bytes | None
          ) -> list[Flowable]:
    st = styles()
    changes = comparison.changes[index]
    title = lang._("What changed: {before} → {after}{synthetic}").format(
        before=changes.before, after=changes.after, synthetic="")
    out: list[Flowable] = [PageBreak(), Paragraph(text(title), st.h2)]
    out += [Paragraph(text(line), st.body) for line in change_lines(changes, comparison, lang)]
    out.append(_image(png or figure_png(change_map(comparison, index, lang), dpi=130), 175))
    out += _commune_changes(comparison, index, lang)
    out.append(Spacer(1, 3 * mm))
    out += _site_table(comparison, index, lang)
    return out


def _commune_overview(comparison: Comparison, lang: Language) -> list[Flowable]:
    table = comparison.commune_table()
    if not len(table) or len(comparison.labels) < 2:
        return []
    first, last = comparison.labels[0], comparison.labels[-1]
    ids = [t.id for t in comparison.targets.targets]
    names = {str(r["id"]): unicodedata.normalize("NFC", str(localized(r, "target", lang)))
             for r in comparison.snapshots[-1].targets.to_dict("records")}
    header = [lang._("Commune / ward"), *(names.get(key, key) for key in ids)]
    rows = [header]
    for (_, name), part in table.groupby(["code", "name"], sort=False):
        cells = [str(name)]
        shares = part.set_index("id")[[first, last]].astype(float)
        for key in ids:
            before, value = (float(v) for v in shares.loc[key].to_numpy(float))
            change = value - before
            sign = "+" if change > 0.05 else ""
            cells.append(f"{lang.percent(value)} ({sign}{lang.number(change, 1)})"
                         if value == value else "–")
        rows.append(cells)
    width = (TEXT_WIDTH_MM - 45.0) / max(len(ids), 1)
    st = styles()
    note = lang._("Each commune's share in {last} and its change since {first} in percentage "
                  "points; the CSV gives every snapshot and the amounts in each target's unit."
                  ).format(first=first, last=last)
    return [PageBreak(), Paragraph(text(lang._("Communes over time")), st.h2),
            Paragraph(text(note), st.small),
            _grid(rows, [45, *([width] * len(ids))], right=range(1, len(ids) + 1))]


def progress_section(comparison: Comparison, lang: Language, *, chart_png: bytes | None = None,
                     map_pngs: Sequence[bytes] | None = None) -> list[Flowable]:
    """The progress section: snapshots, targets over time, chart, pace, changes, communes.

    Parameters
    ----------
    comparison
        The compared snapshots.
    lang
        The language of every word.
    chart_png, map_pngs
        The chart and the change maps (one per consecutive pair) already drawn in ``lang``;
        drawn here when not given.
    """
    st = styles()
    goals = comparison.snapshots[-1].targets.set_index("id")["goal_percent"]
    names = {str(r["id"]): unicodedata.normalize("NFC", str(localized(r, "target", lang)))
             for r in comparison.snapshots[-1].targets.to_dict("records")}
    out: list[Flowable] = [Paragraph(text(lang._("Progress over time")), st.h1)]
    if comparison.synthetic:
        out.append(Paragraph(text(lang._("SYNTHETIC DATA — not a real place")), st.warning))
    out += [_snapshot_table(comparison, lang), Spacer(1, 2 * mm)]
    out += [Paragraph(text(lang._("Warning: {warning}").format(
                warning=f"{snapshot.label}: {said(warning, lang)}")), st.small)
            for snapshot in comparison.snapshots for warning in snapshot.warnings]
    out += [Spacer(1, 2 * mm), Paragraph(text(lang._("Targets over time")), st.h2),
            _target_table(comparison, lang), Spacer(1, 3 * mm),
            _image(chart_png or figure_png(progress_chart(comparison, lang), dpi=130),
                   TEXT_WIDTH_MM)]
    pace = [Paragraph(text(lang._("Pace")), st.h2),
            Paragraph(text(extrapolation_note(comparison, lang)), st.body)]
    for key, value in comparison.pace().items():
        sentence = pace_sentence(value, float(goals[key]), lang)
        pace.append(Paragraph(f"<b>{text(names[key])}</b>: {text(sentence)}", st.body))
    out.append(KeepTogether(pace))
    for index in range(len(comparison.changes)):
        out += _pair(comparison, index, lang, map_pngs[index] if map_pngs else None)
    out += _commune_overview(comparison, lang)
    return out


def _decorate(comparison: Comparison, lang: Language) -> Callable[[Any, Any], None]:
    left = unicodedata.normalize("NFC", comparison.dataset)
    right = unicodedata.normalize("NFC", comparison.targets.name)
    synthetic = lang._("SYNTHETIC DATA — not a real place") if comparison.synthetic else ""
    page = N_("page {page}")

    def draw(canvas: Any, doc: Any) -> None:
        width, height = A4
        margin = 15 * mm
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, height - margin * 0.6, left)
        canvas.drawRightString(width - margin, height - margin * 0.6, right)
        canvas.drawString(margin, margin * 0.45, f"covplan {__version__}")
        canvas.drawRightString(width - margin, margin * 0.45,
                               lang._(page).format(page=doc.page))
        if synthetic:
            canvas.setFillColor(WARNING_INK)
            canvas.drawCentredString(width / 2, margin * 0.45, synthetic)
        canvas.restoreState()

    return draw


def progress_pdf(comparison: Comparison, lang: Language, *, chart_png: bytes | None = None,
                 map_pngs: Sequence[bytes] | None = None) -> bytes:
    """The progress report on its own, as PDF bytes (A4 portrait).

    ``chart_png`` and ``map_pngs`` as for :func:`progress_section`.
    """
    buffer = io.BytesIO()
    title = lang._("{preset}: progress on {dataset}{synthetic}").format(
        preset=comparison.targets.name, dataset=comparison.dataset, synthetic="")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=unicodedata.normalize("NFC", title), author="covplan",
                            creator=f"covplan {__version__}", invariant=1)
    st = styles()
    story: list[Flowable] = [Paragraph(text(title), st.title),
                             Paragraph(text(amount_note(comparison, lang)), st.subtitle)]
    story += progress_section(comparison, lang, chart_png=chart_png, map_pngs=map_pngs)
    decorate = _decorate(comparison, lang)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def amount_note(comparison: Comparison, lang: Language) -> str:
    """The report's subtitle: the snapshots compared and the preset."""
    return lang._("{count} snapshots, {first} to {last}, against {preset}").format(
        count=lang.count(len(comparison.snapshots)), first=comparison.labels[0],
        last=comparison.labels[-1], preset=comparison.targets.name)

