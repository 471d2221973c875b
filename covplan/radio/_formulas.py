"""Scalar path-loss formulas compiled with numba.

One source of truth for every formula: the public vectorised functions in
:mod:`covplan.radio.pathloss` loop over these, and the coverage kernels in
:mod:`covplan.radio.sweep` call them per ray sample. Units: distances in metres, frequency in
MHz, heights in metres, losses in dB. No range checks here (the public functions check).
"""

from __future__ import annotations

import math

from numba import njit

#: Speed of light used by free-space loss (exact, m/s).
C_M_PER_S = 299_792_458.0
#: Speed of light used by 3GPP TR 38.901 breakpoint distances (the standard writes 3.0e8 m/s).
C_3GPP_M_PER_S = 3.0e8

#: COST-231 Hata environment codes.
HATA_METRO, HATA_MEDIUM_CITY, HATA_SUBURBAN, HATA_OPEN = 0, 1, 2, 3


@njit(cache=True)
def fspl_db(d_m: float, f_mhz: float) -> float:
    """Free-space basic transmission loss 20·log10(4π d f / c)."""
    return 20.0 * math.log10(4.0 * math.pi * d_m * f_mhz * 1e6 / C_M_PER_S)


@njit(cache=True)
def hata_db(d_m: float, f_mhz: float, hb_m: float, hm_m: float, env: int) -> float:
    """COST-231 Hata median loss with the Okumura-Hata suburban/open corrections."""
    lf = math.log10(f_mhz)
    a_hm = (1.1 * lf - 0.7) * hm_m - (1.56 * lf - 0.8)
    cm = 3.0 if env == HATA_METRO else 0.0
    loss = (
        46.3
        + 33.9 * lf
        - 13.82 * math.log10(hb_m)
        - a_hm
        + (44.9 - 6.55 * math.log10(hb_m)) * math.log10(d_m / 1000.0)
        + cm
    )
    if env == HATA_SUBURBAN:
        loss -= 2.0 * math.log10(f_mhz / 28.0) ** 2 + 5.4
    elif env == HATA_OPEN:
        loss -= 4.78 * lf**2 - 18.33 * lf + 40.94
    return loss


@njit(cache=True)
def rma_breakpoint_m(f_mhz: float, hbs_m: float, hut_m: float) -> float:
    """TR 38.901 RMa breakpoint distance 2π·hBS·hUT·fc/c."""
    return 2.0 * math.pi * hbs_m * hut_m * f_mhz * 1e6 / C_3GPP_M_PER_S


@njit(cache=True)
def _rma_pl1(d3d: float, fc_ghz: float, h_bld: float) -> float:
    hp: float = h_bld**1.72
    return (
        20.0 * math.log10(40.0 * math.pi * d3d * fc_ghz / 3.0)
        + min(0.03 * hp, 10.0) * math.log10(d3d)
        - min(0.044 * hp, 14.77)
        + 0.002 * math.log10(h_bld) * d3d
    )


@njit(cache=True)
def rma_los_db(d2d_m: float, f_mhz: float, hbs_m: float, hut_m: float, h_bld: float) -> float:
    """TR 38.901 RMa LOS (PL1 up to the breakpoint, PL2 beyond)."""
    fc = f_mhz / 1000.0
    dh = hbs_m - hut_m
    d3d = math.sqrt(d2d_m * d2d_m + dh * dh)
    dbp = rma_breakpoint_m(f_mhz, hbs_m, hut_m)
    if d2d_m <= dbp:
        return _rma_pl1(d3d, fc, h_bld)
    return _rma_pl1(dbp, fc, h_bld) + 40.0 * math.log10(d3d / dbp)


@njit(cache=True)
def rma_nlos_db(
    d2d_m: float, f_mhz: float, hbs_m: float, hut_m: float, h_bld: float, w_street: float
) -> float:
    """TR 38.901 RMa NLOS: max(PL_LOS, PL'_NLOS)."""
    fc = f_mhz / 1000.0
    dh = hbs_m - hut_m
    d3d = math.sqrt(d2d_m * d2d_m + dh * dh)
    lh = math.log10(hbs_m)
    pl_nlos = (
        161.04
        - 7.1 * math.log10(w_street)
        + 7.5 * math.log10(h_bld)
        - (24.37 - 3.7 * (h_bld / hbs_m) ** 2) * lh
        + (43.42 - 3.1 * lh) * (math.log10(d3d) - 3.0)
        + 20.0 * math.log10(fc)
        - (3.2 * math.log10(11.75 * hut_m) ** 2 - 4.97)
    )
    pl_los: float = rma_los_db(d2d_m, f_mhz, hbs_m, hut_m, h_bld)
    return max(pl_los, pl_nlos)


@njit(cache=True)
def uma_breakpoint_m(f_mhz: float, hbs_m: float, hut_m: float) -> float:
    """TR 38.901 UMa effective breakpoint 4·h'BS·h'UT·fc/c with hE = 1 m."""
    return 4.0 * (hbs_m - 1.0) * (hut_m - 1.0) * f_mhz * 1e6 / C_3GPP_M_PER_S


@njit(cache=True)
def uma_los_db(d2d_m: float, f_mhz: float, hbs_m: float, hut_m: float) -> float:
    """TR 38.901 UMa LOS (PL1 up to the breakpoint d'BP, PL2 beyond)."""
    fc = f_mhz / 1000.0
    dh = hbs_m - hut_m
    d3d = math.sqrt(d2d_m * d2d_m + dh * dh)
    dbp = uma_breakpoint_m(f_mhz, hbs_m, hut_m)
    if d2d_m <= dbp:
        return 28.0 + 22.0 * math.log10(d3d) + 20.0 * math.log10(fc)
    return (
        28.0
        + 40.0 * math.log10(d3d)
        + 20.0 * math.log10(fc)
        - 9.0 * math.log10(dbp * dbp + dh * dh)
    )


@njit(cache=True)
def uma_nlos_db(d2d_m: float, f_mhz: float, hbs_m: float, hut_m: float) -> float:
    """TR 38.901 UMa NLOS: max(PL_LOS, PL'_NLOS)."""
    fc = f_mhz / 1000.0
    dh = hbs_m - hut_m
    d3d = math.sqrt(d2d_m * d2d_m + dh * dh)
    pl_nlos = 13.54 + 39.08 * math.log10(d3d) + 20.0 * math.log10(fc) - 0.6 * (hut_m - 1.5)
    return max(uma_los_db(d2d_m, f_mhz, hbs_m, hut_m), pl_nlos)


@njit(cache=True)
def knife_edge_db(nu: float) -> float:
    """ITU-R P.526-15 eq. (31): J(ν) = 6.9 + 20·log10(√((ν−0.1)²+1) + ν − 0.1), 0 for ν ≤ −0.78."""
    if nu <= -0.78:
        return 0.0
    t = nu - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)
