"""A short description of a loaded dataset: what ``covplan info`` prints and the app shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan.io.dataset import Dataset


def _extent_lonlat(dataset: Dataset, bounds: tuple[float, float, float, float]) -> str:
    to_lonlat = Transformer.from_crs(dataset.crs, 4326, always_xy=True)
    west, south, east, north = to_lonlat.transform_bounds(*bounds)
    return f"{west:.3f}–{east:.3f} E, {south:.3f}–{north:.3f} N"


def layer_table(dataset: Dataset) -> pd.DataFrame:
    """One row per layer: count, geometry or raster shape, extent in lon/lat, details."""
    rows = []
    for name, frame in dataset.vectors.items():
        kinds = ", ".join(sorted(frame.geom_type.dropna().unique()))
        detail = ""
        if name == "sites":
            counts = frame.groupby("technology").agg(
                sectors=("site_id", "size"), sites=("site_id", "nunique")
            )
            detail = "; ".join(
                f"{t}: {r.sites:,} sites / {r.sectors:,} sectors" for t, r in counts.iterrows()
            )
        elif name == "roads":
            km = frame.length.groupby(frame["road_class"]).sum() / 1000
            detail = "; ".join(f"{c} {v:,.0f} km" for c, v in km.items())
        elif "population" in frame.columns:
            detail = f"population {frame['population'].sum():,.0f}"
        extent = _extent_lonlat(dataset, tuple(frame.total_bounds)) if len(frame) else ""
        rows.append(
            {
                "layer": name,
                "features": len(frame),
                "geometry": kinds,
                "extent": extent,
                "detail": detail,
            }
        )
    for name, raster in (("terrain", dataset.terrain), ("population", dataset.population)):
        if raster is None:
            continue
        grid = raster.grid
        detail = (
            f"{float(np.nanmin(raster.data)):,.0f}–{float(np.nanmax(raster.data)):,.0f} m"
            if name == "terrain"
            else f"total {float(np.nansum(raster.data)):,.0f} people"
        )
        rows.append(
            {
                "layer": name,
                "features": grid.width * grid.height,
                "geometry": f"raster {grid.width}×{grid.height} @ {grid.resolution_m:g} m",
                "extent": _extent_lonlat(dataset, grid.bounds),
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=["layer", "features", "geometry", "extent", "detail"])
