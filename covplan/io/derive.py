"""Completing layers from one another after loading: catchments, communes, populations."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from covplan.grid import Raster
from covplan.i18n import N_, Name, Num, Text
from covplan.io.carriageways import merge_dual_carriageways
from covplan.io.zonal import zonal_population


def assign_communes(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fill each village's ``commune`` code from the commune holding its representative point."""
    points = gpd.GeoDataFrame(geometry=villages.geometry.representative_point(), crs=villages.crs)
    joined = gpd.sjoin(
        points, communes[["code", communes.geometry.name]], how="left", predicate="within"
    )
    code = joined["code"].groupby(level=0).first()
    out = villages.copy()
    out["commune"] = code.reindex(out.index).astype("string")
    return out


def _has_population(frame: gpd.GeoDataFrame) -> bool:
    """Whether a layer's own population column can be used.

    It must be filled for every feature and positive for at least 90 % of them; OpenStreetMap
    places, for example, carry ``population = 0`` for "unknown", and a raster gives better
    figures than a column that is mostly unknown.
    """
    if "population" not in frame.columns:
        return False
    values = frame["population"]
    return bool(values.notna().all() and (values > 0).mean() >= 0.9)


def complete_layers(
    vectors: dict[str, gpd.GeoDataFrame], population: Raster | None
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Derive what a layer lacks from the others, and say what was derived.

    - village points become catchment polygons (Voronoi clipped to the communes);
    - villages without ``commune`` get the code of the commune holding them;
    - villages and communes without ``population`` get zonal sums of the population raster;
    - roads get ``length_weight`` so dual carriageways count once
      (:func:`covplan.io.carriageways.merge_dual_carriageways`).
    """
    vectors = dict(vectors)
    notes: list[str] = []
    villages, communes = vectors.get("villages"), vectors.get("communes")
    if villages is not None and communes is not None:
        if (villages.geom_type == "Point").all():
            from covplan.io.catchments import village_catchments

            villages = village_catchments(villages, communes)
            outside = villages.geometry.is_empty
            villages = villages[~outside]
            notes.append(Text(N_("villages: {count} settlement points turned into catchment "
                                 "polygons (Voronoi clipped to the communes)"),
                              count=Num(len(villages))))
            if outside.any():
                notes.append(Text(N_("villages: {count} settlement points outside every "
                                     "commune (or duplicated) were left out"),
                                  count=Num(int(outside.sum()))))
        if "commune" not in villages.columns or villages["commune"].isna().all():
            villages = assign_communes(villages, communes)
            notes.append(Text(N_("villages: commune codes assigned by location")))
        vectors["villages"] = villages
    roads = vectors.get("roads")
    if roads is not None and "length_weight" not in roads.columns:
        roads = merge_dual_carriageways(roads)
        vectors["roads"] = roads
        dual = int((roads["carriageway"] == "dual").sum())
        if dual:
            notes.append(Text(N_("roads: {count} one-way ways paired as dual carriageways; "
                                 "each carriageway counts half its length (length_weight)"),
                              count=Num(dual)))
    if population is not None:
        for name in ("villages", "communes"):
            frame = vectors.get(name)
            if frame is None or _has_population(frame):
                continue
            frame = frame.copy()
            sums = zonal_population(
                population.data, population.grid.transform, population.grid.crs, frame
            )
            frame["population"] = sums.to_numpy(dtype=np.float64)
            vectors[name] = frame
            notes.append(Text(N_("{layer}: population summed from the population raster"),
                              layer=Name(name)))
    return vectors, notes
