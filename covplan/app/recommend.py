"""The "Recommend sites" panel: the sites that would close the chosen targets' gaps.

The planner picks one target or several, the technology of new sites, how many (the fewest
that meet the goal, or at most N for each target), where candidates may stand and their mast
height, and presses "Recommend". :func:`covplan.planning.recommend_for_targets` does the
work, the same as ``covplan plan``, from the scenario on the map, with a progress bar; a
"Cancel" button drawn beside it stops the run (a click makes Streamlit stop the script at its
next progress message; the scenario is then left as it was).

The result becomes the session's scenario, like one made by hand: the proposed sites are on
the map as new sites, the target tiles show the change, and every planner tool (move,
remove, add, undo, save, downloads) works on it. The panel keeps a summary per target: what
the solver promised, what the engine measures with the sites, the optimality gap of the
integer program, and the demand no candidate can reach.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st

from covplan.app.compute import bar_progress, wait_for_warming
from covplan.errors import CovplanError
from covplan.export import wording
from covplan.i18n import N_, Language
from covplan.io import Dataset
from covplan.planning import (
    CandidateOptions,
    PlanOptions,
    Recommendation,
    Scenario,
    ScenarioEvaluator,
    plannable,
    recommend_for_targets,
)
from covplan.planning.recommend import covered_in
from covplan.radio.defaults import sector_defaults
from covplan.targets import Target

logger = logging.getLogger(__name__)

#: Where candidates may stand: the :class:`CandidateOptions` switch and its label.
SOURCES: Final = {
    "colocation": N_("On existing towers (5G added to 4G sites)"),
    "roads": N_("Along uncovered roads"),
    "villages": N_("In uncovered villages"),
    "high_ground": N_("Anywhere on high ground"),
}
#: The integer program's time limit in the app (the greedy answer stands when it is hit).
TIME_LIMIT_S: Final = 20.0
#: The technology choice that follows the target.
AS_TARGET: Final = N_("As the target counts")
#: Session key of the last recommendation's summary.
SUMMARY: Final = "recommendation"
#: Session key set while a recommendation runs (a "Cancel" click then stops it).
RUNNING: Final = "rec_running"
#: Session key of a note for the next run (a cancelled recommendation).
NOTE: Final = "recommendation_note"


@dataclass(frozen=True)
class Request:
    """What the panel asks for.

    Parameters
    ----------
    target_ids
        The targets, planned in this order.
    technology
        Technology of new-build candidates, None for the target's first.
    max_sites
        At most this many new sites per target; None for the fewest that meet the goal.
    sources
        Names of :data:`SOURCES` candidates may come from.
    height_m
        Mast height of new-build candidates, None for the technology's default.
    """

    target_ids: tuple[str, ...]
    technology: str | None = None
    max_sites: int | None = None
    sources: tuple[str, ...] = tuple(SOURCES)
    height_m: float | None = None

    def options(self) -> PlanOptions:
        """The :class:`~covplan.planning.PlanOptions` of ``covplan plan`` for this request."""
        use = set(self.sources)
        return PlanOptions(
            mode="reach" if self.max_sites is None else "max", max_sites=self.max_sites,
            time_limit_s=TIME_LIMIT_S,
            candidates=CandidateOptions(
                technology=self.technology, height_m=self.height_m,
                colocation="colocation" in use, roads="roads" in use,
                villages="villages" in use, high_ground="high_ground" in use))


@dataclass(frozen=True)
class Outcome:
    """One target's recommendation as the panel shows it (plain figures, any language).

    Parameters
    ----------
    target
        The target.
    sites
        New sites proposed for it.
    before, promised, measured, total, unreachable
        Demand covered before, what the solver promised with the sites, what the engine
        measures with them, the whole, and the open demand no candidate reaches, in
        ``unit``.
    gap
        Relative optimality gap of the integer program (None: greedy answer only).
    feasible
        False when no choice of candidates reaches the goal.
    """

    target: Target
    sites: int
    before: float
    promised: float
    measured: float
    total: float
    unreachable: float
    unit: str
    gap: float | None
    feasible: bool

    @classmethod
    def of(cls, rec: Recommendation) -> Outcome:
        """The outcome of a :class:`~covplan.planning.Recommendation`."""
        t = rec.target
        return cls(t, rec.selection.count, rec.demand.baseline_covered,
                   rec.predicted_covered, covered_in(rec.after, t.id), rec.demand.total,
                   rec.unreachable, rec.demand.unit, rec.selection.gap,
                   rec.feasible)

    def name(self, lang: Language) -> str:
        """The target's label in ``lang``."""
        return self.target.label_in(lang.code)


def summary_table(outcomes: list[Outcome], lang: Language) -> pd.DataFrame:
    """One row per target: sites, promised and measured coverage, gap, unreachable demand."""
    rows = []
    for o in outcomes:
        share = 100.0 / o.total if o.total > 0 else math.nan
        rows.append({
            lang._("Target"): o.name(lang),
            lang._("New sites"): lang.count(o.sites),
            lang._("Before"): lang.percent(o.before * share),
            lang._("Promised"): lang.percent(o.promised * share),
            lang._("Measured"): lang.percent(o.measured * share),
            lang._("Goal"): lang.percent(o.target.goal_percent),
            lang._("Optimality gap"): "–" if o.gap is None else lang.percent(100 * o.gap, 2),
            lang._("No candidate reaches"): wording.amount(o.unreachable, o.unit, lang),
        })
    return pd.DataFrame(rows)


