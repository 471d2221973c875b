"""A run's outputs as one set: staging folder, lock, stale leftovers, modes, write failures."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from covplan.errors import OutputError, OutputExistsError
from covplan.export.atomic import (
    LOCK_SUFFIX,
    STAGING_SUFFIX,
    atomic_file,
    staged_outputs,
    write_bytes_atomic,
)

from .conftest import listing


@pytest.fixture
def umask_022() -> Iterator[int]:
    """Run under the usual umask 022 (new files 0644), whatever the caller's is."""
    previous = os.umask(0o022)
    try:
        yield 0o644
    finally:
        os.umask(previous)


def _staging(out: Path) -> Path:
    return out.parent / f".{out.name}{STAGING_SUFFIX}"


def _lock(out: Path) -> Path:
    return out.parent / f".{out.name}{LOCK_SUFFIX}"


def test_files_appear_only_when_the_run_has_written_them_all(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out, ["a.csv", "b.csv"], overwrite=False) as stage:
        assert stage.folder == _staging(out) and stage.folder.is_dir()
        assert _lock(out).exists()
        (stage.folder / "a.csv").write_text("a\n", encoding="utf-8")
        (stage.folder / "b.csv").write_text("b\n", encoding="utf-8")
        assert not out.exists()  # nothing where the outputs go yet
        assert stage.final(stage.folder / "b.csv") == out / "b.csv"
    assert stage.written == [out / "a.csv", out / "b.csv"]
    assert listing(out) == ["a.csv", "b.csv"]
    assert listing(tmp_path) == ["out"]  # no staging folder, no lock file


def test_a_failed_run_leaves_nothing_not_even_the_folders_it_made(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deep" / "out"
    with pytest.raises(RuntimeError, match="the prediction failed"), \
            staged_outputs(out, ["a.csv"], overwrite=False) as stage:
        (stage.folder / "a.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("the prediction failed")
    assert listing(tmp_path) == []


def test_existing_outputs_are_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("the earlier run", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"1 output file already exists: .*a\.csv\. "
                                                r"Fix: pass --overwrite"), \
            staged_outputs(out, ["a.csv", "b.csv"], overwrite=False):
        pytest.fail("the block must not run")
    assert listing(tmp_path) == ["out"]
    assert listing(out) == ["a.csv"]


def test_overwrite_replaces_the_run_s_files_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("the planner's own file", encoding="utf-8")
    with staged_outputs(out, ["a.csv"], overwrite=True) as stage:
        (stage.folder / "a.csv").write_text("new", encoding="utf-8")
        assert (out / "a.csv").read_text(encoding="utf-8") == "old"
    assert (out / "a.csv").read_text(encoding="utf-8") == "new"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the planner's own file"
    assert listing(tmp_path) == ["out"]


def test_a_file_that_appeared_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputExistsError, match=r"b\.csv"), \
            staged_outputs(out, ["a.csv"], overwrite=False) as stage:
        (stage.folder / "b.csv").write_text("staged", encoding="utf-8")
        (out / "b.csv").write_text("someone else's", encoding="utf-8")
    assert (out / "b.csv").read_text(encoding="utf-8") == "someone else's"
    assert listing(tmp_path) == ["out"]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out, ["a.csv"], overwrite=False) as first:
        busy = rf"another covplan run \(process {os.getpid()}\) is writing to {out}.*Fix: wait"
        with pytest.raises(OutputError, match=busy), \
                staged_outputs(out, ["a.csv"], overwrite=True):
            pytest.fail("the block must not run")
        (first.folder / "a.csv").write_text("first", encoding="utf-8")
    assert (out / "a.csv").read_text(encoding="utf-8") == "first"
    with staged_outputs(out, [], overwrite=True) as again:  # free once the first is done
        (again.folder / "b.csv").write_text("second", encoding="utf-8")
    assert listing(out) == ["a.csv", "b.csv"]


