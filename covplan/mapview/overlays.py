"""Raster layers: the RSRP coverage overlay per technology and the offline hillshade basemap."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Protocol

import folium
import numpy as np
from rasterio.warp import Resampling

from covplan.grid import Raster
from covplan.mapview import style
from covplan.mapview._memo import by_identity
from covplan.mapview._raster import (
    MercatorImage,
    hillshade,
    jpeg_data_url,
    palette_png_data_url,
    warp_to_mercator,
)
from covplan.metrics.signal import rsrp_source
from covplan.tiled import TiledRaster

if TYPE_CHECKING:
    from matplotlib.colors import Colormap

logger = logging.getLogger(__name__)

#: Value given to no-signal cells before averaging, so mixed pixels read as weak (dBm).
NO_SIGNAL_DBM = -200.0
#: Paper colour of the basemap where there is no terrain.
PAPER_RGB = (242, 239, 233)

#: Hypsometric tints of the hillshade, low to high.
_TINTS = ("#b9d3a6", "#dfe3b2", "#e8d6a8", "#cfb38c", "#b49a82", "#e9e6e1")


@functools.cache
def _tint() -> Colormap:
    """The hillshade's colour ramp (matplotlib is imported here, not on every app start)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("covplan_hypsometric", list(_TINTS))


class CoverageLike(Protocol):
    """What the map needs of a coverage grid (``covplan.predict.CoverageGrid``)."""

    @property
    def technology(self) -> str:
        """``"4G"`` or ``"5G"``."""
        ...

    @property
    def rsrp_dbm(self) -> Raster:
        """Best-server RSRP in dBm (NaN = no signal)."""
        ...


#: Longest side of a coverage overlay image, pixels.
COVERAGE_MAX_PX = 1400

LatLonBounds = tuple[tuple[float, float], tuple[float, float]]


@by_identity
def coverage_image(rsrp_dbm: Raster | TiledRaster, *, max_px: int
                   ) -> tuple[str, LatLonBounds, float]:
    """The RSRP grid in dBm classes as a PNG data URL, its corners and its pixel size (m).

    Remembered for as long as the grid lives: the app's evaluator hands back the same grid
    object for a technology whose sectors did not change, so only the edited technology's
    image is drawn again (pass :func:`covplan.metrics.signal.rsrp_source`'s answer, the
    same object each time).
    """
    image = warp_to_mercator(rsrp_dbm, max_px=max_px, fill_value=NO_SIGNAL_DBM)
    classes = style.rsrp_class(image.data)
    url = palette_png_data_url(classes, style.RSRP_COLOURS, style.RSRP_ALPHAS)
    return url, image.bounds_latlon, image.pixel_ground_m


@by_identity
def speed_image(mbps: Raster, *, max_px: int) -> tuple[str, LatLonBounds, float]:
    """A downlink-speed grid in Mb/s classes as a PNG data URL, its corners, pixel size.

    A grid whose units are ``"dB"`` (a SINR) is drawn in the SINR's dB classes.
    """
    sinr = mbps.units == "dB"
    image = warp_to_mercator(mbps, max_px=max_px, fill_value=-50.0 if sinr else 0.0)
    classes = style.sinr_class(image.data) if sinr else style.speed_class(image.data)
    url = palette_png_data_url(classes, style.RSRP_COLOURS, style.RSRP_ALPHAS)
    return url, image.bounds_latlon, image.pixel_ground_m


