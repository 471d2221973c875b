"""Read drivable roads from OpenStreetMap files (``.osm``/``.xml`` and ``.osm.pbf``).

Both readers return the same table: one row per OSM way whose ``highway`` tag is in
:data:`DRIVABLE_HIGHWAYS`, as a LineString in EPSG:4326 through all of the way's nodes, with
columns ``osm_id, highway, ref, name, oneway, junction, geometry``. ``oneway`` and
``junction`` are kept because :func:`covplan.io.carriageways.merge_dual_carriageways` needs
them. Ways with a node missing from the file (clipped extracts) are dropped; their count is
left in the frame's ``attrs`` (:data:`INCOMPLETE_WAYS`), which the dataset loader turns into
a warning.

XML goes through :func:`osmnx.features_from_xml` with a ``highway`` tag filter (it builds
each way's geometry from its own nodes, unlike ``graph_from_xml``, which splits ways at
intersections and keeps every highway type). PBF goes through :class:`osmium.FileProcessor`
with a node-location cache and a ``highway`` key filter. XML is read whole into memory:
use PBF for a whole province or country.
"""

from __future__ import annotations

import bz2
import gzip
import logging
import xml.sax
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import ParseError, iterparse

import geopandas as gpd
import osmium
import pandas as pd
from shapely.geometry import LineString

from covplan.errors import DataFileNotFoundError, InputError, Problem, UnsupportedFormatError
from covplan.i18n import N_, Num, Text

logger = logging.getLogger(__name__)

#: OSM ``highway`` values kept as drivable roads (the public road network a car can use;
#: ``service``, ``track``, ``busway`` and paths are left out).
DRIVABLE_HIGHWAYS: Final = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)

#: Tags copied into columns (missing tags are left missing).
ROAD_TAGS: Final = ("highway", "ref", "name", "oneway", "junction")
COLUMNS: Final = ("osm_id", *ROAD_TAGS, "geometry")

#: ``attrs`` key of a read frame: the highway ways dropped because nodes were missing.
INCOMPLETE_WAYS: Final = "incomplete_ways"
_XML_SUFFIXES: Final = (".osm", ".xml", ".osm.bz2", ".xml.bz2", ".osm.gz", ".xml.gz")
_PBF_SUFFIXES: Final = (".pbf",)


