"""The settlement stage: villages, communes, their names and catchments, in one place.

This module only joins the pieces of :mod:`covplan.demo.settlements` (where people live)
and :mod:`covplan.demo.communes` (how the land is divided) and gives everything codes and
names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from covplan.demo._config import UTM_EPSG, SizeConfig
from covplan.demo.communes import catchments, commune_of, commune_seats, tile_communes
from covplan.demo.landscape import Landscape
from covplan.demo.names import NameBook
from covplan.demo.settlements import (
    Town,
    assign_population,
    rural_villages,
    suitability,
    urban_groups,
)

logger = logging.getLogger(__name__)

#: Province code prefix: "99" is not used by any real Vietnamese province.
CODE_PREFIX = "99"


@dataclass(frozen=True, eq=False)
class Settlement:
    """Villages and communes in UTM metres.

    Parameters
    ----------
    towns
        Urban centres, city first.
    town_names
        Bare name of each town (the ward holding its centre).
    villages
        One row per village: ``village_id``, ``name``, ``commune``, ``population``,
        ``households``, ``x``, ``y`` (the village centre), ``town`` (-1 rural),
        ``mountain``, and the catchment ``geometry``.
    communes
        One row per commune: ``code``, ``name``, ``bare_name``, ``is_ward``, ``town``,
        ``population``, ``seat_x``, ``seat_y``, ``mountain`` and ``geometry``.
    """

    towns: list[Town]
    town_names: list[str]
    villages: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame


def _place_villages(
    landscape: Landscape,
    towns: list[Town],
    attraction: np.ndarray,
    config: SizeConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Urban groups and rural villages with mountain factor and population."""
    urban = urban_groups(landscape, towns, rng)
    target = round(config.villages * rng.uniform(0.96, 1.04))
    weight = suitability(landscape, towns, attraction)
    rural = rural_villages(landscape, weight, max(target - len(urban), 1), rng)
    rural["town"] = -1
    rural["weight"] = 1.0
    frame = pd.concat([urban, rural], ignore_index=True)
    frame["mountain"] = landscape.sample(
        landscape.mountain, frame["x"].to_numpy(), frame["y"].to_numpy()
    )
    total = round(config.population * rng.uniform(0.98, 1.02))
    frame["population"] = assign_population(frame, towns, total, rng)
    return frame


def _fill_empty(frame: pd.DataFrame, polygons: list[Polygon], landscape: Landscape) -> pd.DataFrame:
    """Give each commune without a village one small hamlet at its centre."""
    empty = sorted(set(range(len(polygons))) - set(frame["commune"].tolist()))
    if not empty:
        return frame
    points = [polygons[i].representative_point() for i in empty]
    x = np.asarray([p.x for p in points])
    y = np.asarray([p.y for p in points])
    extra = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "town": -1,
            "weight": 1.0,
            "commune": empty,
            "population": 150,
            "mountain": landscape.sample(landscape.mountain, x, y),
        }
    )
    return pd.concat([frame, extra], ignore_index=True)


def _commune_table(
    frame: pd.DataFrame,
    polygons: list[Polygon],
    towns: list[Town],
    names: NameBook,
) -> gpd.GeoDataFrame:
    """Codes, names and kinds of the communes; wards first, then north to south.

    A commune is a ward when it holds a town centre or most of its people are urban.
    """
    people = frame.groupby("commune")["population"].sum()
    urban = frame[frame["town"] >= 0].groupby("commune")["population"].sum()
    share = (urban.reindex(people.index, fill_value=0) / people).to_numpy()
    town = frame.groupby("commune")["town"].agg(lambda t: int(t.max())).to_numpy()
    town = np.where(share > 0.5, town, -1)
    holder = commune_of(
        polygons, np.asarray([t.x for t in towns]), np.asarray([t.y for t in towns])
    )
    for i, commune in enumerate(holder):
        town[commune] = i
    seat = frame.loc[frame.groupby("commune")["population"].idxmax(), ["commune", "x", "y"]]
    table = gpd.GeoDataFrame(
        {
            "polygon": np.arange(len(polygons)),
            "is_ward": town >= 0,
            "town": town,
            "population": people.to_numpy(),
            "mountain": frame.groupby("commune")["mountain"].mean().to_numpy(),
            "seat_x": seat.set_index("commune")["x"].reindex(people.index).to_numpy(),
            "seat_y": seat.set_index("commune")["y"].reindex(people.index).to_numpy(),
        },
        geometry=polygons,
        crs=UTM_EPSG,
    )
    centre_y = table.geometry.centroid.y.round(0)
    table["order_key"] = np.where(table["is_ward"], 0, 1)
    table = table.assign(cy=-centre_y, cx=table.geometry.centroid.x.round(0))
    table = table.sort_values(["order_key", "town", "cy", "cx"], kind="stable")
    table = table.reset_index(drop=True)
    table["code"] = [f"{CODE_PREFIX}{3 * i + 1:03d}" for i in range(len(table))]
    bare = [
        names.place_name(mountain=m > 0.55 and not w)
        for m, w in zip(table["mountain"], table["is_ward"], strict=True)
    ]
    table["bare_name"] = bare
    table["name"] = [
        f"{'Phường' if w else 'Xã'} {b}" for w, b in zip(table["is_ward"], bare, strict=True)
    ]
    return table.drop(columns=["order_key", "cy", "cx"])


