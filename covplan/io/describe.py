"""A short description of a loaded dataset: what ``covplan info`` prints."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan.i18n import N_, Language, Name, Num, Phrase, language
from covplan.io.dataset import Dataset

#: The table's columns, marked for translation.
COLUMNS = (N_("layer"), N_("features"), N_("geometry"), N_("extent"), N_("detail"))


def _extent_lonlat(dataset: Dataset, bounds: tuple[float, float, float, float],
                   lang: Language) -> str:
    to_lonlat = Transformer.from_crs(dataset.crs, 4326, always_xy=True)
    west, south, east, north = to_lonlat.transform_bounds(*bounds)
    return lang._(N_("{west}–{east} E, {south}–{north} N")).format(
        west=lang.number(west, 3), east=lang.number(east, 3), south=lang.number(south, 3),
        north=lang.number(north, 3))


def layer_table(dataset: Dataset, lang: Language | None = None) -> pd.DataFrame:
    """One row per layer: count, geometry or raster shape, extent in lon/lat, details.

    Headers, words and numbers in ``lang`` (default English); layer names, geometry types
    and road classes as covplan's data contract names them.
    """
    lang = lang or language("en")
    rows = []
    for name, frame in dataset.vectors.items():
        kinds = ", ".join(sorted(frame.geom_type.dropna().unique()))
        detail = ""
        if name == "sites":
            counts = frame.groupby("technology").agg(
                sectors=("site_id", "size"), sites=("site_id", "nunique")
            )
            detail = "; ".join(
                lang._(N_("{tech}: {sites} sites / {sectors} sectors")).format(
                    tech=t, sites=lang.count(r.sites), sectors=lang.count(r.sectors))
                for t, r in counts.iterrows()
            )
        elif name == "roads":
            km = frame.length.groupby(frame["road_class"]).sum() / 1000
            detail = "; ".join(f"{lang._(str(c))} {lang.km(v, 0)}" for c, v in km.items())
        elif "population" in frame.columns:
            detail = lang._(N_("population {count}")).format(
                count=lang.count(frame["population"].sum()))
        extent = _extent_lonlat(dataset, tuple(frame.total_bounds), lang) if len(frame) else ""
        rows.append([name, lang.count(len(frame)), kinds, extent, detail])
    for name, raster in (("terrain", dataset.terrain), ("population", dataset.population)):
        if raster is None:
            continue
        grid = raster.grid
        detail = (
            lang._(N_("{low}–{high} m")).format(low=lang.number(float(np.nanmin(raster.data))),
                                                 high=lang.number(float(np.nanmax(raster.data))))
            if name == "terrain"
            else lang._(N_("total {count} people")).format(
                count=lang.count(float(np.nansum(raster.data))))
        )
        shape = Phrase.of(N_("raster {width}×{height} @ {resolution} m"),
                          width=Name(str(grid.width)), height=Name(str(grid.height)),
                          resolution=Num.shortest(grid.resolution_m, 1))(lang)
        rows.append([name, lang.count(grid.width * grid.height), shape,
                     _extent_lonlat(dataset, grid.bounds, lang), detail])
    return pd.DataFrame(rows, columns=[lang._(c) for c in COLUMNS])
