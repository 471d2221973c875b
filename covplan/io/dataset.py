"""The :class:`Dataset`: every layer of a province, validated and in one metric CRS."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from covplan import settings
from covplan.calibration.correction import Calibration, read_calibration
from covplan.errors import ConfigError, CovplanError, InputError, LimitError, Problem
from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Language, Name, Num, Text, language, said
from covplan.io.crs import utm_crs_for
from covplan.io.derive import complete_layers
from covplan.io.landcover import load_landcover
from covplan.io.loaders import centre_lonlat, read_layer
from covplan.io.manifest import Manifest, discover, outside_folder
from covplan.io.terrain import TerrainCoverage, load_terrain
from covplan.io.zonal import POPULATION_WARN_SHARE, load_population
from covplan.predict.environment import RadioEnvironment
from covplan.radio.clutter import ClutterTable
from covplan.radio.patterns import AntennaPattern, read_msi
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
    terrain_coverage
        The share of the study area the terrain covers and what the prediction does beyond
        it (None for a dataset assembled in code, not loaded).
    landcover, clutter
        Land-cover class values in ``crs`` and their class table (clutter loss at the
        receiver, :mod:`covplan.radio.clutter`), when the dataset has a land-cover layer.
    calibration
        The calibration the manifest names (``[dataset] calibration``), applied to every
        prediction of the dataset; None for the model as published.
    antenna_patterns
        Vendor patterns (:mod:`covplan.radio.patterns`) by the name the sites'
        ``antenna_pattern`` column gives them.
    as_of
        The date the data describe (the manifest's ``as_of``: a snapshot), when given.
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
    terrain_coverage: TerrainCoverage | None = None
    landcover: Raster | None = None
    clutter: ClutterTable | None = None
    calibration: Calibration | None = None
    antenna_patterns: dict[str, AntennaPattern] = field(default_factory=dict)
    as_of: dt.date | None = None

    def environment(self, *, calibrated: bool = True) -> RadioEnvironment:
        """What every prediction of this dataset adds to the model (a memoised environment).

        Land-cover clutter, the calibration (left out when ``calibrated`` is False) and the
        vendor antenna patterns.
        """
        key = "_environment" if calibrated else "_environment_uncalibrated"
        found = self.__dict__.get(key)
        if found is None:
            found = RadioEnvironment(self.landcover, self.clutter,
                                     self.calibration if calibrated else None,
                                     dict(self.antenna_patterns))
            self.__dict__[key] = found  # frozen: memoised outside the fields
        return found

    def calibration_statement(self, lang: Language | None = None) -> str:
        """Which calibration the predictions use, in one sentence in ``lang`` (every output)."""
        from covplan.calibration.correction import calibration_phrase

        return calibration_phrase(self.calibration)(lang or language("en"))

    def terrain_statement(self, lang: Language | None = None) -> str:
        """What the prediction stands on, in one sentence in ``lang`` (for every output)."""
        lang = lang or language("en")
        if self.terrain_coverage is not None:
            return self.terrain_coverage.describe(lang)
        if self.terrain is None:
            return TerrainCoverage(0.0).describe(lang)
        return lang._("terrain given")

    def warnings_in(self, lang: Language) -> list[str]:
        """The dataset's warnings in ``lang``."""
        return [said(warning, lang) for warning in self.warnings]

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
                raise CovplanError(N_("{name}: the dataset has no layer with an extent"),
                                   name=self.name)
            return self.terrain.grid.bounds
        return (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())

    def area(self) -> shapely.Geometry | None:
        """The province outline (union of communes), when communes are present."""
        if self.communes is None:
            return None
        return shapely.union_all(self.communes.geometry.to_numpy())

    def grid(self, resolution_m: float = 30.0) -> GridSpec:
        """The working grid over :meth:`bounds` at ``resolution_m``.

        Raises
        ------
        covplan.errors.LimitError
            The grid would have more cells than :data:`covplan.settings.max_grid_cells`;
            the message gives the finest resolution that fits.
        """
        if not math.isfinite(resolution_m) or resolution_m <= 0:
            raise ConfigError(
                N_("resolution {resolution} m: expected a positive number of metres. Fix: give "
                   "e.g. --resolution 30."),
                resolution=repr(resolution_m),
            )
        minx, miny, maxx, maxy = self.bounds()
        cells = math.ceil((maxx - minx) / resolution_m) * math.ceil((maxy - miny) / resolution_m)
        if cells > settings.max_grid_cells:
            fits = math.sqrt((maxx - minx) * (maxy - miny) / settings.max_grid_cells)
            fits = math.ceil(fits / 5) * 5
            variable = settings.LIMIT_VARIABLES["max_grid_cells"]
            raise LimitError(
                N_("{name}: a {resolution} m grid over the study area ({width} × {height} km) "
                   "has {cells} cells, more than covplan computes ({limit}). Fix: use "
                   "--resolution {fits} or coarser, or raise the limit with {variable}=<cells> "
                   "(about 20 bytes per cell per technology)."),
                name=self.name, resolution=f"{resolution_m:g}",
                width=Num((maxx - minx) / 1000), height=Num((maxy - miny) / 1000),
                cells=Num(cells), limit=Num(settings.max_grid_cells), fits=fits,
                variable=variable,
            )
        return GridSpec.from_bounds(self.bounds(), resolution_m, self.crs)


