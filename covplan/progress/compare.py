"""Comparing snapshots: every snapshot through the one pipeline, then the tables over time.

:func:`compare_snapshots` evaluates each snapshot with the same target set, thresholds,
grid resolution and model through :class:`covplan.planning.ScenarioEvaluator`, sharing one
:class:`~covplan.predict.SiteCache` (so a site that did not change between snapshots is
predicted once), measures every target per commune, and keeps of each snapshot only its
tables and what the change lists need, so that the coverage grids of at most two
snapshots are held at once. The :class:`Comparison` it returns gives the target table over
time (:meth:`Comparison.target_table`), the same per commune
(:meth:`Comparison.commune_table`), the changes between consecutive snapshots
(:attr:`Comparison.changes`) and the pace (:meth:`Comparison.pace`).

Columns of the tables over time, for snapshot labels ``L`` (``2025-Q3``) and consecutive
pairs ``P`` to ``L``: ``L`` (measured percent), ``covered_L`` and ``total_L`` (in the
target's unit), ``status_L``, ``change_P_to_L`` (the covered amount's change, in the unit)
and ``change_points_P_to_L`` (percentage points).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan._progress import ProgressFn, no_progress, scaled
from covplan.i18n import N_, Name, Phrase, Text
from covplan.planning.evaluate import ScenarioEvaluator
from covplan.predict import SiteCache
from covplan.progress.changes import Changes, SnapshotState, changes_between, snapshot_state
from covplan.progress.communes import commune_measures
from covplan.progress.pace import Pace, extrapolate
from covplan.progress.snapshots import Snapshot, check_comparable
from covplan.schema import ON_AIR_STATUSES
from covplan.targets.schema import TargetSet

logger = logging.getLogger(__name__)

#: Columns of the target table that describe the target (before the per-snapshot columns).
TARGET_INFO = ("id", "target", "target_vi", "unit", "goal_percent")
#: Columns of the commune table that describe the commune and target.
COMMUNE_INFO = ("code", "name", "id", "target", "target_vi", "unit", "goal_percent")
#: Per-snapshot figures of both tables.
FIGURES = ("measured_percent", "covered", "total", "status")


@dataclass(frozen=True, eq=False)
class SnapshotResult:
    """One evaluated snapshot: what it is and its targets, overall and per commune.

    Parameters
    ----------
    label, as_of, source
        As in :class:`~covplan.progress.Snapshot`.
    dataset
        The dataset's name.
    scenario
        The scenario's name ("" for the dataset as it is).
    synthetic
        Whether the dataset is synthetic.
    sites
        Sites on air (distinct ``site_id`` with a sector of the statuses evaluated).
    targets
        The target table (:func:`covplan.targets.evaluate_targets`).
    communes
        The targets per commune (:func:`covplan.progress.communes.commune_measures`).
    warnings
        The dataset's warnings, the plan's (a scenario made on other sites, a site outside
        the province) and a calibration other than the first snapshot's.
    """

    label: str
    as_of: dt.date | None
    source: str
    dataset: str
    scenario: str
    synthetic: bool
    sites: int
    targets: pd.DataFrame
    communes: pd.DataFrame
    warnings: tuple[str, ...] = ()


def _change_columns(labels: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(change column, points column, label)`` of each consecutive pair."""
    return [(f"change_{a}_to_{b}", f"change_points_{a}_to_{b}", b)
            for a, b in itertools.pairwise(labels)]


