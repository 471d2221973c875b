"""The sections of the PDF report, each a list of ReportLab flowables in one language.

Headings keep with what follows them (``keepWithNext`` of the heading styles), so no
heading ends a page alone.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)

from covplan.export import wording
from covplan.i18n import N_, Language, said
from covplan.report.data import ReportData
from covplan.report.styles import styles, text
from covplan.report.tables import (
    commune_table,
    key_value_table,
    percent,
    records,
    road_gap_table,
    targets_table,
    village_table,
)
from covplan.targets.schema import STATUS_MET, STATUS_NO_DATA, localized

#: Rows shown in the "longest gaps" and "largest villages" tables.
TOP_ROWS: Final = 15
#: Road classes whose gaps the targets are about.
HIGHWAYS: Final = ("expressway", "national")
#: What the report says when a layer is absent ("no data", not "no gap").
NO_ROADS: Final = N_("No roads in the dataset (or none inside the communes): road coverage "
                     "not measured.")
NO_FIBRE: Final = N_("No fibre data (no fibre layer and no 'fibre' column on the villages): "
                     "fibre reach not measured.")
NO_VILLAGES: Final = N_("The dataset has no villages.")


def preset_description(data: ReportData, lang: Language) -> str:
    """The target preset's description in ``lang`` (its Vietnamese one when there is one)."""
    targets = data.targets
    if lang.code == "vi" and targets.description_vi:
        return targets.description_vi
    return targets.description


def title_page(data: ReportData, lang: Language) -> list[Flowable]:
    """Province, preset, scenario, date, the synthetic warning and the results at a glance."""
    st = styles()
    table = data.analysis.targets
    met = int((table["status"] == STATUS_MET).sum()) if len(table) else 0
    no_data = int((table["status"] == STATUS_NO_DATA).sum()) if len(table) else 0
    result = lang._("{met} of {total} targets met").format(met=met, total=len(table))
    if no_data:
        result += lang._(", {count} with no data").format(count=no_data)
    flow: list[Flowable] = [
        Spacer(1, 30 * mm),
        Paragraph(text(lang._("Digital-infrastructure coverage report")), st.title),
        Paragraph(text(data.dataset.name), st.subtitle),
        Spacer(1, 8 * mm),
    ]
    if data.dataset.synthetic:
        flow.append(Paragraph(text(lang._("SYNTHETIC DATA — not a real place. Figures "
                                          "illustrate the method only.")), st.warning))
    flow.append(key_value_table([
        (lang._("Province / area"), data.dataset.name),
        (lang._("Targets"), data.targets.name),
        (lang._("Target source"), data.targets.source_in(lang.code) or "–"),
        (lang._("Sites"), data.scenario_label(lang)),
        (lang._("Date"), lang.date(data.created)),
        (lang._("Result"), result),
    ]))
    description = preset_description(data, lang)
    if description:
        flow.append(Paragraph(text(description), st.body))
    flow += [Spacer(1, 8 * mm), Paragraph(text(lang._("At a glance")), st.h2),
             *_glance(data, lang)]
    if data.scenario is not None and data.scenario.description:
        flow.append(Paragraph(text(lang._("Scenario: {description}").format(
            description=data.scenario.description)), st.body))
    scenario = [said(w, lang) for w in getattr(data.scenario, "warnings", ())]
    for warning in (*data.dataset.warnings_in(lang), *scenario):
        flow.append(Paragraph(text(lang._("Warning: {warning}").format(warning=warning)),
                              st.body))
    return flow


def _target_line(row: dict[str, object], lang: Language) -> str:
    """One target at a glance (``<b>Not met</b>: <target> — 73,7 % (goal 100 %)``)."""
    status = f"<b>{text(wording.status_word(row['status'], lang))}</b>"
    target = text(localized(row, "target", lang))
    if row["status"] == STATUS_NO_DATA:
        return text(lang._("{status}: {target} — {denominator}.")).format(
            status=status, target=target, denominator=text(localized(row, "denominator", lang)))
    return text(lang._("{status}: {target} — {measured} (goal {goal}).")).format(
        status=status, target=target, measured=text(percent(row["measured_percent"], lang)),
        goal=text(wording.goal(float(row["goal_percent"]), lang)))  # type: ignore[arg-type]


def _glance(data: ReportData, lang: Language) -> list[Flowable]:
    st = styles()
    lines = [_target_line(r, lang) for r in records(data.analysis.targets)]
    gaps = data.analysis.road_gaps
    if len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        lines.append(text(lang._("{count} road stretches without 4G/5G, {km} of them on "
                                 "expressways and national highways.").format(
            count=lang.count(len(gaps)), km=lang.km(float(highway["counted_km"].sum())))))
    elif not len(data.analysis.road_classes):
        lines.append(text(lang._(NO_ROADS)))
    if data.fibre_reached is not None:
        lines.append(text(lang._("{count} of {total} villages without fibre.").format(
            count=lang.count(int((~data.fibre_reached.astype(bool)).sum())),
            total=lang.count(len(data.fibre_reached)))))
    elif data.dataset.villages is not None:
        lines.append(text(lang._(NO_FIBRE)))
    return [Paragraph(f"• {line}", st.body) for line in lines]


