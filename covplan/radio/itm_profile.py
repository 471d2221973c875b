"""ITM terrain parameters of one profile (``qlrpfl``): horizons, Δh, effective heights.

The profile is ``z[0..n]`` at spacing ``xi`` metres, transmitter over ``z[0]``. These follow
the reference algorithm step by step (ITM 1.2.2, Hufford 1995) and give the exact
point-to-point loss in :func:`itm_loss_db`; the coverage kernel uses incremental
equivalents (prefix sums, convex hull) of the same quantities.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike

from covplan.radio.itm import earth_curvature, itm_excess_db, itm_free_space_db


@njit(cache=True)
def horizons(z, xi, hg0, hg1, gme):  # type: ignore[no-untyped-def]
    """(the0, the1, dl0, dl1): horizon elevation angles and distances from each end."""
    n = z.size - 1
    dist = n * xi
    za, zb = z[0] + hg0, z[n] + hg1
    qc = 0.5 * gme
    q = qc * dist
    t1 = (zb - za) / dist
    the0, the1 = t1 - q, -t1 - q
    dl0, dl1 = dist, dist
    sa, sb = 0.0, dist
    blocked = False
    for i in range(1, n):
        sa += xi
        sb -= xi
        q = z[i] - (qc * sa + the0) * sa - za
        if q > 0.0:
            the0 += q / sa
            dl0 = sa
            blocked = True
        if blocked:
            q = z[i] - (qc * sb + the1) * sb - zb
            if q > 0.0:
                the1 += q / sb
                dl1 = sb
    return the0, the1, dl0, dl1


@njit(cache=True)
def fit_line(z, xi, x1, x2):  # type: ignore[no-untyped-def]
    """Least-squares line over [x1, x2] (ITM ``z1sq1``): its values at both profile ends."""
    xn = z.size - 1.0
    xa = float(int(max(x1 / xi, 0.0)))
    xb = xn - int(max(xn - x2 / xi, 0.0))
    if xb <= xa:
        xa = max(xa - 1.0, 0.0)
        xb = xn - max(xn - (xb + 1.0), 0.0)
    ja, jb = int(xa), int(xb)
    span = xb - xa
    x = -0.5 * span
    xc = xb + x
    a = 0.5 * (z[ja] + z[jb])
    b = 0.5 * (z[ja] - z[jb]) * x
    for k in range(ja + 1, jb):
        x += 1.0
        a += z[k]
        b += z[k] * x
    a /= span
    b = b * 12.0 / ((span * span + 2.0) * span)
    return a - b * xc, a + b * (xn - xc)


@njit(cache=True)
def terrain_irregularity(z, xi, x1, x2):  # type: ignore[no-untyped-def]
    """Δh: interdecile range of the detrended terrain over [x1, x2] (ITM ``d1thx``)."""
    n_pts = z.size - 1
    xa, xb = x1 / xi, x2 / xi
    if xb - xa < 2.0:
        return 0.0
    ka = min(max(4, int(0.1 * (xb - xa + 8.0))), 25)
    n = 10 * ka - 5
    kb = n - ka + 1
    sn = n - 1.0
    s = np.empty(n)
    step = (xb - xa) / sn
    k = int(xa + 1.0)
    xa -= k
    for j in range(n):
        while xa > 0.0 and k < n_pts:
            xa -= 1.0
            k += 1
        s[j] = z[k] + (z[k] - z[k - 1]) * xa
        xa += step
    s0, s1 = fit_line(s, 1.0, 0.0, sn)
    slope = (s1 - s0) / sn
    for j in range(n):
        s[j] -= s0 + slope * j
    s = np.sort(s)[::-1]
    return (s[ka - 1] - s[kb - 1]) / (1.0 - 0.8 * math.exp(-(x2 - x1) / 50e3))


@njit(cache=True)
def mean_elevation(z):  # type: ignore[no-untyped-def]
    """Mean elevation of the middle of the profile that sets the refractivity (``zsys``)."""
    n = z.size - 1
    ja = int(3.0 + 0.1 * n)
    lo, hi = ja - 3, n - ja + 3
    total = 0.0
    for k in range(lo, hi + 1):
        total += z[min(max(k, 0), n)]
    return total / (hi - lo + 1)


@njit(cache=True)
def path_parameters(z, xi, hg0, hg1, f_mhz):  # type: ignore[no-untyped-def]
    """ITM ``qlrpfl``: (he0, he1, dl0, dl1, the0, the1, dh, zsys) of a profile."""
    n = z.size - 1
    dist = n * xi
    zsys = mean_elevation(z)
    gme = earth_curvature(zsys)
    the0, the1, dl0, dl1 = horizons(z, xi, hg0, hg1, gme)
    xl0 = min(15.0 * hg0, 0.1 * dl0)
    xl1 = dist - min(15.0 * hg1, 0.1 * dl1)
    dh = terrain_irregularity(z, xi, xl0, xl1)
    if dl0 + dl1 > 1.5 * dist:
        za, zb = fit_line(z, xi, xl0, xl1)
        he0, he1, dl0, dl1, the0, the1 = line_of_sight_geometry(
            hg0 + max(z[0] - za, 0.0), hg1 + max(z[n] - zb, 0.0), dist, dh, gme)
    else:
        za, _ = fit_line(z, xi, xl0, 0.9 * dl0)
        _, zb = fit_line(z, xi, dist - 0.9 * dl1, xl1)
        he0 = hg0 + max(z[0] - za, 0.0)
        he1 = hg1 + max(z[n] - zb, 0.0)
    return he0, he1, dl0, dl1, the0, the1, dh, zsys


@njit(cache=True)
def smooth_horizons(he0, he1, dh, gme):  # type: ignore[no-untyped-def]
    """Horizon distances over irregular terrain from effective heights (line-of-sight paths)."""
    d0 = math.sqrt(2.0 * he0 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
    d1 = math.sqrt(2.0 * he1 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
    return d0, d1


@njit(cache=True)
def line_of_sight_geometry(he0, he1, dist, dh, gme):  # type: ignore[no-untyped-def]
    """ITM ``qlrpfl`` for a line-of-sight path: horizons from the smooth-earth geometry.

    Returns (he0, he1, dl0, dl1, the0, the1); the effective heights grow when the smooth
    horizons fall short of the path.
    """
    dl0, dl1 = smooth_horizons(he0, he1, dh, gme)
    q = dl0 + dl1
    if q <= dist:
        he0 *= (dist / q) ** 2
        he1 *= (dist / q) ** 2
        dl0, dl1 = smooth_horizons(he0, he1, dh, gme)
    return he0, he1, dl0, dl1, smooth_angle(he0, dl0, dh, gme), smooth_angle(he1, dl1, dh, gme)


@njit(cache=True)
def smooth_angle(he, dl, dh, gme):  # type: ignore[no-untyped-def]
    """Horizon elevation angle from effective height and horizon distance."""
    q = math.sqrt(2.0 * he / gme)
    return (0.65 * dh * (q / dl - 1.0) - 2.0 * he) / q


def itm_loss_db(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    frequency_mhz: float,
) -> float:
    """Median ITM basic transmission loss of an evenly spaced terrain profile.

    Parameters
    ----------
    distance_m
        Distances from the transmitter, evenly spaced, starting at 0.
    elevation_m
        Terrain elevation at each distance.
    tx_height_m, rx_height_m
        Antenna heights above ground at both ends.
    frequency_mhz
        Carrier frequency (20–20,000 MHz).
    """
    d = np.asarray(distance_m, dtype=np.float64)
    z = np.ascontiguousarray(elevation_m, dtype=np.float64)
    if d.size < 3:
        raise ValueError("itm_loss_db needs at least three profile points")
    xi = float(d[-1] / (d.size - 1))
    he0, he1, dl0, dl1, the0, the1, dh, zsys = path_parameters(
        z, xi, tx_height_m, rx_height_m, frequency_mhz)
    excess = itm_excess_db(float(d[-1]), frequency_mhz, tx_height_m, rx_height_m, he0, he1,
                           dl0, dl1, the0, the1, dh, zsys)
    return float(itm_free_space_db(float(d[-1]), frequency_mhz) + excess)


@njit(cache=True, inline="always")
def _fit_prefix(z, pz, pkz, n, xi, x1, x2):  # type: ignore[no-untyped-def]
    """:func:`fit_line` over z[0..n] from prefix sums pz (Σz) and pkz (Σk·z), O(1)."""
    xn = float(n)
    xa = float(int(max(x1 / xi, 0.0)))
    xb = xn - int(max(xn - x2 / xi, 0.0))
    if xb <= xa:
        xa = max(xa - 1.0, 0.0)
        xb = xn - max(xn - (xb + 1.0), 0.0)
    ja, jb = int(xa), int(xb)
    span = xb - xa
    inner = pz[jb] - pz[ja + 1] if jb > ja + 1 else 0.0
    inner_k = pkz[jb] - pkz[ja + 1] if jb > ja + 1 else 0.0
    a = (0.5 * (z[ja] + z[jb]) + inner) / span
    b = -0.25 * span * (z[ja] - z[jb]) + inner_k - (ja + 0.5 * span) * inner
    b = b * 12.0 / ((span * span + 2.0) * span)
    xc = xb - 0.5 * span
    return a - b * xc, a + b * (xn - xc)


@njit(cache=True, inline="always")
def _dh_prefix(pz, pkz, pzz, xi, x1, x2):  # type: ignore[no-untyped-def]
    """Δh from the residual spread of a least-squares line (interdecile ≈ 2.563 σ)."""
    if (x2 - x1) / xi < 2.0:
        return 0.0
    a = math.ceil(x1 / xi)
    b = int(x2 / xi)
    m = b - a + 1
    if m < 3:
        return 0.0
    sx = 0.5 * (a + b) * m
    sxx = (b * (b + 1.0) * (2.0 * b + 1.0) - (a - 1.0) * a * (2.0 * a - 1.0)) / 6.0
    sy = pz[b + 1] - pz[a]
    sxy = pkz[b + 1] - pkz[a]
    syy = pzz[b + 1] - pzz[a]
    vx = sxx - sx * sx / m
    vxy = sxy - sx * sy / m
    var = (syy - sy * sy / m - vxy * vxy / vx) / m
    sigma = math.sqrt(max(var, 0.0))
    return 2.5631 * sigma / (1.0 - 0.8 * math.exp(-(x2 - x1) / 50e3))


@njit(cache=True)
def prefix_path_parameters(z, pz, pkz, pzz, n, xi, hg0, hg1, gme, los, k0, k1):  # type: ignore[no-untyped-def]
    """:func:`path_parameters` of the prefix profile z[0..n] in O(1).

    ``pz``, ``pkz``, ``pzz`` are prefix sums of z, k·z and z² (``p[k] = Σ_{m<k}``);
    ``los`` tells whether the terrain clears the Tx–Rx ray, and ``k0``/``k1`` are the profile
    indices of the horizon seen from the transmitter and from the receiver (the kernel keeps
    them with a running maximum and a convex hull). Δh uses the residual standard deviation
    of the fitted line instead of the resampled interdecile range.
    """
    dist = n * xi
    qc = 0.5 * gme
    za, zb = z[0] + hg0, z[n] + hg1
    t1 = (zb - za) / dist
    if los:
        the0, the1, dl0, dl1 = t1 - qc * dist, -t1 - qc * dist, dist, dist
    else:
        dl0 = k0 * xi
        dl1 = (n - k1) * xi
        the0 = (z[k0] - za) / dl0 - qc * dl0
        the1 = (z[k1] - zb) / dl1 - qc * dl1
    xl0 = min(15.0 * hg0, 0.1 * dl0)
    xl1 = dist - min(15.0 * hg1, 0.1 * dl1)
    dh = _dh_prefix(pz, pkz, pzz, xi, xl0, xl1)
    if dl0 + dl1 > 1.5 * dist:
        fa, fb = _fit_prefix(z, pz, pkz, n, xi, xl0, xl1)
        he0, he1, dl0, dl1, the0, the1 = line_of_sight_geometry(
            hg0 + max(z[0] - fa, 0.0), hg1 + max(z[n] - fb, 0.0), dist, dh, gme)
    else:
        fa, _ = _fit_prefix(z, pz, pkz, n, xi, xl0, 0.9 * dl0)
        _, fb = _fit_prefix(z, pz, pkz, n, xi, dist - 0.9 * dl1, xl1)
        he0 = hg0 + max(z[0] - fa, 0.0)
        he1 = hg1 + max(z[n] - fb, 0.0)
    return he0, he1, dl0, dl1, the0, the1, dh


@njit(cache=True)
def prefix_mean_elevation(pz, n):  # type: ignore[no-untyped-def]
    """:func:`mean_elevation` of z[0..n] from its prefix sums."""
    ja = int(3.0 + 0.1 * n)
    lo, hi = ja - 3, n - ja + 3
    return (pz[hi + 1] - pz[lo]) / (hi - lo + 1)


@njit(cache=True, inline="always")
def _bilinear(dem, cx0, cy0, dx, dy, x, y):  # type: ignore[no-untyped-def]
    """Bilinear elevation at (x, y), edges clamped (as ``covplan.radio.sweep.sample_dem``)."""
    nr, nc = dem.shape
    fc = min(max((x - cx0) / dx, 0.0), nc - 1.0)
    fr = min(max((cy0 - y) / dy, 0.0), nr - 1.0)
    c0 = min(int(fc), nc - 2) if nc > 1 else 0
    r0 = min(int(fr), nr - 2) if nr > 1 else 0
    tc, tr = fc - c0, fr - r0
    c1, r1 = min(c0 + 1, nc - 1), min(r0 + 1, nr - 1)
    top = dem[r0, c0] * (1.0 - tc) + dem[r0, c1] * tc
    bottom = dem[r1, c0] * (1.0 - tc) + dem[r1, c1] * tc
    return top * (1.0 - tr) + bottom * tr


@njit(cache=True, parallel=True)
def itm_losses_db(dem, cx0, cy0, dx, dy, tx_x, tx_y, tx_height_m, rx_x, rx_y, rx_height_m,  # type: ignore[no-untyped-def]
                  frequency_mhz, step_m):
    """Median ITM point-to-point loss of many links over a DEM (:func:`itm_loss_db` each).

    Link ``i`` runs from ``(tx_x[i], tx_y[i])`` at ``tx_height_m[i]`` to ``(rx_x[i],
    rx_y[i])`` at ``rx_height_m``; its profile is sampled from the DEM (row 0 north; cell
    (0, 0) centred on ``cx0, cy0``; cell size ``dx``, ``dy``) at about ``step_m``.
    """
    n = rx_x.size
    out = np.empty(n)
    for i in prange(n):
        ex, ey = rx_x[i] - tx_x[i], rx_y[i] - tx_y[i]
        dist = max(math.sqrt(ex * ex + ey * ey), 1.0)
        m = max(int(dist / step_m), 2)
        z = np.empty(m + 1)
        for k in range(m + 1):
            t = k / m
            z[k] = _bilinear(dem, cx0, cy0, dx, dy, tx_x[i] + t * ex, tx_y[i] + t * ey)
        he0, he1, dl0, dl1, the0, the1, dh, zsys = path_parameters(
            z, dist / m, tx_height_m[i], rx_height_m, frequency_mhz[i])
        out[i] = itm_free_space_db(dist, frequency_mhz[i]) + itm_excess_db(
            dist, frequency_mhz[i], tx_height_m[i], rx_height_m, he0, he1, dl0, dl1, the0,
            the1, dh, zsys)
    return out
