"""The Progress page: snapshots of a province compared against the same targets over time.

The sidebar picks the snapshots (:mod:`covplan.app.snapshots`; the demo's four quarters of
2025 at first) and the targets (:func:`covplan.app.sidebar.render_targets`, shared with the
planner). Every snapshot is evaluated through the one pipeline with the same preset,
thresholds, grid and model (:func:`covplan.progress.compare_snapshots`), once per process
for each version of the files. The page shows the snapshots, the targets over time (the
chart and the table), the pace (a stated linear extrapolation), what changed between two
consecutive snapshots (an interactive map, gained green and lost red, and the lists), the
communes over time, and the progress report.

The report's PDF is made from the chart and the change maps the page shows, in the page's
language, once per comparison and language, and its bytes are handed to the download
button in the run that draws it (as the planner's downloads are,
:mod:`covplan.app.downloads`): a click during a rerun still downloads what the page showed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from covplan import settings
from covplan.app.compute import (
    Environment,
    Shared,
    TargetChoice,
    bar_progress,
    scenario_result,
)
from covplan.app.exports import slug
from covplan.app.livemap import BaseMap, serialise
from covplan.app.livemap import show as show_map
from covplan.app.notices import markdown_text, show_refusal, show_unexpected
from covplan.app.sidebar import render_targets, show_counted_where
from covplan.app.snapshots import SnapshotChoice, choose_snapshots
from covplan.errors import CovplanError
from covplan.i18n import N_, Language, said
from covplan.mapview.changes import build_change_map
from covplan.progress import (
    Comparison,
    Snapshot,
    change_map,
    compare_snapshots,
    figure_png,
    load_snapshots,
    progress_chart,
    progress_pdf,
)
from covplan.progress.snapshots import date_from_name, date_label, ordered
from covplan.progress.summary import (
    CHANGE_WORDS,
    change_lines,
    extrapolation_note,
    goal_text,
    pace_cell,
    pace_sentence,
    target_rows,
)
from covplan.radio.indoor import BuildingType
from covplan.targets import localized, status_label

logger = logging.getLogger(__name__)

#: Session bucket of the page's figures and files, by comparison and language.
BUCKET: Final = "progress"
#: Height of the change map in pixels.
MAP_HEIGHT: Final = 560
#: Resolution (dpi) of the change maps in the PDF, as ``covplan compare`` writes them.
MAP_DPI: Final = 200


@dataclass(frozen=True, eq=False)
class Figures:
    """What the page shows of a comparison as images and files, in one language."""

    chart_png: bytes
    map_pngs: tuple[bytes, ...]
    pdf: bytes


def _named(snapshots: Sequence[Snapshot], paths: Sequence[str], names: Sequence[str]
           ) -> list[Snapshot]:
    """Snapshots of uploads labelled and sourced by the uploaded file's name.

    An upload's folder is the server's: an undated upload takes its label (and its date,
    when the name is a quarter or a date) from the uploaded file's name.
    """
    uploaded = {path: name for path, name in zip(paths, names, strict=True) if name}
    out = []
    for snapshot in snapshots:
        source = snapshot.source
        for path, name in uploaded.items():
            source = source.replace(path, name)
        named = replace(snapshot, source=source)
        upload = uploaded.get(snapshot.source)
        if upload is not None and snapshot.as_of is None:
            stem = Path(upload).stem
            as_of = date_from_name(stem)
            named = replace(named, as_of=as_of,
                            label=date_label(as_of) if as_of is not None else stem)
        out.append(named)
    return ordered(out)


@st.cache_resource(show_spinner=False, max_entries=4)
def _comparison_slot(paths: tuple[str, ...], fingerprints: tuple[str, ...],
                     names: tuple[str, ...], confined: bool, preset: str,
                     environment: Environment | None, building: BuildingType,
                     resolution_m: float) -> Shared[Comparison]:
    """Where the comparison of these snapshots is kept, once per process (see :class:`Shared`)."""
    return Shared()


def _comparison(paths: tuple[str, ...], fingerprints: tuple[str, ...], names: tuple[str, ...],
                confined: bool, preset: str, environment: Environment | None,
                building: BuildingType, resolution_m: float,
                progress: Callable[[float, str], None]) -> Comparison:
    """The snapshots compared, once per process for each version of their files.

    The work runs outside ``st.cache_resource`` (it draws a progress bar, which a cache hit
    could not replay): the cache keeps the slot, :class:`covplan.app.compute.Shared`.
    """
    def make() -> Comparison:
        logger.info("Comparing %d snapshots (files %s) against %s", len(paths),
                    ",".join(fingerprints), preset)
        snapshots = _named(load_snapshots(list(paths), confined=confined), paths, names)
        targets = TargetChoice(preset, environment, building).targets()
        return compare_snapshots(snapshots, targets, resolution_m=resolution_m,
                                 progress=progress)

    slot = _comparison_slot(paths, fingerprints, names, confined, preset, environment, building,
                            resolution_m)
    return slot.get(make)


def compare(choice: SnapshotChoice, targets: TargetChoice, lang: Language) -> Comparison | None:
    """The comparison of the chosen snapshots; None (with the reason shown) when it fails."""
    bar = st.empty()
    progress = bar_progress(bar, lang._("Comparing the snapshots…"))
    try:
        return _comparison(choice.paths, choice.fingerprints, choice.names, choice.confined,
                           targets.preset, targets.environment, targets.building,
                           float(settings.resolution_m), lambda f, _: progress(
                               f, lang._("Evaluating every snapshot against the targets…")))
    except CovplanError as exc:
        show_refusal(lang._("These snapshots cannot be compared."), choice.relabel(exc.text(lang)))
    except Exception:
        show_unexpected(N_("comparing the snapshots"),
                        lang._("Choose other snapshots in the sidebar to continue."), lang=lang)
    finally:
        bar.empty()
    return None


def _figures(comparison: Comparison, lang: Language) -> Figures:
    """The chart, the static change maps and the PDF made of them."""
    chart = figure_png(progress_chart(comparison, lang))
    maps = tuple(figure_png(change_map(comparison, k, lang), dpi=MAP_DPI)
                 for k in range(len(comparison.changes)))
    pdf = progress_pdf(comparison, lang, chart_png=chart, map_pngs=maps)
    return Figures(chart, maps, pdf)


def _snapshots(comparison: Comparison, lang: Language) -> None:
    st.subheader(lang._("Snapshots"))
    rows = [{lang._("Snapshot"): s.label,
             lang._("As of"): lang.date(s.as_of) if s.as_of is not None
             else lang._("undated (a plan)"),
             lang._("Sites on air"): lang.count(s.sites),
             lang._("Source"): s.source} for s in comparison.snapshots]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for snapshot in comparison.snapshots:
        for warning in snapshot.warnings:
            st.warning(markdown_text(f"{snapshot.label}: {said(warning, lang)}"))


def target_frame(comparison: Comparison, lang: Language) -> pd.DataFrame:
    """The target table over time as the page shows it (the report's rows)."""
    rows = target_rows(comparison, lang)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _targets(comparison: Comparison, figures: Figures, lang: Language) -> None:
    st.subheader(lang._("Targets over time"))
    st.image(figures.chart_png, width="stretch")
    st.dataframe(target_frame(comparison, lang), hide_index=True, width="stretch")


def _pace(comparison: Comparison, lang: Language) -> None:
    st.subheader(lang._("Pace: a linear extrapolation, not a forecast"))
    st.info(extrapolation_note(comparison, lang))
    table = comparison.snapshots[-1].targets
    pace = comparison.pace()
    rows = [{lang._("Target"): str(localized(r, "target", lang)),
             lang._("Goal"): goal_text(float(r["goal_percent"]), lang),
             lang._("Goal met (extrapolated)"): pace_cell(pace[str(r["id"])], lang),
             lang._("At the observed pace"): pace_sentence(pace[str(r["id"])],
                                                           float(r["goal_percent"]), lang)}
            for r in table.to_dict("records")]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _pair_label(comparison: Comparison, index: int) -> str:
    changes = comparison.changes[index]
    return f"{changes.before} → {changes.after}"


def _change_map(comparison: Comparison, index: int, key: str, lang: Language) -> None:
    """The interactive change map of one pair (made once per comparison, pair, language)."""
    def make() -> BaseMap:
        return serialise(build_change_map(comparison, index, lang=lang))

    base = scenario_result(st.session_state, f"{key}|map|{index}", make, bucket=BUCKET)
    show_map(base, "", key=f"covplan-change-map:{key}|{index}", height=MAP_HEIGHT,
             returned=())


def _site_table(comparison: Comparison, index: int, lang: Language) -> None:
    sites = comparison.changes[index].site_summary
    if not len(sites):
        return
    st.dataframe(pd.DataFrame({
        lang._("Site"): sites["site_id"].astype(str),
        lang._("Change"): [lang._(CHANGE_WORDS.get(c, c)) for c in sites["change"].astype(str)],
        lang._("Technology"): sites["technology"].astype(str),
        lang._("Details"): sites["details"].astype(str),
    }), hide_index=True, width="stretch")


def _changes(comparison: Comparison, key: str, lang: Language) -> None:
    st.subheader(lang._("What changed"))
    pairs = list(range(len(comparison.changes)))
    if not pairs:
        return
    state = st.session_state
    if state.get("progress_pair") not in pairs:
        state["progress_pair"] = pairs[-1]
    index = int(st.selectbox(lang._("Between"), pairs, key="progress_pair",
                             persist_state="session",
                             format_func=lambda k: _pair_label(comparison, k)))
    st.markdown("\n".join(f"- {markdown_text(line)}"
                          for line in change_lines(comparison.changes[index], comparison,
                                                   lang)))
    _change_map(comparison, index, key, lang)
    _site_table(comparison, index, lang)


def commune_frame(comparison: Comparison, lang: Language) -> pd.DataFrame:
    """The communes over time as the page shows them: each target's share per snapshot."""
    table = comparison.commune_table()
    labels = comparison.labels
    if not len(table):
        return pd.DataFrame()
    shown = {lang._("Commune"): table["name"].astype(str),
             lang._("Target"): localized(table, "target", lang).astype(str)}
    for label in labels:
        shown[label] = table[label].map(lambda v: lang.percent(float(v)))
    shown[lang._("Status")] = table[f"status_{labels[-1]}"].map(
        lambda s: status_label(str(s), lang))
    return pd.DataFrame(shown)


def _communes(comparison: Comparison, lang: Language) -> None:
    frame = commune_frame(comparison, lang)
    if not len(frame):
        return
    with st.expander(lang._("Communes over time ({count} rows)").format(
            count=lang.count(len(frame)))):
        st.dataframe(frame, hide_index=True, width="stretch", height=360)


def file_stem(comparison: Comparison, targets: TargetChoice, lang: Language) -> str:
    """``<dataset>_<preset>_progress_<first>_<last>_<date>``, in the page's language."""
    preset = targets.preset if targets.environment is None else targets.key.replace("|", "-")
    return "_".join([slug(comparison.dataset), slug(preset), slug(lang._("progress")),
                     slug(comparison.labels[0]), slug(comparison.labels[-1]),
                     dt.date.today().isoformat()])


def _downloads(comparison: Comparison, figures: Figures, targets: TargetChoice,
               lang: Language) -> None:
    st.subheader(lang._("Downloads"))
    stem = file_stem(comparison, targets, lang)
    st.download_button(lang._("Progress report (PDF)"), figures.pdf,
                       file_name=f"{stem}.pdf", mime="application/pdf", key="dl_progress_pdf",
                       type="primary", on_click="ignore")
    csv = target_frame(comparison, lang).to_csv(index=False).encode("utf-8-sig")
    st.download_button(lang._("Targets over time (CSV)"), csv, file_name=f"{stem}.csv",
                       mime="text/csv", key="dl_progress_csv", on_click="ignore")


def render_progress(lang: Language) -> None:
    """Draw the Progress page in ``lang``."""
    st.set_page_config(page_title=lang._("covplan — progress over time"))
    st.title(lang._("Progress over time"))
    st.caption(lang._("Every snapshot is evaluated with the same targets, thresholds, grid "
                      "and propagation model; sites that did not change are predicted once."))
    with st.sidebar:
        st.header(lang._("Snapshots and targets"))
        choice = choose_snapshots(lang)
        targets = render_targets(lang)
    if choice is None:
        return
    comparison = compare(choice, targets, lang)
    if comparison is None:
        return
    show_counted_where(comparison.targets, lang)
    if comparison.synthetic:
        st.info(lang._("SYNTHETIC demo data, not a real place."))
    key = f"{choice.key}|{targets.key}|{settings.resolution_m:g}|{lang.code}"
    with st.spinner(lang._("Drawing the chart and the change maps…")):
        figures = scenario_result(st.session_state, f"{key}|figures",
                                  lambda: _figures(comparison, lang), bucket=BUCKET)
    _snapshots(comparison, lang)
    _targets(comparison, figures, lang)
    _pace(comparison, lang)
    _changes(comparison, key, lang)
    _communes(comparison, lang)
    _downloads(comparison, figures, targets, lang)

