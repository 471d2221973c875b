r"""Downlink link budget: transmit power per resource element and RSRP.

RSRP is the average power of one resource element (RE) carrying the reference signal
(3GPP TS 36.214 §5.1.1, TS 38.215 §5.1.1). With the total power spread evenly over all
subcarriers of the channel:

.. math::
    P_{RE} = P_{tx} - 10\log_{10}(12 N_{RB}), \qquad
    RSRP = P_{RE} + G(\varphi,\theta) - L_{cable} - PL

with :math:`G` the antenna gain towards the receiver (boresight gain plus pattern), and
:math:`PL` the path loss.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: LTE transmission bandwidth configuration N_RB (3GPP TS 36.101 Table 5.6-1).
LTE_RESOURCE_BLOCKS: dict[float, int] = {1.4: 6, 3.0: 15, 5.0: 25, 10.0: 50, 15.0: 75, 20.0: 100}
#: NR FR1 maximum N_RB at 15 kHz SCS (3GPP TS 38.101-1 Table 5.3.2-1).
NR_RESOURCE_BLOCKS_15KHZ: dict[float, int] = {
    5.0: 25, 10.0: 52, 15.0: 79, 20.0: 106, 25.0: 133, 30.0: 160, 40.0: 216, 50.0: 270,
}
#: NR FR1 maximum N_RB at 30 kHz SCS (3GPP TS 38.101-1 Table 5.3.2-1).
NR_RESOURCE_BLOCKS_30KHZ: dict[float, int] = {
    10.0: 24, 15.0: 38, 20.0: 51, 25.0: 65, 30.0: 78, 40.0: 106, 50.0: 133, 60.0: 162,
    70.0: 189, 80.0: 217, 90.0: 245, 100.0: 273,
}


def resource_blocks(technology: str, bandwidth_mhz: float, frequency_mhz: float) -> int:
    r"""Number of resource blocks in a channel.

    LTE uses TS 36.101 Table 5.6-1; NR uses TS 38.101-1 Table 5.3.2-1 with 30 kHz subcarrier
    spacing at or above 3 GHz (TDD bands n77/n78) and 15 kHz below. Bandwidths not in the
    tables get :math:`\lfloor 0.9\,B / (12\,\Delta f) \rfloor` (90 % occupancy).

    Examples
    --------
    >>> resource_blocks("4G", 20.0, 1800.0), resource_blocks("5G", 100.0, 3500.0)
    (100, 273)
    """
    if technology == "4G":
        table, scs_khz = LTE_RESOURCE_BLOCKS, 15.0
    elif technology == "5G":
        high = frequency_mhz >= 3000.0
        table = NR_RESOURCE_BLOCKS_30KHZ if high else NR_RESOURCE_BLOCKS_15KHZ
        scs_khz = 30.0 if high else 15.0
    else:
        raise ValueError(f"technology must be '4G' or '5G', got {technology!r}")
    for bw, n_rb in table.items():
        if math.isclose(bw, bandwidth_mhz, abs_tol=1e-6):
            return n_rb
    return max(1, int(0.9 * bandwidth_mhz * 1000.0 / (12.0 * scs_khz)))


def re_power_dbm(tx_power_dbm: ArrayLike, n_resource_blocks: ArrayLike) -> NDArray[np.float64]:
    r"""Power per resource element :math:`P_{tx} - 10\log_{10}(12 N_{RB})`.

    Examples
    --------
    >>> round(float(re_power_dbm(46.0, 100)), 2)
    15.21
    """
    p = np.asarray(tx_power_dbm, dtype=np.float64)
    n = np.asarray(n_resource_blocks, dtype=np.float64)
    return np.asarray(p - 10.0 * np.log10(12.0 * n), dtype=np.float64)


def rsrp_dbm(
    tx_power_dbm: ArrayLike,
    n_resource_blocks: ArrayLike,
    antenna_gain_dbi: ArrayLike,
    cable_loss_db: ArrayLike,
    path_loss_db: ArrayLike,
) -> NDArray[np.float64]:
    """RSRP :math:`P_{RE} + G - L_{cable} - PL` (see the module docstring).

    Examples
    --------
    >>> round(float(rsrp_dbm(46.0, 100, 17.0, 2.0, 130.0)), 2)
    -99.79
    """
    return np.asarray(
        re_power_dbm(tx_power_dbm, n_resource_blocks)
        + np.asarray(antenna_gain_dbi, dtype=np.float64)
        - np.asarray(cable_loss_db, dtype=np.float64)
        - np.asarray(path_loss_db, dtype=np.float64),
        dtype=np.float64,
    )
