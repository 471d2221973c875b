r"""The robust fit of a prediction's correction, and its spatially blocked cross-validation.

For one technology, with :math:`e_i` = measured − predicted RSRP at point :math:`i`,
:math:`x_i = \log_{10}(\mathrm{clip}(d_i, d_{lo}, d_{hi}) / 1\,\mathrm{km})` the distance from
the serving site and :math:`c(i)` its land-cover class, the fit is

.. math::
    e_i = a + b\,x_i + o_{c(i)} + \varepsilon_i

by iteratively reweighted least squares with Huber's weights (Huber 1964; tuning constant
:math:`k = 1.345`, 95 % efficiency under normal errors) and the scale re-estimated each
iteration as 1.4826 × the median absolute deviation, so that outliers (a wrong cell
attribution, an indoor reading, a GPS jump) weigh as little as they deserve. Class offsets
:math:`o_c` are fitted only for classes with at least ``min_class_points`` points, with a
ridge penalty :math:`(\hat\sigma/\tau)^2 \sum_c o_c^2` (:math:`\tau` = 5 dB: a Gaussian prior
on the offsets), which leaves :math:`a` the overall offset and shrinks thinly measured
classes towards it. :math:`d_{lo}`, :math:`d_{hi}` are the 1st and 99th percentiles of the
distances: the slope is not extrapolated beyond what was measured.

Cross-validation holds out whole spatial blocks (squares of ``block_m``), or whole drive
routes, never single points: neighbouring measurements share their shadow fading, so a
point held out beside its neighbours would flatter the fit. Blocks are dealt to ``folds``
folds at random (seeded); each fold is predicted by the fit on the others.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

logger = logging.getLogger(__name__)

#: Huber's tuning constant (95 % efficiency at the normal distribution).
HUBER_K: Final = 1.345
#: Prior standard deviation of a land-cover class offset (dB).
CLASS_PRIOR_DB: Final = 5.0
#: Fewest points for a correction of a technology, and for its slope.
MIN_POINTS: Final = 20
MIN_SLOPE_POINTS: Final = 50
#: Least spread of log-distance (decades, 5th-95th percentile) for a slope to be fitted.
MIN_SLOPE_DECADES: Final = 0.3


@dataclass(frozen=True)
class Fit:
    """A fitted correction (module docstring).

    Parameters
    ----------
    offset_db, slope_db_per_decade
        :math:`a` and :math:`b`.
    class_offsets_db
        :math:`o_c` by class value.
    distance_m
        :math:`(d_{lo}, d_{hi})`.
    points
        Points fitted.
    scale_db
        Robust scale of the residuals.
    slope_fitted
        False when the distances spanned too little for a slope (then 0).
    """

    offset_db: float
    slope_db_per_decade: float
    class_offsets_db: Mapping[int, float] = field(default_factory=dict)
    distance_m: tuple[float, float] = (100.0, 10_000.0)
    points: int = 0
    scale_db: float = math.nan
    slope_fitted: bool = True

    def correction_db(self, distance_m: np.ndarray, classes: np.ndarray | None = None
                      ) -> np.ndarray:
        """:math:`a + b x + o_c` at points (the slope held flat outside ``distance_m``)."""
        d = np.clip(np.asarray(distance_m, dtype=np.float64), *self.distance_m)
        out = self.offset_db + self.slope_db_per_decade * np.log10(d / 1000.0)
        if classes is not None and self.class_offsets_db:
            c = np.asarray(classes)
            for code, value in self.class_offsets_db.items():
                out = np.where(c == code, out + value, out)
        return np.asarray(out, dtype=np.float64)


def _robust_scale(r: np.ndarray) -> float:
    mad = float(np.median(np.abs(r - np.median(r))))
    return max(1.4826 * mad, 1e-6)


def _irls(design: np.ndarray, y: np.ndarray, penalty: np.ndarray, *, k: float,
          iterations: int = 50) -> tuple[np.ndarray, float]:
    """Huber IRLS with a ridge ``penalty`` (scaled by the residual variance) per column."""
    w = np.ones(y.size)
    beta = np.zeros(design.shape[1])
    scale = _robust_scale(y - np.median(y)) if y.size > 1 else 1.0
    for _ in range(iterations):
        xw = design * w[:, None]
        lhs = design.T @ xw + np.diag(penalty * scale**2)
        new = np.linalg.solve(lhs, xw.T @ y)
        r = y - design @ new
        scale = _robust_scale(r)
        w = np.minimum(1.0, k * scale / np.maximum(np.abs(r), 1e-12))
        if np.max(np.abs(new - beta)) < 1e-6:
            beta = new
            break
        beta = new
    return beta, scale


def fit_correction(error_db: np.ndarray, distance_m: np.ndarray,
                   classes: np.ndarray | None = None, *, min_class_points: int = 100,
                   huber_k: float = HUBER_K) -> Fit:
    """Fit the correction of one technology (module docstring).

    Parameters
    ----------
    error_db
        Measured minus predicted RSRP.
    distance_m
        Distance of each point from its serving site.
    classes
        Land-cover class value of each point (0: none); None for no class offsets.
    min_class_points
        Fewest points for a class to get its own offset.
    huber_k
        Huber's tuning constant.

    Returns
    -------
    Fit

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_POINTS` finite points.
    """
    e = np.asarray(error_db, dtype=np.float64)
    d = np.asarray(distance_m, dtype=np.float64)
    ok = np.isfinite(e) & np.isfinite(d) & (d > 0)
    if int(ok.sum()) < MIN_POINTS:
        raise ValueError(f"a correction needs at least {MIN_POINTS} measurements, got "
                         f"{int(ok.sum())}")
    e, d = e[ok], d[ok]
    c = np.asarray(classes)[ok] if classes is not None else np.zeros(e.size, dtype=np.int64)
    lo, hi = (float(v) for v in np.percentile(d, [1.0, 99.0]))
    lo, hi = max(lo, 1.0), max(hi, lo * 1.001 + 1.0)
    x = np.log10(np.clip(d, lo, hi) / 1000.0)
    spread = float(np.subtract(*np.percentile(x, [95.0, 5.0])))
    slope = e.size >= MIN_SLOPE_POINTS and spread >= MIN_SLOPE_DECADES
    codes, counts = np.unique(c[c > 0], return_counts=True)
    fitted_codes = codes[counts >= min_class_points].tolist()
    columns = [np.ones(e.size)] + ([x] if slope else [])
    columns += [(c == code).astype(np.float64) for code in fitted_codes]
    design = np.column_stack(columns)
    penalty = np.zeros(design.shape[1])
    penalty[1 + int(slope):] = 1.0 / CLASS_PRIOR_DB**2
    beta, scale = _irls(design, e, penalty, k=huber_k)
    offsets = {int(code): float(v) for code, v in zip(fitted_codes, beta[1 + int(slope):],
                                                      strict=True)}
    return Fit(float(beta[0]), float(beta[1]) if slope else 0.0, offsets, (lo, hi), int(e.size),
               scale, slope)


def spatial_folds(x_m: np.ndarray, y_m: np.ndarray, *, block_m: float, folds: int,
                  groups: np.ndarray | None = None, seed: int = 0) -> np.ndarray:
    """The fold (0 … folds-1) of each point: whole blocks (or ``groups``) per fold.

    Parameters
    ----------
    x_m, y_m
        Point coordinates in a metric CRS.
    block_m
        Side of the square blocks.
    folds
        How many folds (at most the number of blocks).
    groups
        A label per point (drive routes) to hold out instead of blocks.
    seed
        Random seed of the deal.
    """
    if groups is not None:
        _, block = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    else:
        bx = np.floor(np.asarray(x_m) / block_m).astype(np.int64)
        by = np.floor(np.asarray(y_m) / block_m).astype(np.int64)
        _, block = np.unique(np.column_stack([bx, by]), axis=0, return_inverse=True)
    block = np.asarray(block).ravel()
    n_blocks = int(block.max()) + 1 if block.size else 0
    order = np.random.default_rng(seed).permutation(n_blocks)
    fold_of_block = np.empty(n_blocks, dtype=np.int64)
    fold_of_block[order] = np.arange(n_blocks) % max(1, min(folds, n_blocks))
    return fold_of_block[block]


def cross_validated_correction(error_db: np.ndarray, distance_m: np.ndarray,
                               classes: np.ndarray | None, fold: np.ndarray, *,
                               min_class_points: int = 100) -> np.ndarray:
    """Each point's correction from the fit on the other folds (NaN where none fits)."""
    out = np.full(np.shape(error_db), np.nan)
    for k in np.unique(fold).tolist():
        held = fold == k
        try:
            fit = fit_correction(error_db[~held], distance_m[~held],
                                 classes[~held] if classes is not None else None,
                                 min_class_points=min_class_points)
        except ValueError:
            continue
        out[held] = fit.correction_db(distance_m[held],
                                      classes[held] if classes is not None else None)
    return out
