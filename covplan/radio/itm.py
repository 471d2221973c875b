r"""Longley-Rice Irregular Terrain Model (ITM 1.2.2, point-to-point), compiled with numba.

An independent implementation of the NTIA/ITS algorithm (Hufford, "The ITS Irregular Terrain
Model, version 1.2.2: the algorithm", 1995) as used by SPLAT! with ``-olditm``: the
reference attenuation ``aref`` of ``lrprop`` (line-of-sight region blending two-ray and
diffraction; diffraction region as a line through two double-knife-edge/rounded-earth
points), with the terrain parameters of ``qlrpfl`` (horizons, effective heights by
least-squares fits, terrain irregularity Δh) and the median correction of ``avar``
(time, location and situation all at 50 %). Troposcatter is not modelled: it matters beyond
the scatter distance (≈ 100 km and more), far outside a cell's radius.

.. math:: L = L_{fs}(d) + A_{ref} - V_{med}, \qquad
          L_{fs} = 32.45 + 20\log f_{MHz} + 20\log d_{km}

Fixed parameters (SPLAT!'s defaults): ground permittivity 15, conductivity 0.005 S/m,
surface refractivity 301 N-units scaled by the mean path elevation, vertical polarisation,
equatorial climate (Vietnam), ``mdvar`` 12.

:func:`itm_loss_db` evaluates one terrain profile exactly as the reference does;
:func:`itm_excess_db` takes the terrain parameters directly and is what the coverage kernel
calls with parameters it maintains incrementally along each ray (see
:mod:`covplan.radio.sweep`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EPS_GROUND, SGM_GROUND, N_SURFACE = 15.0, 0.005, 301.0


@njit(cache=True)
def earth_curvature(zsys_m: float) -> float:
    """Effective earth curvature gme (1/m) for surface refractivity at mean elevation zsys."""
    ens = N_SURFACE * math.exp(-zsys_m / 9460.0)
    return 157e-9 * (1.0 - 0.04665 * math.exp(ens / 179.3))


@njit(cache=True)
def ground_impedance(f_mhz: float) -> complex:
    """Surface transfer impedance Zg of the ground, vertical polarisation."""
    zq = complex(EPS_GROUND, 376.62 * SGM_GROUND / (f_mhz / 47.7))
    return complex(np.sqrt(zq - 1.0) / zq)


@njit(cache=True)
def _aknfe(v2: float) -> float:
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


@njit(cache=True)
def _fht(x: float, pk: float) -> float:
    if x < 200.0:
        w = -math.log(pk)
        if pk < 1e-5 or x * w * w * w > 5495.0:
            return -117.0 + (40.0 * math.log10(x) if x > 1.0 else 0.0)
        return 2.5e-5 * x * x / pk - 8.686 * w - 15.0
    f = 0.05751 * x - 10.0 * math.log10(x)
    if x < 2000.0:
        w = 0.0134 * x * math.exp(-0.005 * x)
        f = (1.0 - w) * f + w * (40.0 * math.log10(x) - 117.0)
    return f


@njit(cache=True)
def _adiff(d, s, dl0, dl1, dla, tha, dh, gme, wn):  # type: ignore[no-untyped-def]
    """Diffraction attenuation at distance d (s = setup tuple of _adiff_setup)."""
    wd1, xd1, afo, qk, aht, xht = s
    th = tha + d * gme
    ds = d - dla
    q = 0.0795775 * wn * ds * th * th
    a_k = _aknfe(q * dl0 / (ds + dl0)) + _aknfe(q * dl1 / (ds + dl1))
    wa = np.cbrt(ds / th * wn)
    pk = qk / wa
    q = max((1.607 - pk) * 151.0 * wa * th + xht, 1e-9)
    a_r = 0.05751 * q - 4.343 * math.log(q) - aht
    q = (wd1 + xd1 / d) * min((1.0 - 0.8 * math.exp(-d / 50e3)) * dh * wn, 6283.2)
    wd = 25.1 / (25.1 + math.sqrt(q))
    return a_r * wd + (1.0 - wd) * a_k + afo


@njit(cache=True)
def _adiff_setup(hg0, hg1, he0, he1, dl0, dl1, dla, tha, dlsa, dh, gme, wn, qk):  # type: ignore[no-untyped-def]
    q = hg0 * hg1
    wd1 = math.sqrt(1.0 + (he0 * he1 - q) / (q + 10.0))
    xd1 = dla + tha / gme
    q = (1.0 - 0.8 * math.exp(-dlsa / 50e3)) * dh
    q *= 0.78 * math.exp(-math.sqrt(math.sqrt(q / 16.0)))
    afo = min(15.0, 2.171 * math.log(1.0 + 4.77e-4 * hg0 * hg1 * wn * q))
    aht, xht = 20.0, 0.0
    for dl, he in ((dl0, he0), (dl1, he1)):
        a = 0.5 * dl * dl / he
        wa = np.cbrt(a * wn)
        pk = qk / wa
        q = (1.607 - pk) * 151.0 * wa * dl / a
        xht += q
        aht += _fht(q, pk)
    return wd1, xd1, afo, qk, aht, xht


@njit(cache=True)
def _alos(d, he0, he1, dh, wn, zg, aed, emd, wls):  # type: ignore[no-untyped-def]
    q = (1.0 - 0.8 * math.exp(-d / 50e3)) * dh
    s = 0.78 * q * math.exp(-math.sqrt(math.sqrt(q / 16.0)))
    q = he0 + he1
    sps = q / math.sqrt(d * d + q * q)
    r = (sps - zg) / (sps + zg) * math.exp(-min(10.0, wn * s * sps))
    q = r.real * r.real + r.imag * r.imag
    if q < 0.25 or q < sps:
        r = r * math.sqrt(sps / q)
    a_d = emd * d + aed
    q = wn * he0 * he1 * 2.0 / d
    if q > 1.57:
        q = 3.14 - 2.4649 / q
    c = complex(math.cos(q), -math.sin(q)) + r
    return (-4.343 * math.log(c.real * c.real + c.imag * c.imag) - a_d) * wls + a_d


@njit(cache=True)
def _los_coefficients(he0, he1, dla, dlsa, dh, wn, zg, aed, emd):  # type: ignore[no-untyped-def]
    """ael, ak1, ak2 of the line-of-sight region (lrprop)."""
    wls = 0.021 / (0.021 + wn * dh / max(10e3, dlsa))
    d2 = dlsa
    a2 = aed + d2 * emd
    d0 = 1.908 * wn * he0 * he1
    if aed >= 0.0:
        d0 = min(d0, 0.5 * dla)
        d1 = d0 + 0.25 * (dla - d0)
    else:
        d1 = max(-aed / emd, 0.25 * dla)
    a1 = _alos(d1, he0, he1, dh, wn, zg, aed, emd, wls)
    if d0 < d1:
        a0 = _alos(d0, he0, he1, dh, wn, zg, aed, emd, wls)
        q = math.log(d2 / d0)
        ak2 = max(0.0, ((d2 - d0) * (a1 - a0) - (d1 - d0) * (a2 - a0))
                  / ((d2 - d0) * math.log(d1 / d0) - (d1 - d0) * q))
        if aed >= 0.0 or ak2 > 0.0:
            ak1 = (a2 - a0 - ak2 * q) / (d2 - d0)
            if ak1 < 0.0:
                ak1 = 0.0
                ak2 = max(a2 - a0, 0.0) / q
                if ak2 == 0.0:
                    ak1 = emd
        else:
            ak2 = 0.0
            ak1 = (a2 - a1) / (d2 - d1)
            if ak1 <= 0.0:
                ak1 = emd
    else:
        ak2 = 0.0
        ak1 = (a2 - a1) / (d2 - d1)
        if ak1 <= 0.0:
            ak1 = emd
    return a2 - ak1 * d2 - ak2 * math.log(d2), ak1, ak2


@njit(cache=True)
def itm_excess_db(d, f_mhz, hg0, hg1, he0, he1, dl0, dl1, the0, the1, dh, zsys):  # type: ignore[no-untyped-def]
    """Median ITM attenuation relative to free space, A_ref − V_med (dB), from path parameters.

    ``d`` path length; ``hg`` antenna heights above ground; ``he`` effective heights;
    ``dl``/``the`` horizon distances and elevation angles (radians) from each terminal;
    ``dh`` terrain irregularity; ``zsys`` mean path elevation (all metres).
    """
    zg = ground_impedance(f_mhz)
    return excess_db(d, f_mhz / 47.7, earth_curvature(zsys), zg, hg0, hg1, he0, he1, dl0,
                     dl1, the0, the1, dh)


@njit(cache=True)
def excess_db(d, wn, gme, zg, hg0, hg1, he0, he1, dl0, dl1, the0, the1, dh):  # type: ignore[no-untyped-def]
    """:func:`itm_excess_db` with the radio constants precomputed (wn = f/47.7)."""
    qk = 1.0 / abs(zg)
    dlsa = math.sqrt(2.0 * he0 / gme) + math.sqrt(2.0 * he1 / gme)
    dla = dl0 + dl1
    tha = max(the0 + the1, -dla * gme)
    s = _adiff_setup(hg0, hg1, he0, he1, dl0, dl1, dla, tha, dlsa, dh, gme, wn, qk)
    xae = 1.0 / np.cbrt(wn * gme * gme)
    d3 = max(dlsa, 1.3787 * xae + dla)
    d4 = d3 + 2.7574 * xae
    a3 = _adiff(d3, s, dl0, dl1, dla, tha, dh, gme, wn)
    a4 = _adiff(d4, s, dl0, dl1, dla, tha, dh, gme, wn)
    emd = (a4 - a3) / (d4 - d3)
    aed = a3 - emd * d3
    if d < dlsa:
        ael, ak1, ak2 = _los_coefficients(he0, he1, dla, dlsa, dh, wn, zg, aed, emd)
        aref = ael + ak1 * d + ak2 * math.log(d)
    else:
        aref = aed + emd * d
    aref = max(aref, 0.0)
    # avar, median: V_med of the equatorial climate (curve with Table constants of climate 1)
    dexa = math.sqrt(18e6 * he0) + math.sqrt(18e6 * he1) + np.cbrt(575.7e12 / wn)
    de = 130e3 * d / dexa if d < dexa else 130e3 + d - dexa
    t1 = (de - 190.3e3) / 133.8e3
    t2 = (de / 144.9e3) ** 2
    vmd = (-9.67 + 12.7 / (1.0 + t1 * t1)) * t2 / (1.0 + t2)
    a = aref - vmd
    if a < 0.0:
        a = a * (29.0 - a) / (29.0 - 10.0 * a)
    return a


@njit(cache=True)
def itm_free_space_db(d: float, f_mhz: float) -> float:
    """Free-space loss as ITM/SPLAT! write it, 32.45 + 20 log f_MHz + 20 log d_km."""
    return 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)