def _village_table(
    frame: pd.DataFrame, communes: gpd.GeoDataFrame, names: NameBook, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Ids, names, households and catchments of the villages, grouped by commune."""
    code_of = dict(zip(communes["polygon"], communes["code"], strict=True))
    frame = frame.assign(
        commune=frame["commune"].map(code_of), ny=-frame["y"].round(0), nx=frame["x"].round(0)
    )
    frame = frame.sort_values(["commune", "ny", "nx"], kind="stable").reset_index(drop=True)
    ward_of = dict(zip(communes["code"], communes["is_ward"], strict=True))
    shape_of = dict(zip(communes["code"], communes.geometry, strict=True))
    xy = frame[["x", "y"]].to_numpy()
    mountain = mountain_of(frame)
    urban = frame["town"].to_numpy() >= 0
    ids: list[str] = []
    labels: list[str] = []
    shapes: list[Polygon] = []
    for code, rows in frame.groupby("commune", sort=True).indices.items():
        labels.extend(names.village_names(mountain[rows], ward=bool(ward_of[code])))
        ids.extend(f"{code}-{k + 1:03d}" for k in range(len(rows)))
        radius = np.where(urban[rows], 1_500.0, 1_300.0 + 1_700.0 * mountain[rows])
        shapes.extend(catchments(shape_of[code], xy[rows], radius))
    people = frame["population"].to_numpy()
    households = np.maximum(1, np.rint(people / rng.uniform(3.5, 3.9, len(frame))))
    return gpd.GeoDataFrame(
        {
            "village_id": ids,
            "name": labels,
            "commune": frame["commune"].to_numpy(),
            "population": people.astype(np.int64),
            "households": households.astype(np.int64),
            "x": frame["x"].to_numpy(),
            "y": frame["y"].to_numpy(),
            "town": frame["town"].to_numpy().astype(np.int64),
            "mountain": mountain,
        },
        geometry=shapes,
        crs=UTM_EPSG,
    )


def mountain_of(frame: pd.DataFrame) -> np.ndarray:
    """The ``mountain`` column as float64."""
    return frame["mountain"].to_numpy().astype(np.float64)


def build_settlement(
    landscape: Landscape,
    towns: list[Town],
    attraction: np.ndarray,
    config: SizeConfig,
    rng: np.random.Generator,
) -> Settlement:
    """Villages, communes, names and catchments.

    Parameters
    ----------
    landscape
        The land.
    towns
        Urban centres.
    attraction
        Settlement multiplier on the base grid (closeness to highways).
    config
        Size preset.
    rng
        Random source.

    Returns
    -------
    Settlement
        Villages and communes in UTM metres.
    """
    frame = _place_villages(landscape, towns, attraction, config, rng)
    # Each town centre seats a ward and keeps its surroundings; the city's surroundings stay
    # in the split so that the city gets several wards.
    centres = np.asarray([[t.x, t.y] for t in towns])
    keep_out = np.asarray([0.0 if t.is_city else 2.2 * t.radius_m for t in towns])
    seats = commune_seats(
        frame[["x", "y"]].to_numpy(),
        frame["population"].to_numpy(),
        landscape.outline,
        config.communes,
        centres,
        keep_out,
    )
    polygons = tile_communes(seats, landscape.outline)
    frame["commune"] = commune_of(polygons, frame["x"].to_numpy(), frame["y"].to_numpy())
    frame = _fill_empty(frame[frame["commune"] >= 0], polygons, landscape)
    names = NameBook(rng)
    communes = _commune_table(frame, polygons, towns, names)
    villages = _village_table(frame, communes, names, rng)
    holder = commune_of(
        list(communes.geometry), np.asarray([t.x for t in towns]), np.asarray([t.y for t in towns])
    )
    town_names = [str(communes["bare_name"].iloc[i]) for i in holder]
    communes["population"] = (
        villages.groupby("commune")["population"].sum().reindex(communes["code"]).to_numpy()
    )
    logger.debug(
        "Settlement: %d villages, %d communes (%d wards), %d people",
        len(villages),
        len(communes),
        int(communes["is_ward"].sum()),
        int(villages["population"].sum()),
    )
    return Settlement(towns, town_names, villages, communes.drop(columns=["polygon"]))
