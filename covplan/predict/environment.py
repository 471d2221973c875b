"""What a prediction adds to the propagation model: clutter, calibration, vendor patterns.

A :class:`RadioEnvironment` bundles what a dataset says about the receiver's surroundings
and the antennas beyond the sector table:

- the land cover (class values on a raster) and its class table
  (:class:`~covplan.radio.clutter.ClutterTable`): each cell loses the ITU-R P.2108 terminal
  clutter loss of its class, relative to the model's own environment;
- a calibration (:class:`covplan.calibration.correction.Calibration`): per technology an
  offset, a log-distance slope and per-class offsets fitted to measurements;
- vendor antenna patterns by name (:class:`~covplan.radio.patterns.AntennaPattern`), used
  by sectors whose ``antenna_pattern`` names them.

The engine turns it, per technology and grid, into a :class:`ReceiverCorrection` added to
each propagation group's window before the best-server merge, so the serving sector is
chosen on corrected values. Everything the correction depends on enters the per-site cache
keys; with an empty environment the keys, and the grids, are those of the bare model.
"""

from __future__ import annotations

import hashlib
import logging
import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from rasterio.warp import Resampling

from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Text
from covplan.radio.clutter import ClutterTable
from covplan.radio.patterns import AntennaPattern

if TYPE_CHECKING:
    from covplan.calibration.correction import Calibration

logger = logging.getLogger(__name__)

#: The grids' note of a prediction with no calibration.
NO_CALIBRATION = N_("calibration: none (the model as published)")

