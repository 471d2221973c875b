"""Downlink SINR of one operator's network of one technology, from the engine's windows.

Each propagation group's window holds, besides its best-sector RSRP, the power of all its
sectors at each cell, each scaled by its ``load`` (:attr:`SiteResult.loaded_dbm`). Summed
over the groups on one carrier (the same frequency and bandwidth), that is the power
``P_c`` every loaded sector of the carrier puts into a cell. Per cell, with ``S`` the
serving sector's RSRP and ``ρ_s`` its load::

    I = P_c(s) − ρ_s · S         (every other sector on the serving carrier, loaded)
    SINR = S / (I + N)           (N: thermal noise in one resource element + UE noise figure)

all per resource element, in mW (:mod:`covplan.radio.linklevel` for N and for what the SINR
becomes in Mb/s). Sectors on other carriers do not interfere. The caller passes one
operator's sectors (:func:`covplan.predict.operators.predict_operators`): operators hold
their own spectrum.

Interferers are predicted down to the engine's floor (the lowest target threshold less the
margin, -110 dBm RSRP by default): a weaker interferer is left out, which makes the SINR
optimistic where the serving signal is itself near the floor. ``README.md`` gives its size
on the demo.

A one-site edit updates ``P_c`` only inside the windows of the groups that changed, summing
there every group in merge order again, so the result is identical to a full pass. Each
carrier's power is a :class:`~covplan.tiled.TiledArray`: the update copies the tiles of that
window and shares the others with the previous power, which stays as it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from covplan.predict.cache import SiteResult
from covplan.tiled import TiledArray, Window, is_empty

#: Past this many changed groups the carriers' power is summed again everywhere.
UPDATE_MAX_GROUPS = 16


@dataclass(frozen=True, eq=False)
class CarrierPower:
    """The loaded power of every carrier of a network on the grid, to update and read.

    Parameters
    ----------
    carriers
        ``(frequency_mhz, bandwidth_mhz)`` of each carrier.
    power_mw
        Per carrier, float32 on the grid: the load-weighted power of every sector of the
        carrier at each cell (mW per resource element).
    group_carrier
        Per propagation group (merge order), its carrier's index.
    window
        Where the power was summed again from an earlier one (outside it, it is that one's);
        None when summed everywhere.
    noise_dbm
        The noise per resource element of the SINR computed with this power (NaN: none).
    """

    carriers: tuple[tuple[float, float], ...]
    power_mw: tuple[TiledArray, ...]
    group_carrier: np.ndarray
    window: Window | None = None
    noise_dbm: float = math.nan


@njit(cache=True, nogil=True)
def _accumulate(out, row0, col0, loaded_dbm, r_lo, r_hi, c_lo, c_hi):  # type: ignore[no-untyped-def]
    """Add ``10^(loaded/10)`` of one window to ``out`` inside rows/cols ``[lo, hi)``."""
    nr, nc = loaded_dbm.shape
    for r in range(max(0, r_lo - row0), min(nr, r_hi - row0)):
        for c in range(max(0, c_lo - col0), min(nc, c_hi - col0)):
            v = loaded_dbm[r, c]
            if v == v and v > -np.inf:
                out[row0 + r, col0 + c] += 10.0 ** (v / 10.0)


@njit(cache=True, parallel=True)
def _sinr(rsrp, server, sector_carrier, sector_load, carrier, power_mw, noise_mw, out):  # type: ignore[no-untyped-def]
    """SINR (dB) of the cells served on ``carrier``, from the serving RSRP and its power.

    Other cells of ``out`` are left as they are.
    """
    rows, cols = rsrp.shape
    for r in prange(rows):
        for c in range(cols):
            s = server[r, c]
            v = rsrp[r, c]
            if s < 0 or v != v or sector_carrier[s] != carrier:
                continue
            signal = 10.0 ** (v / 10.0)
            interference = float(power_mw[r, c]) - sector_load[s] * signal
            if interference < 0.0:  # rounding where the serving sector is the only one
                interference = 0.0
            out[r, c] = 10.0 * math.log10(signal / (interference + noise_mw))


def _carriers(groups_carrier: list[tuple[float, float]]
              ) -> tuple[tuple[tuple[float, float], ...], np.ndarray]:
    carriers = tuple(dict.fromkeys(groups_carrier))
    index = {c: i for i, c in enumerate(carriers)}
    return carriers, np.array([index[c] for c in groups_carrier], dtype=np.int64)


def carrier_power(shape: tuple[int, int], group_carriers: list[tuple[float, float]],
                  results: list[SiteResult], previous: CarrierPower | None = None,
                  changed: Window | None = None) -> CarrierPower:
    """Every carrier's loaded power on a grid of ``shape``.

    Parameters
    ----------
    shape
        The grid's (rows, cols).
    group_carriers
        ``(frequency_mhz, bandwidth_mhz)`` of each propagation group, in merge order.
    results
        Each group's window, in the same order.
    previous, changed
        The power of an earlier prediction of the same network and the window
        ``(r0, r1, c0, c1)`` outside which nothing changed since: only that window is
        summed again (from every group reaching it, in merge order, as a full pass sums),
        and only the tiles it touches are copied from ``previous`` (which stays as it was).
    """
    carriers, group_carrier = _carriers(group_carriers)
    if (previous is not None and changed is not None and previous.carriers == carriers
            and all(p.shape == shape for p in previous.power_mw)):
        power = tuple(_summed_again(p, k, group_carrier, results, changed)
                      for k, p in enumerate(previous.power_mw))
        return CarrierPower(carriers, power, group_carrier, changed)
    full = np.zeros((len(carriers), *shape), dtype=np.float32)
    rows, cols = shape
    for k, result in zip(group_carrier.tolist(), results, strict=True):
        if result.loaded_dbm.size:
            _accumulate(full[k], result.row0, result.col0, result.loaded_dbm, 0, rows, 0, cols)
    return CarrierPower(carriers, tuple(TiledArray.of(full[k]) for k in range(len(carriers))),
                        group_carrier)


def no_power(shape: tuple[int, int], group_carriers: list[tuple[float, float]],
             noise_dbm: float) -> CarrierPower:
    """The power of a network with no sector yet, on the carriers of ``group_carriers``.

    Zero everywhere (tiles of :meth:`~covplan.tiled.TiledArray.filled`): the start that
    :func:`carrier_power` updates where the groups reach, as it updates an earlier power.
    """
    carriers, _ = _carriers(group_carriers)
    return CarrierPower(carriers, tuple(TiledArray.filled(shape, 0.0, np.float32)
                                        for _ in carriers),
                        np.zeros(0, dtype=np.int64), None, noise_dbm)


def _summed_again(power: TiledArray, carrier: int, group_carrier: np.ndarray,
                  results: list[SiteResult], window: Window) -> TiledArray:
    """``power`` of ``carrier`` summed again in ``window`` from every group reaching it."""
    if is_empty(window):
        return power
    r0, r1, c0, c1 = window

    def write(block: np.ndarray, row0: int, col0: int) -> None:
        block[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = 0.0
        for k, result in zip(group_carrier.tolist(), results, strict=True):
            loaded = result.loaded_dbm
            if (k != carrier or not loaded.size or result.row0 >= r1
                    or result.row0 + loaded.shape[0] <= r0 or result.col0 >= c1
                    or result.col0 + loaded.shape[1] <= c0):
                continue
            _accumulate(block, result.row0 - row0, result.col0 - col0, loaded, r0 - row0,
                        r1 - row0, c0 - col0, c1 - col0)

    return power.patched(window, write)


def changed_window(before: np.ndarray, after: np.ndarray
                   ) -> tuple[int, int, int, int] | None:
    """Bounding window ``(r0, r1, c0, c1)`` of the group windows ``before`` and ``after``.

    ``before`` holds the windows of the groups gone, ``after`` those of the groups added
    (rows of r0, r1, c0, c1); no change at all gives the empty ``(0, 0, 0, 0)``.
    """
    both = np.concatenate([before.reshape(-1, 4), after.reshape(-1, 4)])
    if not len(both):
        return (0, 0, 0, 0)
    return (int(both[:, 0].min()), int(both[:, 1].max()), int(both[:, 2].min()),
            int(both[:, 3].max()))


def sinr_db(rsrp_dbm: np.ndarray, server: np.ndarray, sector_carrier: np.ndarray,
            sector_load: np.ndarray, power_mw: Sequence[np.ndarray], noise_dbm: float
            ) -> np.ndarray:
    """SINR per cell (float32 dB; NaN where nothing serves), on a grid or a window of it.

    ``sector_carrier[index]`` is the carrier (index into ``power_mw``) of the sector
    ``index`` of ``server``, ``sector_load[index]`` its load; ``power_mw`` holds each
    carrier's loaded power on the cells of ``rsrp_dbm`` (:attr:`CarrierPower.power_mw`).
    """
    out = np.full(rsrp_dbm.shape, np.nan, dtype=np.float32)
    if not len(power_mw):
        return out
    rsrp, cells = _writable(rsrp_dbm, np.float32), _writable(server, np.int32)
    carrier = _writable(sector_carrier, np.int64)
    load = _writable(sector_load, np.float64)
    for k, power in enumerate(power_mw):
        _sinr(rsrp, cells, carrier, load, k, _writable(power, np.float32),
              10.0 ** (noise_dbm / 10.0), out)
    return out


def _writable(array: np.ndarray, dtype: type) -> np.ndarray:
    """``array`` as a C-contiguous, writable array of ``dtype`` (copied only if it is not).

    The kernels are compiled for such arrays; a read-only view (a tile's) is copied.
    """
    out: np.ndarray = np.require(array, dtype=dtype, requirements=["C", "W"])
    return out


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernels for the engine's types."""
    power = np.zeros((1, 2, 2), dtype=np.float32)
    _accumulate(power[0], 0, 0, np.zeros((1, 1), np.float32), 0, 2, 0, 2)
    _sinr(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.int32), np.zeros(1, np.int64),
          np.ones(1), 0, power[0], 1e-12, np.empty((2, 2), np.float32))
