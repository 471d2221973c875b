"""Size presets and fixed constants of the synthetic demo province.

Two presets exist: ``"full"`` mirrors Thai Nguyen after the 2025 merger (about 8,400 km²,
about 90 communes, about 1.8 million people) and ``"small"`` is a two-commune slice of the
same generator for fast tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

DemoSize = Literal["small", "full"]

#: Working CRS of the generator (UTM zone 48N) and the CRS of the vector outputs.
UTM_EPSG: Final = 32648
LONLAT_EPSG: Final = 4326

#: Province centre (lon, lat): inside northern Vietnam, in UTM zone 48N.
CENTRE_LONLAT: Final = (105.8, 21.8)

#: Grid resolutions. The routing and base grids are exact multiples of the terrain grid so
#: that all three align cell for cell.
TERRAIN_RES_M: Final = 30.0
BASE_RES_M: Final = 90.0
ROUTE_RES_M: Final = 180.0
POPULATION_RES_M: Final = 100.0

#: Margin of terrain kept around the outline, so radio paths near the border see terrain.
TERRAIN_MARGIN_M: Final = 2_000.0

PROVINCE_NAME: Final = "Minh Sơn"

#: Timestamp written into GeoPackages so that repeated runs produce identical bytes.
GPKG_TIMESTAMP: Final = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class SizeConfig:
    """Targets of one size preset.

    Parameters
    ----------
    name
        Preset name, one of {"small", "full"}.
    area_km2
        Province area.
    max_extent_km
        Largest allowed width or height of the outline's bounding box.
    communes
        Number of communes and wards.
    villages
        Target number of villages (urban residential groups included).
    population
        Target total population.
    towns
        Urban centres (normalised outline coordinates, 0..1 west-east and south-north) and
        their share of the population; the first is the provincial city when ``city``.
    city
        Whether the first urban centre is a provincial city.
    peak_m
        Range the highest summit is drawn from.
    sites_4g, sites_5g
        Number of three-sector 4G and 5G sites.
    pass_gap
        Whether a national-highway pass is left without sites.
    shadow_villages
        Number of remote mountain villages left outside 4G reach.
    no_fibre_share
        Share of villages without fibre.
    """

    name: DemoSize
    area_km2: float
    max_extent_km: float
    communes: int
    villages: int
    population: int
    towns: tuple[tuple[float, float, float], ...]
    city: bool
    peak_m: tuple[float, float]
    sites_4g: int
    sites_5g: int
    pass_gap: bool
    shadow_villages: int
    no_fibre_share: float


SIZES: Final[dict[str, SizeConfig]] = {
    "full": SizeConfig(
        name="full",
        area_km2=8_400.0,
        max_extent_km=118.0,
        communes=90,
        villages=2_000,
        population=1_800_000,
        towns=(
            (0.46, 0.30, 0.22),
            (0.28, 0.10, 0.035),
            (0.18, 0.42, 0.03),
            (0.76, 0.36, 0.03),
            (0.50, 0.58, 0.025),
            (0.58, 0.82, 0.03),
        ),
        city=True,
        peak_m=(1_480.0, 1_600.0),
        sites_4g=600,
        sites_5g=150,
        pass_gap=True,
        shadow_villages=6,
        no_fibre_share=0.015,
    ),
    "small": SizeConfig(
        name="small",
        area_km2=160.0,
        max_extent_km=18.0,
        communes=2,
        villages=40,
        population=42_000,
        towns=((0.45, 0.30, 0.35),),
        city=False,
        peak_m=(720.0, 860.0),
        sites_4g=10,
        sites_5g=3,
        pass_gap=False,
        shadow_villages=0,
        no_fibre_share=0.03,
    ),
}


def size_config(size: str) -> SizeConfig:
    """The preset for ``size``.

    Parameters
    ----------
    size
        One of {"small", "full"}.

    Returns
    -------
    SizeConfig
        The preset.

    Raises
    ------
    ValueError
        When ``size`` is not a known preset.
    """
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"size must be 'small' or 'full', got {size!r}") from None
