"""Writing outputs safely: each file atomically, and a run's files as one set.

Two levels, both used by every covplan export:

- **One file**: :func:`atomic_file` writes to a hidden temporary file beside the target and
  renames it into place (:func:`os.replace`, atomic on one file system), so a reader sees
  the old file or the new one, never half of one. :func:`write_atomic` adds the overwrite
  check and the log line; :func:`check_outputs` names every existing output at once before
  any work starts.
- **A run's files**: :func:`staged_outputs` is the one mechanism the commands use. It takes
  an exclusive lock on the output folder (a second run into the same folder is refused),
  refuses up front when outputs exist (unless overwriting), hands out a hidden staging
  folder beside the output folder (same file system), and moves the staged files into
  place only when the run has written them all. A run that fails, or is killed, leaves
  nothing where the outputs go; the next run into the same folder removes what a killed
  run left.

Files get the mode of any new file under the process umask (0644 under the usual 022),
also when a writer creates them 0600.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import resource
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from covplan.errors import CovplanError, OutputError, OutputExistsError
from covplan.i18n import N_, Num

logger = logging.getLogger(__name__)

#: How many existing files an error message lists before "and N more".
_SHOWN = 6
#: Suffix of the lock file and of the staging folder beside an output folder.
LOCK_SUFFIX = ".covplan-lock"
STAGING_SUFFIX = ".covplan-staging"
#: Written into a staging folder just before its files move into place: a staging folder
#: left with this mark by a killed run is completed by the next run, not discarded.
_MOVING_MARK = ".covplan-moving"
#: Free space below which a failed write is put down to a full disk.
_FULL_BYTES = 1 << 20
_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_ACCESS_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Permission bits of a new file under the process umask (0o644 under umask 022)."""
    return 0o666 & ~_umask()


def atomic_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp)`` on a temporary name beside ``path``, then rename it into place.

    The temporary name does not exist when ``write`` is called (drivers such as GDAL's
    GeoPackage want to create the file themselves). If ``write`` raises, or the process is
    interrupted inside it, the temporary file is removed and ``path`` is left as it was.
    No overwrite check and no log line: see :func:`write_atomic`.

    Parameters
    ----------
    path
        The final file; its folder must exist.
    write
        Writes the whole file at the path it is given.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()
        write(tmp)
        os.chmod(tmp, file_mode())  # a writer that went through mkstemp made it 0600
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def refuse_a_file(folder: Path, out: Path | None = None) -> None:
    """Refuse an output folder that is an existing file (named as ``out``, default itself).

    Raises
    ------
    OutputError
        Saying so and what to do.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            N_("the output folder {out} is an existing file, not a folder. Fix: choose a "
               "folder for the outputs (--out), new or existing, or move the file away."),
            out=out if out is not None else folder)


def existing_outputs(paths: Iterable[str | Path]) -> list[Path]:
    """The paths among ``paths`` that already exist, in order."""
    return [Path(p) for p in paths if Path(p).exists()]


def _refuse_existing(found: list[Path]) -> OutputExistsError:
    names = ", ".join(str(p) for p in found[:_SHOWN])
    if len(found) == 1:
        template = N_("{count} output file already exists: {names}. Fix: pass --overwrite "
                      "to replace it, or choose another output folder (--out).")
    elif len(found) <= _SHOWN:
        template = N_("{count} output files already exist: {names}. Fix: pass --overwrite "
                      "to replace them, or choose another output folder (--out).")
    else:
        template = N_("{count} output files already exist: {names} and {more} more. Fix: pass "
                      "--overwrite to replace them, or choose another output folder (--out).")
    return OutputExistsError(template, count=len(found), names=names,
                             more=len(found) - _SHOWN)


def check_outputs(paths: Iterable[str | Path], *, overwrite: bool) -> None:
    """Refuse to go on when any of ``paths`` exists and ``overwrite`` is False.

    Also creates the folders the paths will be written to.

    Parameters
    ----------
    paths
        Every file an export is about to write.
    overwrite
        Allow existing files to be replaced.

    Raises
    ------
    covplan.errors.OutputExistsError
        Naming every existing file and saying how to replace them.
    """
    files = [Path(p) for p in paths]
    found = existing_outputs(files)
    if found and not overwrite:
        raise _refuse_existing(found)
    for folder in {p.parent for p in files}:
        folder.mkdir(parents=True, exist_ok=True)


def write_atomic(path: str | Path, write: Callable[[Path], None], *,
                 overwrite: bool = False) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    If ``write`` raises (or the process is interrupted inside it), the temporary file is
    removed and ``path`` is left as it was: a reader sees the old file or the new one,
    never half of one.

    Parameters
    ----------
    path
        The final file.
    write
        Writes the whole file at the path it is given (which does not exist yet).
    overwrite
        Replace an existing ``path``.

    Raises
    ------
    covplan.errors.OutputExistsError
        When ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    check_outputs([path], overwrite=overwrite)
    atomic_file(path, write)
    logger.info("Wrote %s", path)
    return path


def write_bytes_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write_atomic(path, write, overwrite=overwrite)


# --- a run's outputs as one set -------------------------------------------------------------


def _errnos(exc: BaseException) -> set[int]:
    """The ``errno`` of every OSError in ``exc``'s chain (causes and contexts)."""
    found: set[int] = set()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            found.add(current.errno)
        current = current.__cause__ or current.__context__
    return found


