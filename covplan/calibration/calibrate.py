"""``covplan calibrate``'s work: compare, fit per technology, cross-validate, tabulate.

:func:`calibrate` compares the measurements with the *uncalibrated* prediction (the model
with the dataset's land-cover clutter and vendor patterns, whatever calibration the manifest
names), fits one correction per technology (:func:`covplan.calibration.fit.fit_correction`)
and measures its error on held-out spatial blocks or routes
(:func:`covplan.calibration.fit.spatial_folds`). The before/after table has a row per
technology, then per technology and land-cover class.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd

from covplan._progress import ProgressFn, scaled
from covplan.calibration.compare import Comparison, compare_measurements
from covplan.calibration.correction import Calibration, ErrorStats, TechnologyCorrection
from covplan.calibration.fit import (
    MIN_POINTS,
    cross_validated_correction,
    fit_correction,
    spatial_folds,
)
from covplan.calibration.measurements import Measurements
from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)

#: Default side of the cross-validation blocks (m): beyond the correlation distance of
#: shadow fading (tens to a few hundred metres, Gudmundson 1991), about a cell's radius.
BLOCK_M: Final = 2_000.0
#: Default number of folds.
FOLDS: Final = 5
#: Fewest points for a class to get its own offset.
MIN_CLASS_POINTS: Final = 100

#: Columns of the before/after table.
TABLE_COLUMNS: Final = ("technology", "landcover", "points", "before_mean_db", "before_std_db",
                        "before_rmse_db", "after_mean_db", "after_std_db", "after_rmse_db")


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """A calibration and the evidence for it.

    Parameters
    ----------
    calibration
        What to write (:meth:`Calibration.to_toml`).
    comparison
        The measurements against the uncalibrated prediction; ``points`` has
        ``correction_cv_db`` (the held-out correction) and ``error_after_db``.
    table
        Before/after error per technology (``landcover`` 0) and per technology and class
        (:data:`TABLE_COLUMNS`); "after" is cross-validated.
    folds, block_m, by_route
        How points were held out.
    seconds
        Wall time of the fit and cross-validation (prediction excluded).
    prediction_seconds
        Wall time of the prediction at the points.
    """

    calibration: Calibration
    comparison: Comparison
    table: pd.DataFrame
    folds: int
    block_m: float
    by_route: bool
    seconds: float
    prediction_seconds: float


def _row(technology: str, landcover: int, before: np.ndarray, after: np.ndarray
         ) -> dict[str, object]:
    b, a = ErrorStats.of(before), ErrorStats.of(after)
    return {"technology": technology, "landcover": landcover, "points": b.points,
            "before_mean_db": b.mean_db, "before_std_db": b.std_db, "before_rmse_db": b.rmse_db,
            "after_mean_db": a.mean_db, "after_std_db": a.std_db, "after_rmse_db": a.rmse_db}


def fit_comparison(comparison: Comparison, *, folds: int = FOLDS, block_m: float = BLOCK_M,
                   by_route: bool = False, min_class_points: int = MIN_CLASS_POINTS,
                   dataset_name: str = "", measurements_name: str = "",
                   clutter: bool = False) -> CalibrationResult:
    """Fit and cross-validate the corrections of a :class:`Comparison` (module docstring).

    Raises
    ------
    covplan.errors.InputError
        No technology has :data:`covplan.calibration.fit.MIN_POINTS` compared points.
    """
    started = time.perf_counter()
    points = comparison.points.copy()
    x, y = points["x"].to_numpy(float), points["y"].to_numpy(float)
    groups = points["route"].astype(str).to_numpy() if by_route else None
    fold = spatial_folds(x, y, block_m=block_m, folds=folds, groups=groups)
    cv = np.full(len(points), np.nan)
    corrections: dict[str, TechnologyCorrection] = {}
    rows: list[dict[str, object]] = []
    for tech, part in points.groupby("technology", sort=True):
        idx = np.flatnonzero((points["technology"] == tech).to_numpy())
        e = part["error_db"].to_numpy(float)
        d = part["distance_m"].to_numpy(float)
        c = part["landcover"].to_numpy(np.int64)
        if len(part) < MIN_POINTS:
            logger.warning("%s: %d compared measurements, fewer than %d: no correction",
                           tech, len(part), MIN_POINTS)
            continue
        fit = fit_correction(e, d, c, min_class_points=min_class_points)
        cv[idx] = cross_validated_correction(e, d, c, fold[idx],
                                             min_class_points=min_class_points)
        after = e - cv[idx]
        before_stats, after_stats = ErrorStats.of(e), ErrorStats.of(after)
        corrections[str(tech)] = TechnologyCorrection(
            str(tech), comparison.models[str(tech)], fit.offset_db, fit.slope_db_per_decade,
            fit.distance_m, dict(fit.class_offsets_db), fit.points, before_stats, after_stats,
            cross_validated=True)
        rows.append(_row(str(tech), 0, e, after))
        for code in sorted(set(c.tolist()) - {0}):
            use = c == code
            if int(use.sum()) >= min_class_points:
                rows.append(_row(str(tech), int(code), e[use], after[use]))
    if not corrections:
        raise InputError([Problem(measurements_name or "measurements",
                                  N_("no technology has {count} measurements compared with "
                                     "the prediction; nothing to fit."),
                                  N_("give more measurements in the study area."),
                                  layer="measurements", params={"count": MIN_POINTS})])
    points["correction_cv_db"] = cv
    points["error_after_db"] = points["error_db"] - cv
    calibration = Calibration(corrections, created=dt.date.today().isoformat(),
                              dataset=dataset_name, measurements=measurements_name,
                              points=int(sum(c.points for c in corrections.values())),
                              clutter=clutter)
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    seconds = time.perf_counter() - started
    logger.info("Fitted %d corrections on %d points with %d-fold cross-validation in %.2f s",
                len(corrections), len(points), folds, seconds)
    return CalibrationResult(calibration, replace(comparison, points=points), table, folds,
                             block_m, by_route, seconds, 0.0)


def calibrate(
    dataset: Dataset,
    measurements: Measurements,
    *,
    model: str = "auto",
    resolution_m: float | None = None,
    folds: int = FOLDS,
    block_m: float = BLOCK_M,
    by_route: bool = False,
    min_class_points: int = MIN_CLASS_POINTS,
    progress: ProgressFn | None = None,
) -> CalibrationResult:
    """Calibrate the dataset's prediction to measurements (module docstring).

    Parameters
    ----------
    dataset
        The loaded dataset.
    measurements
        From :func:`covplan.calibration.measurements.read_measurements`.
    model
        Propagation model (``"auto"``: the default per technology); the calibration applies
        to this model only.
    resolution_m
        Grid resolution of the prediction.
    folds, block_m
        Cross-validation: folds, and the side of the blocks held out together.
    by_route
        Hold out whole drive routes (the ``route`` column) instead of blocks.
    min_class_points
        Fewest points for a land-cover class offset.
    progress
        Called with (fraction, message): the prediction takes the first 90 %.

    Returns
    -------
    CalibrationResult
    """
    if by_route and measurements.frame["route"].isna().all():
        raise InputError([Problem(str(measurements.source), N_("cross-validation by route needs "
                                  "a 'route' column, and the file has none."),
                                  N_("add a route column (one id per drive), or hold out spatial "
                                     "blocks instead."), layer="measurements", column="route")])
    started = time.perf_counter()
    comparison = compare_measurements(
        dataset, measurements, model=model, resolution_m=resolution_m,
        environment=dataset.environment(calibrated=False),
        progress=scaled(progress, 0.0, 0.9) if progress is not None else None)
    predicted = time.perf_counter() - started
    result = fit_comparison(comparison, folds=folds, block_m=block_m, by_route=by_route,
                            min_class_points=min_class_points, dataset_name=dataset.name,
                            measurements_name=measurements.source.name,
                            clutter=dataset.landcover is not None)
    if progress is not None:
        progress(1.0, "fitted")
    return replace(result, prediction_seconds=predicted)
