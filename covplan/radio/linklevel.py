r"""Downlink link level: SINR per resource element, spectral efficiency and user throughput.

The model runs in five steps, all per resource element (RE, one subcarrier for one OFDM
symbol) so that every power is an RSRP-like quantity (3GPP TS 36.214 §5.1.1,
TS 38.215 §5.1.1) as produced by :func:`covplan.radio.linkbudget.rsrp_dbm`.

1. **SINR.** The serving cell's RE power :math:`S`, the interferers' RE powers
   :math:`P_j` each scaled by that cell's load :math:`\rho_j` (the share of its REs that
   carry data, so the chance that it transmits on the RE the user receives), and the
   thermal noise in one subcarrier :math:`N`:

   .. math::
       \mathrm{SINR} = \frac{S}{\sum_j \rho_j P_j + N}, \qquad
       N = -174\,\mathrm{dBm/Hz} + 10\log_{10}(\Delta f) + NF_{UE}

   with :math:`\Delta f` the subcarrier spacing (:data:`SUBCARRIER_KHZ`) and
   :math:`NF_{UE}` the UE noise figure (:data:`UE_NOISE_FIGURE_DB`). The caller sums the
   load-scaled interference in mW (:func:`sinr_db`); the load is the sector's ``load``
   (:mod:`covplan.radio.defaults`: 50 %, the FCC Broadband Data Collection's loading).
2. **Cell-edge fade margin.** To predict the SINR reached at a location probability
   :math:`p` rather than at the median, the serving signal alone is reduced by the
   log-normal shadowing margin :math:`\sigma\,\Phi^{-1}(p)` (:func:`fade_margin_db`). The
   interferers stay at their median: their shadowing is partly uncorrelated with the
   serving cell's, and the sum of many of them fluctuates less than one.
3. **Mapping to spectral efficiency.** The attenuated Shannon bound of 3GPP TR 36.942
   Annex A.1/A.2 (:class:`ShannonMapping`, :data:`SHANNON`):

   .. math::
       \eta(\mathrm{SINR}) = \begin{cases}
       0 & \mathrm{SINR} < \mathrm{SINR}_{min} \\
       \min\left(\alpha \log_2(1 + \mathrm{SINR}),\ \eta_{max}\right) & \text{otherwise}
       \end{cases}

4. **Rank adaptation.** With :math:`L` spatial layers the transmit power is split over
   them, so each layer sees :math:`\mathrm{SINR} - 10\log_{10} l` dB. The UE reports the
   rank :math:`l \le L` that maximises :math:`l\,\eta(\mathrm{SINR} - 10\log_{10} l)`
   (:func:`layers_and_efficiency`); the sector's ``mimo_layers`` gives :math:`L`
   (:mod:`covplan.radio.defaults`).
5. **Load share.** Under processor sharing, a flow in a cell with load :math:`\rho`
   gets on average :math:`C(1 - \rho)` of the peak rate :math:`C` (Bonald & Proutière,
   "Wireless downlink data channels: user performance and cell dimensioning",
   MobiCom 2003), so :func:`user_dl_mbps` returns
   :math:`B \cdot l\,\eta \cdot (1 - \rho)`.

All functions are pure numpy and broadcast over their array arguments; NaN (no
signal) propagates to NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Final

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike, NDArray

#: Thermal noise power spectral density kT at the reference temperature 290 K, in dBm/Hz
#: (Recommendation ITU-R P.372, reference noise temperature T0 = 290 K:
#: 10·log10(1.380649e-23 · 290 · 1000) = −173.98 ≈ −174).
THERMAL_NOISE_DBM_PER_HZ: Final = -174.0

#: UE receiver noise figure in dB (Report ITU-R M.2412-0 (10/2017), §8.4 evaluation
#: configuration parameters, Tables 8-2 to 8-4 for the eMBB test environments: UE noise
#: figure 7 dB).
UE_NOISE_FIGURE_DB: Final = 7.0

#: Subcarrier spacing in kHz per technology: LTE 15 kHz (3GPP TS 36.211 §6.2.3,
#: Δf = 15 kHz); NR band n78 at 30 kHz (3GPP TS 38.101-1 Table 5.3.2-1, as
#: :mod:`covplan.radio.defaults` and :mod:`covplan.radio.linkbudget` assume at ≥ 3 GHz).
SUBCARRIER_KHZ: Final[dict[str, float]] = {"4G": 15.0, "5G": 30.0}

#: Standard deviation of log-normal shadow fading in dB: 3GPP TR 38.901 Table 7.4.1-1,
#: RMa NLOS, σ_SF = 8 dB.
SHADOW_SIGMA_DB: Final = 8.0


@dataclass(frozen=True)
class ShannonMapping:
    r"""Attenuated Shannon bound from SINR to spectral efficiency per layer.

    3GPP TR 36.942 Annex A.1: :math:`\eta = 0` below :math:`\mathrm{SINR}_{min}`,
    :math:`\alpha\log_2(1 + \mathrm{SINR})` above it, capped at :math:`\eta_{max}`.

    Parameters
    ----------
    alpha
        Attenuation factor representing implementation losses.
    sinr_min_db
        SINR below which the efficiency is 0 b/s/Hz.
    max_bps_hz
        Maximum efficiency (highest MCS), b/s/Hz per layer.
    source
        Where the numbers come from.

    Examples
    --------
    >>> m = SHANNON["4G"]
    >>> round(float(m.efficiency(10.0)), 4), round(m.sinr_max_db, 2)
    (2.0757, 22.05)
    """

    alpha: float
    sinr_min_db: float
    max_bps_hz: float
    source: str

    @property
    def sinr_max_db(self) -> float:
        r"""SINR where :math:`\alpha\log_2(1 + \mathrm{SINR})` reaches the cap, in dB."""
        return float(10.0 * np.log10(2.0 ** (self.max_bps_hz / self.alpha) - 1.0))

    def efficiency(self, sinr_db: ArrayLike) -> NDArray[np.float64]:
        """Spectral efficiency per layer in b/s/Hz at ``sinr_db``; NaN in gives NaN out."""
        s = np.asarray(sinr_db, dtype=np.float64)
        eta = np.minimum(self.alpha * np.log2(1.0 + 10.0 ** (s / 10.0)), self.max_bps_hz)
        return np.asarray(np.where(s < self.sinr_min_db, 0.0, eta), dtype=np.float64)


SHANNON: Final[dict[str, ShannonMapping]] = {
    "4G": ShannonMapping(
        alpha=0.6,
        sinr_min_db=-10.0,
        max_bps_hz=4.4,
        source=(
            "3GPP TR 36.942 Annex A.2, Table A.2 (downlink: alpha 0.6, SINR_MIN -10 dB, "
            "Thr_MAX 4.4 bps/Hz)"
        ),
    ),
    "5G": ShannonMapping(
        alpha=0.6,
        sinr_min_db=-10.0,
        max_bps_hz=7.4063 * (1.0 - 0.14),
        source=(
            "assumption: TR 36.942's alpha and SINR_MIN; cap = 256QAM code rate 948/1024 "
            "(3GPP TS 38.214 Table 5.1.3.1-2, 7.4063 bps/Hz) less the FR1 downlink overhead "
            "0.14 of TS 38.306 4.1.2"
        ),
    ),
}
"""SINR-to-efficiency mapping per technology, ``{"4G", "5G"}``; each states its source."""


def _mapping(technology: str) -> ShannonMapping:
    try:
        return SHANNON[technology]
    except KeyError:
        raise ValueError(
            f"technology must be one of {sorted(SHANNON)}, got {technology!r}"
        ) from None


def noise_re_dbm(technology: str, noise_figure_db: float = UE_NOISE_FIGURE_DB) -> float:
    r"""Thermal noise in one resource element (one subcarrier) at the UE, in dBm.

    :math:`-174 + 10\log_{10}(\Delta f\,[\mathrm{Hz}]) + NF`.

    Parameters
    ----------
    technology
        ``{"4G", "5G"}``; sets the subcarrier spacing (:data:`SUBCARRIER_KHZ`).
    noise_figure_db
        UE noise figure.

    Examples
    --------
    >>> round(noise_re_dbm("4G"), 2), round(noise_re_dbm("5G"), 2)
    (-125.24, -122.23)
    """
    _mapping(technology)
    scs_hz = SUBCARRIER_KHZ[technology] * 1000.0
    return THERMAL_NOISE_DBM_PER_HZ + 10.0 * float(np.log10(scs_hz)) + noise_figure_db


def sinr_db(
    signal_dbm: ArrayLike, interference_mw: ArrayLike, noise_dbm: ArrayLike
) -> NDArray[np.float64]:
    r"""SINR :math:`10\log_{10}(S / (I + N))` per resource element, in dB.

    Parameters
    ----------
    signal_dbm
        Serving-cell power per RE (RSRP-like), already reduced by any fade margin. NaN
        (no serving cell) gives NaN.
    interference_mw
        Interference per RE in mW, already summed over the interferers, each scaled by
        its load. Must be ≥ 0.
    noise_dbm
        Noise per RE, e.g. :func:`noise_re_dbm`; ``-inf`` for no noise.

    Raises
    ------
    ValueError
        If any interference is negative.

    Examples
    --------
    >>> round(float(sinr_db(-100.0, 0.0, -125.24)), 2)
    25.24
    """
    s = np.asarray(signal_dbm, dtype=np.float64)
    i = np.asarray(interference_mw, dtype=np.float64)
    n = np.asarray(noise_dbm, dtype=np.float64)
    if np.any(i < 0.0):
        raise ValueError("interference_mw must be >= 0 (linear power in mW summed over cells)")
    with np.errstate(divide="ignore"):
        out = s - 10.0 * np.log10(i + 10.0 ** (n / 10.0))
    return np.asarray(out, dtype=np.float64)


def fade_margin_db(probability: float, sigma_db: float = SHADOW_SIGMA_DB) -> float:
    r"""Log-normal shadowing margin :math:`\sigma\,\Phi^{-1}(p)` for location probability ``p``.

    Subtract it from the serving signal to get the level exceeded at a fraction
    ``probability`` of locations (0.5 is the median, margin 0).

    Parameters
    ----------
    probability
        Location probability, strictly between 0 and 1.
    sigma_db
        Shadow-fading standard deviation (:data:`SHADOW_SIGMA_DB`), ≥ 0.

    Raises
    ------
    ValueError
        If ``probability`` is outside (0, 1) or ``sigma_db`` is negative.

    Examples
    --------
    >>> round(fade_margin_db(0.9), 2), fade_margin_db(0.5)
    (10.25, 0.0)
    """
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be strictly between 0 and 1, got {probability!r}")
    if not sigma_db >= 0.0:
        raise ValueError(f"sigma_db must be >= 0 dB, got {sigma_db!r}")
    return sigma_db * NormalDist().inv_cdf(probability)


def layers_and_efficiency(
    sinr_db: ArrayLike, technology: str, layers: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    r"""Rank adaptation: the number of layers and total efficiency that maximise throughput.

    For each :math:`l = 1..L`, every layer sees :math:`\mathrm{SINR} - 10\log_{10} l`
    (power split over the layers); the chosen :math:`l` maximises
    :math:`l\,\eta(\mathrm{SINR} - 10\log_{10} l)`, the lowest one on ties.

    Parameters
    ----------
    sinr_db
        SINR per resource element with all the power in one layer.
    technology
        ``{"4G", "5G"}``, selects the mapping in :data:`SHANNON`.
    layers
        Maximum layers :math:`L` (integer ≥ 1), scalar or per cell; broadcasts with
        ``sinr_db``.

    Returns
    -------
    tuple
        Chosen layers (0 where the SINR is NaN) and total efficiency in b/s/Hz
        (:math:`l\,\eta`, NaN where the SINR is NaN).

    Raises
    ------
    ValueError
        For an unknown technology or layers that are not integers ≥ 1.

    Notes
    -----
    The power split ignores inter-layer interference and channel rank, and
    :math:`l\log_2(1 + x/l)` grows with :math:`l`, so more layers win whenever each stays
    above :math:`\mathrm{SINR}_{min}`: one layer only below
    :math:`\mathrm{SINR}_{min} + 10\log_{10} 2 \approx -7` dB (e.g. 3 of 4 layers at −5 dB,
    total 0.260 against 0.238 b/s/Hz for one layer).

    Examples
    --------
    >>> n, eta = layers_and_efficiency([-8.0, 40.0], "5G", 4)
    >>> n.tolist(), round(float(eta[1]), 3)
    ([1, 4], 25.478)
    """
    mapping = _mapping(technology)
    max_layers = _checked_layers(layers)
    s = np.asarray(sinr_db, dtype=np.float64)
    shape = np.broadcast_shapes(s.shape, max_layers.shape)
    chosen = np.empty(shape, dtype=np.int64)
    total = np.empty(shape, dtype=np.float64)
    _rank_adaptation(np.ascontiguousarray(np.broadcast_to(s, shape)).reshape(-1),
                     np.ascontiguousarray(np.broadcast_to(max_layers, shape),
                                          dtype=np.int64).reshape(-1),
                     mapping.alpha, mapping.sinr_min_db, mapping.max_bps_hz,
                     chosen.reshape(-1), total.reshape(-1))
    return chosen, total


@njit(cache=True, inline="always")
def _best_rank(s, max_layers, alpha, sinr_min_db, max_bps_hz):  # type: ignore[no-untyped-def]
    """(layers, total efficiency) of :func:`layers_and_efficiency` at one SINR ``s`` (dB)."""
    if s != s:
        return 0, np.nan
    linear = 10.0 ** (s / 10.0)
    best, best_l = -np.inf, 1
    for layer in range(1, max_layers + 1):
        if s - 10.0 * math.log10(layer) < sinr_min_db:
            eta = 0.0
        else:
            eta = min(alpha * math.log2(1.0 + linear / layer), max_bps_hz)
        if layer * eta > best:
            best, best_l = layer * eta, layer
    return best_l, best


@njit(cache=True, parallel=True)
def _rank_adaptation(sinr_db, max_layers, alpha, sinr_min_db, max_bps_hz, out_layers,  # type: ignore[no-untyped-def]
                     out_total):
    """:func:`layers_and_efficiency` per cell, one pass (flat arrays, any length).

    Each layer's SINR ``s - 10 log10 l`` is compared with ``sinr_min_db`` in dB as
    :meth:`ShannonMapping.efficiency` does; its linear value is ``10^(s/10) / l``.
    """
    for i in prange(sinr_db.size):
        out_layers[i], out_total[i] = _best_rank(sinr_db[i], max_layers[i], alpha, sinr_min_db,
                                                 max_bps_hz)


@njit(cache=True, parallel=True, nogil=True)
def _served_dl_mbps(server, sinr_db, fade_db, max_layers, bandwidth_mhz, load, alpha,  # type: ignore[no-untyped-def]
                    sinr_min_db, max_bps_hz, out):
    """:func:`served_dl_mbps` per cell, one pass (2-D arrays of one shape).

    Without the GIL, as numpy's passes it replaces ran: the server's other threads (its
    event loop sending the page) go on meanwhile.
    """
    rows, cols = server.shape
    for r in prange(rows):
        for c in range(cols):
            k = server[r, c]
            if k < 0:
                out[r, c] = np.nan
                continue
            _, eta = _best_rank(np.float64(sinr_db[r, c]) - fade_db, max_layers[k], alpha,
                                sinr_min_db, max_bps_hz)
            out[r, c] = bandwidth_mhz[k] * eta * (1.0 - load[k])


def user_dl_mbps(
    sinr_db: ArrayLike,
    technology: str,
    bandwidth_mhz: ArrayLike,
    layers: ArrayLike,
    load: ArrayLike,
) -> NDArray[np.float64]:
    r"""Average downlink throughput of one flow, in Mb/s.

    :math:`B \cdot l\,\eta \cdot (1 - \rho)`: the peak rate from
    :func:`layers_and_efficiency` times the share a flow gets under processor sharing
    (Bonald & Proutière, MobiCom 2003).

    Parameters
    ----------
    sinr_db
        SINR per resource element.
    technology
        ``{"4G", "5G"}``.
    bandwidth_mhz
        Channel bandwidth of the serving cell.
    layers
        Maximum downlink layers (integer ≥ 1), the sector's ``mimo_layers``.
    load
        Serving-cell load :math:`\rho` in [0, 1], e.g. the sector's ``load``.

    Raises
    ------
    ValueError
        For an unknown technology, layers not ≥ 1, a load outside [0, 1] or a negative
        bandwidth.

    Examples
    --------
    >>> round(float(user_dl_mbps(30.0, "4G", 20.0, 2, 0.5)), 6)
    88.0
    """
    bw, rho = _checked_share(bandwidth_mhz, load)
    _, eta = layers_and_efficiency(sinr_db, technology, layers)
    return np.asarray(bw * eta * (1.0 - rho), dtype=np.float64)


def _checked_share(bandwidth_mhz: ArrayLike, load: ArrayLike
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bandwidth and load as float64, checked (see :func:`user_dl_mbps`)."""
    rho = np.asarray(load, dtype=np.float64)
    if not np.all((rho >= 0.0) & (rho <= 1.0)):
        raise ValueError(f"load must be within [0, 1] (share of busy resources), got {load!r}")
    bw = np.asarray(bandwidth_mhz, dtype=np.float64)
    if np.any(bw < 0.0):
        raise ValueError(f"bandwidth_mhz must be >= 0, got {bandwidth_mhz!r}")
    return bw, rho