def _free_bytes(folder: Path) -> int | None:
    """Bytes this process may still write on the file system of ``folder``."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    blocks = stats.f_bfree if os.geteuid() == 0 else stats.f_bavail
    return int(blocks * stats.f_frsize)


def _file_size_limit() -> int | None:
    """The soft ``RLIMIT_FSIZE`` of this process in bytes, None when unlimited."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _cannot_write(out: Path, path: Path, exc: OSError) -> OutputError:
    """An OutputError for ``exc``, raised while preparing to write into ``out``."""
    code = exc.errno
    if code in _SPACE_ERRNOS:
        return OutputError(
            N_("cannot write the outputs to {out}: no space left on the disk that holds "
               "{path}. Fix: free some space on that disk, or choose an output folder on "
               "another disk (--out)."), out=out, path=path)
    if code == errno.EROFS:
        template = N_("cannot write the outputs to {out}: it is on a read-only file system "
                      "({path}). Fix: choose an output folder you can write to (--out), or "
                      "give yourself write permission on it.")
    elif code in (errno.EACCES, errno.EPERM):
        template = N_("cannot write the outputs to {out}: permission denied ({path}). Fix: "
                      "choose an output folder you can write to (--out), or give yourself "
                      "write permission on it.")
    elif code == errno.ENOTDIR:
        template = N_("cannot write the outputs to {out}: a part of the path is a file, not a "
                      "folder ({path}). Fix: choose an output folder you can write to (--out), "
                      "or give yourself write permission on it.")
    else:
        template = N_("cannot write the outputs to {out}: {reason} ({path}). Fix: choose an "
                      "output folder you can write to (--out), or give yourself write "
                      "permission on it.")
    return OutputError(template, out=out, path=path, reason=exc.strerror or str(exc))


def _space_problem(out: Path, home: Path, exc: BaseException) -> OutputError | None:
    """The OutputError explaining ``exc`` by a full disk or a file-size limit, if either."""
    codes = _errnos(exc)
    reported = f"{type(exc).__name__}: {exc}"[:300]
    free = _free_bytes(home)
    if codes & _SPACE_ERRNOS or (free is not None and free < _FULL_BYTES):
        return OutputError(
            N_("cannot write the outputs to {out}: the disk that holds it is full (the writer "
               "reported: {reported}). Nothing was written to {out}. Fix: free some space on "
               "that disk, or choose an output folder on another disk (--out)."),
            out=out, reported=reported)
    limit = _file_size_limit()
    if errno.EFBIG in codes or limit is not None:
        # GDAL's writers report a refused write in their own words, without the errno: a
        # finite limit is then the likely cause, and the message says both
        if errno.EFBIG not in codes:
            template = N_("cannot write the outputs to {out}: writing failed, most likely at "
                          "the largest file this process may write (at most {limit} bytes, see "
                          "ulimit -f; the writer reported: {reported}). Nothing was written to "
                          "{out}. Fix: raise the limit (ulimit -f unlimited), or write fewer or "
                          "smaller files (--format, a coarser --resolution).")
        elif limit is not None:
            template = N_("cannot write the outputs to {out}: a file grew past the largest file "
                          "this process may write (at most {limit} bytes, see ulimit -f; the "
                          "writer reported: {reported}). Nothing was written to {out}. Fix: "
                          "raise the limit (ulimit -f unlimited), or write fewer or smaller "
                          "files (--format, a coarser --resolution).")
        else:
            template = N_("cannot write the outputs to {out}: a file grew past the largest file "
                          "this process may write (no larger files, see ulimit -f; the writer "
                          "reported: {reported}). Nothing was written to {out}. Fix: raise the "
                          "limit (ulimit -f unlimited), or write fewer or smaller files "
                          "(--format, a coarser --resolution).")
        return OutputError(template, out=out, reported=reported,
                           limit=Num(limit) if limit is not None else "")
    return None


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


