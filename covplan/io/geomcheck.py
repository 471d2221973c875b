"""Check the geometry types of a vector layer before using it."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

from covplan.errors import InputError, Problem
from covplan.i18n import N_


def check_geometry_types(
    gdf: gpd.GeoDataFrame,
    allowed: Iterable[str],
    file: str,
    *,
    layer: str | None = None,
) -> None:
    """Refuse missing, empty and unexpected geometries, listing every kind at once.

    Parameters
    ----------
    gdf
        The layer as read.
    allowed
        Accepted geometry types, such as ``("LineString", "MultiLineString")``
        (see :data:`covplan.schema.GEOMETRY_TYPES`).
    file
        The file named in the message.
    layer
        The dataset layer, when known.

    Raises
    ------
    InputError
        One problem per unexpected geometry type, and one for missing or empty
        geometries, each with its count and rows (header = row 1).
    """
    allowed = tuple(allowed)
    geom = gdf.geometry
    values = np.asarray(geom.values, dtype=object)
    types = np.array([g.geom_type if g is not None else "" for g in values], dtype=object)
    types[(types == "") | shapely.is_empty(values)] = "missing or empty"
    problems = []
    for found in sorted(set(types) - set(allowed)):
        rows = tuple(int(i) + 2 for i in np.flatnonzero(types == found))
        if found == "missing or empty":
            message = N_("expected only {allowed} geometries, found {count} missing or empty "
                         "geometries.")
            fix = N_("delete those features or draw their geometry.")
        else:
            message = N_("expected only {allowed} geometries, found {count} {found}.")
            fix = N_("keep one geometry type per layer: split the file (e.g. in QGIS 'Split "
                     "vector layer' by geometry type) or drop the unexpected features.")
        problems.append(
            Problem(
                file,
                message,
                fix,
                layer=layer,
                column=geom.name,
                rows=rows,
                params={"allowed": ", ".join(allowed), "count": f"{len(rows):,}",
                        "found": found},
            )
        )
    if problems:
        raise InputError(problems)
