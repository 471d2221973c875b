"""Radio engine: path-loss models, terrain profiles, antenna patterns and link budget.

Modules: :mod:`~covplan.radio.pathloss` (free space, COST-231 Hata, TR 38.901 RMa/UMa),
:mod:`~covplan.radio.terrain` (line of sight, knife-edge, Bullington, Deygout),
:mod:`~covplan.radio.antenna` (3GPP sector/omni patterns), :mod:`~covplan.radio.linkbudget`
(power per resource element, RSRP), :mod:`~covplan.radio.models` (model selection and the
terrain combination rule), :mod:`~covplan.radio.sweep` (numba coverage kernels),
:mod:`~covplan.radio.defaults` (per-technology sector defaults).
"""

from covplan.radio._jitcache import refresh_kernel_cache

refresh_kernel_cache()

from covplan.radio._range import ModelRangeWarning  # noqa: E402
from covplan.radio.antenna import antenna_gain_dbi  # noqa: E402
from covplan.radio.linkbudget import re_power_dbm, resource_blocks, rsrp_dbm  # noqa: E402
from covplan.radio.pathloss import (  # noqa: E402
    cost231_hata_loss_db,
    free_space_loss_db,
    tr38901_rma_loss_db,
    tr38901_uma_loss_db,
)
from covplan.radio.terrain import (  # noqa: E402
    bullington_loss_db,
    deygout_loss_db,
    knife_edge_loss_db,
    line_of_sight,
    radio_horizon_m,
)

__all__ = [
    "ModelRangeWarning",
    "antenna_gain_dbi",
    "bullington_loss_db",
    "cost231_hata_loss_db",
    "deygout_loss_db",
    "free_space_loss_db",
    "knife_edge_loss_db",
    "line_of_sight",
    "radio_horizon_m",
    "re_power_dbm",
    "resource_blocks",
    "rsrp_dbm",
    "tr38901_rma_loss_db",
    "tr38901_uma_loss_db",
]
