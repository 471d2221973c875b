"""What the first page of a dataset shows, kept on disk between server starts.

The first page after ``scripts/app.sh`` would otherwise predict the province, measure every
target and draw the base map again (20–30 s on the full demo, each time the server starts).
The baseline's result (targets and gap tables, without its coverage grids), the base map
and the baseline's map layers are kept in ``data/cache/app`` instead, each under a key made
of everything it depends on: the *content* of the dataset's files, the targets, the
language, the grid settings and the content of covplan's own code. Anything changed gives
another key, so a kept file is never shown for data or code it was not made from. A file
that cannot be read is ignored (and made again); one that cannot be written is only logged.

The files are Python pickles that the app writes and reads itself; nothing from outside is
unpickled (uploads are never kept, :func:`dataset_digest` refuses them).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from covplan import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The package whose content is part of every key.
_PACKAGE = Path(__file__).resolve().parents[1]
#: File kinds of the package that can change what the app shows.
_CODE_SUFFIXES = (".py", ".js", ".mo", ".toml", ".css")


def folder() -> Path:
    """Where the files are kept: ``data/cache/app`` (:data:`covplan.settings.data_dir`)."""
    return settings.data_dir / "cache" / "app"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the content of covplan's code, catalogues, presets and map assets."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in _PACKAGE.rglob("*")
                       if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def files_digest(files: Iterable[str]) -> str:
    """A digest of the names and content of ``files`` (missing ones count as missing)."""
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(files):
        path = Path(name)
        digest.update(name.encode())
        if path.is_file():
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            digest.update(b"\0missing")
    return digest.hexdigest()


def key_of(parts: Iterable[str]) -> str:
    """The file key of ``parts`` (with the code's digest and the grid settings)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (code_digest(), repr((settings.resolution_m, settings.rx_height_m)), *parts):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


#: Files kept of each kind; older ones (made for earlier data or code) are removed.
KEEP_PER_KIND = 16


def _path(kind: str, key: str) -> Path:
    return folder() / f"{kind}-{key}.pickle"


def load(kind: str, key: str) -> Any | None:
    """The value kept under ``kind`` and ``key``; None when there is none or it is damaged."""
    path = _path(kind, key)
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or stale file: made again, then replaced
        logger.warning("Ignoring the kept %s %s (%s: %s)", kind, path, type(exc).__name__, exc)
        return None
    logger.info("Read the kept %s from %s", kind, path)
    return value


def save(kind: str, key: str, value: Any) -> None:
    """Keep ``value`` under ``kind`` and ``key`` (written whole or not at all)."""
    path = _path(kind, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(kind)
    except (OSError, pickle.PicklingError) as exc:
        logger.warning("Could not keep the %s in %s: %s", kind, path, exc)


def _prune(kind: str) -> None:
    """Remove all but the :data:`KEEP_PER_KIND` newest files of ``kind``."""
    files = sorted(folder().glob(f"{kind}-*.pickle"), key=lambda f: (f.stat().st_mtime_ns, f.name),
                   reverse=True)
    for old in files[KEEP_PER_KIND:]:
        old.unlink(missing_ok=True)


def kept(kind: str, key: str | None, make: Callable[[], T]) -> T:
    """The value kept under ``kind`` and ``key``, else ``make()``'s, kept for next time.

    ``key`` None (an upload, a dataset whose files cannot be read) keeps nothing.
    """
    if key is None:
        return make()
    found = load(kind, key)
    if found is not None:
        return cast(T, found)
    value = make()
    save(kind, key, value)
    return value
