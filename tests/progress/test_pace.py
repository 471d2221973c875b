"""Pace: the quarter a goal would be met in at the observed pace (linear extrapolation)."""

from __future__ import annotations

import datetime as dt

import pytest

from covplan.progress.pace import (
    PACE_MET,
    PACE_NOT,
    PACE_ON,
    PACE_TOO_FEW,
    REASON_FLAT,
    REASON_HORIZON,
    extrapolate,
    quarter_at,
    quarter_time,
)
from covplan.progress.snapshots import quarter_end

Q1, Q2, Q3, Q4 = (quarter_end(2025, q) for q in (1, 2, 3, 4))


def test_two_points_a_quarter_from_94_reach_100_three_quarters_later() -> None:
    pace = extrapolate([Q1, Q2, Q3], [90.0, 92.0, 94.0], 100.0,
                       labels=["2025-Q1", "2025-Q2", "2025-Q3"])
    assert pace.status == PACE_ON
    assert pace.quarter == "2026-Q2"  # 96 in Q4, 98 in 2026-Q1, 100 in 2026-Q2
    assert pace.quarter_end == dt.date(2026, 6, 30)
    assert pace.points_per_quarter == pytest.approx(2.0)
    assert pace.based_on == ("2025-Q1", "2025-Q2", "2025-Q3")


def test_a_goal_between_quarters_is_met_in_the_quarter_that_holds_it() -> None:
    pace = extrapolate([Q1, Q2, Q3], [90.0, 92.0, 94.0], 95.0)
    assert pace.quarter == "2025-Q4"  # 95 half-way through Q4


@pytest.mark.parametrize("values", [[93.0, 93.0, 93.0], [95.0, 94.0, 93.0]])
def test_a_flat_or_falling_series_is_not_at_this_pace(values: list[float]) -> None:
    pace = extrapolate([Q1, Q2, Q3], values, 100.0)
    assert pace.status == PACE_NOT and pace.reason == REASON_FLAT
    assert pace.quarter == "" and pace.quarter_end is None


def test_a_goal_already_met_needs_no_extrapolation() -> None:
    pace = extrapolate([Q1, Q2], [96.0, 99.5], 99.3, labels=["A", "B"])
    assert pace.status == PACE_MET and pace.based_on == ("B",)


def test_a_very_slow_pace_is_beyond_the_horizon() -> None:
    pace = extrapolate([Q1, Q2], [50.0, 50.1], 100.0)
    assert pace.status == PACE_NOT and pace.reason == REASON_HORIZON


def test_a_target_never_measured_has_no_data_not_too_few_snapshots() -> None:
    """Two dated snapshots without fibre data: "no data", not "too few dated snapshots"."""
    from covplan.i18n import language
    from covplan.progress.pace import PACE_NO_DATA
    from covplan.progress.summary import pace_sentence

    pace = extrapolate([Q1, Q2], [float("nan"), float("nan")], 99.3)
    assert pace.status == PACE_NO_DATA
    assert pace_sentence(pace, 99.3, language("vi")).startswith("không đo được ở kỳ nào")


def test_one_value_or_none_is_too_few() -> None:
    assert extrapolate([Q1], [90.0], 100.0).status == PACE_TOO_FEW
    assert extrapolate([Q1, Q2], [float("nan"), 90.0], 100.0).status == PACE_TOO_FEW
    assert extrapolate([], [], 100.0).status == PACE_TOO_FEW


def test_only_the_last_snapshots_count() -> None:
    days = [quarter_end(2024, 4), Q1, Q2, Q3, Q4]
    pace = extrapolate(days, [10.0, 90.0, 92.0, 94.0, 96.0], 100.0, last=4)
    assert pace.quarter == "2026-Q2" and len(pace.based_on) == 4


def test_quarter_time_counts_quarters_whatever_the_months() -> None:
    assert quarter_time(Q1) == 2025 * 4 + 1
    assert quarter_time(Q4) - quarter_time(Q3) == pytest.approx(1.0)
    assert quarter_time(dt.date(2025, 3, 1)) < quarter_time(Q1)
    assert quarter_at(quarter_time(Q3)) == (2025, 3)
    assert quarter_at(quarter_time(dt.date(2025, 10, 1))) == (2025, 4)


def test_a_slope_that_rounds_to_nothing_reads_zero_not_minus_zero() -> None:
    """A share that fell by a hair (float noise on a flat series) reads "0,00", unsigned."""
    from covplan.i18n import language
    from covplan.progress.summary import pace_sentence

    pace = extrapolate([Q1, Q2], [73.7, 73.7 - 1e-9], 100.0, labels=["2025-Q3", "2025-Q4"])
    assert pace.status == PACE_NOT and pace.points_per_quarter < 0
    said = pace_sentence(pace, 100.0, language("vi"))
    assert "(0,00 điểm phần trăm mỗi quý" in said and "-0,00" not in said


def test_the_note_counts_the_snapshots_the_line_goes_through() -> None:
    """Two dated snapshots: the line goes through 2, not "the last 4"."""
    from types import SimpleNamespace

    from covplan.i18n import language
    from covplan.progress.summary import extrapolation_note

    two = SimpleNamespace(snapshots=[SimpleNamespace(as_of=Q3), SimpleNamespace(as_of=Q4),
                                     SimpleNamespace(as_of=None)])
    assert "through the last 2 dated snapshots" in extrapolation_note(two, language("en"))
    six = SimpleNamespace(snapshots=[SimpleNamespace(as_of=Q1)] * 6)
    assert "through the last 4 dated snapshots" in extrapolation_note(six, language("en"))
