"""The first page after a restart comes from disk, for the same data and code only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app import compute, stored
from covplan.planning import ScenarioEvaluator

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _restart() -> None:
    """What a new server process starts from: nothing in memory, the disk as it was."""
    compute.wait_for_warming()
    st.cache_resource.clear()
    st.cache_data.clear()
    compute._content.cache_clear()


def _opened(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(settings, "data_dir", data_dir)
    monkeypatch.setattr(settings, "demo_size", "small")
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def data_dir(small_demo: Path, tmp_path: Path) -> Path:
    """A data folder of its own (the demo copied), so the files kept are this test's."""
    shutil.copytree(small_demo, tmp_path / small_demo.name)
    return tmp_path


def test_a_restart_shows_the_kept_page_and_predicts_behind_it(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _restart()
    first = _opened(data_dir, monkeypatch)
    kept = sorted(p.name.split("-")[0] for p in stored.folder().iterdir())
    assert kept == ["baseline", "basemap", "script"]
    _restart()
    evaluated: list[object] = []
    real = ScenarioEvaluator.evaluate

    def counted(self: ScenarioEvaluator, *args: object, **kwargs: object) -> object:
        evaluated.append(args[0] if args else None)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ScenarioEvaluator, "evaluate", counted)
    again = _opened(data_dir, monkeypatch)
    assert values(again) == values(first)
    compute.wait_for_warming()
    assert len(evaluated) == 1  # the baseline, once, behind the page
    # the first edit after the restart starts from the evaluator's grids
    lat, lon = _some_road_gap(again)
    again.number_input(key="add_lat").set_value(lat)
    again.number_input(key="add_lon").set_value(lon)
    again.button(key="add_coords").click().run()
    assert not again.exception, [e.value for e in again.exception]
    assert any(m.delta for m in again.metric)


def test_changed_data_is_never_shown_from_a_kept_page(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _restart()
    first = _opened(data_dir, monkeypatch)
    sites = data_dir / "demo-small" / "sites.csv"
    lines = sites.read_text(encoding="utf-8").splitlines()
    sites.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")  # half gone
    _restart()
    again = _opened(data_dir, monkeypatch)
    assert values(again) != values(first)
    assert len(list(stored.folder().glob("baseline-*"))) == 2


def test_a_damaged_kept_file_is_made_again(data_dir: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    _restart()
    first = _opened(data_dir, monkeypatch)
    for path in stored.folder().iterdir():
        path.write_bytes(path.read_bytes()[:100])  # a disk that filled up half-way
    _restart()
    again = _opened(data_dir, monkeypatch)
    assert values(again) == values(first)
    assert not again.error


def _some_road_gap(at: AppTest) -> tuple[float, float]:
    """(lat, lon) in the middle of the longest highway gap the page knows."""
    result = next(iter(at.session_state["results"].values()))
    gaps = result.analysis.road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    gaps = gaps.sort_values("length_km", ascending=False).to_crs(4326)
    point = gaps.geometry.iloc[0].interpolate(0.5, normalized=True)
    return point.y, point.x


def test_only_the_newest_kept_files_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Every change of data or code makes new files: the oldest go."""
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    for number in range(stored.KEEP_PER_KIND + 4):
        stored.save("script", f"{number:04d}", f"script {number}")
    kept = sorted(p.name for p in stored.folder().glob("script-*.pickle"))
    assert len(kept) == stored.KEEP_PER_KIND
    assert stored.load("script", f"{stored.KEEP_PER_KIND + 3:04d}") == (
        f"script {stored.KEEP_PER_KIND + 3}")
    assert stored.load("script", "0000") is None
