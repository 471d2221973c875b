"""The small demo and the app opened on it through AppTest, shared by the app's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.datasets import ensure_demo

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture
def app(small_demo: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the small demo, run once (in Vietnamese, the preset's language)."""
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
