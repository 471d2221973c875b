"""Map OSM / Geofabrik point-of-interest classes onto covplan's POI kinds.

Geofabrik shapefiles carry ``fclass`` (``town_hall``, ``doctors``, ``post_office``); raw OSM
carries ``amenity`` (``townhall``), ``office=government`` or ``healthcare=*``. Both are
mapped onto :data:`covplan.schema.POI_KINDS`:

==================  =====================================================================
kind                source values
==================  =====================================================================
``hospital``        hospital
``clinic``          clinic, doctors, health_post, health_centre, healthcare, dentist
``university``      university
``college``         college
``school``          school
``kindergarten``    kindergarten, childcare
``government``      town_hall, townhall, government, public_building, courthouse
``police``          police
``post_office``     post_office
``other``           anything else, missing values
==================  =====================================================================

``doctors`` (a doctor's practice, Vietnamese *phòng khám*) and commune health stations
(*trạm y tế*, often ``clinic`` or ``healthcare=centre``) count as ``clinic``, not
``hospital``, so "5G at hospitals" is measured at hospitals only.
"""

from __future__ import annotations

import logging
from typing import Final

import pandas as pd

logger = logging.getLogger(__name__)

#: covplan POI kind of each OSM / Geofabrik class value.
POI_KIND_OF: Final[dict[str, str]] = {
    "hospital": "hospital",
    "clinic": "clinic",
    "doctors": "clinic",
    "doctor": "clinic",
    "health_post": "clinic",
    "health_centre": "clinic",
    "healthcare": "clinic",
    "centre": "clinic",
    "dentist": "clinic",
    "university": "university",
    "college": "college",
    "school": "school",
    "kindergarten": "kindergarten",
    "childcare": "kindergarten",
    "town_hall": "government",
    "townhall": "government",
    "government": "government",
    "public_building": "government",
    "courthouse": "government",
    "police": "police",
    "post_office": "post_office",
}


def poi_kind_from(fclass: str | None) -> str:
    """The covplan POI kind of one OSM/Geofabrik class value (``"other"`` when unknown).

    Examples
    --------
    >>> poi_kind_from("town_hall"), poi_kind_from("Doctors"), poi_kind_from("cafe")
    ('government', 'clinic', 'other')
    """
    if fclass is None or (isinstance(fclass, float) and fclass != fclass):
        return "other"
    key = str(fclass).strip().lower().replace(" ", "_").replace("-", "_")
    return POI_KIND_OF.get(key, "other")


def classify_pois(gdf: pd.DataFrame, column: str = "fclass") -> pd.Series:
    """POI kind of every row, aligned to ``gdf.index`` and named ``kind``.

    Parameters
    ----------
    gdf
        Points of interest.
    column
        Column holding the class, such as {"fclass", "amenity"}.

    Returns
    -------
    pandas.Series
        Values in :data:`covplan.schema.POI_KINDS`.

    Raises
    ------
    KeyError
        ``column`` is not in ``gdf``.
    """
    if column not in gdf.columns:
        raise KeyError(
            f"POI class column '{column}' not found; columns are {', '.join(map(str, gdf.columns))}"
        )
    kinds = pd.Series(
        [poi_kind_from(v) for v in gdf[column].astype(object)],
        index=gdf.index,
        name="kind",
        dtype=object,
    )
    logger.info("POI kinds: %s", ", ".join(f"{k} {n}" for k, n in kinds.value_counts().items()))
    return kinds
