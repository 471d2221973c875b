"""Radio engine: path-loss models, terrain profiles, antenna patterns and link budget.

Modules: :mod:`~covplan.radio.pathloss` (free space, COST-231 Hata, TR 38.901 RMa/UMa),
:mod:`~covplan.radio.terrain` (line of sight, knife-edge, Bullington, Deygout),
:mod:`~covplan.radio.antenna` (3GPP sector/omni patterns), :mod:`~covplan.radio.linkbudget`
(power per resource element, RSRP), :mod:`~covplan.radio.models` (model selection and the
terrain combination rule), :mod:`~covplan.radio.sweep` (numba coverage kernels),
:mod:`~covplan.radio.defaults` (per-technology sector defaults),
:mod:`~covplan.radio.clutter` (ITU-R P.2108 terminal clutter loss per land-cover class),
:mod:`~covplan.radio.indoor` (ITU-R P.2109 building entry loss),
:mod:`~covplan.radio.patterns` (MSI/Planet vendor antenna patterns).

Importing the package has no side effect: the programs (the command line, the app) call
:func:`refresh_kernel_cache` once when they start, so that numba's on-disk cache of the
kernels never serves machine code compiled from older sources.
"""

from covplan.radio._jitcache import refresh_kernel_cache
from covplan.radio._range import ModelRangeWarning
from covplan.radio.antenna import antenna_gain_dbi
from covplan.radio.clutter import ClutterTable, terminal_clutter_loss_db
from covplan.radio.indoor import building_entry_loss_db
from covplan.radio.linkbudget import re_power_dbm, resource_blocks, rsrp_dbm
from covplan.radio.pathloss import (
    cost231_hata_loss_db,
    free_space_loss_db,
    tr38901_rma_loss_db,
    tr38901_uma_loss_db,
)
from covplan.radio.patterns import AntennaPattern, pattern_gain_dbi, read_msi
from covplan.radio.terrain import (
    bullington_loss_db,
    deygout_loss_db,
    knife_edge_loss_db,
    line_of_sight,
    radio_horizon_m,
)

__all__ = [
    "AntennaPattern",
    "ClutterTable",
    "ModelRangeWarning",
    "antenna_gain_dbi",
    "building_entry_loss_db",
    "bullington_loss_db",
    "cost231_hata_loss_db",
    "deygout_loss_db",
    "free_space_loss_db",
    "knife_edge_loss_db",
    "line_of_sight",
    "pattern_gain_dbi",
    "radio_horizon_m",
    "re_power_dbm",
    "read_msi",
    "refresh_kernel_cache",
    "resource_blocks",
    "rsrp_dbm",
    "terminal_clutter_loss_db",
    "tr38901_rma_loss_db",
    "tr38901_uma_loss_db",
]
