"""Targets as data: TOML target sets, validated, evaluated on coverage metrics.

- :mod:`~covplan.targets.schema`: the file format and the :class:`Target` /
  :class:`TargetSet` records;
- :mod:`~covplan.targets.load`: :func:`load_targets` (preset name or file),
  :func:`parse_targets`, :func:`preset_names`;
- :mod:`~covplan.targets.evaluate`: :func:`evaluate_targets` -> status table;
- :mod:`~covplan.targets.analyze`: :func:`analyze` -> targets plus every gap table.

The presets ship in ``covplan/presets/*.toml``.
"""

from covplan.targets.analyze import Analysis, analyze
from covplan.targets.evaluate import Measured, evaluate_targets, measure_target
from covplan.targets.load import load_targets, parse_targets, preset_names
from covplan.targets.schema import MEASURES, Target, TargetSet

__all__ = [
    "MEASURES",
    "Analysis",
    "Measured",
    "Target",
    "TargetSet",
    "analyze",
    "evaluate_targets",
    "load_targets",
    "measure_target",
    "parse_targets",
    "preset_names",
]