class StagedOutputs:
    """A run's output folder: locked, staged, and published as one set.

    Use :func:`staged_outputs`, which documents the behaviour.

    Attributes
    ----------
    out
        The output folder as given.
    folder
        The staging folder to write into (valid inside the ``with`` block).
    written
        The files moved into place (under ``out``), once the block has ended without error.
    """

    def __init__(self, out: str | Path, names: Iterable[str | Path] = (), *,
                 overwrite: bool) -> None:
        self.out = Path(out)
        self.names = [Path(n) for n in names]
        self.overwrite = overwrite
        self.written: list[Path] = []
        self._target = Path(os.path.realpath(self.out))
        self._home, self._lock_path, self.folder = self._places()
        self._lock_fd: int | None = None
        self._created: list[Path] = []

    # --- where things go ---------------------------------------------------------------

    def _places(self) -> tuple[Path, Path, Path]:
        """(folder holding the lock and staging, lock file, staging folder)."""
        target, parent = self._target, self._target.parent
        try:
            inside = target.is_dir() and (
                not os.access(parent, os.W_OK | os.X_OK)
                or parent.stat().st_dev != target.stat().st_dev)
        except OSError:
            inside = False
        if inside:  # beside would be unwritable or on another file system: stage inside
            return target, target / LOCK_SUFFIX, target / STAGING_SUFFIX
        return (parent, parent / f".{target.name}{LOCK_SUFFIX}",
                parent / f".{target.name}{STAGING_SUFFIX}")

    def _check_target(self) -> None:
        """Refuse an output path that is a file or lies below one."""
        target = self._target
        refuse_a_file(target, self.out)
        blocker = _first_existing(target)
        if not blocker.is_dir():
            raise OutputError(
                N_("the output folder {out} cannot be created: {blocker} is a file, not a "
                   "folder. Fix: choose an output folder (--out) that is not below a file."),
                out=self.out, blocker=blocker)
        if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
            raise OutputError(
                N_("cannot write the outputs to {out}: permission denied. Fix: choose an "
                   "output folder you can write to (--out), or give yourself write permission "
                   "on it."), out=self.out)

    def _make_home(self) -> None:
        """Create the folders that hold the lock and staging folder, remembering which."""
        missing: list[Path] = []
        folder = self._home
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                raise _cannot_write(self.out, folder, exc) from exc
            self._created.append(folder)

    # --- the lock ------------------------------------------------------------------------

    def _lock(self) -> None:
        """Take the exclusive lock on the output folder, or refuse."""
        while True:
            try:
                fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                raise _cannot_write(self.out, self._home, exc) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode("ascii", "replace").strip()
                os.close(fd)
                if holder.isdigit():
                    template = N_("another covplan run (process {process}) is writing to {out} "
                                  "(it holds the lock {lock}). Fix: wait for that run to "
                                  "finish, or choose another output folder (--out).")
                else:
                    template = N_("another covplan run is writing to {out} (it holds the lock "
                                  "{lock}). Fix: wait for that run to finish, or choose another "
                                  "output folder (--out).")
                raise OutputError(template, process=holder, out=self.out,
                                  lock=self._lock_path) from None
            try:  # the holder before us may have removed the file: lock the one in place
                same = os.stat(self._lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._lock_fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            if os.stat(self._lock_path).st_ino == os.fstat(self._lock_fd).st_ino:
                os.unlink(self._lock_path)
        except FileNotFoundError:
            pass
        os.close(self._lock_fd)
        self._lock_fd = None

    # --- staging -------------------------------------------------------------------------

    def _staged_files(self) -> list[Path]:
        """Files in the staging folder, relative to it, without the moving mark."""
        root = self.folder
        return sorted(p.relative_to(root) for p in root.rglob("*")
                      if p.is_file() and p.name != _MOVING_MARK)

    def _move_into_place(self, files: list[Path]) -> None:
        """Move ``files`` from the staging folder into the output folder, then drop it."""
        (self.folder / _MOVING_MARK).touch()
        for rel in files:
            destination = self._target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / rel, destination)
        shutil.rmtree(self.folder)

    def _clear_stale(self) -> None:
        """Deal with the staging folder a killed run left (we hold the lock, so it is stale)."""
        if not self.folder.exists():
            return
        if (self.folder / _MOVING_MARK).exists():
            files = self._staged_files()
            logger.warning("Completing the outputs of an interrupted run: moving %d files from "
                           "%s into %s", len(files), self.folder, self.out)
            self._move_into_place(files)
            return
        logger.warning("Removing %s, left by a run that was killed before it finished",
                       self.folder)
        shutil.rmtree(self.folder)

    def _commit(self) -> None:
        """Publish the staged files: one rename for a new folder, else file by file."""
        files = self._staged_files()
        mode = file_mode()
        for rel in files:
            os.chmod(self.folder / rel, mode)
        if not self._target.exists():
            try:
                os.rename(self.folder, self._target)
            except OSError as exc:  # created meanwhile and not empty: go file by file
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
            else:
                self.written = [self.out / rel for rel in files]
                return
        if not self.overwrite:
            found = existing_outputs(self.out / rel for rel in files)
            if found:
                raise _refuse_existing(found)
        self._move_into_place(files)
        self.written = [self.out / rel for rel in files]

    def _discard(self) -> None:
        if self.folder.exists() and not (self.folder / _MOVING_MARK).exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def _release(self) -> None:
        """Unlock and remove the folders this run created for nothing."""
        self._unlock()
        for folder in reversed(self._created):
            try:
                folder.rmdir()
            except OSError:
                break

    # --- the context manager -------------------------------------------------------------

    def __enter__(self) -> StagedOutputs:
        self._check_target()
        try:
            self._make_home()
            self._lock()
            try:
                self._clear_stale()
            except OSError as exc:
                raise _cannot_write(self.out, self.folder, exc) from exc
            if not self.overwrite:
                found = existing_outputs(self.out / n for n in self.names)
                if found:
                    raise _refuse_existing(found)
            try:
                self.folder.mkdir()
            except OSError as exc:
                raise _cannot_write(self.out, self.folder, exc) from exc
        except BaseException:
            self._release()
            raise
        logger.debug("Staging the outputs for %s in %s", self.out, self.folder)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc is None:
                try:
                    self._commit()
                except CovplanError:
                    self._discard()
                    raise
                except OSError as error:
                    self._discard()
                    raise _cannot_write(self.out, self._target, error) from error
                logger.info("Wrote %d files to %s", len(self.written), self.out)
                return
            self._discard()
            if isinstance(exc, Exception) and not isinstance(exc, CovplanError):
                problem = _space_problem(self.out, self._home, exc)
                if problem is None and _errnos(exc) & _ACCESS_ERRNOS and isinstance(
                        exc, OSError) and self._concerns_outputs(exc):
                    problem = _cannot_write(self.out, Path(str(exc.filename)), exc)
                if problem is not None:
                    raise problem from exc
        finally:
            self._release()

    def _concerns_outputs(self, exc: OSError) -> bool:
        """Whether ``exc`` names a path in the staging or output folder."""
        if exc.filename is None:
            return False
        name = os.path.realpath(os.fsdecode(exc.filename))
        return any(name == str(p) or name.startswith(f"{p}{os.sep}")
                   for p in (self.folder, self._target))

    def final(self, path: str | Path) -> Path:
        """Where ``path`` (a file in the staging folder) ends up under :attr:`out`."""
        return self.out / Path(path).relative_to(self.folder)


