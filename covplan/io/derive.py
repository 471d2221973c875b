"""Completing layers from one another after loading: catchments, communes, populations."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np

from covplan.grid import Raster

logger = logging.getLogger(__name__)


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


def complete_layers(
    vectors: dict[str, gpd.GeoDataFrame], population: Raster | None
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Derive what a layer lacks from the others, and say what was derived.

    - village points become catchment polygons (Voronoi clipped to the communes);
    - villages without ``commune`` get the code of the commune holding them;
    - villages and communes without ``population`` get zonal sums of the population raster.
    """
    vectors = dict(vectors)
    notes: list[str] = []
    villages, communes = vectors.get("villages"), vectors.get("communes")
    if villages is not None and communes is not None:
        if (villages.geom_type == "Point").all():
            from covplan.io.catchments import village_catchments

            villages = village_catchments(villages, communes)
            notes.append(
                f"villages: {len(villages):,} settlement points turned into catchment "
                "polygons (Voronoi clipped to the communes)"
            )
        if "commune" not in villages.columns or villages["commune"].isna().all():
            villages = assign_communes(villages, communes)
            notes.append("villages: commune codes assigned by location")
        vectors["villages"] = villages
    if population is not None:
        from covplan.io.zonal import zonal_population

        for name in ("villages", "communes"):
            frame = vectors.get(name)
            if frame is None or (
                "population" in frame.columns and frame["population"].notna().all()
            ):
                continue
            frame = frame.copy()
            frame["population"] = np.asarray(zonal_population(population, frame), dtype=float)
            vectors[name] = frame
            notes.append(f"{name}: population summed from the population raster")
    return vectors, notes
