"""Calibrating predictions to measurements (drive tests, crowdsourced logs).

Modules, one concern each:

- :mod:`~covplan.calibration.measurements`: reading measurement files (plain CSV,
  G-NetTrack logs), bad rows reported with their line numbers;
- :mod:`~covplan.calibration.fit`: the robust fit of an offset, a log-distance slope and
  per-class offsets, and the spatially blocked cross-validation;
- :mod:`~covplan.calibration.compare`: measurements against the engine's prediction
  (serving-sector attribution, predicted RSRP, error), as a GeoDataFrame for the app and the
  before/after tables;
- :mod:`~covplan.calibration.correction`: the calibration file a dataset names.

Only the file's types are imported here: the other modules depend on the prediction engine,
which depends on this package's :mod:`~covplan.calibration.correction`.
"""

from covplan.calibration.correction import (
    Calibration,
    ErrorStats,
    TechnologyCorrection,
    read_calibration,
)

__all__ = ["Calibration", "ErrorStats", "TechnologyCorrection", "read_calibration"]
