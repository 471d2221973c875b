"""The :class:`Dataset`: every layer of a province, validated and in one metric CRS."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from covplan.errors import ConfigError, CovplanError, InputError, Problem
from covplan.grid import GridSpec, Raster
from covplan.io.crs import utm_crs_for
from covplan.io.loaders import centre_lonlat, read_layer
from covplan.io.manifest import Manifest, discover
from covplan.io.raster import load_population, load_terrain
from covplan.schema import VECTOR_LAYERS

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A province's layers, validated, normalised to the contract and in ``crs``.

    Parameters
    ----------
    name
        Display name (from the manifest, else the folder name).
    path
        The folder or file it was loaded from.
    crs
        The metric working CRS of every layer.
    vectors
        ``{layer: GeoDataFrame}`` for the vector layers present.
    terrain, population
        Rasters in ``crs``, when present.
    synthetic
        True for generated data (the demo province).
    attribution
        Data sources to credit wherever the data are shown.
    notes
        What loading did: defaults applied, geometries repaired, voids filled.
    province
        The province the data cover, as the manifest names it ("" when not given).
    warnings
        What the user must see although the dataset loads (a layer that covers the study
        area only in part, rows left out): printed by every command, shown in the app and
        the report.
    """

    name: str
    path: Path
    crs: CRS
    vectors: dict[str, gpd.GeoDataFrame]
    terrain: Raster | None = None
    population: Raster | None = None
    synthetic: bool = False
    description: str = ""
    attribution: str = ""
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())
    province: str = ""

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """A vector layer, or None when the dataset has none."""
        return self.vectors.get(name)

    @property
    def sites(self) -> gpd.GeoDataFrame | None:
        """Sectors (one row per sector)."""
        return self.vectors.get("sites")

    @property
    def communes(self) -> gpd.GeoDataFrame | None:
        """Commune and ward polygons."""
        return self.vectors.get("communes")

    @property
    def villages(self) -> gpd.GeoDataFrame | None:
        """Village polygons."""
        return self.vectors.get("villages")

    @property
    def roads(self) -> gpd.GeoDataFrame | None:
        """Road lines with ``road_class``."""
        return self.vectors.get("roads")

    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in ``crs``: the communes' extent, else every layer's."""
        frames = [self.communes] if self.communes is not None else list(self.vectors.values())
        boxes = np.array([f.total_bounds for f in frames if f is not None and len(f)])
        if not len(boxes):
            if self.terrain is None:
                raise CovplanError(f"{self.name}: the dataset has no layer with an extent")
            return self.terrain.grid.bounds
        return (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())

    def area(self) -> shapely.Geometry | None:
        """The province outline (union of communes), when communes are present."""
        if self.communes is None:
            return None
        return shapely.union_all(self.communes.geometry.to_numpy())

    def grid(self, resolution_m: float = 30.0) -> GridSpec:
        """The working grid over :meth:`bounds` at ``resolution_m``."""
        return GridSpec.from_bounds(self.bounds(), resolution_m, self.crs)


def _choose_crs(manifest: Manifest, frames: list[gpd.GeoDataFrame], crs: object) -> CRS:
    if crs is not None:
        from pyproj.exceptions import CRSError

        try:
            chosen = CRS.from_user_input(crs)
        except CRSError:
            raise ConfigError(
                f"crs {crs!r} is not a coordinate reference system pyproj knows. Fix: give an "
                "EPSG code such as EPSG:32648 (UTM 48N, northern Vietnam)."
            ) from None
        if not chosen.is_projected:
            raise ConfigError(
                f"crs {crs!r}: the working CRS must be metric (projected), found {chosen.name}. "
                "Fix: give e.g. EPSG:32648 (UTM 48N, northern Vietnam), or none to use the UTM "
                "zone of the data."
            )
        return chosen
    if manifest.crs:
        return CRS.from_user_input(manifest.crs)
    return utm_crs_for(*centre_lonlat(frames))


def _read_vectors(
    manifest: Manifest,
) -> tuple[dict[str, gpd.GeoDataFrame], list[Problem], list[str], list[str]]:
    frames: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    warnings: list[str] = []
    for name in VECTOR_LAYERS:
        spec = manifest.layers.get(name)
        if spec is None:
            continue
        try:
            frame, ctx = read_layer(spec)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(ctx.problems)
        notes.extend(ctx.notes)
        warnings.extend(ctx.warnings)
        frames[name] = frame
    return frames, problems, notes, warnings


def load_dataset(
    path: str | Path, *, crs: CRS | str | int | None = None, confined: bool = False
) -> Dataset:
    """Load a dataset folder (or ``dataset.toml``, or GeoPackage) with every layer validated.

    All problems in all vector layers are collected and raised together, before any
    raster work starts.

    Parameters
    ----------
    path
        Folder of layer files, its ``dataset.toml``, or a GeoPackage with one layer per
        covplan layer.
    crs
        Working CRS; default the manifest's ``crs``, else the UTM zone of the data's centre.
    confined
        Refuse every file outside the dataset folder, whatever the manifest says (uploads).

    Raises
    ------
    covplan.errors.InputError
        Listing every problem found.
    covplan.errors.DataFileNotFoundError, covplan.errors.UnsupportedFormatError,
    covplan.errors.ConfigError
        For a missing file, an unreadable format, or a malformed manifest.
    """
    manifest = discover(path, confined=confined)
    if not manifest.layers:
        raise InputError(
            [
                Problem(
                    file=str(path),
                    message="no layer files found.",
                    fix="name files sites.csv, communes.gpkg, roads.gpkg, terrain.tif … or add a "
                    "dataset.toml that maps your files onto covplan's layers.",
                )
            ]
        )
    frames, problems, notes, warnings = _read_vectors(manifest)
    if problems:
        raise InputError(problems)
    work = _choose_crs(manifest, list(frames.values()), crs)
    vectors = {name: frame.to_crs(work) for name, frame in frames.items()}
    dataset = Dataset(
        name=manifest.name,
        path=Path(path),
        crs=work,
        vectors=vectors,
        synthetic=manifest.synthetic,
        description=manifest.description,
        attribution=manifest.attribution,
    )
    terrain = population = None
    if "terrain" in manifest.layers:
        terrain = load_terrain(manifest.layers["terrain"], work, _padded(dataset.bounds()))
        notes.extend(terrain.notes)
    if "population" in manifest.layers:
        population = load_population(manifest.layers["population"], work)
        notes.extend(population.notes)
    from covplan.io.derive import complete_layers

    vectors, derived = complete_layers(vectors, population)
    notes.extend(derived)
    for note in notes:
        logger.info("%s", note)
    for warning in warnings:
        logger.warning("%s", warning)
    logger.info(
        "Loaded dataset %s: %s",
        manifest.name,
        ", ".join(f"{len(f):,} {n}" for n, f in vectors.items()),
    )
    return Dataset(
        name=manifest.name,
        path=Path(path),
        crs=work,
        vectors=vectors,
        terrain=terrain,
        population=population,
        synthetic=manifest.synthetic,
        description=manifest.description,
        attribution=manifest.attribution,
        notes=tuple(notes),
        warnings=tuple(warnings),
        province=manifest.province,
    )


def _padded(
    bounds: tuple[float, float, float, float], pad_m: float = 5_000.0
) -> tuple[float, float, float, float]:
    return (bounds[0] - pad_m, bounds[1] - pad_m, bounds[2] + pad_m, bounds[3] + pad_m)
