"""Where the outputs go: bad --out, full disks, kills, concurrent runs, modes, cache, options.

Every command writes its files into a staging folder beside --out and moves them into place
only when all are written, holding a lock on the output folder
(:func:`covplan.export.atomic.staged_outputs`). These cases run the real commands: a --out
that cannot be written is refused with exit 2 and nothing left behind; a run killed with
SIGKILL while writing leaves --out as it was, and the next run clears what it left; a
second run into a folder another run is writing to is refused. Runs in a subprocess are
stopped on an observable event (the staging folder holds a file), never after a sleep.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import resource
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from covplan.cli.main import main
from covplan.datasets import ensure_demo
from covplan.export.atomic import LOCK_SUFFIX, STAGING_SUFFIX

from .conftest import CliResult, assert_nothing_new, assert_refused, snapshot

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

#: Generous: a loaded 2-core machine; the runs take a few seconds.
TIMEOUT_S = 180.0
FAST = ("--resolution", "250", "--no-cache")


@pytest.fixture(scope="module")
def demo() -> Path:
    """The small demo province (a few communes): long enough runs to stop in the middle."""
    return ensure_demo("small").resolve()


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


def _start(log: Path, *args: str | Path) -> subprocess.Popen[bytes]:
    """``covplan -q ARGS`` in a subprocess, its output in ``log``."""
    with log.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "covplan", "-q", *map(str, args)],
                                stdout=sink, stderr=subprocess.STDOUT, cwd=log.parent)


def _stop_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path) -> None:
    """Freeze ``proc`` (SIGSTOP) as soon as ``ready()``; fail if it ends first."""
    deadline = time.monotonic() + TIMEOUT_S
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"covplan ended (exit {proc.returncode}) before the event:\n"
                        f"{log.read_text(encoding='utf-8', errors='replace')}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"no event within {TIMEOUT_S:.0f} s")
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGSTOP)


def _holds_a_file(folder: Path) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            return any(folder.iterdir())
        except FileNotFoundError:
            return False

    return ready


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()  # SIGKILL
    proc.wait()


# --- --out that cannot be written -------------------------------------------------------


@pytest.mark.parametrize("case", ["an existing file", "below a file"])
def test_an_out_that_is_a_file_or_below_one_is_refused(
        cli: Callable[..., CliResult], tiny_dir: Path, tmp_path: Path, case: str) -> None:
    blocker = tmp_path / "gaps.csv"
    blocker.write_text("an earlier export\n", encoding="utf-8")
    out = blocker if case == "an existing file" else blocker / "analysis"
    before = snapshot(tmp_path)
    result = cli("analyze", tiny_dir, "--out", out, "--resolution", "90", "--no-cache")
    named = "is an existing file" if case == "an existing file" else f"{blocker} is a file"
    assert_refused(result, str(out), named, fix="Fix: choose")
    assert_nothing_new(before, tmp_path)
    assert blocker.read_text(encoding="utf-8") == "an earlier export\n"


def test_a_read_only_out_is_refused(cli: Callable[..., CliResult], tiny_dir: Path,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readonly = tmp_path / "shared"
    readonly.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: make the file system say no
        real_open = os.open

        def refuse(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: int
                   ) -> int:
            if str(path).startswith(str(readonly)) and flags & os.O_CREAT:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, mode, **kw)

        monkeypatch.setattr(os, "open", refuse)
    else:
        readonly.chmod(0o555)
    before = snapshot(tmp_path)
    try:
        result = cli("predict", tiny_dir, "--out", readonly / "maps", "--resolution", "90")
    finally:
        readonly.chmod(0o755)
    assert_refused(result, f"cannot write the outputs to {readonly / 'maps'}",
                   fix="Fix: choose an output folder you can write to")
    assert_nothing_new(before, tmp_path)


def test_a_full_disk_while_writing_leaves_the_old_outputs(
        cli: Callable[..., CliResult], tiny_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The maps are written, then the disk fills up: nothing moves, the old map stays."""
    import covplan.report.outputs as outputs

    out = tmp_path / "maps"
    out.mkdir()
    (out / "map_gaps.png").write_bytes(b"last month's map")

    def full(layers: object, out_dir: Path, *args: object, **kwargs: object) -> list[Path]:
        (out_dir / "road_gaps.csv").write_text("half a ta", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out_dir / "road_gaps.csv"))

    monkeypatch.setattr(outputs, "export_vectors", full)
    before = snapshot(tmp_path)
    result = cli("report", tiny_dir, "--out", out, "--format", "png,csv", "--dpi", "72",
                 "--resolution", "90", "--no-cache", "--overwrite")
    assert_refused(result, f"cannot write the outputs to {out}", "full",
                   f"Nothing was written to {out}", fix="Fix: free some space")
    assert_nothing_new(before, tmp_path)
    assert (out / "map_gaps.png").read_bytes() == b"last month's map"


