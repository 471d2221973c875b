"""One loader per vector layer, each usable alone: read, validate, normalise, reproject."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import CRS

from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.io.checks import check_columns, check_geometry, check_in_vietnam, check_not_empty
from covplan.io.context import FileContext
from covplan.io.crs import utm_crs_for
from covplan.io.layers import (
    apply_values,
    normalise_communes,
    normalise_fibre,
    normalise_pois,
    normalise_roads,
    normalise_villages,
)
from covplan.io.manifest import LayerSpec
from covplan.io.sites import normalise_sites
from covplan.io.vector import context_for, read_vector
from covplan.schema import REQUIRED

logger = logging.getLogger(__name__)

Normaliser = Callable[[gpd.GeoDataFrame, FileContext, LayerSpec], gpd.GeoDataFrame]

_NORMALISERS: dict[str, Normaliser] = {
    "sites": lambda f, c, s: normalise_sites(f, c),
    "villages": lambda f, c, s: normalise_villages(f, c),
    "communes": lambda f, c, s: normalise_communes(f, c),
    "roads": lambda f, c, s: normalise_roads(f, c),
    "fibre": lambda f, c, s: normalise_fibre(f, c),
    "pois": lambda f, c, s: normalise_pois(f, c),
}


def _spec(source: str | Path | LayerSpec, layer: str, **kwargs: object) -> LayerSpec:
    if isinstance(source, LayerSpec):
        return source
    return LayerSpec(layer, (Path(source),), **kwargs)  # type: ignore[arg-type]


def read_layer(spec: LayerSpec) -> tuple[gpd.GeoDataFrame, FileContext]:
    """Read and validate one vector layer in its own CRS; problems are left in the context."""
    ctx = context_for(spec)
    frame = read_vector(spec, ctx)
    frame = apply_values(check_columns(frame, ctx), spec.values, ctx)
    if check_not_empty(frame, ctx):
        frame = check_geometry(frame, ctx)
        check_in_vietnam(frame, ctx)
        if all(c in frame.columns for c in REQUIRED[spec.name] if c != "road_class"):
            frame = _NORMALISERS[spec.name](frame, ctx, spec)
    # a column dataset.toml maps is named as the user's file names it too
    written = {k: v for k, v in spec.columns.items() if k != v}
    ctx.problems[:] = [replace(p, written=written[p.column])
                       if p.column in written and p.written is None else p
                       for p in ctx.problems]
    return frame, ctx


def to_working_crs(frame: gpd.GeoDataFrame, crs: CRS | None) -> gpd.GeoDataFrame:
    """Reproject to ``crs``, or to the UTM zone of the frame's centre when ``crs`` is None."""
    if crs is None:
        crs = utm_crs_for(*centre_lonlat([frame]))
    return frame.to_crs(crs)


def centre_lonlat(frames: list[gpd.GeoDataFrame]) -> tuple[float, float]:
    """Longitude and latitude of the centre of the frames' combined bounds.

    Raises
    ------
    covplan.errors.InputError
        No frame has a feature with a location (nothing to place the working CRS by).
    """
    boxes = np.array([f.to_crs(4326).total_bounds for f in frames if len(f) and f.crs])
    boxes = boxes[np.isfinite(boxes).all(axis=1)] if len(boxes) else boxes
    if not len(boxes):
        raise InputError(
            [
                Problem(
                    "dataset",
                    N_("expected at least one vector layer (communes, villages, roads, sites, "
                       "fibre or points of interest) with located features, to choose the "
                       "working CRS from; found none."),
                    N_("add the communes (or another vector layer) to the dataset, or set "
                       'crs = "EPSG:32648" (the UTM zone of the area) under [dataset].'),
                )
            ]
        )
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    east, north = boxes[:, 2].max(), boxes[:, 3].max()
    return float((west + east) / 2), float((south + north) / 2)


def load_layer(
    layer: str,
    source: str | Path | LayerSpec,
    *,
    crs: CRS | str | None = None,
    columns: dict[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Load one vector layer on its own.

    Parameters
    ----------
    layer
        ``{"sites", "villages", "communes", "roads", "fibre", "pois"}``.
    source
        A file path, or a :class:`LayerSpec` from a manifest.
    crs
        Working CRS; default the UTM zone of the data.
    columns
        ``{contract_column: file_column}`` renames (as in ``dataset.toml``).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in the working CRS, with the notes of what was done in ``.attrs["notes"]``.

    Raises
    ------
    covplan.errors.InputError
        With every problem found in the file.
    """
    spec = _spec(source, layer, columns=columns or {})
    frame, ctx = read_layer(spec)
    ctx.raise_if_problems()
    frame = to_working_crs(frame, CRS.from_user_input(crs) if crs is not None else None)
    frame.attrs["notes"] = list(ctx.notes)
    logger.info("Loaded %d %s from %s", len(frame), layer, spec.label)
    return frame


def load_sites(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load a sites file (one row per sector); see :func:`load_layer`."""
    return load_layer("sites", source, **kwargs)  # type: ignore[arg-type]


def load_villages(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load a villages file (polygons or settlement points); see :func:`load_layer`."""
    return load_layer("villages", source, **kwargs)  # type: ignore[arg-type]


def load_communes(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load a communes file; see :func:`load_layer`."""
    return load_layer("communes", source, **kwargs)  # type: ignore[arg-type]


def load_roads(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load a roads file, deriving ``road_class`` from OSM tags when absent."""
    return load_layer("roads", source, **kwargs)  # type: ignore[arg-type]


def load_fibre(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load fibre routes or access nodes; see :func:`load_layer`."""
    return load_layer("fibre", source, **kwargs)  # type: ignore[arg-type]


def load_pois(source: str | Path | LayerSpec, **kwargs: object) -> gpd.GeoDataFrame:
    """Load points of interest; see :func:`load_layer`."""
    return load_layer("pois", source, **kwargs)  # type: ignore[arg-type]