def wide_table(long: pd.DataFrame, keys: Sequence[str], info: Sequence[str],
               labels: Sequence[str]) -> pd.DataFrame:
    """A long table (one row per ``keys`` and ``snapshot``) as one row per ``keys``.

    Columns: ``info``, then one measured-percent column per label, then ``covered_``,
    ``total_`` and ``status_`` per label, then ``change_`` and ``change_points_`` per
    consecutive pair (see the module docstring).
    """
    keys = list(keys)
    base = long.drop_duplicates(keys)[list(info)].reset_index(drop=True)
    table = base.copy()
    columns: dict[str, np.ndarray] = {}
    index = pd.MultiIndex.from_frame(base[keys]) if len(keys) > 1 else pd.Index(base[keys[0]])
    for label in labels:
        part = long[long["snapshot"] == label].set_index(keys)
        part = part.reindex(index)
        columns[label] = part["measured_percent"].to_numpy(float)
        for figure in ("covered", "total", "status"):
            columns[f"{figure}_{label}"] = part[figure].to_numpy()
    for change, points, label in _change_columns(labels):
        previous = labels[labels.index(label) - 1]
        # measured in neither (no data, as a never-fibred province's fibre): no change to say
        unmeasured = ~(np.isfinite(columns[label]) | np.isfinite(columns[previous]))
        columns[change] = np.where(unmeasured, np.nan,
                                   np.asarray(columns[f"covered_{label}"], float)
                                   - np.asarray(columns[f"covered_{previous}"], float))
        columns[points] = columns[label] - columns[previous]
    order = [*labels, *(f"{f}_{lab}" for f in ("covered", "total", "status") for lab in labels),
             *(c for c, _, _ in _change_columns(labels)),
             *(p for _, p, _ in _change_columns(labels))]
    extra = pd.DataFrame({c: columns[c] for c in order}, index=table.index)
    return pd.concat([table, extra], axis=1)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Snapshots evaluated against one target set, and what changed between them.

    Parameters
    ----------
    targets
        The target set.
    snapshots
        The snapshots, in order.
    changes
        The changes from each snapshot to the next.
    communes
        The communes (``code``, ``name``, polygon) of the last snapshot, or None.
    roads
        The roads (``road_class``, line) of the last snapshot, for maps, or None.
    timings_s
        Wall time of each snapshot's evaluation, by label.
    """

    targets: TargetSet
    snapshots: tuple[SnapshotResult, ...]
    changes: tuple[Changes, ...]
    communes: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The snapshots' labels, in order."""
        return [s.label for s in self.snapshots]

    @property
    def synthetic(self) -> bool:
        """Whether any snapshot is synthetic data."""
        return any(s.synthetic for s in self.snapshots)

    @property
    def dataset(self) -> str:
        """The last snapshot's dataset name."""
        return self.snapshots[-1].dataset

    def over_time(self) -> pd.DataFrame:
        """The target tables of every snapshot, one row per snapshot and target.

        Columns: ``snapshot``, ``as_of``, then the target table's columns.
        """
        parts = [s.targets.assign(snapshot=s.label, as_of=s.as_of) for s in self.snapshots]
        table = pd.concat(parts, ignore_index=True)
        first = ["snapshot", "as_of"]
        return table[first + [c for c in table.columns if c not in first]]

    def target_table(self) -> pd.DataFrame:
        """Target × snapshot (see the module docstring), with the pace of each target.

        The last columns are ``pace`` (:attr:`Pace.status`), ``pace_quarter`` and
        ``pace_points_per_quarter``.
        """
        table = wide_table(self.over_time(), ["id"], TARGET_INFO, self.labels)
        pace = self.pace()
        table["pace"] = [pace[i].status for i in table["id"]]
        table["pace_quarter"] = [pace[i].quarter for i in table["id"]]
        table["pace_points_per_quarter"] = [pace[i].points_per_quarter for i in table["id"]]
        return table

    def commune_table(self) -> pd.DataFrame:
        """Commune × target × snapshot: the target table per commune, same columns."""
        names = self.snapshots[-1].targets.set_index("id")[["target", "target_vi"]]
        parts = [s.communes.assign(snapshot=s.label) for s in self.snapshots
                 if len(s.communes)]
        if not parts:
            return pd.DataFrame({c: [] for c in COMMUNE_INFO})
        long = pd.concat(parts, ignore_index=True).join(names, on="id")
        return wide_table(long, ["code", "id"], COMMUNE_INFO, self.labels)

    def pace(self) -> dict[str, Pace]:
        """Each target's pace (:func:`covplan.progress.pace.extrapolate`), by id.

        Only dated snapshots count; a scenario (a plan) has no date.
        """
        dated = [s for s in self.snapshots if s.as_of is not None]
        out = {}
        for row in self.snapshots[-1].targets.to_dict("records"):
            values = [float(s.targets.set_index("id").loc[row["id"], "measured_percent"])
                      for s in dated]
            out[str(row["id"])] = extrapolate([s.as_of for s in dated if s.as_of], values,
                                              float(row["goal_percent"]),
                                              labels=[s.label for s in dated])
        return out

    def pace_table(self) -> pd.DataFrame:
        """The pace as a table.

        Columns: ``id``, ``goal_percent``, ``pace``, ``quarter``, ``quarter_end``,
        ``points_per_quarter``, ``based_on``, ``reason``.
        """
        goals = self.snapshots[-1].targets.set_index("id")["goal_percent"]
        rows = [{"id": key, "goal_percent": float(goals[key]), "pace": p.status,
                 "quarter": p.quarter, "quarter_end": p.quarter_end,
                 "points_per_quarter": p.points_per_quarter,
                 "based_on": "; ".join(p.based_on), "reason": p.reason}
                for key, p in self.pace().items()]
        return pd.DataFrame(rows)


def _sites_on_air(snapshot: Snapshot, statuses: Sequence[str]) -> int:
    sites = snapshot.sites
    if sites is None or not len(sites):
        return 0
    keep = np.ones(len(sites), dtype=bool)
    if "status" in sites.columns:
        status = sites["status"]
        keep = (status.isna() | status.astype(str).isin(list(statuses))).to_numpy(bool)
    return int(sites.loc[keep, "site_id"].astype(str).nunique())