def test_a_file_size_limit_is_refused_with_the_limit(tiny_dir: Path, tmp_path: Path) -> None:
    """A real limit (``ulimit -f``, RLIMIT_FSIZE): GDAL's GeoPackage writer hits it first."""
    limit = 50_000

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "analysis"
    before = snapshot(tmp_path)
    run = subprocess.run([sys.executable, "-m", "covplan", "-q", "analyze", "--lang", "en",
                          str(tiny_dir), "--out", str(out), "--resolution", "90", "--no-cache"],
                         capture_output=True, text=True, cwd=tmp_path, preexec_fn=small_files,
                         timeout=TIMEOUT_S, check=False)
    assert_refused(CliResult(run.returncode, run.stdout, run.stderr),
                   f"cannot write the outputs to {out}", f"{limit:,} bytes", "ulimit -f",
                   fix="Fix: raise the limit")
    assert_nothing_new(before, tmp_path)


# --- killed runs and concurrent runs ------------------------------------------------------


def test_report_killed_while_writing_leaves_the_old_outputs_and_the_next_run_cleans_up(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "maps"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"the minister's copy")
    log = tmp_path / "report.log"
    proc = _start(log, "report", demo, "--out", out, "--dpi", "72", *FAST, "--overwrite")
    try:
        _stop_when(proc, _holds_a_file(_staging(out)), log)
        assert any(_staging(out).iterdir())  # files written, not yet in place
    finally:
        _kill(proc)
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]
    assert (out / "report.pdf").read_bytes() == b"the minister's copy"
    assert _staging(out).exists()  # what the killed run left, beside --out

    assert main(["-q", "report", str(demo), "--out", str(out), "--format", "csv", *FAST,
                 "--overwrite", "--lang", "en"]) == 0
    assert "Wrote 12 files to" in capsys.readouterr().out
    assert not _staging(out).exists() and not _lock(out).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps", "report.log"]
    assert (out / "report.pdf").read_bytes() == b"the minister's copy"  # not in --format csv
    assert (out / "targets.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_analyze_killed_while_writing_gaps_leaves_nothing(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    log = tmp_path / "analyze.log"
    proc = _start(log, "analyze", demo, "--out", out, *FAST)
    try:
        _stop_when(proc, _holds_a_file(_staging(out)), log)
    finally:
        _kill(proc)
    assert not out.exists()  # not even gaps.gpkg alone

    assert main(["-q", "analyze", str(demo), "--out", str(out), *FAST]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "gaps.gpkg" in names and "targets.csv" in names and "data" in names
    assert len(names) == 11 and len(list((out / "data").iterdir())) == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis", "analyze.log"]


def test_a_second_run_into_the_same_folder_is_refused(
        cli: Callable[..., CliResult], demo: Path, tmp_path: Path) -> None:
    """Two analyze runs into one --out: the second is refused, the first finishes intact."""
    out = tmp_path / "analysis"
    log = tmp_path / "first.log"
    first = _start(log, "analyze", demo, "--out", out, *FAST)
    try:
        _stop_when(first, _staging(out).exists, log)  # it holds the lock and predicts
        before = snapshot(tmp_path)
        second = cli("analyze", demo, "--out", out, *FAST, "--overwrite")
        assert_refused(second, f"another covplan run (process {first.pid}) is writing to "
                               f"{out}", fix="Fix: wait for that run to finish")
        assert_nothing_new(before, tmp_path)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=TIMEOUT_S) == 0
    assert len(list(out.iterdir())) == 11  # gaps.gpkg, 9 CSV for people, data/ for machines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis", "first.log"]


# --- modes, the cache, options, progress ----------------------------------------------------


@pytest.mark.parametrize("command", [("predict",), ("report", "--format", "cog,html,csv")])
def test_outputs_get_the_umask_mode(tiny_dir: Path, tmp_path: Path, umask_022: int,
                                    command: tuple[str, ...]) -> None:
    out = tmp_path / "out"
    assert main(["-q", *command[:1], str(tiny_dir), *command[1:], "--out", str(out),
                 "--resolution", "90"]) == 0
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in out.rglob("*") if p.is_file()}
    assert "rsrp_4G.tif" in modes and "server_5G.csv" in modes
    assert set(modes.values()) == {oct(umask_022)}, modes


