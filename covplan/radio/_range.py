"""Validity-range checks shared by the propagation models.

Every empirical model holds only over the parameter ranges it was fitted on. Evaluating it
outside is allowed (planners need a number) but never silent: :func:`check_range` emits a
:class:`ModelRangeWarning` that names the model, the parameter, the range and what arrived.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from covplan.i18n import N_, Name, Num, Text


class ModelRangeWarning(UserWarning):
    """A propagation model was evaluated outside the validity range its reference states."""


def range_message(
    model: str, name: str, values: ArrayLike, low: float, high: float, unit: str
) -> Text | None:
    """What :func:`check_range` would warn about ``values`` outside ``[low, high]``, or None.

    For callers that collect the messages themselves: catching warnings with
    :class:`warnings.catch_warnings` swaps the process-wide filters, which races with any
    other thread doing the same (rasterio does, around every in-memory dataset).

    Parameters
    ----------
    model
        Model name used in the message, such as ``"COST-231 Hata"``.
    name
        Parameter name with its symbol, such as ``"distance d"`` (translated where the
        catalogues have it: mark it with :func:`~covplan.i18n.N_`).
    values
        Values the model is about to be evaluated at (NaN ignored).
    low, high
        Inclusive validity range.
    unit
        Unit of the range, for the message.

    Returns
    -------
    Text or None
        The message (English as a string, any language with ``text(lang)``) naming the
        model, the parameter, the range and what arrived; None when every value lies inside
        the range.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0 or np.isnan(arr).all():
        return None
    lo_got, hi_got = float(np.nanmin(arr)), float(np.nanmax(arr))
    if lo_got >= low - 1e-9 and hi_got <= high + 1e-9:
        return None
    outside = int(np.count_nonzero((arr < low - 1e-9) | (arr > high + 1e-9)))
    return Text(N_("{model}: {name} outside its validity range {low}–{high} {unit} "
                   "({outside} of {count} values, got {lowest}–{highest} {unit}); the formula "
                   "is extrapolated there"), model=Name(model), name=name,
                low=Num.shortest(low), high=Num.shortest(high), unit=Name(unit),
                outside=Num(outside), count=Num(arr.size), lowest=Num.shortest(lo_got),
                highest=Num.shortest(hi_got))


def check_range(
    model: str, name: str, values: ArrayLike, low: float, high: float, unit: str
) -> None:
    """Warn (:class:`ModelRangeWarning`) when any of ``values`` lies outside ``[low, high]``.

    Parameters are those of :func:`range_message`.
    """
    message = range_message(model, name, values, low, high, unit)
    if message is not None:
        warnings.warn(message, ModelRangeWarning, stacklevel=3)
