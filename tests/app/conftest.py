"""The small demo, the app opened on it through AppTest, and the app served for the
browser tests, shared by the app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app.livemap import AFTER_MAP_KEY
from covplan.datasets import ensure_demo

APP = str(Path(__file__).resolve().parents[2] / "app.py")
#: The log of each served app, by its URL: a failed browser test shows the log's end.
SERVER_LOGS: dict[str, Path] = {}
#: How much of a server's log a failed test shows.
LOG_TAIL_CHARS = 6000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Add the end of the app server's log to the report of a failed browser test."""
    outcome = yield
    report = outcome.get_result()
    url = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(url, str) and url in SERVER_LOGS:
        log = SERVER_LOGS[url].read_text(encoding="utf-8", errors="replace")
        report.sections.append((f"streamlit server log ({url}), its end", log[-LOG_TAIL_CHARS:]))


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture
def app(small_demo: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the small demo, run once (in Vietnamese, the preset's language)."""
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[AFTER_MAP_KEY] = True  # no browser draws the map here: tables at once
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def server(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on the small demo, for the headless-Chromium tests of a module."""
    from _browser import CHROMIUM, app_server

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (scripts/system-deps.sh)")
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with app_server(small_demo.parent, "small", log) as url:
        SERVER_LOGS[url] = log
        yield url
        SERVER_LOGS.pop(url, None)