def test_a_damaged_cache_file_is_predicted_again(
        tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    args = ["analyze", str(tiny_dir), "--resolution", "90", "--cache-dir", str(cache)]
    assert main(["-q", *args, "--out", str(tmp_path / "first")]) == 0
    files = sorted(cache.glob("*.npz"))
    assert files
    for path in files:  # as a copy that stopped half-way, or a run killed on a full disk
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    capsys.readouterr()
    assert main(["-v", *args, "--out", str(tmp_path / "second")]) == 0
    err = capsys.readouterr().err
    assert "Ignoring a damaged cached site result" in err and "BadZipFile" in err
    assert "Traceback" not in err
    first = (tmp_path / "first" / "targets.csv").read_text(encoding="utf-8-sig")
    assert (tmp_path / "second" / "targets.csv").read_text(encoding="utf-8-sig") == first
    for path in files:  # rewritten whole
        with np.load(path) as archive:
            assert "rsrp" in archive


@pytest.mark.parametrize("command", ["predict", "analyze", "report", "plan"])
def test_an_unknown_model_lists_the_models(cli: Callable[..., CliResult], tiny_dir: Path,
                                           tmp_path: Path, command: str) -> None:
    extra = ["--target", "roads_4g5g"] if command == "plan" else []
    before = snapshot(tmp_path)
    result = cli(command, tiny_dir, *extra, "--model", "foo", "--out", tmp_path / "out")
    assert_refused(result, "--model", "'foo' is not one of", "'auto'", "'itm'",
                   "'hata-suburban'", "'uma-nlos'")
    assert_nothing_new(before, tmp_path)


def test_no_progress_fragments_when_stderr_is_not_a_terminal(tiny_dir: Path,
                                                             tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "covplan", "-v", "analyze", str(tiny_dir),
                          "--out", str(tmp_path / "out"), "--resolution", "90", "--no-cache"],
                         capture_output=True, cwd=tmp_path, timeout=TIMEOUT_S, check=False)
    assert run.returncode == 0, run.stderr.decode()
    assert b"INFO covplan" in run.stderr  # the log is there ...
    assert b"\r" not in run.stderr and b"analyze:" not in run.stderr  # ... and no bar


def _read_all(fd: int, into: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the other side is closed
            return
        if not chunk:
            return
        into += chunk


def test_on_a_terminal_log_lines_go_above_the_bar(tiny_dir: Path, tmp_path: Path) -> None:
    """The bar is drawn on a terminal, and every log line starts on a line of its own."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    seen = bytearray()
    reader = threading.Thread(target=_read_all, args=(master, seen), daemon=True)
    reader.start()
    try:
        run = subprocess.run([sys.executable, "-m", "covplan", "-v", "analyze", str(tiny_dir),
                              "--out", str(tmp_path / "out"), "--resolution", "90",
                              "--no-cache"], stdout=subprocess.DEVNULL, stderr=slave,
                             cwd=tmp_path, timeout=TIMEOUT_S, check=False)
    finally:
        os.close(slave)
        reader.join(timeout=TIMEOUT_S)
        os.close(master)
    text = seen.decode("utf-8", errors="replace")
    assert run.returncode == 0, text
    assert "analyze:" in text  # the bar was drawn
    starts = [m.start() for m in re.finditer(r"(INFO|WARNING) covplan", text)]
    assert starts
    for start in starts:
        assert start == 0 or text[start - 1] in "\r\n", repr(text[max(0, start - 80):start])
