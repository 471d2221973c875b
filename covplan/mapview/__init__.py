"""Interactive maps: folium maps that work offline, for the app and the HTML export.

This package never imports streamlit: the app passes :func:`build_map`'s result to
``streamlit_folium.st_folium``, and the export writes it with :func:`to_html`.
"""

from covplan.mapview.assets import MapAssetsError
from covplan.mapview.build import build_map
from covplan.mapview.html import to_html, to_html_string
from covplan.mapview.layers import (
    add_communes,
    add_coverage_overlay,
    add_fibre,
    add_hillshade,
    add_pois,
    add_road_coverage,
    add_road_gaps,
    add_roads,
    add_sites,
    add_villages,
)
from covplan.mapview.sites import sector_wedge

__all__ = [
    "MapAssetsError",
    "add_communes",
    "add_coverage_overlay",
    "add_fibre",
    "add_hillshade",
    "add_pois",
    "add_road_coverage",
    "add_road_gaps",
    "add_roads",
    "add_sites",
    "add_villages",
    "build_map",
    "sector_wedge",
    "to_html",
    "to_html_string",
]
