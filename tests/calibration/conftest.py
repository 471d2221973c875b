"""Calibration fixtures: the small demo province (with its land cover and drive test)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from covplan.cli.main import main


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo province, generated once per session (do not modify it)."""
    from covplan.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("calibration-demo") / "small", size="small")


@pytest.fixture
def demo(demo_source: Path, tmp_path: Path) -> Path:
    """A private copy of the small demo, free to modify."""
    return Path(shutil.copytree(demo_source, tmp_path / "demo"))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run("calibrate", ...)``: the CLI in-process; (exit code, stdout, stderr)."""

    def call(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["-q", *(str(a) for a in args)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return call
