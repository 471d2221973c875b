"""Empirical and free-space path-loss models, vectorised over numpy arrays.

Why not a library: PyPI's 38.901 packages (``sionna``, ``cu3gppchan``/``gpu3gppchan``) are
GPU/TensorFlow channel simulators, ``pycraf`` targets ITU-R P.452 interference studies and
``itur`` covers atmospheric P-recommendations; none offers plain vectorised Hata/38.901 median
path loss. These closed forms are a few lines each, so they are implemented here (once, in
:mod:`covplan.radio._formulas`, shared with the numba kernels) and tested against the
standards' own formulas evaluated by hand.

All functions broadcast their array arguments, return float64 dB, and emit a
:class:`~covplan.radio.ModelRangeWarning` naming the range whenever an input lies outside the
validity range of the reference.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from covplan.radio import _formulas as F  # noqa: N812
from covplan.radio._range import check_range

HataEnvironment = Literal["metropolitan", "medium_city", "suburban", "open"]
_HATA_ENV = {
    "metropolitan": F.HATA_METRO,
    "medium_city": F.HATA_MEDIUM_CITY,
    "suburban": F.HATA_SUBURBAN,
    "open": F.HATA_OPEN,
}


def _flat(*args: ArrayLike) -> tuple[tuple[int, ...], list[NDArray[np.float64]]]:
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in args])
    return arrays[0].shape, [np.ascontiguousarray(a).ravel() for a in arrays]


@njit(cache=True)
def _fspl_loop(d, f, out):  # type: ignore[no-untyped-def]
    for i in range(d.size):
        out[i] = F.fspl_db(d[i], f[i])


@njit(cache=True)
def _hata_loop(d, f, hb, hm, env, out):  # type: ignore[no-untyped-def]
    for i in range(d.size):
        out[i] = F.hata_db(d[i], f[i], hb[i], hm[i], env)


@njit(cache=True)
def _rma_loop(d, f, hb, hm, h, w, nlos, out):  # type: ignore[no-untyped-def]
    for i in range(d.size):
        if nlos:
            out[i] = F.rma_nlos_db(d[i], f[i], hb[i], hm[i], h[i], w[i])
        else:
            out[i] = F.rma_los_db(d[i], f[i], hb[i], hm[i], h[i])


@njit(cache=True)
def _uma_loop(d, f, hb, hm, nlos, out):  # type: ignore[no-untyped-def]
    for i in range(d.size):
        if nlos:
            out[i] = F.uma_nlos_db(d[i], f[i], hb[i], hm[i])
        else:
            out[i] = F.uma_los_db(d[i], f[i], hb[i], hm[i])


def free_space_loss_db(distance_m: ArrayLike, frequency_mhz: ArrayLike) -> NDArray[np.float64]:
    r"""Free-space basic transmission loss (ITU-R P.525-4 eq. 5).

    .. math:: L_{fs} = 20\log_{10}\frac{4\pi d f}{c}
              = 32.45 + 20\log_{10} f_{\mathrm{MHz}} + 20\log_{10} d_{\mathrm{km}}

    Valid for any distance in the far field; distances must be positive.

    Examples
    --------
    >>> round(float(free_space_loss_db(1000.0, 1800.0)), 2)
    97.55
    """
    shape, (d, f) = _flat(distance_m, frequency_mhz)
    if np.any(d <= 0):
        raise ValueError("free_space_loss_db: distance_m must be positive")
    out = np.empty_like(d)
    _fspl_loop(d, f, out)
    return out.reshape(shape)


def cost231_hata_loss_db(
    distance_m: ArrayLike,
    frequency_mhz: ArrayLike,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike = 1.5,
    *,
    environment: HataEnvironment = "medium_city",
) -> NDArray[np.float64]:
    r"""COST-231 Hata median path loss (COST 231 Final Report, ch. 4.4.1).

    .. math::
        L = 46.3 + 33.9\log f - 13.82\log h_b - a(h_m)
            + (44.9 - 6.55\log h_b)\log d_{\mathrm{km}} + C_m

    with :math:`a(h_m) = (1.1\log f - 0.7)h_m - (1.56\log f - 0.8)` (medium city),
    :math:`C_m` = 3 dB for ``"metropolitan"`` centres and 0 dB otherwise. ``"suburban"`` and
    ``"open"`` subtract Hata's corrections (Hata 1980, eqs. 4-5):
    :math:`2[\log(f/28)]^2 + 5.4` and :math:`4.78(\log f)^2 - 18.33\log f + 40.94`.

    Validity: f 1500–2000 MHz, :math:`h_b` 30–200 m (effective height), :math:`h_m`
    1–10 m, d 1–20 km.

    Parameters
    ----------
    distance_m
        Horizontal distance.
    frequency_mhz
        Carrier frequency.
    base_height_m
        Effective base-station antenna height.
    mobile_height_m
        Mobile antenna height above ground.
    environment
        ``{"metropolitan", "medium_city", "suburban", "open"}``.

    Examples
    --------
    >>> round(float(cost231_hata_loss_db(1000.0, 1800.0, 30.0, 1.5)), 1)
    136.2
    """
    if environment not in _HATA_ENV:
        raise ValueError(
            f"environment must be one of {sorted(_HATA_ENV)}, got {environment!r}"
        )
    shape, (d, f, hb, hm) = _flat(distance_m, frequency_mhz, base_height_m, mobile_height_m)
    name = "COST-231 Hata"
    check_range(name, "frequency f", f, 1500.0, 2000.0, "MHz")
    check_range(name, "base height hb", hb, 30.0, 200.0, "m")
    check_range(name, "mobile height hm", hm, 1.0, 10.0, "m")
    check_range(name, "distance d", d / 1000.0, 1.0, 20.0, "km")
    out = np.empty_like(d)
    _hata_loop(d, f, hb, hm, _HATA_ENV[environment], out)
    return out.reshape(shape)


def _check_38901(name: str, d: NDArray[np.float64], f: NDArray[np.float64], f_high: float,
                 hut: NDArray[np.float64], hut_range: tuple[float, float],
                 d_max_m: float) -> None:
    check_range(name, "frequency fc", f / 1000.0, 0.5, f_high, "GHz")
    check_range(name, "UT height hUT", hut, *hut_range, "m")
    check_range(name, "distance d2D", d, 10.0, d_max_m, "m")


def tr38901_rma_loss_db(
    distance_m: ArrayLike,
    frequency_mhz: ArrayLike,
    bs_height_m: ArrayLike = 35.0,
    ut_height_m: ArrayLike = 1.5,
    *,
    los: bool,
    building_height_m: ArrayLike = 5.0,
    street_width_m: ArrayLike = 20.0,
) -> NDArray[np.float64]:
    r"""3GPP TR 38.901 V17.0.0 Table 7.4.1-1, rural macro (RMa).

    .. math::
        PL_1 &= 20\log(40\pi d_{3D} f_c/3) + \min(0.03h^{1.72},10)\log d_{3D}
                - \min(0.044h^{1.72},14.77) + 0.002\log(h)\,d_{3D} \\
        PL_2 &= PL_1(d_{BP}) + 40\log(d_{3D}/d_{BP}),\quad d_{BP} = 2\pi h_{BS}h_{UT}f_c/c \\
        PL'_{NLOS} &= 161.04 - 7.1\log W + 7.5\log h
            - (24.37 - 3.7(h/h_{BS})^2)\log h_{BS} \\
            &\quad + (43.42 - 3.1\log h_{BS})(\log d_{3D} - 3) + 20\log f_c
            - (3.2(\log 11.75h_{UT})^2 - 4.97)

    LOS uses :math:`PL_1` for 10 m ≤ d2D ≤ dBP and :math:`PL_2` up to 10 km; NLOS is
    :math:`\max(PL_{LOS}, PL'_{NLOS})` for 10 m ≤ d2D ≤ 5 km. :math:`f_c` in GHz (0.5–30),
    hBS 10–150 m, hUT 1–10 m, h (building height) 5–50 m, W (street width) 5–50 m.

    Examples
    --------
    >>> round(float(tr38901_rma_loss_db(1000.0, 1800.0, 35.0, 1.5, los=True)), 2)
    99.68
    """
    shape, (d, f, hb, hm, h, w) = _flat(
        distance_m, frequency_mhz, bs_height_m, ut_height_m, building_height_m, street_width_m
    )
    name = f"3GPP TR 38.901 RMa {'LOS' if los else 'NLOS'}"
    _check_38901(name, d, f, 30.0, hm, (1.0, 10.0), 10_000.0 if los else 5_000.0)
    check_range(name, "BS height hBS", hb, 10.0, 150.0, "m")
    check_range(name, "building height h", h, 5.0, 50.0, "m")
    check_range(name, "street width W", w, 5.0, 50.0, "m")
    out = np.empty_like(d)
    _rma_loop(d, f, hb, hm, h, w, not los, out)
    return out.reshape(shape)


def tr38901_uma_loss_db(
    distance_m: ArrayLike,
    frequency_mhz: ArrayLike,
    bs_height_m: ArrayLike = 25.0,
    ut_height_m: ArrayLike = 1.5,
    *,
    los: bool,
) -> NDArray[np.float64]:
    r"""3GPP TR 38.901 V17.0.0 Table 7.4.1-1, urban macro (UMa).

    .. math::
        PL_1 &= 28.0 + 22\log d_{3D} + 20\log f_c \\
        PL_2 &= 28.0 + 40\log d_{3D} + 20\log f_c - 9\log(d'^2_{BP} + (h_{BS}-h_{UT})^2) \\
        PL'_{NLOS} &= 13.54 + 39.08\log d_{3D} + 20\log f_c - 0.6(h_{UT} - 1.5)

    with :math:`d'_{BP} = 4h'_{BS}h'_{UT}f_c/c`, :math:`h' = h - h_E`, :math:`h_E` = 1 m
    (the value the standard fixes for hUT < 13 m). LOS: 10 m ≤ d2D ≤ 5 km; NLOS is
    :math:`\max(PL_{LOS}, PL'_{NLOS})`, 10 m ≤ d2D ≤ 5 km. :math:`f_c` 0.5–100 GHz,
    hUT 1.5–22.5 m. The standard specifies hBS = 25 m; other heights enter only through
    :math:`d'_{BP}` and :math:`d_{3D}`.

    Examples
    --------
    >>> round(float(tr38901_uma_loss_db(1000.0, 3500.0, 25.0, 1.5, los=False)), 2)
    141.67
    """
    shape, (d, f, hb, hm) = _flat(distance_m, frequency_mhz, bs_height_m, ut_height_m)
    name = f"3GPP TR 38.901 UMa {'LOS' if los else 'NLOS'}"
    _check_38901(name, d, f, 100.0, hm, (1.5, 22.5), 5_000.0)
    out = np.empty_like(d)
    _uma_loop(d, f, hb, hm, not los, out)
    return out.reshape(shape)


def rma_breakpoint_m(frequency_mhz: float, bs_height_m: float, ut_height_m: float) -> float:
    r"""TR 38.901 RMa breakpoint distance :math:`d_{BP} = 2\pi h_{BS} h_{UT} f_c / c`."""
    return float(F.rma_breakpoint_m(frequency_mhz, bs_height_m, ut_height_m))


def uma_breakpoint_m(frequency_mhz: float, bs_height_m: float, ut_height_m: float) -> float:
    """TR 38.901 UMa breakpoint :math:`d'_{BP} = 4(h_{BS}-1)(h_{UT}-1) f_c / c`."""
    return float(F.uma_breakpoint_m(frequency_mhz, bs_height_m, ut_height_m))
