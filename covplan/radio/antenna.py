"""Sector and omni antenna patterns (3GPP TR 36.814 Table A.2.1.1-2 / TR 38.901 Table 7.3-1).

Angles: ``azimuth_offset_deg`` is the horizontal angle between the direction to the receiver
and the sector's boresight (compass, clockwise); ``depression_deg`` is the angle of the
receiver below the antenna's horizontal plane (positive downwards), so a receiver on the
ground near a mast has a large positive depression. Tilt is positive downwards.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

#: Defaults of the 3GPP macro sector pattern (TR 36.814 Table A.2.1.1-2).
FRONT_TO_BACK_DB = 25.0
VERTICAL_BEAMWIDTH_DEG = 10.0
SIDE_LOBE_VERTICAL_DB = 20.0


@njit(cache=True)
def pattern_db(
    azimuth_offset_deg: float,
    depression_deg: float,
    beamwidth_deg: float,
    tilt_deg: float,
    mech_tilt_deg: float,
    vertical_beamwidth_deg: float,
    front_to_back_db: float,
    side_lobe_db: float,
) -> float:
    """Relative gain (≤ 0 dB) of the 3GPP parabolic pattern.

    ``beamwidth_deg <= 0`` is omni in azimuth; ``vertical_beamwidth_deg <= 0`` has no vertical
    pattern (both together: isotropic).
    """
    phi = azimuth_offset_deg
    if phi > 180.0 or phi < -180.0:
        phi = (phi + 180.0) % 360.0 - 180.0
    tilt = tilt_deg
    if mech_tilt_deg != 0.0:
        # A mechanical tilt tilts the whole pattern: down in front, up behind (≈ θm·cos φ).
        tilt += mech_tilt_deg * math.cos(math.radians(phi))
    a_v = 0.0
    if vertical_beamwidth_deg > 0.0:
        t = (depression_deg - tilt) / vertical_beamwidth_deg
        a_v = -min(12.0 * t * t, side_lobe_db)
    if beamwidth_deg <= 0.0:
        return a_v
    h = phi / beamwidth_deg
    a_h = -min(12.0 * h * h, front_to_back_db)
    return -min(-(a_h + a_v), front_to_back_db)


@njit(cache=True)
def _pattern_loop(az, dep, bw, tilt, mech, vbw, fb, sla, out):  # type: ignore[no-untyped-def]
    for i in range(az.size):
        out[i] = pattern_db(az[i], dep[i], bw[i], tilt[i], mech[i], vbw[i], fb[i], sla[i])


def antenna_gain_dbi(
    azimuth_offset_deg: ArrayLike,
    depression_deg: ArrayLike = 0.0,
    *,
    gain_dbi: ArrayLike,
    beamwidth_deg: ArrayLike,
    tilt_deg: ArrayLike = 0.0,
    mech_tilt_deg: ArrayLike = 0.0,
    vertical_beamwidth_deg: ArrayLike = VERTICAL_BEAMWIDTH_DEG,
    front_to_back_db: ArrayLike = FRONT_TO_BACK_DB,
    side_lobe_db: ArrayLike = SIDE_LOBE_VERTICAL_DB,
) -> NDArray[np.float64]:
    r"""Gain of a sector antenna towards a receiver (3GPP 3D parabolic pattern).

    .. math::
        A_H(\varphi) &= -\min\left[12(\varphi/\varphi_{3dB})^2, A_m\right] \\
        A_V(\theta) &= -\min\left[12((\theta-\theta_{tilt})/\theta_{3dB})^2,
                      SLA_V\right] \\
        G &= G_{max} - \min\left[-(A_H + A_V), A_m\right]

    (3GPP TR 36.814 V9.2.0 Table A.2.1.1-2; the same form as TR 38.901 Table 7.3-1). The total
    tilt is :math:`\theta_{tilt} = \theta_e + \theta_m\cos\varphi` (electrical plus
    mechanical, the mechanical part turning into an up-tilt behind the antenna). A
    ``beamwidth_deg`` of 0 or NaN means omni: only :math:`A_V` applies.

    Properties: :math:`G_{max}` at boresight, :math:`G_{max}-3` dB at
    :math:`\varphi = \varphi_{3dB}/2`, :math:`G_{max}-A_m` (front-to-back) at 180°.

    Parameters
    ----------
    azimuth_offset_deg
        Receiver azimuth minus sector azimuth.
    depression_deg
        Receiver elevation below the antenna's horizontal plane.
    gain_dbi
        Boresight gain.
    beamwidth_deg
        Horizontal half-power beamwidth :math:`\varphi_{3dB}`; 0 or NaN for omni.
    tilt_deg, mech_tilt_deg
        Electrical and mechanical downtilt.
    vertical_beamwidth_deg
        Vertical half-power beamwidth :math:`\theta_{3dB}` (10° in TR 36.814); 0 for no
        vertical pattern.
    front_to_back_db
        :math:`A_m` (25 dB in TR 36.814, 30 dB in TR 38.901).
    side_lobe_db
        Vertical side-lobe limit :math:`SLA_V` (20 dB in TR 36.814).

    Examples
    --------
    >>> float(antenna_gain_dbi(32.5, gain_dbi=17.0, beamwidth_deg=65.0))
    14.0
    """
    arrays = np.broadcast_arrays(
        *[
            np.asarray(a, dtype=np.float64)
            for a in (azimuth_offset_deg, depression_deg, beamwidth_deg, tilt_deg,
                      mech_tilt_deg, vertical_beamwidth_deg, front_to_back_db, side_lobe_db,
                      gain_dbi)
        ]
    )
    shape = arrays[0].shape
    flat = [np.array(a, dtype=np.float64).ravel() for a in arrays]  # writable copies
    flat[2] = np.nan_to_num(flat[2], nan=0.0)
    out = np.empty_like(flat[0])
    _pattern_loop(*flat[:8], out)  # type: ignore[call-arg]
    return np.asarray(out + flat[8], dtype=np.float64).reshape(shape)
