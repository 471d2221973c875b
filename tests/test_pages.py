"""numpy's memory pages: covplan's entry points choose normal pages unless the user chose."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from numpy._core import multiarray

from covplan._pages import ENV, prefer_small_pages

switch = multiarray._set_madvise_hugepage  # returns the setting it replaces


@pytest.fixture
def huge_pages_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """numpy as it starts on a recent Linux kernel (huge pages); put back afterwards."""
    monkeypatch.delenv(ENV, raising=False)
    before = switch(True)
    yield monkeypatch
    switch(before)


def _child_setting() -> str:
    code = "from numpy._core import multiarray as m; print(m._set_madvise_hugepage(True))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120).stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="transparent huge pages are Linux's")
def test_normal_pages_here_and_in_the_processes_started_after(
        huge_pages_on: pytest.MonkeyPatch) -> None:
    assert prefer_small_pages() is True
    assert switch(False) is False  # this process: switched off
    assert os.environ[ENV] == "0"
    assert _child_setting() == "False"  # a Dask worker started now imports numpy with it


@pytest.mark.skipif(sys.platform != "linux", reason="transparent huge pages are Linux's")
def test_a_users_own_setting_is_left_alone(huge_pages_on: pytest.MonkeyPatch) -> None:
    huge_pages_on.setenv(ENV, "1")
    assert prefer_small_pages() is False
    assert switch(True) is True
    assert os.environ[ENV] == "1"
    assert _child_setting() == "True"
