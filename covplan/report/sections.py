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
from covplan.targets.schema import STATUS_MET, STATUS_NO_DATA, status_label

#: Rows shown in the "longest gaps" and "largest villages" tables.
TOP_ROWS = 15
#: Road classes whose gaps the targets are about.
HIGHWAYS = ("expressway", "national")
#: What the report says when a layer is absent ("no data", not "no gap").
NO_ROADS = "No roads in the dataset (or none inside the communes): road coverage not measured."
NO_FIBRE = ("No fibre data (no fibre layer and no 'fibre' column on the villages): fibre "
            "reach not measured.")
NO_VILLAGES = "The dataset has no villages."


def title_page(data: ReportData) -> list[Flowable]:
    """Province, preset, scenario, date, the synthetic warning and the results at a glance."""
    st = styles()
    table = data.analysis.targets
    met = int((table["status"] == STATUS_MET).sum()) if len(table) else 0
    no_data = int((table["status"] == STATUS_NO_DATA).sum()) if len(table) else 0
    result = f"{met} of {len(table)} targets met" + (
        f", {no_data} with no data" if no_data else "")
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
        ("Result", result),
    ]))
    flow += [Spacer(1, 8 * mm), Paragraph("At a glance", st.h2), *_glance(data)]
    if data.scenario is not None and data.scenario.description:
        flow.append(Paragraph(f"Scenario: {text(data.scenario.description)}", st.body))
    for warning in (*data.dataset.warnings, *getattr(data.scenario, "warnings", ())):
        flow.append(Paragraph(f"Warning: {text(warning)}", st.body))
    return flow


def _glance(data: ReportData) -> list[Flowable]:
    st = styles()
    lines = []
    for r in data.analysis.targets.to_dict("records"):
        if r["status"] == STATUS_NO_DATA:
            lines.append(f"{text(r['target'])}: <b>{status_label(r['status'])}</b>, "
                         f"{text(r['denominator'])}.")
            continue
        status = "met" if r["status"] == STATUS_MET else "<b>not met</b>"
        lines.append(f"{text(r['target'])}: {number(r['measured_percent'], 1, ' %')} "
                     f"(goal {number(r['goal_percent'], 1, ' %')}), {status}.")
    gaps = data.analysis.road_gaps
    if len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        lines.append(f"{len(gaps):,} road stretches without 4G/5G, "
                     f"{highway['counted_km'].sum():,.1f} km of them on expressways and "
                     "national highways.")
    elif not len(data.analysis.road_classes):
        lines.append(text(NO_ROADS))
    if data.fibre_reached is not None:
        lines.append(f"{int((~data.fibre_reached.astype(bool)).sum()):,} of "
                     f"{len(data.fibre_reached):,} villages without fibre.")
    elif data.dataset.villages is not None:
        lines.append(text(NO_FIBRE))
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
    if not len(data.analysis.road_classes):
        flow.append(Paragraph(text(NO_ROADS), st.body))
    elif len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        other = gaps[~gaps["road_class"].isin(HIGHWAYS)]
        flow += _titled(f"Expressways and national highways ({len(highway):,} gaps)",
                        road_gap_table(highway, TOP_ROWS) if len(highway) else None)
        flow += _titled(f"Other roads ({len(other):,} gaps; the {min(TOP_ROWS, len(other))} "
                        "longest)", road_gap_table(other, TOP_ROWS) if len(other) else None)
    else:
        flow.append(Paragraph("Every road has 4G/5G signal: no road gap.", st.body))
    flow += [CondPageBreak(60 * mm), Paragraph("Largest villages without service", st.h1)]
    if data.dataset.villages is None:
        return [*flow, Paragraph(text(NO_VILLAGES), st.body)]
    villages = data.analysis.village_gaps
    no_signal = villages[~villages["mobile_covered"].astype(bool)] if len(villages) else villages
    flow += _titled(f"Without 4G/5G signal ({_villages(len(no_signal))})",
                    village_table(no_signal, TOP_ROWS) if len(no_signal) else None)
    if data.fibre_reached is None:
        return [*flow, Paragraph("Without fibre", st.h2), Paragraph(text(NO_FIBRE), st.body)]
    reached = villages["fibre_reached"].astype("boolean").fillna(True).to_numpy(bool)
    no_fibre = villages[~reached] if len(villages) else villages
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
    people = pd.to_numeric(summary["population"], errors="coerce")
    total = (f"{float(np.nansum(people)):,.0f} people" if people.notna().any()
             else "population: no data (no population raster or population column)")
    flow.append(Paragraph(
        f"{len(summary):,} communes and wards, {text(total)}. People 4G / 5G: share of "
        "the commune's people with signal. Highway km: expressway and national-highway "
        "length without 4G or 5G.", st.body))
    flow.append(commune_table(summary))
    return flow
