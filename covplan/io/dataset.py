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
from covplan.io.manifest import Manifest, discover, outside_folder, problems_of, raise_problems
from covplan.io.raster import check_header
from covplan.io.terrain import TerrainCoverage, check_terrain_files, load_terrain
from covplan.io.zonal import POPULATION_WARN_SHARE, load_population
from covplan.predict.environment import RadioEnvironment
from covplan.radio.clutter import ClutterTable
from covplan.radio.patterns import AntennaPattern, read_msi
from covplan.schema import RASTER_LAYERS, VECTOR_LAYERS

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
) -> tuple[dict[str, gpd.GeoDataFrame], list[Problem], list[str], list[str], set[str]]:
    """Every vector layer read, with the problems of all.

    The last item names the layers that have problems (a missing, too large or unreadable
    file among them).
    """
    frames: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    warnings: list[str] = []
    broken: set[str] = set()
    for name in VECTOR_LAYERS:
        spec = manifest.layers.get(name)
        if spec is None:
            continue
        try:
            frame, ctx = read_layer(spec)
        except CovplanError as exc:  # missing, too large, unreadable: the other layers go on
            problems.extend(problems_of(exc, spec.label, name))
            broken.add(name)
            continue
        if ctx.problems:
            broken.add(name)
        problems.extend(ctx.problems)
        notes.extend(ctx.notes)
        warnings.extend(ctx.warnings)
        frames[name] = frame
    return frames, problems, notes, warnings, broken


@dataclass
class _Rasters:
    """The rasters and the calibration of a dataset, what reading them noted, their problems."""

    terrain: Raster | None = None
    coverage: TerrainCoverage = field(default_factory=lambda: TerrainCoverage(0.0))
    population: Raster | None = None
    landcover: Raster | None = None
    clutter: ClutterTable | None = None
    calibration: Calibration | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _read_rasters(manifest: Manifest, work: CRS, area: shapely.Geometry) -> _Rasters:
    """The rasters over the study area and the calibration, every problem of each collected."""
    out = _Rasters()
    if "terrain" in manifest.layers:
        spec = manifest.layers["terrain"]
        try:
            out.terrain, out.coverage = load_terrain(spec, work, area)
            out.notes.extend(out.terrain.notes)
        except CovplanError as exc:
            out.problems += problems_of(exc, spec.label, "terrain")
    if "population" in manifest.layers:
        spec = manifest.layers["population"]
        try:
            out.population, share = load_population(spec, work, area)
            out.notes.extend(out.population.notes)
            if share < POPULATION_WARN_SHARE:
                out.warnings.append(Text(
                    N_("population ({label}) covers {share} of the study area; people beyond "
                       "it are not counted. Fix: give a population raster that covers the "
                       "whole province."),
                    label=Name(spec.label), share=Num(round(100 * share), percent=True)))
        except CovplanError as exc:
            out.problems += problems_of(exc, spec.label, "population")
    if "landcover" in manifest.layers:
        spec = manifest.layers["landcover"]
        try:
            out.landcover, out.clutter, found_warnings = load_landcover(spec, work, area)
            out.notes.extend(out.landcover.notes)
            out.warnings.extend(found_warnings)
        except CovplanError as exc:
            out.problems += problems_of(exc, spec.label, "landcover")
    out.calibration, found = _read_calibration(manifest)
    out.problems += found
    return out


def _read_calibration(manifest: Manifest) -> tuple[Calibration | None, list[Problem]]:
    """The calibration the manifest names (None without one), or its problems."""
    if not manifest.calibration:
        return None, []
    try:
        return read_calibration(manifest.calibration), []
    except CovplanError as exc:
        return None, problems_of(exc, str(manifest.calibration))


def _beside_vector_problems(manifest: Manifest, frames: dict[str, gpd.GeoDataFrame],
                            broken: set[str], crs: object) -> list[Problem]:
    """The problems of the rasters and the calibration while vector layers have some.

    The rasters are read over the study area the sound vector layers give (those without a
    problem), as they would be once the others are fixed. Without a sound layer to place the
    study area by, only what shows without it is checked: the files, the SRTM tiles' names
    and sizes, the GeoTIFFs' headers (no raster is read whole).
    """
    sound = {name: frame for name, frame in frames.items() if name not in broken}
    try:
        work = _choose_crs(manifest, list(sound.values()), crs) if sound else None
    except InputError:  # no located feature to choose the working CRS by
        work = None
    except CovplanError as exc:  # the CRS asked for cannot be the working CRS
        return [*problems_of(exc, str(crs)), *_raster_files_problems(manifest)]
    if work is None:
        return _raster_files_problems(manifest)
    known = Dataset(name=manifest.name, path=manifest.root, crs=work,
                    vectors={name: frame.to_crs(work) for name, frame in sound.items()})
    try:
        area = _study_area(known)
    except CovplanError:  # no sound layer with an extent
        return _raster_files_problems(manifest)
    return _read_rasters(manifest, work, area).problems


def _raster_files_problems(manifest: Manifest) -> list[Problem]:
    """What is wrong with the raster files without the study area, and the calibration."""
    problems: list[Problem] = []
    for name in RASTER_LAYERS:
        spec = manifest.layers.get(name)
        if spec is None:
            continue
        try:
            if name == "terrain":
                check_terrain_files(spec)
            else:
                check_header(spec)
        except CovplanError as exc:
            problems += problems_of(exc, spec.label, name)
    return problems + _read_calibration(manifest)[1]


def load_dataset(
    path: str | Path, *, crs: CRS | str | int | None = None, confined: bool = False
) -> Dataset:
    """Load a dataset folder (or ``dataset.toml``, or GeoPackage) with every layer validated.

    Every problem of every layer and file is collected and raised together: a file missing,
    too large or unreadable is one problem among the others (it is not read), and the rasters
    are checked even when vector layers have problems (over the study area the sound vector
    layers give).

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
    covplan.errors.LimitError, covplan.errors.ConfigError
        For a missing folder or file, an unreadable format, a file too large, or a malformed
        manifest, when it is the only problem found.
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
    frames, problems, notes, warnings, broken = _read_vectors(manifest)
    patterns: dict[str, AntennaPattern] = {}
    if "sites" in frames:
        patterns, found = _antenna_patterns(frames["sites"], manifest)
        problems.extend(found)
    if problems:
        raise_problems(problems + _beside_vector_problems(manifest, frames, broken, crs))
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
    rasters = _read_rasters(manifest, work, _study_area(dataset))
    raise_problems(rasters.problems)
    notes.extend(rasters.notes)
    warnings.extend(rasters.warnings)
    coverage = rasters.coverage
    if coverage.partial:  # "terrain: N21E105.hgt covers 38 % of the study area; …"
        warnings.append(Text(N_("terrain: {statement}"), statement=coverage.phrase()))
    vectors, derived = complete_layers(vectors, rasters.population)
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
        terrain=rasters.terrain,
        population=rasters.population,
        synthetic=manifest.synthetic,
        description=manifest.description,
        attribution=manifest.attribution,
        notes=tuple(notes),
        warnings=tuple(warnings),
        province=manifest.province,
        terrain_coverage=coverage,
        landcover=rasters.landcover,
        clutter=rasters.clutter,
        calibration=rasters.calibration,
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
