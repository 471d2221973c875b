r"""Building entry loss: ITU-R P.2109-2, for coverage counted indoors.

The loss not exceeded with probability :math:`P` (§3, eqs. 1-10; :math:`f` in GHz,
:math:`\theta` the elevation of the path at the façade, 0 for terrestrial paths):

.. math::
    L_{BEL}(P) &= 10\log_{10}\left(10^{0.1A(P)} + 10^{0.1B(P)} + 10^{0.1C}\right) \\
    A(P) &= F^{-1}(P)\,\sigma_1 + \mu_1, \qquad B(P) = F^{-1}(P)\,\sigma_2 + \mu_2,
    \qquad C = -3.0 \\
    \mu_1 &= L_h + L_e, \quad \mu_2 = w + x\log_{10} f, \quad
    \sigma_1 = u + v\log_{10} f, \quad \sigma_2 = y + z\log_{10} f \\
    L_h &= r + s\log_{10} f + t(\log_{10} f)^2, \qquad L_e = 0.212\,|\theta|

where :math:`F^{-1}` is the inverse of the standard normal cumulative distribution and the
coefficients of Table 1 depend on the building type: *traditional* buildings, or
*thermally efficient* ones (metallised glass, foil-backed panels). The Recommendation holds
from about 80 MHz to 100 GHz.

Examples
--------
>>> round(float(building_entry_loss_db(3500.0, 50.0)), 2)
15.72
>>> round(float(building_entry_loss_db(3500.0, 50.0, building="thermally-efficient")), 2)
31.71
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

BuildingType = Literal["traditional", "thermally-efficient"]
#: The building types of ITU-R P.2109-2 Table 1.
BUILDING_TYPES: Final[tuple[BuildingType, ...]] = get_args(BuildingType)
#: Coefficients (r, s, t, u, v, w, x, y, z) of ITU-R P.2109-2 Table 1.
COEFFICIENTS: Final[Mapping[BuildingType, tuple[float, ...]]] = {
    "traditional": (12.64, 3.72, 0.96, 9.6, 2.0, 9.1, -3.0, 4.5, -2.0),
    "thermally-efficient": (28.19, -3.00, 8.48, 13.5, 3.8, 27.8, -2.9, 9.4, -2.1),
}
#: Frequency range of the Recommendation (MHz).
FREQUENCY_RANGE_MHZ: Final = (80.0, 100_000.0)
#: Citation.
REFERENCE: Final = "ITU-R P.2109-2 building entry loss"


def building_entry_loss_db(frequency_mhz: ArrayLike, probability_percent: ArrayLike, *,
                           building: BuildingType = "traditional",
                           elevation_deg: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Building entry loss not exceeded with ``probability_percent`` (P.2109-2, module doc).

    Parameters
    ----------
    frequency_mhz
        Carrier frequency (80 MHz to 100 GHz).
    probability_percent
        The probability (0-100 %, exclusive) that the loss is not exceeded: 50 for the
        median building, higher for a margin that covers more buildings.
    building
        ``{"traditional", "thermally-efficient"}``.
    elevation_deg
        Elevation angle of the path at the façade (0 for a terrestrial base station).

    Returns
    -------
    numpy.ndarray
        The loss in dB, broadcast over the inputs.

    Raises
    ------
    ValueError
        For an unknown building type, a probability outside (0, 100) or a frequency outside
        the Recommendation's range.
    """
    if building not in COEFFICIENTS:
        raise ValueError(f"building must be one of {', '.join(BUILDING_TYPES)}, got "
                         f"{building!r}")
    f_mhz = np.asarray(frequency_mhz, dtype=np.float64)
    p = np.asarray(probability_percent, dtype=np.float64)
    theta = np.asarray(elevation_deg, dtype=np.float64)
    if np.any((p <= 0) | (p >= 100)) or not np.all(np.isfinite(p)):
        raise ValueError(f"probability_percent must lie strictly between 0 and 100, got {p}")
    low, high = FREQUENCY_RANGE_MHZ
    if np.any((f_mhz < low) | (f_mhz > high)) or not np.all(np.isfinite(f_mhz)):
        raise ValueError(f"frequency_mhz must lie in {low:g}-{high:g} MHz (ITU-R P.2109-2), "
                         f"got {f_mhz}")
    r, s, t, u, v, w, x, y, z = COEFFICIENTS[building]
    lf = np.log10(f_mhz / 1000.0)
    from scipy.special import ndtri  # 0.2 s to import: not on every start of the app

    inverse = ndtri(p / 100.0)
    a = inverse * (u + v * lf) + (r + s * lf + t * lf**2 + 0.212 * np.abs(theta))
    b = inverse * (y + z * lf) + (w + x * lf)
    c = -3.0
    return np.asarray(10.0 * np.log10(10.0 ** (0.1 * a) + 10.0 ** (0.1 * b) + 10.0 ** (0.1 * c)),
                      dtype=np.float64)


def building_type(name: str) -> BuildingType:
    """The building type called ``name`` (``thermally_efficient`` accepted).

    Raises
    ------
    ValueError
        For any other name.
    """
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in BUILDING_TYPES:
        raise ValueError(f"unknown building type {name!r}; expected one of "
                         f"{', '.join(BUILDING_TYPES)}")
    return key  # type: ignore[return-value]


def describe_loss(loss_db: float, frequency_mhz: float, probability_percent: float,
                  building: BuildingType) -> str:
    """One line that states a building entry loss and how it was obtained."""
    if not math.isfinite(loss_db):
        return "no building entry loss"
    return (f"{REFERENCE} {loss_db:.1f} dB ({building} building, {probability_percent:g} % "
            f"probability, {frequency_mhz:g} MHz, horizontal incidence)")
