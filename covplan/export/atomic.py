"""Writing output files safely: refuse to overwrite, write atomically, log each file.

The single-file primitive is :func:`covplan.export.tables._atomic` (temporary file in the
destination folder, then :func:`os.replace`); this module adds the checks an export of
many files needs: every existing output named at once before any work starts, and a
writer for callers that produce bytes or text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from covplan.errors import OutputExistsError
from covplan.export.tables import _atomic

logger = logging.getLogger(__name__)

#: How many existing files an error message lists before "and N more".
_SHOWN = 6


def existing_outputs(paths: Iterable[str | Path]) -> list[Path]:
    """The paths among ``paths`` that already exist, in order."""
    return [Path(p) for p in paths if Path(p).exists()]


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
        names = ", ".join(str(p) for p in found[:_SHOWN])
        more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        plural = "s already exist" if len(found) > 1 else " already exists"
        raise OutputExistsError(
            f"{len(found)} output file{plural}: {names}{more}. Pass overwrite=True (on the "
            "command line: --overwrite) to replace them, or choose another output folder "
            "(--out)."
        )
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
    _atomic(path, write)
    logger.info("Wrote %s", path)
    return path


def write_bytes_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write_atomic(path, write, overwrite=overwrite)
