"""The target dashboard: one metric per target, the commune table and the gap lists.

Everything is in the page's language, figures rounded as people read them (percentages and
kilometres to one decimal, people whole). The tables are the CSV tables for people of
``covplan report`` (:func:`covplan.export.tables.human_table`), and each CSV download is
made in the run that draws its button, from the table the page shows, and handed to the
browser as a file (not built on click: a click during a rerun would ask for a file the
rerun had already withdrawn, and the button never came back).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import streamlit as st

from covplan.app.exports import Stamp, human_csv
from covplan.export import wording
from covplan.export.tables import human_table
from covplan.i18n import N_, Language
from covplan.targets import Analysis, localized, status_label

#: Rows of a gap list shown on the page (largest gaps first); the CSV always has every row.
#: Every rerun sends the shown rows to the browser: the full demo's road and village gap
#: lists were 470 kB per click, parsed by the same browser thread that redraws the map.
SHOWN_GAP_ROWS = 200
#: Scenarios whose tables the process keeps for every session (newest kept).
SHARED_TABLES = 8
#: Session key of the tables' tabs (the tab in view, by its label).
TABLES_KEY = "covplan_tables"
#: Session key of the table in view (its name, whatever the language).
SHOWN_TABLE_KEY = "covplan_table_shown"
#: Session key of the tabs' default: (language, the table in view when it was chosen).
DEFAULT_TABLE_KEY = "covplan_table_default"
#: Smallest change of a target (percentage points) shown against the baseline.
SHOWN_CHANGE_PTS = 0.05


@dataclass(frozen=True)
class TableTab:
    """One tab of the tables: the analysis table, its tab, its heading and rows shown."""

    table: str
    tab: str
    title: str
    limit: int | None = None


TABS: Final = (
    TableTab("commune_summary", N_("Communes"), N_("Commune summary")),
    TableTab("road_gaps", N_("Road gaps"), N_("Uncovered road stretches (longest first)"),
             SHOWN_GAP_ROWS),
    TableTab("village_gaps", N_("Villages without coverage or fibre"),
             N_("Village gaps (largest population first)"), SHOWN_GAP_ROWS),
    TableTab("poi_gaps", N_("Points of interest without 5G"),
             N_("Points of interest without 5G, of every kind (hospitals first)"),
             SHOWN_GAP_ROWS),
    TableTab("targets", N_("Targets"), N_("Target table")),
    TableTab("operator_targets", N_("Per operator"),
             N_("Targets per operator, for at least one and for every operator")),
)
_COLOURS: Final = {"met": "green", "not met": "red"}


def _change(value: float, before: float, lang: Language) -> str | None:
    """``+1,2 điểm % so với hiện trạng``; None for no change worth showing."""
    change = value - before
    if not math.isfinite(change) or abs(change) < SHOWN_CHANGE_PTS:
        return None
    sign = "+" if change > 0 else "-"  # st.metric colours the delta by this sign
    return lang._("{change} pts vs baseline").format(change=sign + lang.number(abs(change), 1))


def _tile(row: dict[str, Any], before: pd.DataFrame | None, lang: Language) -> None:
    status = str(row["status"])
    value = float(row["measured_percent"])
    colour = _COLOURS.get(status, "gray")
    delta = None
    if before is not None and row["id"] in before.index:
        delta = _change(value, float(before.loc[row["id"], "measured_percent"]), lang)
    goal = wording.goal(float(row["goal_percent"]), lang)
    st.metric(
        label=f":{colour}[**{status_label(status, lang)}**] — {localized(row, 'target', lang)}",
        value=lang.percent(value),
        delta=delta,
        help=lang._("Goal {goal}. Measured on {denominator}; counted when {threshold}.").format(
            goal=goal, denominator=localized(row, "denominator", lang),
            threshold=localized(row, "threshold", lang)),
    )
    if status == "met":
        said = f":green[{wording.status_word(status, lang)}]"
    elif status == "not met":
        shortfall = wording.amount(float(row["shortfall"]), str(row["unit"]), lang)
        said = ":red[" + lang._("short by {amount}").format(amount=shortfall) + "]"
    else:
        said = f":gray[{wording.status_word(status, lang)}]"
    st.caption(lang._("Goal {goal} — {status}").format(goal=goal, status=said))


def render_targets(analysis: Analysis, baseline: Analysis | None, lang: Language) -> None:
    """One tile per target: measured value, goal, change against the baseline, shortfall."""
    table = analysis.targets
    before = baseline.targets.set_index("id") if baseline is not None else None
    columns = st.columns(min(len(table), 3) or 1)
    for i, row in enumerate(table.to_dict("records")):
        with columns[i % len(columns)]:
            _tile({str(k): v for k, v in row.items()}, before, lang)


@dataclass(frozen=True, eq=False)
class ShownTable:
    """A table as the page shows it and its CSV file for people."""

    frame: pd.DataFrame
    csv: bytes


def _tabs(analysis: Analysis) -> tuple[TableTab, ...]:
    """The tabs with something to show (per operator: when each network was predicted)."""
    return tuple(t for t in TABS if t.table != "operator_targets" or analysis.has_operators)


def _shown(analysis: Analysis, table: str, lang: Language) -> ShownTable:
    frame = analysis.table(table)
    human = human_table(frame, table, lang)
    return ShownTable(human, human_csv(frame, table, lang, shown=human))


def _table(tab: TableTab, shown: ShownTable, stamp: Stamp) -> None:
    lang = stamp.lang
    rows = shown.frame
    title = lang._(tab.title)
    if tab.limit is not None and len(rows) > tab.limit:
        st.markdown(lang._("**{title}** (the first {shown} of {total} rows; the CSV has all "
                           "{total})").format(title=title, shown=lang.count(tab.limit),
                                              total=lang.count(len(rows))))
        rows = rows.iloc[: tab.limit]
    else:
        st.markdown(lang._("**{title}** ({total} rows)").format(
            title=title, total=lang.count(len(rows))))
    st.dataframe(rows, hide_index=True, width="stretch", height=280)
    name = stamp.file_name(f"{tab.table}.csv")
    st.download_button(lang._("Download {file}").format(file=f"{tab.table}.csv"), shown.csv,
                       file_name=name, mime="text/csv", key=f"dl_{tab.table}", on_click="ignore")


@st.cache_resource(show_spinner=False, max_entries=SHARED_TABLES * len(TABS))
def _shared_table(key: str, table: str, _analysis: Analysis, _lang: Language) -> ShownTable:
    """:func:`_shown` made once per process for the scenario and language ``key`` names.

    Formatting the full demo's tables and their CSV files cell by cell took about a second
    of every new session, on the cores where the browser was drawing the map.
    """
    return _shown(_analysis, table, _lang)


def render_tables(analysis: Analysis, stamp: Stamp, key: str) -> None:
    """Commune summary and gap lists, each downloadable as CSV for people.

    Only the tab in view is made and drawn; choosing another tab reruns the page, which
    then draws that one. A new page or a click drew six tables and sent them to the
    browser (the per-operator one evaluates every target once per operator: 0.7–0.8 s
    after a click on the full demo) where one is seen.

    ``key`` names the scenario shown (one version of the dataset's files, the targets and
    the edits; :func:`covplan.app.compute.result_key`), and ``stamp`` its language: each
    table and its CSV file is made once per scenario and language, and sessions showing
    the same scenario share them (every new session opens on the baseline).
    """
    lang = stamp.lang
    chosen = _tabs(analysis)
    labels = {tab.table: lang._(tab.tab) for tab in chosen}
    # The table in view stays in view in another language (its tab has another label). The
    # default is part of the tabs' identity: changed from one run to the next (the tab just
    # shown), it made Streamlit forget the click of that run, so every other click was lost.
    # It changes with the language only, when the tabs are new anyway.
    state = st.session_state
    if state.get(DEFAULT_TABLE_KEY, ("", ""))[0] != lang.code:
        state[DEFAULT_TABLE_KEY] = (lang.code, state.get(SHOWN_TABLE_KEY, ""))
    tabs = st.tabs(list(labels.values()), key=TABLES_KEY, on_change="rerun",
                   default=labels.get(state[DEFAULT_TABLE_KEY][1],
                                      next(iter(labels.values()))))
    for place, tab in zip(tabs, chosen, strict=True):
        if place.open is False:  # a tab out of view: nothing is made or sent
            continue
        st.session_state[SHOWN_TABLE_KEY] = tab.table
        with place:
            _table(tab, _shared_table(f"{key}|{lang.code}", tab.table, analysis, lang),
                   stamp)
