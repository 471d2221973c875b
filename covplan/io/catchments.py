"""Village catchment polygons from settlement points.

When villages come as points (OSM ``place=village|hamlet``), each gets the part of its
commune closer to it than to any other village of the same commune: the Voronoi diagram
(:func:`shapely.voronoi_polygons`) of the commune's points, clipped to the commune. A
commune with one village gives it the whole commune. The polygons of one commune tile it
exactly and communes do not overlap, so catchments never overlap and their union is the
area of the communes holding at least one village.

Points outside every boundary get an empty polygon and no commune; a point at the same
place as an earlier one (within 1 cm) gets an empty polygon too, since two catchments
cannot share one place. Both are logged with counts.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.io.geomcheck import check_geometry_types

logger = logging.getLogger(__name__)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a clip result (drops touching lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def _working_crs(points: gpd.GeoDataFrame, crs: CRS | str | int | None) -> CRS:
    """The metric CRS to work in."""
    if crs is not None:
        work = CRS.from_user_input(crs)
    elif points.crs.is_projected:
        work = CRS.from_user_input(points.crs)
    else:
        work = CRS.from_user_input(points.estimate_utm_crs())
    if not work.is_projected:
        raise ValueError(f"catchments need a metric (projected) CRS, got {work.to_string()}")
    return work


def _commune_cells(points: np.ndarray, area: BaseGeometry) -> np.ndarray:
    """Catchment of each (distinct) point within ``area``."""
    if len(points) == 1:
        return np.array([area], dtype=object)
    diagram = shapely.voronoi_polygons(MultiPoint(list(points)), extend_to=area)
    cells = shapely.get_parts(diagram)
    point_idx, cell_idx = shapely.STRtree(cells).query(points, predicate="within")
    order = np.full(len(points), -1)
    order[point_idx] = cell_idx
    clipped = shapely.intersection(cells[order], area)
    return np.array([_polygonal(g) for g in clipped], dtype=object)


def village_catchments(
    points: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    code: str = "code",
    crs: CRS | str | int | None = None,
    source: str = "villages",
) -> gpd.GeoDataFrame:
    """Voronoi catchment of each village point, clipped to its commune.

    Parameters
    ----------
    points
        Village points with any attributes.
    boundaries
        Commune (or province) polygons; ``code`` names the column identifying them
        (the index is used when the column is absent).
    code
        Column of ``boundaries`` copied into the result's ``commune`` column.
    crs
        Metric CRS to work and return in; default: ``points.crs`` when projected, else
        the UTM zone of the points.
    source
        File named in error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per point, same index and attributes, geometry replaced by the catchment
        (Polygon or MultiPolygon, empty for points outside every boundary or duplicated),
        and ``commune`` set by containment.
    """
    for message, frame in ((N_("expected points with a CRS, found none."), points),
                           (N_("expected boundaries with a CRS, found none."), boundaries)):
        if frame.crs is None:
            raise InputError(
                [
                    Problem(
                        source,
                        message,
                        N_("set the layer's CRS (e.g. EPSG:4326)."),
                    )
                ]
            )
    check_geometry_types(points, ("Point",), source, layer="villages")
    work = _working_crs(points, crs)
    pts = points.to_crs(work)
    bnd = boundaries.to_crs(work)
    codes = bnd[code] if code in bnd.columns else bnd.index.to_series()
    hits = shapely.STRtree(bnd.geometry.values).query(pts.geometry.values, predicate="intersects")
    owner = np.full(len(pts), -1)
    first = np.unique(hits[0], return_index=True)
    owner[first[0]] = hits[1][first[1]]
    cells = np.array([Polygon()] * len(pts), dtype=object)
    coords = shapely.get_coordinates(pts.geometry.values)
    duplicates = 0
    for b in np.unique(owner[owner >= 0]):
        members = np.flatnonzero(owner == b)
        _, keep = np.unique(np.round(coords[members], 2), axis=0, return_index=True)
        keep = np.sort(keep)
        duplicates += len(members) - len(keep)
        cells[members[keep]] = _commune_cells(
            pts.geometry.values[members[keep]], bnd.geometry.values[b]
        )
    out = gpd.GeoDataFrame(pts.drop(columns=pts.geometry.name), geometry=list(cells), crs=work)
    out["commune"] = [codes.iloc[b] if b >= 0 else None for b in owner]
    outside = int((owner < 0).sum())
    if outside or duplicates:  # the dataset's notes say it (covplan.io.derive)
        logger.info(
            "%s: %d village points outside every boundary and %d duplicated "
            "points got no catchment",
            source,
            outside,
            duplicates,
        )
    logger.info(
        "Built %s village catchments in %d communes",
        f"{len(out) - outside:,}",
        len(np.unique(owner[owner >= 0])),
    )
    return out
