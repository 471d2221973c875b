"""The app's cached-work helpers that need no Streamlit session: memoising, progress, and
the fingerprint that keys the dataset cache."""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from covplan._priority import BACKGROUND_NICENESS
from covplan.app.compute import (
    MAX_RESULTS,
    DatasetRef,
    _warmer,
    bar_progress,
    dataset_fingerprint,
    forget,
    scenario_result,
)


class FakeBar:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def progress(self, value: float, text: str) -> None:
        self.calls.append((value, text))


def test_progress_bar_moves_at_most_every_interval_and_always_at_the_end() -> None:
    bar = FakeBar()
    report = bar_progress(bar, "Đang dự báo vùng phủ…", every_s=60.0)
    for step in range(100):
        report(step / 100, f"4G site {step}/100")
    report(1.2, "done")
    # the first report, then nothing for a minute, then the end (clamped to 1); the page's
    # words and how far, not the engine's English messages
    assert bar.calls == [(0.0, "Đang dự báo vùng phủ… 0 %"), (1.0, "Đang dự báo vùng phủ… 100 %")]


def test_scenario_result_memoises_by_key_and_keeps_the_latest() -> None:
    store: dict[str, object] = {}
    made: list[int] = []

    def make(n: int) -> int:
        made.append(n)
        return n * 10

    assert scenario_result(store, "a", lambda: make(1)) == 10
    assert scenario_result(store, "a", lambda: make(2)) == 10  # memoised
    for n in range(MAX_RESULTS + 1):
        scenario_result(store, f"k{n}", lambda n=n: make(n), bucket="other")
    assert made == [1, *range(MAX_RESULTS + 1)]
    other = store["other"]
    assert isinstance(other, OrderedDict) and len(other) == MAX_RESULTS
    assert "k0" not in other and f"k{MAX_RESULTS}" in other


def test_the_fingerprint_follows_the_files_a_dataset_reads(tiny_dir: Path) -> None:
    first = dataset_fingerprint(tiny_dir)
    assert dataset_fingerprint(tiny_dir) == first
    (tiny_dir / "dataset.toml").write_text('[layers.sites]\nfile = "tables/sites.csv"\n')
    with_manifest = dataset_fingerprint(tiny_dir)
    assert with_manifest != first
    (tiny_dir / "tables").mkdir()
    (tiny_dir / "tables" / "sites.csv").write_text("site_id\n")  # named by the manifest
    named = dataset_fingerprint(tiny_dir)
    assert named != with_manifest
    os.utime(tiny_dir / "tables" / "sites.csv", ns=(1, 1))  # same size, another time
    assert dataset_fingerprint(tiny_dir) != named
    (tiny_dir / "dataset.toml").write_text('[layers.sites]\nfile = "../x.csv"\n')  # refused
    assert dataset_fingerprint(tiny_dir)  # still a fingerprint: the load says what is wrong
    gpkg = tiny_dir / "roads.gpkg"
    assert dataset_fingerprint(gpkg) != dataset_fingerprint(tiny_dir)


def test_forget_drops_the_datasets_results_only(tiny_dir: Path) -> None:
    ref = DatasetRef.at(tiny_dir)
    other = DatasetRef.at(tiny_dir, confined=True)
    store: dict[str, OrderedDict[str, int]] = {
        "results": OrderedDict({f"{ref.key}|p|[]": 1, f"{other.key}|p|[]": 2}),
        "map_scripts": OrderedDict({f"{ref.key}|p|[]": 3}),
    }
    forget(ref, store)
    assert store == {"results": OrderedDict({f"{other.key}|p|[]": 2}),
                     "map_scripts": OrderedDict()}


def _nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _nice_of_a_thread_started_here() -> int:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_nice_of_this_thread).result()


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
def test_background_evaluations_give_way_to_pages_and_so_do_the_threads_they_start() -> None:
    here = _nice_of_this_thread()
    lower = min(19, here + BACKGROUND_NICENESS)
    assert lower > here or here == 19
    assert _warmer().submit(_nice_of_this_thread).result() == lower
    # numba's OpenMP workers and the cells' pool are started by the evaluating thread
    assert _warmer().submit(_nice_of_a_thread_started_here).result() == lower
    assert _nice_of_this_thread() == here  # the page's own thread keeps its priority
