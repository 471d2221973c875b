"""The map's memoisation: by identity for static layers, by content for rebuilt values."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from covplan.grid import GridSpec, Raster
from covplan.mapview import _memo
from covplan.mapview._memo import by_content, by_identity, content_key


def test_content_key_follows_content_not_identity() -> None:
    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=32648)
    assert content_key(frame) == content_key(frame.copy())
    moved = frame.copy()
    moved.geometry = [Point(0, 0), Point(1, 2)]
    assert content_key(moved) != content_key(frame)
    grid = GridSpec.from_bounds((0, 0, 30, 30), 10, 32648)
    raster = Raster(np.zeros((3, 3), np.float32), grid)
    changed = Raster(raster.data.copy(), grid)
    changed.data[1, 1] = -90.0
    assert content_key(raster) == content_key(Raster(raster.data.copy(), grid))
    assert content_key(changed) != content_key(raster)


def test_memoised_functions_compute_once_per_content_or_object() -> None:
    calls: list[int] = []

    @by_content(maxsize=2)
    def area(frame: gpd.GeoDataFrame) -> int:
        calls.append(1)
        return len(frame)

    @by_identity
    def size(frame: gpd.GeoDataFrame) -> int:
        calls.append(2)
        return len(frame)

    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=32648)
    assert area(frame) == area(frame.copy()) == 1 and calls == [1]
    assert size(frame) == size(frame) == 1 and calls == [1, 2]
    size(frame.copy())
    assert calls == [1, 2, 2]  # another object: computed again


def test_a_caller_waits_for_what_another_thread_is_computing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app draws map images ahead in a worker thread; the page asking for the same
    image meanwhile waits for it instead of drawing it a second time."""
    waiting = threading.Event()

    class Watched(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waiting.set()  # a second caller is now blocked on the first one's work
            return super().wait(timeout)

    monkeypatch.setattr(_memo, "Event", Watched)  # the events of by_identity only
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    @by_identity
    def slow(frame: gpd.GeoDataFrame) -> int:
        calls.append(1)
        started.set()
        release.wait(60)
        return len(frame)

    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=32648)
    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(slow(frame)))
    first.start()
    assert started.wait(60)
    second = threading.Thread(target=lambda: results.append(slow(frame)))
    second.start()
    assert waiting.wait(60), "the second caller did not wait for the first"
    release.set()
    first.join(60)
    second.join(60)
    assert results == [2, 2] and calls == [1]


def test_a_failed_computation_is_not_remembered_and_a_waiting_caller_tries_itself() -> None:
    calls: list[int] = []

    @by_identity
    def flaky(frame: gpd.GeoDataFrame) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first attempt fails")
        return len(frame)

    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=32648)
    with pytest.raises(RuntimeError):
        flaky(frame)
    assert flaky(frame) == 1 and flaky(frame) == 1 and calls == [1, 1]
