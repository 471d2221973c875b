"""Per-site prediction results and the cache that keeps them between predictions.

A :class:`SiteResult` is one propagation group's best-sector RSRP on a window of the output
grid. The :class:`SiteCache` keys results by a hash of everything they depend on (position,
antenna height, frequency, every sector's parameters, the terrain's content, the grid and the
model settings), so after adding, moving or removing one site only that site's key is new
and every other result is reused unchanged.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class SiteResult:
    """One propagation group's prediction on a window of the output grid.

    Parameters
    ----------
    row0, col0
        Grid row and column of the window's upper-left cell.
    rsrp_dbm
        Best-sector RSRP (float32), NaN outside the group's radius.
    sector
        Index of the best sector within the group (int8), -1 where NaN.
    radius_m
        Radius of influence that was computed.
    base_height_m
        (min, max) base-station height the model used (effective height for Hata).
    loaded_dbm
        Power of all the group's sectors at each cell, each scaled by its ``load``,
        summed (float32 dBm; NaN where ``rsrp_dbm`` is): the group's share of the
        interference (:mod:`covplan.predict.sinr`).
    """

    row0: int
    col0: int
    rsrp_dbm: np.ndarray
    sector: np.ndarray
    radius_m: float
    base_height_m: tuple[float, float]
    loaded_dbm: np.ndarray

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(self.rsrp_dbm.nbytes + self.sector.nbytes + self.loaded_dbm.nbytes)


class SiteCache:
    """In-memory LRU cache of :class:`SiteResult`, optionally backed by a directory.

    Parameters
    ----------
    max_bytes
        Memory budget; the least recently used results are dropped beyond it (they are
        recomputed, or re-read from ``directory``, when needed again).
    directory
        Where to also keep results as ``<key>.npz`` files across runs; ``None`` for memory only.
        A damaged file there is ignored (logged) and its result predicted again.
    """

    def __init__(
        self, max_bytes: int = 2 * 1024**3, directory: str | os.PathLike[str] | None = None
    ) -> None:
        self.max_bytes = int(max_bytes)
        self.directory = Path(directory) if directory is not None else None
        self._items: OrderedDict[str, SiteResult] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    @property
    def nbytes(self) -> int:
        """Memory held by the cached results."""
        return self._bytes

    def clear(self) -> None:
        """Drop every in-memory result (files on disk are kept)."""
        self._items.clear()
        self._bytes = 0

    def get(self, key: str) -> SiteResult | None:
        """The result for ``key``, or ``None``."""
        item = self._items.get(key)
        if item is None and self.directory is not None:
            item = self._read(key)
            if item is not None:
                self._store(key, item)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item

    def put(self, key: str, result: SiteResult) -> None:
        """Store ``result`` under ``key`` (and on disk when a directory is set).

        A file that cannot be written (a full disk, a read-only cache folder) is logged and
        skipped: the cache only saves time, and the result stays in memory.
        """
        self._store(key, result)
        if self.directory is not None:
            try:
                self._write(key, result)
            except OSError as exc:
                logger.warning("Could not keep the site result %s in the cache: %s",
                               self._path(key), exc)

    def _store(self, key: str, result: SiteResult) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._items[key] = result
        self._bytes += result.nbytes
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= dropped.nbytes

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.npz"

    def _write(self, key: str, r: SiteResult) -> None:
        path = self._path(key)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, rsrp=r.rsrp_dbm, sector=r.sector, loaded=r.loaded_dbm,
                         meta=np.array([r.row0, r.col0, r.radius_m, *r.base_height_m]))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self, key: str) -> SiteResult | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:  # our own handle: np.load leaks its own when the archive is damaged
            with path.open("rb") as fh, np.load(fh) as z:
                meta = z["meta"]
                return SiteResult(int(meta[0]), int(meta[1]), z["rsrp"], z["sector"],
                                  float(meta[2]), (float(meta[3]), float(meta[4])),
                                  z["loaded"])
        except (OSError, EOFError, KeyError, IndexError, ValueError, zipfile.BadZipFile) as exc:
            # a truncated or damaged file (a run killed while the disk was full, a copy
            # that stopped half-way): predict again, and the new result replaces it
            logger.warning("Ignoring a damaged cached site result %s (%s: %s); predicting "
                           "it again", path, type(exc).__name__, exc)
            return None
