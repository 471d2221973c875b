r"""Terrain profiles: line of sight with earth curvature and knife-edge diffraction.

A profile is the terrain elevation ``elevation_m[i]`` at horizontal distance
``distance_m[i]`` from the transmitter (index 0) to the receiver (index -1); the antennas
stand ``tx_height_m`` and ``rx_height_m`` above the end points. Refraction is modelled by an
effective earth radius :math:`a_e = k a` (a = 6371 km, k = 4/3 by default, ITU-R P.834).

Heights of intermediate points above the straight Tx–Rx ray include the earth bulge
(ITU-R P.526-15 §4.5):

.. math::
    h_i = z_i + \frac{d_i (d - d_i)}{2 a_e} - \frac{H_t (d - d_i) + H_r d_i}{d}

where :math:`H_t, H_r` are the antenna heights above sea level. The Fresnel–Kirchhoff
parameter of an edge of height :math:`h` is :math:`\nu = h\sqrt{2d/(\lambda d_1 d_2)}`
(P.526-15 eq. 26) and its loss is :math:`J(\nu)` (eq. 31).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from covplan.radio._formulas import C_M_PER_S, knife_edge_db

#: Mean earth radius (m).
EARTH_RADIUS_M = 6_371_000.0
#: Default effective-earth factor (median refraction, ITU-R P.834/P.452).
K_FACTOR = 4.0 / 3.0


def wavelength_m(frequency_mhz: float) -> float:
    r"""Free-space wavelength :math:`\lambda = c/f`."""
    return C_M_PER_S / (frequency_mhz * 1e6)


def radio_horizon_m(height_m: ArrayLike, k_factor: float = K_FACTOR) -> NDArray[np.float64]:
    r"""Distance to the radio horizon over a smooth earth, :math:`\sqrt{2 k a h}`.

    For two antennas the line-of-sight limit is the sum of their horizons.

    Examples
    --------
    >>> round(float(radio_horizon_m(30.0)) / 1000, 2)
    22.58
    """
    return np.sqrt(2.0 * k_factor * EARTH_RADIUS_M * np.asarray(height_m, dtype=np.float64))


def knife_edge_loss_db(nu: ArrayLike) -> NDArray[np.float64]:
    r"""Single knife-edge diffraction loss J(ν), ITU-R P.526-15 eq. (31).

    .. math:: J(\nu) = 6.9 + 20\log_{10}\left(\sqrt{(\nu-0.1)^2+1} + \nu - 0.1\right)

    for ν > −0.78, and 0 dB otherwise.

    Examples
    --------
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    """
    v = np.asarray(nu, dtype=np.float64)
    t = v - 0.1
    loss = 6.9 + 20.0 * np.log10(np.sqrt(t * t + 1.0) + t)
    return np.where(v > -0.78, loss, 0.0)


def fresnel_nu(
    height_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike, wavelength: float
) -> NDArray[np.float64]:
    r"""Fresnel–Kirchhoff parameter :math:`\nu = h\sqrt{2(d_1+d_2)/(\lambda d_1 d_2)}`."""
    h, d1, d2 = (np.asarray(a, dtype=np.float64) for a in (height_m, d1_m, d2_m))
    return np.asarray(h * np.sqrt(2.0 * (d1 + d2) / (wavelength * d1 * d2)), dtype=np.float64)


def clearance_heights_m(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    k_factor: float = K_FACTOR,
) -> NDArray[np.float64]:
    """Height of each intermediate profile point above the Tx–Rx ray (bulge included).

    Returns an array for points 1 … n−2 (the end points are the terminals); positive values
    obstruct the ray.
    """
    d = np.asarray(distance_m, dtype=np.float64)
    z = np.asarray(elevation_m, dtype=np.float64)
    ae = k_factor * EARTH_RADIUS_M
    total = d[-1]
    ht, hr = z[0] + tx_height_m, z[-1] + rx_height_m
    di = d[1:-1]
    ray = (ht * (total - di) + hr * di) / total
    return np.asarray(z[1:-1] + di * (total - di) / (2.0 * ae) - ray, dtype=np.float64)


def line_of_sight(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    k_factor: float = K_FACTOR,
) -> bool:
    """True when no terrain point rises above the straight ray (geometric line of sight)."""
    h = clearance_heights_m(distance_m, elevation_m, tx_height_m, rx_height_m, k_factor)
    return bool(h.size == 0 or np.max(h) <= 0.0)


def bullington_loss_db(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    frequency_mhz: float,
    k_factor: float = K_FACTOR,
) -> float:
    r"""Diffraction loss of a terrain profile by the Bullington construction (P.526-15 §4.5).

    With slopes measured from each terminal (bulge included, :math:`C_e = 1/a_e`):

    .. math::
        S_{tim} = \max_i \frac{z_i + C_e d_i(d-d_i)/2 - H_t}{d_i},\quad
        S_{tr} = \frac{H_r - H_t}{d},\quad
        S_{rim} = \max_i \frac{z_i + C_e d_i(d-d_i)/2 - H_r}{d - d_i}

    If :math:`S_{tim} < S_{tr}` (line of sight) the loss is :math:`J(\nu_{max})` over all
    points. Otherwise the Bullington point :math:`d_b = (H_r - H_t + S_{rim} d)/(S_{tim} +
    S_{rim})` gives :math:`\nu_b = (H_t + S_{tim} d_b - (H_t(d-d_b) + H_r d_b)/d)
    \sqrt{2d/(\lambda d_b(d-d_b))}` and the loss :math:`J(\nu_b)`.
    """
    d = np.asarray(distance_m, dtype=np.float64)
    z = np.asarray(elevation_m, dtype=np.float64)
    if d.size < 3:
        return 0.0
    lam = wavelength_m(frequency_mhz)
    total, ae = d[-1], k_factor * EARTH_RADIUS_M
    ht, hr = z[0] + tx_height_m, z[-1] + rx_height_m
    di = d[1:-1]
    zi = z[1:-1] + di * (total - di) / (2.0 * ae)
    s_tim = float(np.max((zi - ht) / di))
    s_tr = (hr - ht) / total
    if s_tim < s_tr:
        h = clearance_heights_m(d, z, tx_height_m, rx_height_m, k_factor)
        return float(knife_edge_db(float(np.max(fresnel_nu(h, di, total - di, lam)))))
    s_rim = float(np.max((zi - hr) / (total - di)))
    db = (hr - ht + s_rim * total) / (s_tim + s_rim)
    hb = ht + s_tim * db - (ht * (total - db) + hr * db) / total
    return float(knife_edge_db(float(fresnel_nu(hb, db, total - db, lam))))


def _deygout_edge(
    d: NDArray[np.float64], h: NDArray[np.float64], i0: int, i1: int, lam: float
) -> tuple[int, float]:
    """Index and ν of the dominant edge strictly between points i0 and i1 (-1 if none)."""
    if i1 - i0 < 2:
        return -1, -np.inf
    idx = np.arange(i0 + 1, i1)
    d0, d1 = d[i0], d[i1]
    ray = h[i0] + (h[i1] - h[i0]) * (d[idx] - d0) / (d1 - d0)
    nu = fresnel_nu(h[idx] - ray, d[idx] - d0, d1 - d[idx], lam)
    k = int(np.argmax(nu))
    return int(idx[k]), float(nu[k])


def deygout_loss_db(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    frequency_mhz: float,
    k_factor: float = K_FACTOR,
    *,
    max_edges: int = 3,
) -> float:
    r"""Multiple knife-edge loss by the Deygout method with up to three edges.

    The main edge p is the point of largest ν on the whole path; secondary edges t and r are
    the points of largest ν on the sub-paths Tx–p and p–Rx (terminals of a sub-path are the
    Tx/Rx antenna and the edge top):

    .. math:: L = J(\nu_p) + J(\nu_t) + J(\nu_r)

    (Deygout 1966; ITU-R P.526-15 §4.5). Secondary edges count only when the main edge
    diffracts (:math:`\nu_p > -0.78`). ``max_edges`` ∈ {1, 3}. Heights include the earth
    bulge in the equivalent-earth frame of the whole path.
    """
    d = np.asarray(distance_m, dtype=np.float64)
    z = np.asarray(elevation_m, dtype=np.float64)
    if d.size < 3:
        return 0.0
    lam, total, ae = wavelength_m(frequency_mhz), d[-1], k_factor * EARTH_RADIUS_M
    h = z + d * (total - d) / (2.0 * ae)
    h[0] += tx_height_m
    h[-1] += rx_height_m
    p, nu_p = _deygout_edge(d, h, 0, d.size - 1, lam)
    loss = float(knife_edge_db(nu_p))
    if loss <= 0.0 or max_edges < 3:
        return loss
    for i0, i1 in ((0, p), (p, d.size - 1)):
        _, nu = _deygout_edge(d, h, i0, i1, lam)
        if np.isfinite(nu):
            loss += float(knife_edge_db(nu))
    return loss
