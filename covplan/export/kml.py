"""KML for Google Earth users: layers as folders, WGS 84, styled like the app's map.

GDAL's LIBKML driver (through pyogrio) writes the placemarks, with every attribute as
``ExtendedData`` and the ``name`` column as the placemark's name. GDAL cannot attach a
style to a feature from Python, so the file is then given one ``<Style>`` per layer
(colours of :mod:`covplan.mapview.style`) before it is renamed into place.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from covplan.export.atomic import write_atomic
from covplan.export.tables import _plain
from covplan.mapview import style

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"

#: Line colour, line width (px) and fill colour of each known layer (RGB hex).
LAYER_STYLES: dict[str, tuple[str, float, str]] = {
    "road_gaps": (style.ROAD_GAP, 4.0, style.ROAD_GAP),
    "village_gaps": (style.FIBRE_COLOURS[False], 2.0, style.FIBRE_COLOURS[False]),
    "poi_gaps": (style.POI_COLOURS["hospital"], 2.0, style.POI_COLOURS["hospital"]),
    "sites": (style.TECHNOLOGY_COLOURS["4G"], 2.0, style.TECHNOLOGY_COLOURS["4G"]),
    "commune_summary": (style.COMMUNE_COLOUR, 1.5, "#ffffff"),
}
_DEFAULT_STYLE = ("#333333", 2.0, "#888888")


def kml_colour(rgb_hex: str, alpha: float = 1.0) -> str:
    """A ``#rrggbb`` colour as KML's ``aabbggrr``.

    Examples
    --------
    >>> kml_colour("#e7298a", 0.5)
    '808a29e7'
    """
    value = rgb_hex.lstrip("#")
    return f"{round(alpha * 255):02x}{value[4:6]}{value[2:4]}{value[0:2]}"


#: Column written as each placemark's name (GDAL's ``LIBKML_NAME_FIELD``), not as data.
NAME_FIELD = "placemark"
#: Columns tried, in order, for the placemark name.
_NAME_SOURCES = ("road", "name", "site_id", "village_id", "code")


def placemark_names(frame: pd.DataFrame) -> pd.Series:
    """What Google Earth shows for each row: road label, name, site/sector or id."""
    names = pd.Series("", index=frame.index, dtype=object)
    for column in _NAME_SOURCES:
        if column not in frame.columns:
            continue
        text = frame[column].astype("string").fillna("").astype(str)
        if column == "site_id" and "sector" in frame.columns:
            text = text + "/" + frame["sector"].astype("string").fillna("").astype(str)
        names = names.where(names != "", text)
    return names.where(names != "", pd.Series([str(i) for i in frame.index], index=frame.index))


def _kml_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in WGS 84 with plain column types and the placemark-name column."""
    out = frame.to_crs(4326) if frame.crs is not None else frame
    plain = _plain(pd.DataFrame(out)).assign(**{NAME_FIELD: placemark_names(out)})
    return gpd.GeoDataFrame(plain, geometry=frame.geometry.name, crs=out.crs)


def _style(layer: str) -> ET.Element:
    line, width, fill = LAYER_STYLES.get(layer, _DEFAULT_STYLE)
    node = ET.Element(f"{{{KML_NS}}}Style", id=f"covplan-{layer}")
    icon = ET.SubElement(node, f"{{{KML_NS}}}IconStyle")
    ET.SubElement(icon, f"{{{KML_NS}}}color").text = kml_colour(line)
    ET.SubElement(icon, f"{{{KML_NS}}}scale").text = "0.9"
    line_style = ET.SubElement(node, f"{{{KML_NS}}}LineStyle")
    ET.SubElement(line_style, f"{{{KML_NS}}}color").text = kml_colour(line)
    ET.SubElement(line_style, f"{{{KML_NS}}}width").text = f"{width:g}"
    poly = ET.SubElement(node, f"{{{KML_NS}}}PolyStyle")
    ET.SubElement(poly, f"{{{KML_NS}}}color").text = kml_colour(fill, 0.35)
    return node


def add_styles(path: Path, layers: list[str]) -> None:
    """Give every placemark of each layer folder (``<Document id=layer>``) its layer style."""
    ET.register_namespace("", KML_NS)
    tree = ET.parse(path)
    root = tree.getroot().find(f"{{{KML_NS}}}Document")
    if root is None:
        return
    for position, layer in enumerate(layers):
        root.insert(position, _style(layer))
    for folder in root.iter(f"{{{KML_NS}}}Document"):
        layer = folder.get("id", "")
        if layer not in layers:
            continue
        for placemark in folder.iter(f"{{{KML_NS}}}Placemark"):
            url = ET.Element(f"{{{KML_NS}}}styleUrl")
            url.text = f"#covplan-{layer}"
            placemark.insert(1 if placemark.find(f"{{{KML_NS}}}name") is not None else 0, url)
    tree.write(path, encoding="UTF-8", xml_declaration=True)


def to_kml(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path, *,
           overwrite: bool = False) -> Path:
    """Write ``layers`` as one KML file (one folder per layer), atomically.

    Parameters
    ----------
    layers
        ``{layer name: GeoDataFrame}`` in any CRS (reprojected to WGS 84). Every column
        is kept as ``ExtendedData``; the placemark name is the road label, else ``name``,
        else ``site_id/sector`` (:func:`placemark_names`). Empty layers are left out.
    path
        The ``.kml`` file.
    overwrite
        Replace an existing file.
    """
    kept = {name: frame for name, frame in layers.items() if len(frame)}

    def write(tmp: Path) -> None:
        previous = pyogrio.get_gdal_config_option("LIBKML_NAME_FIELD")
        pyogrio.set_gdal_config_options({"LIBKML_NAME_FIELD": NAME_FIELD})
        try:
            for number, (name, frame) in enumerate(kept.items()):
                _kml_frame(frame).to_file(tmp, layer=name, driver="LIBKML",
                                          engine="pyogrio", append=number > 0)
        finally:
            pyogrio.set_gdal_config_options({"LIBKML_NAME_FIELD": previous})
        if not kept:
            tmp.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="{KML_NS}">'
                           "<Document/></kml>\n", encoding="utf-8")
        add_styles(tmp, list(kept))

    write_atomic(path, write, overwrite=overwrite)
    logger.info("KML %s: %s", path, ", ".join(f"{n}: {len(f):,}" for n, f in kept.items()))
    return Path(path)
