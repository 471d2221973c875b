"""Progress over time: snapshots of a province compared against the same targets.

Modules:

- :mod:`~covplan.progress.snapshots`: a snapshot is a dataset as of a date (the manifest's
  ``as_of``) or a dataset plus a scenario; loading, labels (``2025-Q3``), and the check
  that snapshots describe the same study area in the same CRS;
- :mod:`~covplan.progress.compare`: every snapshot through the one evaluation pipeline
  with a shared per-site cache, and the target table over time (overall and per commune);
- :mod:`~covplan.progress.communes`: every target measured per commune;
- :mod:`~covplan.progress.changes`: what changed between consecutive snapshots (sites,
  road stretches, villages, points of interest, communes);
- :mod:`~covplan.progress.pace`: the quarter each goal would be met in at the observed
  pace (a stated linear extrapolation);
- :mod:`~covplan.progress.summary`: the same in words, in any language;
- :mod:`~covplan.progress.figures`, :mod:`~covplan.progress.pdf`,
  :mod:`~covplan.progress.outputs`: the chart, the change maps, the PDF and the files.

Examples
--------
>>> from covplan.progress import compare_snapshots, load_snapshots, write_outputs
>>> snapshots = load_snapshots(["data/q/2025-Q1", "data/q/2025-Q4"])  # doctest: +SKIP
>>> comparison = compare_snapshots(snapshots, load_targets("thai_nguyen_2025"))  # doctest: +SKIP
>>> comparison.target_table()  # doctest: +SKIP
"""

from covplan.progress.changes import Changes, changes_between, snapshot_state
from covplan.progress.communes import commune_measures
from covplan.progress.compare import Comparison, SnapshotResult, compare_snapshots
from covplan.progress.figures import change_map, figure_png, progress_chart
from covplan.progress.outputs import output_names, progress_layers, write_outputs
from covplan.progress.pace import Pace, extrapolate
from covplan.progress.pdf import progress_pdf, progress_section
from covplan.progress.snapshots import (
    Snapshot,
    SnapshotError,
    check_comparable,
    load_snapshot,
    load_snapshots,
    snapshot_from_dataset,
)
from covplan.progress.summary import format_progress

__all__ = [
    "Changes",
    "Comparison",
    "Pace",
    "Snapshot",
    "SnapshotError",
    "SnapshotResult",
    "change_map",
    "changes_between",
    "check_comparable",
    "commune_measures",
    "compare_snapshots",
    "extrapolate",
    "figure_png",
    "format_progress",
    "load_snapshot",
    "load_snapshots",
    "output_names",
    "progress_chart",
    "progress_layers",
    "progress_pdf",
    "progress_section",
    "snapshot_from_dataset",
    "snapshot_state",
    "write_outputs",
]