def _request(ids: list[str], labels: dict[str, str], lang: Language) -> Request:
    chosen = st.multiselect(lang._("Targets to close"), ids, default=ids[:1],
                            format_func=lambda i: labels[i], key="rec_targets")
    tech = str(st.selectbox(lang._("Technology of new sites"), [AS_TARGET, "4G", "5G"],
                            format_func=lang._, key="rec_tech"))
    fewest = N_("The fewest that meet the goal")
    how = str(st.radio(lang._("How many new sites"), [fewest, N_("At most, per target")],
                       format_func=lang._, key="rec_how"))
    max_sites = None
    if how != fewest:
        max_sites = int(st.number_input(lang._("New sites per target, at most"), 1, 1000, 10,
                                        key="rec_k"))
    sources = st.multiselect(lang._("Where new sites may stand"), list(SOURCES),
                             default=list(SOURCES), format_func=lambda s: lang._(SOURCES[s]),
                             key="rec_sources")
    band = sector_defaults("5G" if tech == "5G" else "4G")
    height = st.number_input(lang._("Mast height of new sites (m)"), 10.0, 150.0,
                             float(band.height_m), step=1.0, format="%.1f", key="rec_height")
    return Request(tuple(chosen), None if tech == AS_TARGET else tech, max_sites,
                   tuple(sources), float(height))


def _cancel() -> None:
    """Button callback: the run it interrupts leaves the scenario as it was.

    A click that arrives after the run ended (the button was still on the page) changes
    nothing and says nothing.
    """
    if st.session_state.pop(RUNNING, False):
        st.session_state[NOTE] = "cancelled"


def _run(dataset: Dataset, evaluator: ScenarioEvaluator, scenario: Scenario, request: Request,
         key: str, lang: Language) -> Scenario:
    cancel = st.empty()
    cancel.button(lang._("Cancel"), key="rec_cancel", on_click=_cancel)
    bar = st.progress(0.0, text=lang._("Recommending sites…"))
    st.session_state[RUNNING] = True  # left set when a click stops the script mid-run
    wait_for_warming()  # a page read from disk: the evaluator's baseline is on its way
    try:
        recs = recommend_for_targets(dataset, evaluator.targets, request.target_ids,
                                     options=request.options(), evaluator=evaluator,
                                     progress=bar_progress(bar, lang._("Recommending sites…")),
                                     start=scenario)
    except CovplanError as exc:
        st.session_state.pop(RUNNING, None)
        cancel.empty()
        bar.empty()
        st.error(lang._("No recommendation: {reason}").format(reason=exc.text(lang)))
        return scenario
    st.session_state.pop(RUNNING, None)
    cancel.empty()
    bar.empty()
    final = recs[-1].scenario.renamed(
        lang._(N_("recommended")), "; ".join(r.target.label_in(lang.code) for r in recs))
    st.session_state[SUMMARY] = key, [Outcome.of(r) for r in recs], final.edits
    logger.info("Recommended %d site(s) for %s", len(final.edits) - len(scenario.edits),
                ", ".join(request.target_ids))
    return final


def _outcomes(key: str, scenario: Scenario) -> list[Outcome] | None:
    """The last recommendation's outcomes, while they describe the scenario on the map.

    They do while the dataset and targets are those of ``key`` and the scenario still
    holds the recommended sites (later edits kept); an undo below them or "back to
    baseline" leaves them out.
    """
    last = st.session_state.get(SUMMARY)
    if last is None or last[0] != key:
        return None
    made = last[2]
    return list(last[1]) if scenario.edits[:len(made)] == made else None


def render_recommend(dataset: Dataset, evaluator: ScenarioEvaluator, scenario: Scenario,
                     key: str, lang: Language) -> Scenario:
    """The panel; returns the scenario with the recommended sites after a run.

    ``key`` names the dataset and targets: the summary of a recommendation shows while
    they stay the same.
    """
    targets = [t for t in evaluator.targets.targets if plannable(t)]
    outcomes = _outcomes(key, scenario)
    # a switch, not an expander: an expander drawn anew (the page above it changed during a
    # run) closes again, and would hide the "Cancel" button of the run it holds
    with st.container(border=True):
        if not st.toggle(lang._("Recommend sites"), key="rec_open"):
            return scenario
        note = st.session_state.pop(NOTE, None)
        if note == "cancelled":
            st.info(lang._("Recommendation cancelled; the scenario is as it was."))
        if not targets:
            st.caption(lang._("No target of this preset can be closed with new radio sites."))
            return scenario
        labels = {t.id: t.label_in(lang.code) for t in targets}
        request = _request(list(labels), labels, lang)
        st.caption(lang._("Planned from the scenario on the map; the integer program stops "
                          "after {seconds} s with the best sites found.").format(
            seconds=lang.number(TIME_LIMIT_S)))
        if st.button(lang._("Recommend"), type="primary", disabled=not request.target_ids,
                     key="rec_run"):
            scenario = _run(dataset, evaluator, scenario, request, key, lang)
            outcomes = _outcomes(key, scenario)
        if outcomes:
            st.caption(lang._("Last recommendation: promised by the solver, measured by the "
                              "engine with the proposed sites."))
            st.dataframe(summary_table(outcomes, lang), hide_index=True, width="stretch")
            for o in outcomes:
                if not o.feasible:
                    st.warning(lang._("{target}: no choice of candidates reaches the goal; the "
                                      "proposed sites reach all that the candidates can.")
                               .format(target=o.name(lang)))
    return scenario