def add_coverage_overlay(
    fmap: folium.Map | folium.FeatureGroup,
    coverage: CoverageLike,
    *,
    name: str | None = None,
    max_px: int = COVERAGE_MAX_PX,
    opacity: float = 0.6,
    show: bool = True,
    image_url: str | None = None,
) -> folium.raster_layers.ImageOverlay:
    """Add the RSRP grid of ``coverage`` as a semi-transparent image in dBm classes.

    The grid is warped to Web Mercator and averaged down to at most ``max_px`` pixels a
    side (in dB, with no-signal cells counted as :data:`NO_SIGNAL_DBM`), then drawn in the
    classes of :data:`covplan.mapview.style.RSRP_EDGES_DBM` as a paletted PNG.

    Parameters
    ----------
    fmap
        The map.
    coverage
        Object with ``technology`` and ``rsrp_dbm`` (a :class:`~covplan.grid.Raster`).
    name
        Name in the layer control; default ``"<technology> coverage (RSRP)"``.
    max_px
        Longest side of the image in pixels.
    opacity
        Opacity of the whole overlay (each class has its own alpha on top).
    show
        Whether the layer starts visible.
    image_url
        What the overlay loads instead of the image as a data URL (:func:`coverage_image`
        gives that URL): a stand-in the caller replaces in the rendered script spares the
        template engine a few hundred kilobytes of base64.
    """
    url, bounds, pixel_m = coverage_image(rsrp_source(coverage), max_px=max_px)
    logger.debug(
        "Coverage overlay %s: %.0f m pixels, %d kB",
        coverage.technology,
        pixel_m,
        len(url) // 1024,
    )
    overlay = folium.raster_layers.ImageOverlay(
        url if image_url is None else image_url,
        bounds=[list(corner) for corner in bounds],
        name=name or f"{coverage.technology} coverage (RSRP)",
        opacity=opacity,
        pixelated=False,
        show=show,
        pane="covplan-coverage",
        interactive=False,
    )
    overlay.add_to(fmap)
    return overlay


def hillshade_rgb(terrain: Raster, *, max_px: int = 1600) -> tuple[np.ndarray, MercatorImage]:
    """Tinted hillshade of ``terrain`` as an RGB uint8 image on a Web Mercator grid.

    Returns the image and the warped elevation (whose bounds place the image).
    """
    image = warp_to_mercator(terrain, max_px=max_px, resampling=Resampling.average)
    elevation = image.data.astype(np.float64)
    valid = np.isfinite(elevation)
    filled = np.where(valid, elevation, np.nanmean(elevation) if valid.any() else 0.0)
    shade = hillshade(filled, image.pixel_ground_m, exaggeration=2.0)
    low, high = np.percentile(filled[valid], [2, 98]) if valid.any() else (0.0, 1.0)
    tint = _tint()(np.clip((filled - low) / max(high - low, 1.0), 0, 1))[..., :3]
    rgb = tint * (0.45 + 0.55 * shade[..., None]) * 255
    rgb[~valid] = PAPER_RGB
    return np.clip(rgb, 0, 255).astype(np.uint8), image


@by_identity
def _hillshade_image(terrain: Raster, *, max_px: int) -> tuple[str, MercatorImage]:
    """The hillshade as a JPEG data URL, computed once per terrain raster."""
    rgb, image = hillshade_rgb(terrain, max_px=max_px)
    return jpeg_data_url(rgb), image


def add_hillshade(
    fmap: folium.Map,
    terrain: Raster,
    *,
    name: str = "Terrain (offline)",
    max_px: int = 1600,
    attribution: str = "",
    show: bool = True,
) -> folium.raster_layers.ImageOverlay:
    """Add an offline basemap: hillshade with an elevation tint, as a base layer.

    It is a JPEG drawn from the dataset's own terrain, so it needs no tile server.

    Parameters
    ----------
    fmap
        The map.
    terrain
        Elevation in metres (NaN allowed).
    name
        Name in the layer control.
    max_px
        Longest side of the image in pixels.
    attribution
        Credit shown while the layer is displayed.
    show
        Whether this base layer is the one shown first.
    """
    url, image = _hillshade_image(terrain, max_px=max_px)
    overlay = folium.raster_layers.ImageOverlay(
        url,
        bounds=[list(corner) for corner in image.bounds_latlon],
        name=name,
        overlay=False,
        pixelated=False,
        show=show,
        pane="covplan-basemap",
        interactive=False,
        attribution=attribution,
    )
    overlay.add_to(fmap)
    return overlay


def add_panes(fmap: folium.Map) -> None:
    """Create the panes that keep rasters under the vector layers.

    The basemap sits with the tiles (z 200), coverage just below the vectors (z 350).
    """
    folium.map.CustomPane("covplan-basemap", z_index=200, pointer_events=False).add_to(fmap)
    folium.map.CustomPane("covplan-coverage", z_index=350, pointer_events=False).add_to(fmap)
