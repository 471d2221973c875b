"""``to_html``: the map as one self-contained HTML file (Leaflet and data inlined)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import folium

from covplan.i18n import N_
from covplan.mapview.assets import MapAssetsError, inline_assets, localize, remote_assets

logger = logging.getLogger(__name__)


def to_html_string(fmap: folium.Map) -> str:
    """The page of ``fmap`` with Leaflet and every layer inlined.

    Raises
    ------
    covplan.mapview.assets.MapAssetsError
        When the page would still load a script or stylesheet from the network.
    """
    page = inline_assets(localize(fmap).get_root().render())
    remote = remote_assets(page)
    if remote:
        raise MapAssetsError(
            N_("the map would load {count} script/stylesheet(s) from the network ({urls}); "
               "only covplan's local assets can go into an offline map"),
            count=len(remote), urls=", ".join(remote[:3]),
        )
    return page


def to_html(fmap: folium.Map, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``fmap`` to ``path`` as one HTML file that opens with no internet.

    The file is written to a temporary file beside ``path`` and renamed into place, so a
    reader never sees half a map. Web tiles, if the map has them, still need the network;
    the hillshade basemap and every data layer do not.

    Parameters
    ----------
    fmap
        A map from :func:`covplan.mapview.build_map` (or any folium map using only Leaflet).
    path
        Output file (``.html``); its folder must exist.
    overwrite
        Replace an existing file; when False an existing file raises FileExistsError.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    page = to_html_string(fmap)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    logger.info("Wrote map %s (%.1f MB)", target, len(page.encode("utf-8")) / 1e6)
    return target
