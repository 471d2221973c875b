"""What sessions of one app process share: the baseline scenario and the scenario tables.

Every new session opens on the baseline. Making its tables (the commune summary and the gap
lists, formatted cell by cell, and their CSV files) and the digest of its sites took about a
second of each warm page load on the full demo, on the cores the browser needs to draw the
map; one session now makes them and the others reuse them. An edit in one session must not
reach another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app import dashboard, page
from covplan.app.livemap import AFTER_MAP_KEY
from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[AFTER_MAP_KEY] = True  # no browser draws the map here: tables at once
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tables(at: AppTest) -> list[list[str]]:
    """Every table on the page, as text (columns, then rows)."""
    return [[*map(str, f.value.columns), *map(str, f.value.to_numpy().ravel())]
            for f in at.dataframe]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_sessions_share_the_baseline_and_its_tables_not_their_edits(
    small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    dashboard._shared_table.clear()
    page._baseline.clear()
    made: list[tuple[str, str]] = []
    shown = dashboard._shown

    def counted(analysis, table, lang):  # type: ignore[no-untyped-def]
        made.append((table, lang.code))
        return shown(analysis, table, lang)

    monkeypatch.setattr(dashboard, "_shown", counted)
    first = _open()
    second = _open()
    # only the table in view is made, and the second session reused the first one's
    assert made == [("commune_summary", "vi")]
    assert _tables(second) == _tables(first) and len(_tables(first)) >= 1
    assert second.session_state["scenario"] is first.session_state["scenario"]

    # an edit in the first session is its own: the second still shows the baseline
    gaps = run_analysis(load_dataset(small_demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.to_crs(4326).geometry.iloc[0].interpolate(0.5, normalized=True)
    baseline = _metrics(second)
    first.number_input(key="add_lat").set_value(point.y)
    first.number_input(key="add_lon").set_value(point.x)
    first.button(key="add_coords").click().run()
    assert not first.exception, [e.value for e in first.exception]
    assert _metrics(first) != baseline
    assert made[1:] == [("commune_summary", "vi")]  # the edited scenario's own table
    assert _tables(first) != _tables(second)
    second.run()
    assert _metrics(second) == baseline
    assert not second.session_state["scenario"].edits
    assert first.session_state["scenario"].edits