def _choose_crs(manifest: Manifest, frames: list[gpd.GeoDataFrame], crs: object) -> CRS:
    if crs is not None:
        from pyproj.exceptions import CRSError

        try:
            chosen = CRS.from_user_input(crs)
        except CRSError:
            raise ConfigError(
                N_("crs {crs} is not a coordinate reference system pyproj knows. Fix: give an "
                   "EPSG code such as EPSG:32648 (UTM 48N, northern Vietnam)."),
                crs=repr(crs),
            ) from None
        if not chosen.is_projected:
            raise ConfigError(
                N_("crs {crs}: the working CRS must be metric (projected), found {found}. Fix: "
                   "give e.g. EPSG:32648 (UTM 48N, northern Vietnam), or none to use the UTM "
                   "zone of the data."),
                crs=repr(crs), found=chosen.name,
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
                    message=N_("no layer files found."),
                    fix=N_("name files sites.csv, communes.gpkg, roads.gpkg, terrain.tif … or "
                           "add a dataset.toml that maps your files onto covplan's layers."),
                )
            ]
        )
    frames, problems, notes, warnings = _read_vectors(manifest)
    patterns: dict[str, AntennaPattern] = {}
    if "sites" in frames:
        patterns, found = _antenna_patterns(frames["sites"], manifest)
        problems.extend(found)
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
    area = _study_area(dataset)
    coverage = TerrainCoverage(0.0)
    raster_problems: list[Problem] = []
    if "terrain" in manifest.layers:
        try:
            terrain, coverage = load_terrain(manifest.layers["terrain"], work, area)
            notes.extend(terrain.notes)
        except InputError as exc:
            raster_problems += exc.problems
    if "population" in manifest.layers:
        spec = manifest.layers["population"]
        try:
            population, share = load_population(spec, work, area)
            notes.extend(population.notes)
            if share < POPULATION_WARN_SHARE:
                warnings.append(Text(
                    N_("population ({label}) covers {share} of the study area; people beyond "
                       "it are not counted. Fix: give a population raster that covers the "
                       "whole province."),
                    label=Name(spec.label), share=Num(round(100 * share), percent=True)))
        except InputError as exc:
            raster_problems += exc.problems
    landcover, clutter = None, None
    if "landcover" in manifest.layers:
        try:
            landcover, clutter, found_warnings = load_landcover(manifest.layers["landcover"],
                                                                work, area)
            notes.extend(landcover.notes)
            warnings.extend(found_warnings)
        except InputError as exc:
            raster_problems += exc.problems
    if raster_problems:
        raise InputError(raster_problems)
    calibration = read_calibration(manifest.calibration) if manifest.calibration else None
    if coverage.partial:
        warnings.append(Text.from_phrase(coverage.phrase()))
    vectors, derived = complete_layers(vectors, population)
    notes.extend(derived)
    for note in notes:
        logger.info("%s", note)
    for warning in warnings:  # said to people by the caller, in their language
        logger.info("Warning: %s", warning)
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
        terrain_coverage=coverage,
        landcover=landcover,
        clutter=clutter,
        calibration=calibration,
        antenna_patterns=patterns,
        as_of=manifest.as_of,
    )


def _antenna_patterns(sites: gpd.GeoDataFrame, manifest: Manifest
                      ) -> tuple[dict[str, AntennaPattern], list[Problem]]:
    """The pattern files the sites name, read from inside the dataset folder."""
    if "antenna_pattern" not in sites.columns:
        return {}, []
    names = sorted({str(v).strip() for v in sites["antenna_pattern"].dropna()
                    if str(v).strip()})
    found: dict[str, AntennaPattern] = {}
    problems: list[Problem] = []
    spec = manifest.layers.get("sites")
    label = spec.label if spec is not None else "sites"
    text = spec is not None and spec.files[0].suffix.lower() in (".csv", ".tsv", ".txt")
    row_label, first = ("line", 2) if text else ("feature", 1)
    column = sites["antenna_pattern"].astype(str).str.strip().to_numpy()
    for name in names:
        path = manifest.root / name
        rows = tuple(int(i) + first for i in np.flatnonzero(column == name))
        if outside_folder(path, manifest.root):
            problems.append(Problem(
                label,
                N_("antenna_pattern {name} lies outside the dataset folder; covplan reads "
                   "pattern files only inside {folder}."),
                N_("copy the .msi file into the dataset folder and name it relative to it."),
                layer="sites", column="antenna_pattern", rows=rows, row_label=row_label,
                params={"name": repr(name), "folder": str(manifest.root)}))
            continue
        if not path.is_file():
            problems.append(Problem(
                label,
                N_("antenna_pattern {name}: no such file in {folder}."),
                N_("put the vendor's .msi/.pln file there, or correct the name (relative to "
                   "the dataset folder)."),
                layer="sites", column="antenna_pattern", rows=rows, row_label=row_label,
                params={"name": repr(name), "folder": str(manifest.root)}))
            continue
        try:
            found[name] = read_msi(path)
        except InputError as exc:
            problems.extend(exc.problems)
    if found:
        logger.info("Read %d antenna pattern file(s): %s", len(found), ", ".join(found))
    return found, problems


def _study_area(dataset: Dataset) -> shapely.Geometry:
    """The province outline (communes), else the box around every vector layer."""
    area = dataset.area()
    if area is not None and not area.is_empty and area.area > 0:
        return area
    minx, miny, maxx, maxy = dataset.bounds()
    return shapely.box(minx, miny, maxx, maxy).buffer(1_000.0)
