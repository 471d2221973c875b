r"""Pace: the quarter in which a target's goal would be met if the recent trend went on.

This is a stated **linear extrapolation**, not a forecast. Time is counted in quarters
(:func:`quarter_time`: the end of a quarter is a whole number, so quarterly snapshots are
one apart whatever the length of the months). A straight line is fitted by least squares
through the last :data:`PACE_SNAPSHOTS` dated values :math:`(t_i, v_i)`,

.. math:: v(t) = a + b\,t,

and the goal :math:`g` is reached at :math:`t^* = (g - a) / b`. The answer is the quarter
that holds :math:`t^*`. Where the line is flat or falling (:math:`b \le 0`) the goal is
not reached at this pace; where :math:`t^*` lies more than :data:`HORIZON_QUARTERS` ahead
the answer is the same, with that reason. A goal already met needs no extrapolation.

Examples
--------
>>> import datetime as dt
>>> days = [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30)]
>>> extrapolate(days, [90.0, 92.0, 94.0], 100.0).quarter
'2026-Q2'
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from covplan.progress.snapshots import quarter_end, quarter_label

#: How many of the last dated snapshots the line is fitted through.
PACE_SNAPSHOTS: Final = 4
#: How far ahead (quarters) an extrapolation is still given: ten years.
HORIZON_QUARTERS: Final = 40
#: Slopes at or below this (percentage points a quarter) count as flat.
FLAT_POINTS: Final = 1e-6

#: The goal is met at the last snapshot.
PACE_MET: Final = "met"
#: At the observed pace the goal is met in :attr:`Pace.quarter`.
PACE_ON: Final = "on pace"
#: Flat or falling, or beyond the horizon.
PACE_NOT: Final = "not at this pace"
#: Fewer than two dated values.
PACE_TOO_FEW: Final = "too few snapshots"
#: The target was measured in none of the dated snapshots (no data to measure it on).
PACE_NO_DATA: Final = "no data"
#: Flat or falling trend.
REASON_FLAT: Final = "flat or falling"
#: The goal lies beyond :data:`HORIZON_QUARTERS`.
REASON_HORIZON: Final = "beyond the horizon"


@dataclass(frozen=True)
class Pace:
    """A target's pace and the quarter its goal would be met in.

    Parameters
    ----------
    status
        ``{"met", "on pace", "not at this pace", "too few snapshots"}``.
    quarter
        ``2026-Q2`` when on pace, else "".
    quarter_end
        The last day of that quarter, when on pace.
    points_per_quarter
        Slope of the fitted line in percentage points a quarter (NaN with too few values).
    based_on
        The labels (or ISO dates) of the snapshots the line goes through.
    reason
        Why not at this pace: :data:`REASON_FLAT` or :data:`REASON_HORIZON`; "" otherwise.
    """

    status: str
    quarter: str = ""
    quarter_end: dt.date | None = None
    points_per_quarter: float = math.nan
    based_on: tuple[str, ...] = ()
    reason: str = ""


def quarter_time(day: dt.date) -> float:
    """``day`` in quarters since year 0: a quarter's last day is a whole number.

    2025-03-31 is 8101.0 (the end of quarter 8100, 2025-Q1), 2025-05-15 about 8101.5.
    """
    index = day.year * 4 + (day.month - 1) // 3
    start = dt.date(day.year, 3 * (index % 4) + 1, 1)
    length = (quarter_end(day.year, index % 4 + 1) - start).days + 1
    return index + ((day - start).days + 1) / length


def quarter_at(time: float) -> tuple[int, int]:
    """``(year, quarter)`` holding the quarter time ``time`` (:func:`quarter_time`)."""
    index = math.ceil(time - 1e-9) - 1
    return index // 4, index % 4 + 1


def extrapolate(dates: Sequence[dt.date], values: Sequence[float], goal: float, *,
                labels: Sequence[str] | None = None, last: int = PACE_SNAPSHOTS) -> Pace:
    """The quarter in which ``goal`` is reached if the line through the last values goes on.

    Parameters
    ----------
    dates
        Each value's date (in order or not).
    values
        The measured shares (percent); NaN values are left out.
    goal
        The goal (percent).
    labels
        Names of the values for :attr:`Pace.based_on`; default the ISO dates.
    last
        How many of the last dated values the line goes through.

    Returns
    -------
    Pace
        See the module docstring.
    """
    names = list(labels) if labels is not None else [d.isoformat() for d in dates]
    points = sorted((d, float(v), n) for d, v, n in zip(dates, values, names, strict=True)
                    if v is not None and math.isfinite(float(v)))
    points = points[-last:]
    if not points:
        return Pace(PACE_NO_DATA if names else PACE_TOO_FEW)
    if points[-1][1] >= goal - 1e-9:
        return Pace(PACE_MET, based_on=(points[-1][2],))
    if len(points) < 2:
        return Pace(PACE_TOO_FEW, based_on=tuple(p[2] for p in points))
    times = np.array([quarter_time(p[0]) for p in points])
    shares = np.array([p[1] for p in points])
    slope, intercept = np.polyfit(times, shares, 1)
    based_on = tuple(p[2] for p in points)
    if slope <= FLAT_POINTS:
        return Pace(PACE_NOT, points_per_quarter=float(slope), based_on=based_on,
                    reason=REASON_FLAT)
    reached = (goal - intercept) / slope
    if reached - times[-1] > HORIZON_QUARTERS:
        return Pace(PACE_NOT, points_per_quarter=float(slope), based_on=based_on,
                    reason=REASON_HORIZON)
    year, quarter = quarter_at(max(reached, times[-1] + 1e-6))  # never before the last
    return Pace(PACE_ON, quarter_label(year, quarter), quarter_end(year, quarter),
                float(slope), based_on)