def _checked_layers(layers: ArrayLike) -> NDArray[Any]:
    """Maximum layers, checked to be integers >= 1 (see :func:`layers_and_efficiency`)."""
    max_layers = np.asarray(layers)
    if not np.all(np.isfinite(max_layers)) or np.any(max_layers < 1) or np.any(
        max_layers != np.round(max_layers)
    ):
        raise ValueError(f"layers must be integers >= 1, got {layers!r}")
    return max_layers


def served_dl_mbps(server: NDArray[np.integer], sinr_db: NDArray[np.floating],
                   technology: str, bandwidth_mhz: ArrayLike, layers: ArrayLike,
                   load: ArrayLike, fade_db: float = 0.0) -> NDArray[np.float32]:
    """:func:`user_dl_mbps` of every cell of a window from its serving sector (float32).

    Parameters
    ----------
    server
        Serving sector of each cell: an index into the per-sector arrays, < 0 where none
        serves (the result is NaN there).
    sinr_db
        SINR of each cell (same shape as ``server``); ``fade_db`` is taken off it first.
    technology
        ``{"4G", "5G"}``.
    bandwidth_mhz, layers, load
        Per sector, as :func:`user_dl_mbps` takes them per cell.
    fade_db
        Margin taken off every cell's SINR (dB).

    Notes
    -----
    The same float64 arithmetic as :func:`user_dl_mbps` on the served cells, in one pass
    over the window without the per-cell copies that indexing by the serving sector makes.
    """
    mapping = _mapping(technology)
    bw, rho = _checked_share(bandwidth_mhz, load)
    # the per-sector arrays are small: fresh copies, so that their compiled type is always
    # the same; the grids are read as they come, read-only views (one type for either)
    max_layers = np.array(_checked_layers(layers), dtype=np.int64)
    cells = np.ascontiguousarray(server, dtype=np.int32).view()
    sinr = np.ascontiguousarray(sinr_db, dtype=np.float32).view()
    cells.flags.writeable = sinr.flags.writeable = False
    out = np.empty(cells.shape, dtype=np.float32)
    _served_dl_mbps(cells, sinr, float(fade_db), max_layers, np.array(bw), np.array(rho),
                    mapping.alpha, mapping.sinr_min_db, mapping.max_bps_hz, out)
    return out


def warm_up() -> None:
    """Compile (or load from numba's cache) the rank-adaptation kernel for the engine's types."""
    layers_and_efficiency(np.zeros(2), "4G", np.ones(2))
    served_dl_mbps(np.zeros((2, 2), np.int32), np.zeros((2, 2), np.float32), "4G",
                   np.ones(1), np.ones(1), np.zeros(1))