def targets_section(data: ReportData, lang: Language) -> list[Flowable]:
    """The target table and how each target was measured."""
    st = styles()
    flow: list[Flowable] = [
        Paragraph(text(lang._("Targets: {preset}").format(preset=data.targets.name)), st.h1),
        Paragraph(text(lang._(
            "Each target is measured on the predicted best-server signal of the sites shown "
            "on the maps: {sites}. The shortfall is what is still missing to reach the goal, "
            "in the target's own unit.").format(sites=data.scenario_label(lang))), st.body),
        targets_table(data.analysis.targets, lang),
        Paragraph(text(lang._("How each target is measured")), st.h2),
    ]
    for r in data.analysis.targets.to_dict("records"):
        note = str(localized(r, "note", lang) or "").strip()
        template = (N_("{target} ({id}): {quantity}; not measured: {denominator}; counted "
                       "when {threshold}.") if r["status"] == STATUS_NO_DATA else
                    N_("{target} ({id}): {quantity}, out of {denominator}; counted when "
                       "{threshold}."))
        line = lang._(template).format(
            target=localized(r, "target", lang), id=r["id"],
            quantity=localized(r, "quantity", lang),
            denominator=localized(r, "denominator", lang),
            threshold=localized(r, "threshold", lang))
        if note:
            line += " " + lang._("Note: {note}").format(note=note)
        flow.append(Paragraph(text(line), st.small))
    return flow


def maps_section(images: Mapping[str, bytes], frame_mm: tuple[float, float]) -> list[Flowable]:
    """One landscape page per map (PNG bytes), then back to portrait pages."""
    flow: list[Flowable] = [NextPageTemplate("landscape"), PageBreak()]
    for number_, png in enumerate(images.values()):
        flow.append(map_image(png, frame_mm))
        if number_ < len(images) - 1:
            flow.append(PageBreak())
    flow += [NextPageTemplate("portrait"), PageBreak()]
    return flow


def map_image(png: bytes, frame_mm: tuple[float, float]) -> Image:
    """A map (PNG bytes) scaled to fit ``frame_mm`` (width, height), aspect kept."""
    image = Image(io.BytesIO(png))
    scale = min(frame_mm[0] * mm / image.imageWidth, frame_mm[1] * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def gaps_section(data: ReportData, lang: Language) -> list[Flowable]:
    """The longest road gaps and the largest villages without signal or fibre."""
    st = styles()
    gaps = data.analysis.road_gaps
    flow: list[Flowable] = [Paragraph(text(lang._("Longest road gaps")), st.h1)]
    if not len(data.analysis.road_classes):
        flow.append(Paragraph(text(lang._(NO_ROADS)), st.body))
    elif len(gaps):
        highway = gaps[gaps["road_class"].isin(HIGHWAYS)]
        other = gaps[~gaps["road_class"].isin(HIGHWAYS)]
        flow += titled(lang._("Expressways and national highways ({count} gaps)").format(
            count=lang.count(len(highway))),
            road_gap_table(highway, TOP_ROWS, lang) if len(highway) else None, lang)
        flow += titled(lang._("Other roads ({count} gaps; the {shown} longest)").format(
            count=lang.count(len(other)), shown=lang.count(min(TOP_ROWS, len(other)))),
            road_gap_table(other, TOP_ROWS, lang) if len(other) else None, lang)
    else:
        flow.append(Paragraph(text(lang._("Every road has 4G/5G signal: no road gap.")),
                              st.body))
    flow += [CondPageBreak(60 * mm),
             Paragraph(text(lang._("Largest villages without service")), st.h1)]
    if data.dataset.villages is None:
        return [*flow, Paragraph(text(lang._(NO_VILLAGES)), st.body)]
    villages = data.analysis.village_gaps
    no_signal = villages[~villages["mobile_covered"].astype(bool)] if len(villages) else villages
    flow += titled(lang._("Without 4G/5G signal ({villages})").format(
        villages=wording.villages_count(len(no_signal), lang)),
        village_table(no_signal, TOP_ROWS, lang) if len(no_signal) else None, lang)
    if data.fibre_reached is None:
        return [*flow, Paragraph(text(lang._("Without fibre")), st.h2),
                Paragraph(text(lang._(NO_FIBRE)), st.body)]
    reached = villages["fibre_reached"].astype("boolean").fillna(True).to_numpy(bool)
    no_fibre = villages[~reached] if len(villages) else villages
    flow += titled(lang._("Without fibre ({villages})").format(
        villages=wording.villages_count(len(no_fibre), lang)),
        village_table(no_fibre, TOP_ROWS, lang) if len(no_fibre) else None, lang)
    return flow


def titled(title: str, table: Flowable | None, lang: Language, *,
           heading: ParagraphStyle | None = None) -> list[Flowable]:
    """A sub-heading (``h2``) and its table, or "None." when there is no table.

    The heading keeps with what follows it (``keepWithNext``), and a heading before it does
    too, so headings and the start of their table share a page. (ReportLab does not keep a
    heading with a ``KeepTogether`` that follows it: that is how a heading was left alone.)
    """
    st = styles()
    head = Paragraph(text(title), heading or st.h2)
    return [head, table if table is not None else Paragraph(text(lang._("None.")), st.body)]


def communes_section(data: ReportData, lang: Language) -> list[Flowable]:
    """The commune summary, every commune."""
    st = styles()
    summary = data.analysis.commune_summary
    flow: list[Flowable] = [PageBreak(), Paragraph(text(lang._("Commune summary")), st.h1)]
    if not len(summary):
        return [*flow, Paragraph(text(lang._("The dataset has no communes.")), st.body)]
    people = pd.to_numeric(summary["population"], errors="coerce")
    total = (lang._("{count} people").format(count=lang.count(float(np.nansum(people))))
             if people.notna().any()
             else lang._("population: no data (no population raster or population column)"))
    flow.append(Paragraph(text(lang._(
        "{communes} communes and wards, {people}. People 4G / 5G: share of the commune's "
        "people with signal. Highway km: expressway and national-highway length without 4G "
        "or 5G.").format(communes=lang.count(len(summary)), people=total)), st.body))
    flow.append(commune_table(summary, lang))
    return flow