_CLASSES_ON_GRID: weakref.WeakKeyDictionary[Raster, dict[GridSpec, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def codes_on_grid(landcover: Raster, grid: GridSpec) -> np.ndarray:
    """Land-cover class values (int32, 0 = no data) on ``grid``, nearest neighbour, memoised."""
    per_grid = _CLASSES_ON_GRID.setdefault(landcover, {})
    if grid not in per_grid:
        from covplan.io.raster import warp

        source = np.asarray(landcover.data, dtype=np.float32)
        source = np.where(source > 0, source, np.float32(np.nan))
        out = warp(source, landcover.grid.transform, landcover.grid.crs, grid,
                   Resampling.nearest)
        codes = np.where(np.isfinite(out), out, 0).astype(np.int32)
        per_grid.clear()  # one grid at a time: a province's classes are tens of MB
        per_grid[grid] = codes
    return per_grid[grid]


@dataclass(frozen=True, eq=False)
class ReceiverCorrection:
    """The correction of one technology's predictions on one grid (see the module doc).

    Parameters
    ----------
    model
        The propagation model's name.
    rx_height_m
        Receiver height.
    classes
        Table index of every grid cell (int32, 0: no class), None without land cover.
    clutter
        The class table, None without land cover.
    offset_db, slope_db_per_decade
        Calibration: added to the RSRP, the slope per decade of distance from 1 km.
    log_distance_range
        log10 of the distances (km) over which the slope holds; it is held flat beyond.
    class_offsets_db
        Calibration offset per table index (added to the RSRP; index 0 is 0).
    text
        Everything above that changes results, for cache keys.
    """

    model: str
    rx_height_m: float
    classes: np.ndarray | None
    clutter: ClutterTable | None
    offset_db: float = 0.0
    slope_db_per_decade: float = 0.0
    log_distance_range: tuple[float, float] = (0.0, 0.0)
    class_offsets_db: np.ndarray | None = None
    text: str = ""
    _losses: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    def class_loss_db(self, frequency_mhz: float) -> np.ndarray:
        """Loss per table index at ``frequency_mhz``: clutter minus fitted class offsets."""
        key = float(frequency_mhz)
        if key not in self._losses:
            size = len(self.clutter.classes) + 1 if self.clutter is not None else 1
            loss = (self.clutter.loss_db(key, self.model, rx_height_m=self.rx_height_m)
                    if self.clutter is not None else np.zeros(size))
            if self.class_offsets_db is not None:
                loss = loss - self.class_offsets_db
            self._losses[key] = np.ascontiguousarray(loss, dtype=np.float64)
        return self._losses[key]

    def max_gain_db(self, frequency_mhz: float) -> float:
        """The most the correction can raise the RSRP anywhere (bounds a site's radius)."""
        lo, hi = self.log_distance_range
        distance = max(self.slope_db_per_decade * lo, self.slope_db_per_decade * hi)
        return self.offset_db + distance + float(np.max(-self.class_loss_db(frequency_mhz)))

    def window_classes(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Table indices of a window (zeros without land cover)."""
        if self.classes is None:
            return np.zeros((r1 - r0, c1 - c0), dtype=np.int32)
        return np.ascontiguousarray(self.classes[r0:r1, c0:c1])


@dataclass(frozen=True, eq=False)
class RadioEnvironment:
    """Land cover, clutter table, calibration and vendor patterns of a dataset.

    Parameters
    ----------
    landcover
        Land-cover class values (0 = no data), any grid and CRS; None for none.
    clutter
        The class table of ``landcover`` (ignored without it).
    calibration
        The calibration to apply, None for the bare model.
    antenna_patterns
        Vendor patterns by the name the sites' ``antenna_pattern`` column gives.
    """

    landcover: Raster | None = None
    clutter: ClutterTable | None = None
    calibration: Calibration | None = None
    antenna_patterns: Mapping[str, AntennaPattern] = field(default_factory=dict)
    _receivers: dict[tuple[GridSpec, str, str, float], ReceiverCorrection | None] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def has_clutter(self) -> bool:
        """Whether land cover and a class table are both present."""
        return self.landcover is not None and self.clutter is not None

    @cached_property
    def digest(self) -> str:
        """Content digest of everything that changes predictions ("" when nothing does)."""
        if not self.has_clutter and self.calibration is None and not self.antenna_patterns:
            return ""
        h = hashlib.blake2b(digest_size=16)
        if self.has_clutter and self.landcover is not None and self.clutter is not None:
            h.update(np.ascontiguousarray(self.landcover.data).tobytes())
            h.update(repr(self.landcover.grid).encode())
            h.update(self.clutter.digest().encode())
        if self.calibration is not None:
            h.update(self.calibration.digest().encode())
        for name in sorted(self.antenna_patterns):
            h.update(f"{name}={self.antenna_patterns[name].digest()}".encode())
        return h.hexdigest()

    def receiver(self, grid: GridSpec, technology: str, model: str,
                 rx_height_m: float) -> ReceiverCorrection | None:
        """The correction of ``technology`` predicted with ``model`` on ``grid``, or None.

        None when neither clutter nor a calibration of this technology and model applies:
        the prediction is then the bare model's, with its cache keys. Memoised (one-site
        updates and candidate predictions ask again and again).
        """
        key = (grid, technology, model, float(rx_height_m))
        if key not in self._receivers:
            if len(self._receivers) > 8:
                self._receivers.clear()
            self._receivers[key] = self._receiver(grid, technology, model, rx_height_m)
        return self._receivers[key]

    def _receiver(self, grid: GridSpec, technology: str, model: str,
                  rx_height_m: float) -> ReceiverCorrection | None:
        correction = (self.calibration.for_technology(technology, model)
                      if self.calibration is not None else None)
        if not self.has_clutter and correction is None:
            return None
        classes = None
        if self.has_clutter and self.landcover is not None and self.clutter is not None:
            classes = self.clutter.index_of(codes_on_grid(self.landcover, grid))
        offsets = None
        offset = slope = 0.0
        log_range = (0.0, 0.0)
        if correction is not None:
            offset, slope = correction.offset_db, correction.slope_db_per_decade
            lo, hi = correction.distance_m
            log_range = (math.log10(lo / 1000.0), math.log10(hi / 1000.0))
            if self.clutter is not None and classes is not None:
                offsets = np.zeros(len(self.clutter.classes) + 1)
                for code, value in correction.class_offsets_db.items():
                    index = int(self.clutter.index_of(np.array([code]))[0])
                    if index:
                        offsets[index] = value
        land = self.landcover
        text = "|".join([
            f"rx {model} {rx_height_m:g}",
            f"clutter {self.clutter.digest() if self.clutter is not None else ''} "
            f"{_raster_digest(land) if classes is not None and land is not None else ''}",
            f"calibration {correction.text() if correction is not None else ''}",
        ])
        return ReceiverCorrection(model, float(rx_height_m), classes,
                                  self.clutter if classes is not None else None, offset, slope,
                                  log_range, offsets, text)

    def notes(self, technology: str, model: str, frequencies_mhz: np.ndarray
              ) -> tuple[Text, ...]:
        """What the environment did to ``technology``'s prediction, for the grids' notes."""
        notes: list[Text] = []
        if self.has_clutter and self.clutter is not None:
            notes += self.clutter.notes(frequencies_mhz, model)
        if self.calibration is not None:
            notes.append(self.calibration.note(technology, model))
        else:
            notes.append(Text(NO_CALIBRATION))
        return tuple(notes)


_RASTER_DIGESTS: weakref.WeakKeyDictionary[Raster, str] = weakref.WeakKeyDictionary()


def _raster_digest(raster: Raster) -> str:
    if raster not in _RASTER_DIGESTS:
        h = hashlib.blake2b(digest_size=16)
        h.update(np.ascontiguousarray(raster.data).tobytes())
        h.update(repr(raster.grid).encode())
        _RASTER_DIGESTS[raster] = h.hexdigest()
    return _RASTER_DIGESTS[raster]
