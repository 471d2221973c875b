"""Overwrite checks and atomic writes: an interrupted write leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from covplan.errors import OutputExistsError
from covplan.export.atomic import check_outputs, write_atomic, write_bytes_atomic

from .conftest import listing


def test_check_outputs_names_every_existing_file_and_the_option(tmp_path: Path) -> None:
    for name in ("a.png", "b.pdf"):
        (tmp_path / name).write_text("old", encoding="utf-8")
    paths = [tmp_path / "a.png", tmp_path / "b.pdf", tmp_path / "c.csv"]
    with pytest.raises(OutputExistsError, match=r"2 output files already exist: .*a\.png, "
                                                r".*b\.pdf\. .*--overwrite"):
        check_outputs(paths, overwrite=False)
    check_outputs(paths, overwrite=True)  # allowed


def test_check_outputs_creates_the_folders(tmp_path: Path) -> None:
    check_outputs([tmp_path / "new" / "deep" / "x.csv"], overwrite=False)
    assert (tmp_path / "new" / "deep").is_dir()


def test_write_atomic_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_bytes_atomic(target, b"first")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_bytes_atomic(target, b"second")
    write_bytes_atomic(target, b"second", overwrite=True)
    assert target.read_bytes() == b"second"
    assert listing(tmp_path) == ["out.txt"]


def test_an_interrupted_write_leaves_no_partial_and_no_temporary_file(tmp_path: Path) -> None:
    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"half a fil")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "new.bin", half_then_fail)
    assert listing(tmp_path) == []
    (tmp_path / "old.bin").write_bytes(b"complete")
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "old.bin", half_then_fail, overwrite=True)
    assert (tmp_path / "old.bin").read_bytes() == b"complete"
    assert listing(tmp_path) == ["old.bin"]
