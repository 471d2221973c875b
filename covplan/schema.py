"""The data contract: layer names, their columns, units and allowed values.

Every loader normalises its input to these columns (see ``DESIGN.md``). Column names
carry their unit (``height_m``, ``frequency_mhz``).
"""

from collections.abc import Mapping
from typing import Final, TypedDict

#: Layers a dataset may hold, in the order they are loaded and reported.
VECTOR_LAYERS: Final = ("communes", "villages", "roads", "sites", "fibre", "pois")
#: ``landcover``: land-cover classes (ESA WorldCover legend by default) for the clutter loss.
RASTER_LAYERS: Final = ("terrain", "population", "landcover")
LAYERS: Final = VECTOR_LAYERS + RASTER_LAYERS

TECHNOLOGIES: Final = ("4G", "5G")
SITE_STATUSES: Final = ("existing", "planned", "candidate")
#: Site statuses predicted by default: what is on air or committed, not candidates.
ON_AIR_STATUSES: Final = ("existing", "planned")
ROAD_CLASSES: Final = ("expressway", "national", "provincial", "local")
POI_KINDS: Final = (
    "hospital",
    "clinic",
    "university",
    "college",
    "school",
    "kindergarten",
    "government",
    "police",
    "post_office",
    "other",
)

#: The sector contract, defined here once; the loader, the engine, scenario edits and
#: scenario fingerprints all derive their columns from it. A sector is identified by:
SECTOR_KEY: Final = ("site_id", "sector")


class SectorValues(TypedDict, total=False):
    """Values of a sector that a scenario edit may set (any subset).

    The radio values are those of :data:`SECTOR_RADIO`; ``cost`` is the planner's cost of
    a new site.
    """

    technology: str
    operator: str
    status: str
    frequency_mhz: float
    bandwidth_mhz: float
    height_m: float
    azimuth_deg: float
    tilt_deg: float
    beamwidth_deg: float
    tx_power_dbm: float
    antenna_gain_dbi: float
    cable_loss_db: float
    mimo_layers: float
    load: float
    cost: float


class SectorSpec(SectorValues, total=False):
    """The values of one sector of a new site, which may name its sector number."""

    sector: int


#: Radio values of a sector the engine reads; the loader fills every one of them (with the
#: technology defaults of :mod:`covplan.radio.defaults` where the file has none).
SECTOR_RADIO: Final = tuple(
    name for name in SectorValues.__annotations__
    if name not in ("technology", "operator", "status", "cost")
)
#: :class:`SectorValues` with each value's kind, ``"str"`` or ``"float"``.
SECTOR_VALUES: Final[Mapping[str, str]] = {
    name: "float" if kind is float else "str"
    for name, kind in SectorValues.__annotations__.items()
}
#: Radio values that belong to the technology (reset when an edit changes the technology).
TECHNOLOGY_VALUES: Final = (
    "frequency_mhz",
    "bandwidth_mhz",
    "tx_power_dbm",
    "antenna_gain_dbi",
    "cable_loss_db",
)

#: Required columns per vector layer (geometry is always required and not listed).
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "sites": ("site_id", "technology"),
    "villages": ("village_id", "name"),
    "communes": ("code", "name"),
    "roads": ("road_class",),
    "fibre": (),
    "pois": ("kind",),
}

#: Optional columns per vector layer with their dtype after normalisation.
OPTIONAL: Final[dict[str, dict[str, str]]] = {
    "sites": {
        "sector": "int",
        "operator": "str",
        **dict.fromkeys(SECTOR_RADIO, "float"),
        "eirp_dbm": "float",
        "status": "str",
        "cost": "float",
        # a vendor pattern file (MSI/Planet) in the dataset folder; empty: 3GPP parametric
        "antenna_pattern": "str",
        # the cell's identity as measurement files name it (ECI/NCI or the operator's id)
        "cell_id": "str",
        "pci": "float",
    },
    "villages": {"commune": "str", "population": "float", "households": "float", "fibre": "bool"},
    "communes": {"population": "float"},
    "roads": {"ref": "str", "name": "str", "highway": "str"},
    "fibre": {"operator": "str"},
    "pois": {"name": "str"},
}

#: Geometry types accepted per vector layer (after exploding multi-part geometries).
GEOMETRY_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "sites": ("Point",),
    "villages": ("Polygon", "MultiPolygon", "Point"),
    "communes": ("Polygon", "MultiPolygon"),
    "roads": ("LineString", "MultiLineString"),
    "fibre": ("LineString", "MultiLineString", "Point"),
    "pois": ("Point",),
}

#: Columns whose values must be numeric and not negative.
NON_NEGATIVE: Final = (
    "height_m",
    "frequency_mhz",
    "bandwidth_mhz",
    "beamwidth_deg",
    "population",
    "households",
    "cable_loss_db",
    "cost",
)

#: Common alternative spellings users bring, mapped onto contract names.
ALIASES: Final[dict[str, str]] = {
    "lng": "lon",
    "long": "lon",
    "longitude": "lon",
    "x": "lon",
    "latitude": "lat",
    "y": "lat",
    "tech": "technology",
    "rat": "technology",
    "radio": "technology",
    "site": "site_id",
    "siteid": "site_id",
    "id": "site_id",
    "height": "height_m",
    "antenna_height": "height_m",
    "azimuth": "azimuth_deg",
    "tilt": "tilt_deg",
    "freq": "frequency_mhz",
    "frequency": "frequency_mhz",
    "eirp": "eirp_dbm",
    "power": "tx_power_dbm",
    "gain": "antenna_gain_dbi",
    "ten": "name",
    "tenxa": "name",
    "ma": "code",
    "maxa": "code",
    # Vietnamese headers, folded (no accents, case or separators)
    "kinhdo": "lon",
    "vido": "lat",
    "matram": "site_id",
    "congnghe": "technology",
    "docao": "height_m",
    "docaoanten": "height_m",
    "docaoantenm": "height_m",
    "chieucao": "height_m",
    "chieucaoanten": "height_m",
    "chieucaoantenm": "height_m",
    "phuongvi": "azimuth_deg",
    "gocphuongvi": "azimuth_deg",
    "gocnghieng": "tilt_deg",
    "nhamang": "operator",
    "tanso": "frequency_mhz",
    "tansomhz": "frequency_mhz",
    "trangthai": "status",
    "danso": "population",
    "mathon": "village_id",
    "tenthon": "name",
    "loai": "kind",
}