def read_osm_roads(path: str | Path) -> gpd.GeoDataFrame:
    """Drivable roads of an OSM XML or PBF file.

    Parameters
    ----------
    path
        An ``.osm``/``.xml`` (optionally ``.bz2`` or ``.gz``) or ``.pbf``/``.osm.pbf`` file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``osm_id, highway, ref, name, oneway, junction, geometry`` (LineString,
        EPSG:4326), sorted by ``osm_id``.

    Raises
    ------
    DataFileNotFoundError
        The file does not exist.
    UnsupportedFormatError
        The extension is neither OSM XML nor PBF.
    InputError
        The file is truncated or corrupt, or holds no drivable road.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(N_("{path}: OSM file not found. Fix: check the path."),
                                    path=str(path))
    name = path.name.lower()
    if name.endswith(_PBF_SUFFIXES):
        roads = _read_pbf(path)
    elif name.endswith(_XML_SUFFIXES):
        roads = _read_xml(path)
    else:
        raise UnsupportedFormatError(
            N_("{path}: expected an OpenStreetMap file ending in .osm, .xml or .osm.pbf, found "
               "'{suffix}'. Fix: export the area from OpenStreetMap as .osm.pbf (Geofabrik, "
               "osmium extract) or .osm (JOSM, Overpass 'out meta')."),
            path=str(path), suffix=path.suffix,
        )
    if roads.empty:
        raise InputError(
            [
                Problem(
                    str(path),
                    N_("expected drivable roads (highway={highways}, …), found none."),
                    N_("check that the extract covers the area and includes highway ways "
                       "and their nodes."),
                    layer="roads",
                    params={"highways": ", ".join(sorted(DRIVABLE_HIGHWAYS)[:4])},
                )
            ]
        )
    logger.info("Read %s drivable roads from %s", f"{len(roads):,}", path)
    return roads


def _frame(records: Iterable[dict[str, Any]]) -> gpd.GeoDataFrame:
    """GeoDataFrame with the reader columns, sorted by ``osm_id``."""
    frame = pd.DataFrame.from_records(list(records), columns=list(COLUMNS))
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    gdf["osm_id"] = gdf["osm_id"].astype("int64")
    return gdf.sort_values("osm_id").reset_index(drop=True)


def _corrupt(path: Path, detail: str, fmt: str) -> InputError:
    """The error for an unreadable OSM file."""
    return InputError(
        [
            Problem(
                str(path),
                N_("expected a readable {format} file, but it seems truncated or corrupt "
                   "({detail})."),
                N_("re-download or re-export the extract (an interrupted download leaves a "
                   "truncated file) and check it opens with 'osmium fileinfo'."),
                layer="roads",
                params={"format": fmt, "detail": detail},
            )
        ]
    )


def _read_pbf(path: Path) -> gpd.GeoDataFrame:
    """Drivable ways of a PBF file through pyosmium."""
    records: list[dict[str, Any]] = []
    incomplete = 0
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):  # the entity filter passes ways only
                continue
            tags = {key: way.tags.get(key) for key in ROAD_TAGS}
            if tags["highway"] not in DRIVABLE_HIGHWAYS:
                continue
            if not all(node.location.valid() for node in way.nodes):
                incomplete += 1
                continue
            coords = [(node.lon, node.lat) for node in way.nodes]
            if len(coords) < 2:
                incomplete += 1
                continue
            records.append({"osm_id": way.id, **tags, "geometry": LineString(coords)})
    except RuntimeError as exc:  # libosmium reports format errors as RuntimeError
        raise _corrupt(path, str(exc), "OSM PBF") from exc
    return _with_incomplete(_frame(records), path, incomplete)


def _read_xml(path: Path) -> gpd.GeoDataFrame:
    """Drivable ways of an OSM XML file through osmnx."""
    # imported here: osmnx brings matplotlib, 0.8 s of every start of the app and the CLI
    import osmnx as ox
    from osmnx._errors import InsufficientResponseError

    try:
        features = ox.features_from_xml(path, tags={"highway": sorted(DRIVABLE_HIGHWAYS)})
    except ParseError as exc:  # osmnx checks the root element with ElementTree first
        raise _corrupt(path, f"XML error: {exc}", "OSM XML") from exc
    except xml.sax.SAXParseException as exc:
        raise _corrupt(
            path, f"XML error at line {exc.getLineNumber()}: {exc.getMessage()}", "OSM XML"
        ) from exc
    except (UnicodeDecodeError, EOFError, OSError) as exc:  # binary or broken .bz2/.gz
        raise _corrupt(path, str(exc), "OSM XML") from exc
    except InsufficientResponseError:
        return _frame([])
    if features.empty:
        return _frame([])
    features = features.reset_index()
    ways = features[(features["element"] == "way") & features["highway"].isin(DRIVABLE_HIGHWAYS)]
    usable = (ways.geom_type == "LineString") & ~ways.geometry.is_empty
    ways = ways[usable]
    # osmnx leaves out a way it cannot build (a node missing) without a word: count them
    incomplete = len(_drivable_way_ids(path) - set(ways["id"].astype("int64")))
    records = (
        {
            "osm_id": row["id"],
            **{key: _tag(row, key) for key in ROAD_TAGS},
            "geometry": row["geometry"],
        }
        for _, row in ways.iterrows()
    )
    return _with_incomplete(_frame(records), path, incomplete)


def _drivable_way_ids(path: Path) -> set[int]:
    """Ids of the ways with a drivable ``highway`` tag in an OSM XML file (streamed)."""
    name = path.name.lower()
    opener = bz2.open if name.endswith(".bz2") else gzip.open if name.endswith(".gz") else open
    ids: set[int] = set()
    with opener(path, "rb") as handle:
        for _event, element in iterparse(handle):
            if element.tag == "way":
                if any(tag.get("k") == "highway" and tag.get("v") in DRIVABLE_HIGHWAYS
                       for tag in element.iter("tag")):
                    ids.add(int(element.get("id", "0")))
                element.clear()
            elif element.tag in ("node", "relation"):
                element.clear()
    return ids


def _tag(row: pd.Series, key: str) -> str | None:
    """Tag value of an osmnx feature row (missing -> None)."""
    value = row.get(key)
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _with_incomplete(frame: gpd.GeoDataFrame, path: Path, count: int) -> gpd.GeoDataFrame:
    """``frame`` recording ``count`` ways dropped for nodes missing from the file.

    The dataset loader turns the count into a warning said in the reader's language
    (:func:`incomplete_warning`).
    """
    frame.attrs[INCOMPLETE_WAYS] = count
    if count:
        logger.info("%s: dropped %s highway ways whose nodes are not all in the file", path,
                    f"{count:,}")
    return frame


def incomplete_warning(count: int) -> Text:
    """The warning for ``count`` highway ways dropped for nodes missing from the file."""
    return Text(N_("dropped {count} highway ways whose nodes are not all in the file (the "
                   "extract was clipped). Fix: extract with 'osmium extract -s complete_ways' "
                   "to keep them."), count=Num(count))