def _result(snapshot: Snapshot, targets: pd.DataFrame, communes: pd.DataFrame,
            statuses: Sequence[str], first: Snapshot) -> SnapshotResult:
    warnings = [*snapshot.dataset.warnings]
    if snapshot.scenario is not None:
        warnings += snapshot.scenario.warnings
    if _calibration(snapshot) != _calibration(first):
        warnings.append(Text(
            N_("{label} is predicted with another calibration than {first} ({mine} against "
               "{theirs}): the change between them includes the calibration's, not only the "
               "network's. Fix: give every snapshot the same calibration file, or none."),
            label=Name(snapshot.label), first=Name(first.label),
            mine=_calibration_words(snapshot), theirs=_calibration_words(first)))
    return SnapshotResult(
        label=snapshot.label, as_of=snapshot.as_of, source=snapshot.source,
        dataset=snapshot.dataset.name,
        scenario=snapshot.scenario.name if snapshot.scenario is not None else "",
        synthetic=snapshot.dataset.synthetic, sites=_sites_on_air(snapshot, statuses),
        targets=targets, communes=communes, warnings=tuple(warnings))


def _calibration(snapshot: Snapshot) -> str:
    """What a snapshot's prediction is calibrated with: its calibration's text, "" for none."""
    calibration = snapshot.dataset.calibration
    return calibration.to_toml() if calibration is not None else ""


def _calibration_words(snapshot: Snapshot) -> Phrase | Name:
    """A snapshot's calibration as its file is named, or "none"."""
    calibration = snapshot.dataset.calibration
    if calibration is None:
        return Phrase(N_("no calibration"))
    return Name(Path(calibration.source).name if calibration.source else "calibration.toml")


def _evaluate(evaluator: ScenarioEvaluator, snapshot: Snapshot, targets: TargetSet,
              statuses: Sequence[str], progress: ProgressFn, first: Snapshot
              ) -> tuple[SnapshotResult, SnapshotState]:
    """One snapshot's tables and change-list state; its coverage grids go on return."""
    progress(0.0, f"{snapshot.label}: predicting")
    evaluation = evaluator.evaluate(snapshot.scenario, progress=progress)
    communes = commune_measures(evaluation.context, targets)
    state = snapshot_state(snapshot.label, evaluation.context, targets, communes)
    return _result(snapshot, evaluation.analysis.targets, communes, statuses, first), state


def compare_snapshots(
    snapshots: Sequence[Snapshot],
    targets: TargetSet,
    *,
    resolution_m: float | None = None,
    model: str = "auto",
    statuses: Sequence[str] = ON_AIR_STATUSES,
    cache: SiteCache | None = None,
    progress: ProgressFn | None = None,
) -> Comparison:
    """Evaluate every snapshot against ``targets`` and what changed between consecutive ones.

    Parameters
    ----------
    snapshots
        Two or more snapshots of one study area, in order (:func:`load_snapshots` orders
        them by date).
    targets
        The target set every snapshot is evaluated with.
    resolution_m, model, statuses
        As for :class:`covplan.planning.ScenarioEvaluator`, the same for every snapshot.
    cache
        The per-site prediction cache shared by the snapshots (on disk to reuse it across
        runs); default one in memory for this call.
    progress
        Called with (fraction, message); each snapshot takes an equal share.

    Raises
    ------
    covplan.progress.SnapshotError
        For snapshots of different study areas or CRSs.
    """
    check_comparable(snapshots)
    report = progress or no_progress
    cache = cache if cache is not None else SiteCache()
    results: list[SnapshotResult] = []
    changes: list[Changes] = []
    timings: dict[str, float] = {}
    previous: SnapshotState | None = None
    evaluator: ScenarioEvaluator | None = None
    count = len(snapshots)
    for k, snapshot in enumerate(snapshots):
        started = time.perf_counter()
        if evaluator is None or evaluator.dataset is not snapshot.dataset:
            evaluator = None  # the previous one's layers go before the next are laid
            evaluator = ScenarioEvaluator(snapshot.dataset, targets, resolution_m=resolution_m,
                                          model=model, statuses=statuses, cache=cache)
        result, state = _evaluate(evaluator, snapshot, targets, statuses,
                                  scaled(report, k / count, (k + 1) / count), snapshots[0])
        results.append(result)
        if previous is not None:
            changes.append(changes_between(previous, state))
        previous = state
        timings[snapshot.label] = time.perf_counter() - started
        logger.info("Snapshot %s evaluated in %.1f s", snapshot.label, timings[snapshot.label])
    report(1.0, "compared")
    last = snapshots[-1].dataset
    roads = None
    if last.roads is not None:
        roads = gpd.GeoDataFrame({"road_class": last.roads["road_class"].astype(str).to_numpy()},
                                 geometry=np.asarray(last.roads.geometry.values), crs=last.crs)
    shapes = previous.commune_shapes if previous is not None else None
    return Comparison(targets, tuple(results), tuple(changes), shapes, roads, timings)
