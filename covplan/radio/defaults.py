"""Per-technology defaults for sector parameters missing from a sites file.

The loader fills any missing sector column from this table and reports which defaults it
applied. Values are typical of Vietnamese macro networks; each carries its source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final


@dataclass(frozen=True)
class SectorDefaults:
    """Default radio parameters of one technology's macro sector.

    Parameters
    ----------
    frequency_mhz
        Carrier centre frequency.
    bandwidth_mhz
        Channel bandwidth; sets the number of resource elements that share the power.
    height_m
        Antenna height above ground.
    tx_power_dbm
        Total transmit power at the antenna connector, over the whole channel.
    antenna_gain_dbi
        Boresight gain of the sector antenna.
    cable_loss_db
        Feeder, jumper and connector loss between radio and antenna.
    tilt_deg
        Downtilt (electrical + mechanical), positive downwards.
    beamwidth_deg
        Horizontal half-power beamwidth.
    mimo_layers
        Downlink MIMO layers the sector can send to one user (the most rank adaptation
        may choose, :mod:`covplan.radio.linklevel`).
    load
        Share of the sector's resources in use (0-1): scales the interference it causes
        and the share of the cell a new user gets.
    resource_blocks
        Resource blocks in ``bandwidth_mhz`` (12 subcarriers each).
    source
        Where the numbers come from.
    """

    frequency_mhz: float
    bandwidth_mhz: float
    height_m: float
    tx_power_dbm: float
    antenna_gain_dbi: float
    cable_loss_db: float
    tilt_deg: float
    beamwidth_deg: float
    mimo_layers: float
    load: float
    resource_blocks: int
    source: str

    def as_columns(self) -> dict[str, float]:
        """The defaults keyed by the sites-layer column they fill."""
        values = asdict(self)
        values.pop("source")
        values.pop("resource_blocks")
        return values


SECTOR_DEFAULTS: Final[dict[str, SectorDefaults]] = {
    "4G": SectorDefaults(
        frequency_mhz=1800.0,
        bandwidth_mhz=20.0,
        height_m=30.0,
        tx_power_dbm=46.0,
        antenna_gain_dbi=17.0,
        cable_loss_db=2.0,
        tilt_deg=4.0,
        beamwidth_deg=65.0,
        mimo_layers=2.0,
        load=0.5,
        resource_blocks=100,
        source=(
            "LTE band 3 (1800 MHz), 20 MHz = 100 RB (3GPP TS 36.101 Table 5.6-1); 40 W (46 dBm) "
            "per sector and 17 dBi 65-degree panel as in 3GPP TR 36.814 Table A.2.1.1-2 "
            "macro assumptions; 2 dB feeder loss; 2x2 MIMO (assumption: the common LTE "
            "configuration); cells 50 % loaded as in the FCC Broadband Data Collection."
        ),
    ),
    "5G": SectorDefaults(
        frequency_mhz=3500.0,
        bandwidth_mhz=100.0,
        height_m=25.0,
        tx_power_dbm=53.0,
        antenna_gain_dbi=21.0,
        cable_loss_db=0.0,
        tilt_deg=6.0,
        beamwidth_deg=65.0,
        mimo_layers=4.0,
        load=0.5,
        resource_blocks=273,
        source=(
            "NR band n78 (3.5 GHz), 100 MHz at 30 kHz SCS = 273 RB (3GPP TS 38.101-1 "
            "Table 5.3.2-1); 200 W (53 dBm) AAU, 21 dBi broadcast-beam gain, no feeder "
            "(active antenna), cf. 3GPP TR 38.901/IMT-2020 evaluation macro parameters; "
            "4 downlink layers (assumption: a 4-receiver NR handset); cells 50 % loaded as "
            "in the FCC Broadband Data Collection."
        ),
    ),
}


def sector_defaults(technology: str) -> SectorDefaults:
    """Defaults for a technology, ``{"4G", "5G"}``.

    Raises
    ------
    KeyError
        For any other technology.
    """
    try:
        return SECTOR_DEFAULTS[technology]
    except KeyError:
        raise KeyError(
            f"No sector defaults for technology {technology!r}; expected one of "
            f"{sorted(SECTOR_DEFAULTS)}"
        ) from None


#: Default RSRP level (dBm) that bounds a coverage prediction, per technology. Each site is
#: computed out to where its best-case RSRP falls below this level minus the prediction
#: margin. −110 dBm is a common outdoor cell-edge planning level for LTE and NR, about
#: 10 dB above the reference sensitivity per resource element of a band 3, 20 MHz UE
#: (REFSENS ≈ −91 dBm, 3GPP TS 36.101 Table 7.3.1-1, minus 10·log10(1200) ≈ −122 dBm).
COVERAGE_THRESHOLD_DBM: Final[dict[str, float]] = {"4G": -110.0, "5G": -110.0}
