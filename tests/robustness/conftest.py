"""Helpers of the bad-input suite: run the CLI in-process, check its message and what it left.

Every case builds a tiny input in ``tmp_path`` (never a copy of real data), runs a command
through :func:`covplan.cli.main.main`, and asserts with :func:`assert_refused`: exit code 2,
no traceback and no "unexpected failure", the file and the column or row named, the fix
given; and with :func:`snapshot` that no output or temporary file was left behind.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from covplan.cli.main import main


@dataclass(frozen=True)
class CliResult:
    """Exit code and captured output of one in-process CLI run."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr together."""
        return self.out + self.err


#: Commands whose default language is their target preset's (Vietnamese when shipped).
SPEAKS_THE_PRESETS_LANGUAGE = ("analyze", "report", "compare", "plan")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``cli("validate", path)``: run covplan in-process and capture what it printed.

    In English (``--lang en``) unless the arguments say otherwise: without it ``analyze``,
    ``report``, ``compare`` and ``plan`` speak the preset's language, Vietnamese.
    """

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before
        words = [str(a) for a in args]
        if words and words[0] in SPEAKS_THE_PRESETS_LANGUAGE and "--lang" not in words:
            words[1:1] = ["--lang", "en"]
        code = main(["-q", *words])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def assert_refused(result: CliResult, *named: str, fix: str | None = None) -> None:
    """Bad input: exit 2, a message without traceback that names ``named`` and gives ``fix``.

    Parameters
    ----------
    result
        The run.
    named
        Substrings the message must hold: the file, the column or row, what was expected.
    fix
        A substring of the fix the message must propose (None: not checked).
    """
    text = result.text
    assert result.code == 2, f"exit {result.code}, expected 2:\n{text}"
    assert "Traceback" not in text, text
    assert "unexpected failure" not in text, text
    for needle in named:
        assert needle in text, f"{needle!r} not in:\n{text}"
    if fix is not None:
        assert fix in text, f"fix {fix!r} not in:\n{text}"


def snapshot(*folders: Path) -> set[Path]:
    """Every file and folder under ``folders`` (hidden ones included); missing folders: none."""
    found: set[Path] = set()
    for folder in folders:
        if folder.exists():
            found |= set(folder.rglob("*"))
    return found


def assert_nothing_new(before: Iterable[Path], *folders: Path) -> None:
    """No file or folder under ``folders`` that was not in ``before`` (outputs, temporaries)."""
    new = sorted(snapshot(*folders) - set(before))
    assert not new, f"left behind: {[str(p) for p in new]}"


def with_peak_memory(cli: Callable[..., CliResult], *args: str | Path
                     ) -> tuple[CliResult, int]:
    """``cli(*args)`` and the peak of the memory Python allocated meanwhile (bytes)."""
    tracemalloc.start()
    try:
        result = cli(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
