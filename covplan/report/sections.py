"""The sections of the PDF report, each a list of ReportLab flowables."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)

from covplan.report.data import ReportData
from covplan.report.styles import styles, text
from covplan.report.tables import (
    commune_table,
    key_value_table,
    number,
    road_gap_table,
    targets_table,
    village_table,
)

#: Rows shown in the "longest gaps" and "largest villages" tables.
TOP_ROWS = 15
#: Road classes whose gaps the targets are about.
HIGHWAYS = ("expressway", "national")


def title_page(data: ReportData) -> list[Flowable]:
    """Province, preset, scenario, date, the synthetic warning and the results at a glance."""
    st = styles()
    table = data.analysis.targets
    met = int(table["met"].sum()) if len(table) else 0
    flow: list[Flowable] = [
        Spacer(1, 30 * mm),
        Paragraph("Digital-infrastructure coverage report", st.title),
        Paragraph(text(data.dataset.name), st.subtitle),
        Spacer(1, 8 * mm),
    ]
    if data.dataset.synthetic:
        flow.append(Paragraph("SYNTHETIC DATA — not a real place. Figures illustrate the "
                              "method only.", st.warning))
    flow.append(key_value_table([
        ("Province / area", data.dataset.name),
        ("Targets", data.targets.name),
        ("Target source", data.targets.source or "–"),
        ("Sites", data.scenario_label),
        ("Date", data.created.isoformat()),
        ("Result", f"{met} of {len(table)} targets met"),
    ]))
    flow += [Spacer(1, 8 * mm), Paragraph("At a glance", st.h2), *_glance(data)]
    if data.scenario is not None and data.scenario.description:
        flow.append(Paragraph(f"Scenario: {text(data.scenario.description)}", st.body))
    return flow


def _glance(data: ReportData) -> list[Flowable]:
    st = styles()
    lines = []
    for r in data.analysis.targets.to_dict("records"):
        status = "met" if r["met"] else "<b>not met</b>"
        lines.append(f"{text(r['target'])}: {number(r['measured_percent'], 1, ' %')} "
                     f"(goal {number(r['goal_percent'], 1, ' %')}), {status}.")
    gaps = data.analysis.road_gaps
    if len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        lines.append(f"{len(gaps):,} road stretches without 4G/5G, "
                     f"{highway['counted_km'].sum():,.1f} km of them on expressways and "
                     "national highways.")
    if data.fibre_reached is not None:
        lines.append(f"{int((~data.fibre_reached.astype(bool)).sum()):,} of "
                     f"{len(data.fibre_reached):,} villages without fibre.")
    return [Paragraph(f"• {line}", st.body) for line in lines]


def targets_section(data: ReportData) -> list[Flowable]:
    """The target table and how each target was measured."""
    st = styles()
    flow: list[Flowable] = [
        Paragraph(f"Targets: {text(data.targets.name)}", st.h1),
        Paragraph("Each target is measured on the predicted best-server signal of the sites "
                  f"shown on the maps: {text(data.scenario_label)}. The shortfall is what is "
                  "still missing to reach the goal, in the target's own unit.", st.body),
        targets_table(data.analysis.targets),
        Paragraph("How each target is measured", st.h2),
    ]
    for r in data.analysis.targets.to_dict("records"):
        note = f" Note: {text(r['note'])}" if str(r.get("note") or "").strip() else ""
        flow.append(Paragraph(
            f"<b>{text(r['target'])}</b> ({text(r['id'])}): {text(r['measure'])} of "
            f"{text(r['denominator'])}; counted when {text(r['threshold'])}.{note}", st.small))
    return flow


def maps_section(images: Mapping[str, bytes], frame_mm: tuple[float, float]) -> list[Flowable]:
    """One landscape page per map (PNG bytes), then back to portrait pages."""
    flow: list[Flowable] = [NextPageTemplate("landscape"), PageBreak()]
    for number_, png in enumerate(images.values()):
        image = Image(io.BytesIO(png))
        scale = min(frame_mm[0] * mm / image.imageWidth, frame_mm[1] * mm / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        flow.append(image)
        if number_ < len(images) - 1:
            flow.append(PageBreak())
    flow += [NextPageTemplate("portrait"), PageBreak()]
    return flow


def gaps_section(data: ReportData) -> list[Flowable]:
    """The longest road gaps and the largest villages without signal or fibre."""
    st = styles()
    gaps = data.analysis.road_gaps
    flow: list[Flowable] = [Paragraph("Longest road gaps", st.h1)]
    if len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        other = gaps[~gaps["road_class"].isin(HIGHWAYS)]
        flow += _titled(f"Expressways and national highways ({len(highway):,} gaps)",
                        road_gap_table(highway, TOP_ROWS) if len(highway) else None)
        flow += _titled(f"Other roads ({len(other):,} gaps; the {min(TOP_ROWS, len(other))} "
                        "longest)", road_gap_table(other, TOP_ROWS) if len(other) else None)
    else:
        flow.append(Paragraph("No road without 4G/5G signal.", st.body))
    flow += [CondPageBreak(60 * mm), Paragraph("Largest villages without service", st.h1)]
    villages = data.analysis.village_gaps
    no_signal = villages[~villages["mobile_covered"].astype(bool)] if len(villages) else villages
    no_fibre = villages[~villages["fibre_reached"].astype(bool)] if len(villages) else villages
    flow += _titled(f"Without 4G/5G signal ({_villages(len(no_signal))})",
                    village_table(no_signal, TOP_ROWS) if len(no_signal) else None)
    flow += _titled(f"Without fibre ({_villages(len(no_fibre))})",
                    village_table(no_fibre, TOP_ROWS) if len(no_fibre) else None)
    return flow


def _villages(count: int) -> str:
    return f"{count:,} village{'s' if count != 1 else ''}"


def _titled(title: str, table: Flowable | None) -> list[Flowable]:
    st = styles()
    if table is None:
        return [Paragraph(text(title), st.h2), Paragraph("None.", st.body)]
    return [KeepTogether([Paragraph(text(title), st.h2), table])]


def communes_section(data: ReportData) -> list[Flowable]:
    """The commune summary, every commune."""
    st = styles()
    summary = data.analysis.commune_summary
    flow: list[Flowable] = [PageBreak(), Paragraph("Commune summary", st.h1)]
    if not len(summary):
        return [*flow, Paragraph("The dataset has no communes.", st.body)]
    total = float(np.nansum(pd.to_numeric(summary["population"], errors="coerce")))
    flow.append(Paragraph(
        f"{len(summary):,} communes and wards, {total:,.0f} people. People 4G / 5G: share of "
        "the commune's people with signal. Highway km: expressway and national-highway "
        "length without 4G or 5G.", st.body))
    flow.append(commune_table(summary))
    return flow