def staged_outputs(out: str | Path, names: Iterable[str | Path] = (), *,
                   overwrite: bool) -> StagedOutputs:
    """Write a run's outputs into a staging folder and publish them together.

    ``with staged_outputs(out, names, overwrite=...) as stage:`` then write every file into
    ``stage.folder``. On entering, the output folder is checked (a file, or a path below a
    file, or a folder that cannot be written is refused), an exclusive lock is taken on it
    (a lock file beside it: a second run into the same folder at the same time is refused),
    the staging folder a killed run left is removed, and, unless ``overwrite``, the run is
    refused when any of ``names`` exists, before any work. When the block ends without
    error, the staged files get the umask's mode and move into ``out`` (a new ``out`` is
    the staging folder renamed in one step; into an existing one, file by file, replacing
    old files only with ``overwrite``); ``stage.written`` lists them. When it raises, the
    staging folder is removed and ``out`` is left as it was; an error caused by a full disk,
    the file-size limit or permissions becomes an :class:`~covplan.errors.OutputError`.

    The staging folder and the lock file sit beside ``out`` (``.<name>.covplan-staging``,
    ``.<name>.covplan-lock``), on the same file system, or inside an existing ``out`` whose
    parent cannot be written or lies on another file system.

    Parameters
    ----------
    out
        The output folder (created when the run succeeds).
    names
        The files the run will write, relative to ``out``: checked before any work.
    overwrite
        Replace existing files of the same names.

    Returns
    -------
    StagedOutputs
        The context manager.

    Raises
    ------
    covplan.errors.OutputExistsError
        When a file of ``names`` exists and ``overwrite`` is False.
    covplan.errors.OutputError
        When ``out`` cannot be written, another run holds its lock, or the disk filled up.
    """
    return StagedOutputs(out, names, overwrite=overwrite)