def test_what_a_killed_run_left_is_removed_by_the_next(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out"
    stale = _staging(out)
    stale.mkdir()
    (stale / ".gaps-x1y2.gpkg").write_bytes(b"half a file")
    _lock(out).write_text("12345\n", encoding="ascii")  # its lock died with it
    with caplog.at_level(logging.WARNING, logger="covplan.export.atomic"), \
            staged_outputs(out, ["a.csv"], overwrite=False) as stage:
        assert listing(stage.folder) == []
        (stage.folder / "a.csv").write_text("a", encoding="utf-8")
    assert "left by a run that was killed" in caplog.text
    assert listing(tmp_path) == ["out"] and listing(out) == ["a.csv"]


def test_a_run_killed_while_moving_its_files_is_completed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("moved before the kill", encoding="utf-8")
    stale = _staging(out)
    stale.mkdir()
    (stale / ".covplan-moving").touch()
    (stale / "b.csv").write_text("not moved yet", encoding="utf-8")
    with staged_outputs(out, ["a.csv", "b.csv"], overwrite=True):
        pass
    assert (out / "b.csv").read_text(encoding="utf-8") == "not moved yet"
    assert listing(tmp_path) == ["out"]


def test_files_get_the_umask_mode(tmp_path: Path, umask_022: int) -> None:
    out = tmp_path / "out"
    with staged_outputs(out, [], overwrite=False) as stage:
        fd = os.open(stage.folder / "private.tif", os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        write_bytes_atomic(stage.folder / "map.png", b"png")
    assert {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()} == {
        "private.tif": umask_022, "map.png": umask_022}

    def private(tmp: Path) -> None:
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY, 0o600))

    single = atomic_file(tmp_path / "single.tif", private)
    assert single.stat().st_mode & 0o777 == umask_022


@pytest.mark.parametrize("make", ["file", "below a file"])
def test_an_output_path_that_is_or_lies_below_a_file_is_refused(tmp_path: Path,
                                                                 make: str) -> None:
    blocker = tmp_path / "report.pdf"
    blocker.write_bytes(b"%PDF")
    out = blocker if make == "file" else blocker / "maps"
    expected = ("is an existing file, not a folder" if make == "file"
                else f"{blocker} is a file, not a folder")
    with pytest.raises(OutputError, match=rf"{out}.*{expected}.*Fix: choose"), \
            staged_outputs(out, ["a.csv"], overwrite=True):
        pytest.fail("the block must not run")
    assert listing(tmp_path) == ["report.pdf"]


def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the file system say no
        real_open = os.open

        def refuse(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: int
                   ) -> int:
            if str(path).startswith(str(readonly)) and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, mode, **kw)

        monkeypatch.setattr(os, "open", refuse)
    else:
        readonly.chmod(0o555)
    try:
        with pytest.raises(OutputError, match=rf"cannot write the outputs to {readonly}/out: "
                                              r"permission denied.*Fix: choose an output "
                                              r"folder you can write to"), \
                staged_outputs(readonly / "out", ["a.csv"], overwrite=False):
            pytest.fail("the block must not run")
    finally:
        readonly.chmod(0o755)
    assert listing(readonly) == []


def test_a_full_disk_becomes_an_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=rf"cannot write the outputs to {out}: the disk that "
                                          rf"holds it is full.*Nothing was written to {out}\. "
                                          r"Fix: free some space"), \
            staged_outputs(out, ["a.csv", "b.csv"], overwrite=False) as stage:
        (stage.folder / "a.csv").write_text("a", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(stage.folder / "b.csv"))
    assert listing(tmp_path) == []


def test_a_writer_that_hides_the_errno_is_explained_by_the_free_space(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GDAL reports a full disk in its own words; the free space tells what happened."""
    from covplan.export import atomic

    out = tmp_path / "out"
    monkeypatch.setattr(atomic, "_free_bytes", lambda folder: 0)
    reported = r"is full \(the writer reported: RuntimeError: sqlite3_exec failed"
    with pytest.raises(OutputError, match=reported), \
            staged_outputs(out, ["gaps.gpkg"], overwrite=False):
        raise RuntimeError("sqlite3_exec failed: database or disk is full")
    assert listing(tmp_path) == []


def test_the_file_size_limit_becomes_an_output_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"a file grew past the largest file this process "
                                          r"may write.*ulimit -f.*Fix: raise the limit"), \
            staged_outputs(out, ["a.csv"], overwrite=False):
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    assert listing(tmp_path) == []


def test_other_failures_pass_through_unchanged(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="sector"), \
            staged_outputs(tmp_path / "out", ["a.csv"], overwrite=False):
        raise KeyError("sector")
    assert listing(tmp_path) == []


def test_an_out_whose_parent_cannot_be_written_is_staged_inside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--out ~`` (or a mount point): beside it is out of reach, so the staging goes inside."""
    out = tmp_path / "home"
    out.mkdir()
    real_access = os.access

    def parent_read_only(path: str | os.PathLike[str], mode: int, **kw: bool) -> bool:
        if Path(path) == tmp_path and mode & os.W_OK:
            return False
        return real_access(path, mode, **kw)

    monkeypatch.setattr(os, "access", parent_read_only)
    with staged_outputs(out, ["a.csv"], overwrite=False) as stage:
        assert stage.folder == out / STAGING_SUFFIX
        assert (out / LOCK_SUFFIX).exists()
        (stage.folder / "a.csv").write_text("a", encoding="utf-8")
    assert listing(tmp_path) == ["home"] and listing(out) == ["a.csv"]
