"""Targets as data: TOML target sets, validated, evaluated on coverage metrics.

- :mod:`~covplan.targets.schema`: the file format and the :class:`Target` /
  :class:`TargetSet` records;
- :mod:`~covplan.targets.load`: :func:`load_targets` (preset name or file),
  :func:`parse_targets`, :func:`preset_names`;
- :mod:`~covplan.targets.evaluate`: :func:`evaluate_targets` -> status table;
- :mod:`~covplan.targets.analyze`: :func:`analyze` -> targets plus every gap table;
- :mod:`~covplan.targets.province`: :func:`province_warning`, when a preset seems to be
  another province's than the dataset's.

The presets ship in ``covplan/presets/*.toml``.
"""

from covplan.targets.analyze import Analysis, analyze
from covplan.targets.evaluate import Measured, evaluate_targets, measure_target
from covplan.targets.load import load_targets, parse_targets, preset_names
from covplan.targets.province import province_warning
from covplan.targets.schema import (
    MEASURES,
    STATUS_LABELS,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    STATUSES,
    Target,
    TargetSet,
    localized,
    status_label,
    unit_label,
)

__all__ = [
    "MEASURES",
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_MET",
    "STATUS_NOT_MET",
    "STATUS_NO_DATA",
    "Analysis",
    "Measured",
    "Target",
    "TargetSet",
    "analyze",
    "evaluate_targets",
    "load_targets",
    "localized",
    "measure_target",
    "parse_targets",
    "preset_names",
    "province_warning",
    "status_label",
    "unit_label",
]
