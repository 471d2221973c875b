"""The app's cached-work helpers that need no Streamlit session: memoising and progress."""

from __future__ import annotations

from collections import OrderedDict

from covplan.app.compute import MAX_RESULTS, bar_progress, scenario_result


class FakeBar:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def progress(self, value: float, text: str) -> None:
        self.calls.append((value, text))


def test_progress_bar_moves_at_most_every_interval_and_always_at_the_end() -> None:
    bar = FakeBar()
    report = bar_progress(bar, every_s=60.0)
    for step in range(100):
        report(step / 100, f"site {step}")
    report(1.2, "done")
    # the first report, then nothing for a minute, then the end (clamped to 1)
    assert bar.calls == [(0.0, "site 0"), (1.0, "done")]


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
