"""The dataset manifest (``dataset.toml``) and discovery of layer files in a folder.

A dataset is a folder of layer files. ``dataset.toml`` (optional) maps files, layers
within files and column names onto covplan's layers, so users keep their own file and
column names::

    [dataset]
    name = "Thai Nguyen 2025"
    province = "Thái Nguyên"      # the province the data cover (checked against presets)
    targets = "thai_nguyen_2025"  # the province's target preset (covplan national)
    attribution = "© OpenStreetMap contributors; WorldPop"
    crs = "EPSG:32648"            # working CRS (default: UTM zone of the data)
    as_of = 2025-09-30            # the date the data describe (a snapshot; no quotes)

    [layers.communes]
    file = "communes_2025.geojson"
    columns = { code = "code", name = "name" }

    [layers.roads]
    file = "roads.geojson"
    columns = { name = "ten", ref = "ten" }
    values = { road_class = { "Quốc Gia" = "national" } }

    [layers.terrain]
    file = ["N21E105.hgt", "N22E105.hgt"]

    [layers.landcover]            # land-cover classes: clutter loss at the receiver
    file = "worldcover.tif"       # ESA WorldCover legend unless classes are given:
    classes = { 1 = "forest", 2 = { clutter = "urban", height_m = 12, name = "Town" } }

A calibration fitted by ``covplan calibrate`` is named under ``[dataset]``
(``calibration = "calibration.toml"``, a file inside the folder like every other).

Without a manifest, files are found by name (``sites.csv``, ``roads.gpkg``,
``terrain.tif``, ``*.hgt`` …, also with a suffix after the layer's name:
``communes_2025.geojson``, ``places_osm.geojson``) or as layers of one GeoPackage.

Confinement
-----------
Every file a manifest names must lie inside the dataset folder, after symbolic links are
resolved: an absolute path, a ``../`` escape or a link leaving the folder is refused
without being opened. A folder on disk may opt out explicitly with
``[dataset] allow_files_outside = true`` (for example a manifest beside shared data);
uploads (``confined=True``) are confined whatever the manifest says.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from covplan.errors import (
    ConfigError,
    CovplanError,
    DataFileNotFoundError,
    Findings,
    InputError,
    Problem,
    suggest,
)
from covplan.i18n import N_, Language, Name, Num, Phrase
from covplan.radio.clutter import CLUTTER_TYPES, ClutterClass, clutter_type, is_finite_height
from covplan.schema import LAYERS, VECTOR_LAYERS

logger = logging.getLogger(__name__)

MANIFEST_NAME: Final = "dataset.toml"
_DATASET_KEYS: Final = {
    "name",
    "province",
    "synthetic",
    "description",
    "attribution",
    "crs",
    "seed",
    "size",
    "version",
    "allow_files_outside",
    "targets",
    "calibration",
    "as_of",
}
_LAYER_KEYS: Final = {
    "file",
    "layer",
    "crs",
    "columns",
    "values",
    "where",
    "nodata",
    "outside",
    "outside_height_m",
    "classes",
}
#: What a terrain layer means beyond its extent: flat ground at a stated height, or refusal.
TERRAIN_OUTSIDE: Final = ("flat", "refuse")
VECTOR_SUFFIXES: Final = (
    ".gpkg",
    ".geojson",
    ".json",
    ".shp",
    ".csv",
    ".tsv",
    ".txt",
    ".osm",
    ".pbf",
    ".fgb",
    ".kml",
    ".zip",
)
RASTER_SUFFIXES: Final = (".tif", ".tiff", ".hgt", ".vrt", ".img", ".asc")
_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "sites": ("sites", "site", "bts", "cells", "stations", "opencellid"),
    "villages": ("villages", "village", "thon", "xom", "places"),
    "communes": ("communes", "commune", "xa", "wards"),
    "roads": ("roads", "road", "duong"),
    "fibre": ("fibre", "fiber", "cap_quang"),
    "pois": ("pois", "poi", "points_of_interest"),
    "terrain": ("terrain", "dem", "elevation", "srtm"),
    "population": ("population", "worldpop", "dan_so"),
    "landcover": ("landcover", "land_cover", "worldcover", "lulc"),
}
#: Raster layers (found by raster suffixes).
_RASTERS: Final = ("terrain", "population", "landcover")


@dataclass(frozen=True)
class LayerSpec:
    """Where one layer comes from and how its columns map onto the contract.

    Parameters
    ----------
    name
        The covplan layer, one of :data:`covplan.schema.LAYERS`.
    files
        One file, or several (terrain tiles to mosaic).
    layer
        Layer inside a multi-layer file (GeoPackage), if any.
    crs
        CRS to assume for a file that has none (CSV coordinates, shapefile without .prj).
    columns
        ``{contract_column: file_column}``.
    values
        ``{contract_column: {file_value: contract_value}}``.
    where
        ``{file_column: [kept values]}``: only rows whose value is listed are loaded (for
        example OSM places of ``fclass`` village and hamlet, or roads but not railways).
    nodata
        Nodata value for a raster that does not declare one.
    outside
        Terrain only: what the study area beyond the terrain's extent is predicted on,
        ``{"flat", "refuse"}``: flat ground at ``outside_height_m``, or a refusal to
        predict (the dataset is refused when the terrain does not cover the study area).
    outside_height_m
        Terrain only: the height of that flat ground; None for the mean height of the
        terrain inside the study area.
    classes
        Land cover only: the class table (class value, what it is, its P.2108 clutter type
        and height); None for the ESA WorldCover legend.
    """

    name: str
    files: tuple[Path, ...]
    layer: str | None = None
    crs: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    nodata: float | None = None
    outside: str = "flat"
    outside_height_m: float | None = None
    classes: tuple[ClutterClass, ...] | None = None

    @property
    def label(self) -> str:
        """Short text naming the file(s) for messages."""
        names = ", ".join(p.name for p in self.files)
        return f"{names} (layer {self.layer!r})" if self.layer else names


@dataclass(frozen=True)
class Manifest:
    """A dataset's description: metadata and one :class:`LayerSpec` per layer present."""

    root: Path
    name: str
    layers: dict[str, LayerSpec]
    synthetic: bool = False
    description: str = ""
    attribution: str = ""
    crs: str | None = None
    province: str = ""
    targets: str = ""
    calibration: Path | None = None
    as_of: dt.date | None = None


@dataclass(frozen=True)
class FileProblem(Problem):
    """An error met with one file of a layer (missing, too large, unreadable), as a problem.

    A dataset lists it among the problems of its other layers and files
    (:func:`problems_of`), said as the error says it: the error names its file and its fix.
    Its ``params`` hold the error under ``"error"``.
    """

    @classmethod
    def of(cls, error: CovplanError, file: str, layer: str | None = None) -> FileProblem:
        """The problem of ``error``, met with ``file`` of ``layer``."""
        return cls(file, "{error}", layer=layer, params={"error": error})

    @property
    def error(self) -> CovplanError | None:
        """The error this problem stands for."""
        error = self.params.get("error")
        return error if isinstance(error, CovplanError) else None

    def text(self, lang: Language | None = None) -> str:
        """The error's own text in ``lang`` (default English)."""
        error = self.error
        return error.text(lang) if error is not None else super().text(lang)


def problems_of(error: CovplanError, file: str, layer: str | None = None) -> list[Problem]:
    """The problems ``error`` reports: an :class:`InputError`'s, else one :class:`FileProblem`."""
    if isinstance(error, InputError):
        return list(error.problems)
    return [FileProblem.of(error, file, layer)]


def raise_problems(problems: list[Problem]) -> None:
    """Raise every problem at once; a lone :class:`FileProblem` as its error, as it came."""
    if len(problems) == 1 and isinstance(problems[0], FileProblem):
        error = problems[0].error
        if error is not None:
            raise error
    if problems:
        raise InputError(problems)


def _crs_problem(value: Any, where: str, problems: Findings, *, metric: bool) -> bool:
    """Note what is wrong with a ``crs`` entry; True when pyproj understands it."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.add(where, N_('expected a CRS such as "EPSG:32648", found {found}.'),
                     found=Name.found(value))
        return False
    try:
        crs = CRS.from_user_input(value)
    except CRSError:
        problems.add(where, N_("{found} is not a coordinate reference system pyproj knows."),
                     N_('write an EPSG code such as crs = "EPSG:32648" or crs = "EPSG:4326".'),
                     found=Name.found(value))
        return False
    if metric and not crs.is_projected:
        problems.add(where, N_("the working CRS must be metric (projected), found {name}."),
                     N_('write e.g. crs = "EPSG:32648" for UTM 48N, northern Vietnam, or leave '
                        "'crs' out to use the UTM zone of the data."), name=Name(crs.name))
        return False
    return True


def check_preset(value: Any, where: str, problems: Findings) -> bool:
    """Note a ``targets`` key that names no shipped preset; True when it is fine or absent.

    ``where`` names the table in the message (``"[dataset]"``).
    """
    from covplan.targets.load import preset_names  # covplan.targets builds on covplan.io

    if value is None:
        return True
    names = preset_names()
    if isinstance(value, str) and value in names:
        return True
    close = difflib.get_close_matches(str(value), names, n=1)
    listed = Name.listed(names)
    problems.add(f"{where} targets", N_("unknown target preset {found}."),
                 Phrase.of(N_("did you mean '{close}'? Name one of the presets: {names}."),
                           close=Name(close[0]), names=listed) if close
                 else Phrase.of(N_("name one of the presets: {names}."), names=listed),
                 found=Name.found(value))
    return False


def _layer_spec(root: Path, name: str, table: Any, where: str, problems: Findings
                ) -> LayerSpec | None:
    if not isinstance(table, dict):
        problems.add(where, N_("expected a table, found {found}."),
                     N_('write [layers.{name}] on its own line and file = "..." under it.'),
                     found=Name.found(table), name=Name(name))
        return None
    problems.unknown_keys(table, sorted(_LAYER_KEYS), where)
    raw = table.get("file")
    files = [raw] if isinstance(raw, str) else raw
    if not files or not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        problems.add(where, N_("'file' must be a file name or a list of names, found {found}."),
                     N_('write file = "{name}.gpkg" (a name relative to the dataset folder).'),
                     found=Name.found(raw), name=Name(name))
        return None
    columns = table.get("columns", {})
    values = table.get("values", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        problems.add(f"{where}.columns", N_('expected {{ contract_name = "file column" }}, '
                                            "found {found}."),
                     N_('e.g. columns = {{ name = "fullName" }}.'), found=Name.found(columns))
        columns = {}
    if not isinstance(values, dict) or not all(
        isinstance(v, dict) and all(isinstance(x, str | int | float) for x in v.values())
        for v in values.values()
    ):
        problems.add(f"{where}.values", N_('expected {{ column = {{ "file value" = "value" }} '
                                           "}}, found {found}."),
                     N_('e.g. values = {{ road_class = {{ "Quốc lộ" = "national" }} }}.'),
                     found=Name.found(values))
        values = {}
    keep = table.get("where", {})
    if not isinstance(keep, dict) or not all(isinstance(v, list) for v in keep.values()):
        problems.add(f"{where}.where", N_('expected {{ column = ["value", ...] }}, found '
                                          "{found}."),
                     N_('e.g. where = {{ fclass = ["village", "hamlet"] }}.'),
                     found=Name.found(keep))
        keep = {}
    layer = table.get("layer")
    if layer is not None and not isinstance(layer, str):
        problems.add(f"{where}.layer", N_("expected the name of a layer inside the file, found "
                                          "{found}."),
                     N_('write layer = "{name}".'), found=Name.found(layer), name=Name(name))
        layer = None
    crs = table.get("crs")
    if crs is not None and not _crs_problem(crs, f"{where}.crs", problems, metric=False):
        crs = None
    nodata = table.get("nodata")
    if nodata is not None and (
        not isinstance(nodata, int | float) or isinstance(nodata, bool) or nodata != nodata
    ):
        problems.add(f"{where}.nodata", N_("expected a number, found {found}."),
                     N_("write e.g. nodata = -32768 (without quotes), or leave it out when the "
                        "raster declares one."), found=Name.found(nodata))
        nodata = None
    outside = table.get("outside", "flat")
    if outside not in TERRAIN_OUTSIDE:
        problems.add(f"{where}.outside", N_("expected one of {allowed}, found {found}."),
                     N_('write outside = "flat" (flat ground beyond the terrain) or outside = '
                        '"refuse".'), allowed=Name.listed(map(repr, TERRAIN_OUTSIDE)),
                     found=Name.found(outside))
        outside = "flat"
    height = table.get("outside_height_m")
    number = isinstance(height, int | float) and not isinstance(height, bool)
    if height is not None and not (number and -500 <= height <= 9000):
        problems.add(f"{where}.outside_height_m", N_("expected a height in metres (-500 to "
                                                     "9000), found {found}."),
                     N_("write a number such as outside_height_m = 30, or leave it out for the "
                        "mean height of the terrain."), found=Name.found(height))
        height = None
    classes = None
    if "classes" in table:
        if name != "landcover":
            problems.add(where, N_("'classes' applies to the landcover layer only."),
                         N_("move it under [layers.landcover]."))
        else:
            classes = _classes(table["classes"], f"{where}.classes", problems)
    if ("outside" in table or "outside_height_m" in table) and name != "terrain":
        problems.add(where, N_("'outside' and 'outside_height_m' apply to the terrain layer "
                               "only."), N_("move them under [layers.terrain]."))
    return LayerSpec(
        name=name,
        files=tuple((root / f) for f in files),
        layer=layer,
        crs=None if crs is None else str(crs),
        columns=dict(columns),
        values={k: {str(a): str(b) for a, b in v.items()} for k, v in values.items()},
        where={k: tuple(str(x) for x in v) for k, v in keep.items()},
        nodata=None if nodata is None else float(nodata),
        outside=str(outside),
        outside_height_m=None if height is None else float(height),
        classes=classes,
    )


def _classes(raw: Any, where: str, problems: Findings) -> tuple[ClutterClass, ...] | None:
    """The land-cover class table ``{ value = "type" | { clutter, height_m, name } }``."""
    if not isinstance(raw, dict) or not raw:
        problems.add(where, N_("expected a table of class value = clutter type, found "
                               "{found}."),
                     N_('write e.g. classes = {{ 10 = "forest", 50 = {{ clutter = "urban", '
                        'height_m = 12, name = "Town" }} }}.'), found=Name.found(raw))
        return None
    classes: list[ClutterClass] = []
    for key, value in raw.items():
        code = int(key) if str(key).strip().isdigit() else -1
        if not 1 <= code <= 65535:
            problems.add(where, N_("class value {found} is not a whole number from 1 to 65535 "
                                   "(0 is no data)."),
                         N_("write the value the raster holds."), found=Name.found(key))
            continue
        table = value if isinstance(value, dict) else {"clutter": value}
        unknown = sorted(set(table) - {"clutter", "height_m", "name"})
        if unknown:
            problems.add(f"{where}.{key}", N_("unknown key(s) {keys}."),
                         N_("use clutter, height_m and name."), keys=Name.listed(unknown))
        try:
            kind = clutter_type(str(table.get("clutter", "")))
        except ValueError:
            problems.add(f"{where}.{key}", N_("clutter {found} is not a clutter type."),
                         N_("use one of {kinds} (ITU-R P.2108 Table 3)."),
                         found=Name.found(table.get("clutter")),
                         kinds=Name.listed([*CLUTTER_TYPES, "none"]))
            continue
        height = table.get("height_m")
        if height is not None and not is_finite_height(height):
            problems.add(f"{where}.{key}", N_("height_m {found} is not a clutter height."),
                         N_("write the representative height in metres (0-200), or leave it "
                            "out for the P.2108 default."), found=Name.found(height))
            height = None
        name = table.get("name", f"class {code}")
        classes.append(ClutterClass(code, str(name), kind,
                                    None if height is None else float(height)))
    return tuple(classes)


def _calibration_path(raw: Any, manifest: Path, confine: bool, opt_out: Phrase | Name,
                      problems: Findings) -> Path | None:
    """``[dataset] calibration``: a file name inside the dataset folder, or None."""
    if raw is None:
        return None
    where = "[dataset] calibration"
    if not isinstance(raw, str) or not raw.strip():
        problems.add(where, N_("expected a file name in quotes, found {found}."),
                     N_('write calibration = "calibration.toml" (the file covplan calibrate '
                        "wrote)."), found=Name.found(raw))
        return None
    path = manifest.parent / raw
    if confine and outside_folder(path, manifest.parent):
        problems.add(where, N_('"{name}" lies outside the dataset folder; covplan reads only '
                               "files inside {folder}."),
                     N_("write the calibration into the dataset folder (covplan calibrate "
                        "--out){opt_out}."), name=Name(raw), folder=Name(str(manifest.parent)),
                     opt_out=opt_out)
        return None
    return path


def _as_of_problem(value: Any, where: str, problems: Findings) -> None:
    """Note what is wrong with ``[dataset] as_of`` (a TOML date)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return
    shown = value.date().isoformat() if isinstance(value, dt.datetime) else "2025-09-30"
    problems.add(f"{where} as_of", N_("expected a date such as 2025-09-30, found {found}."),
                 N_("write as_of = {shown} (a date without quotes and without a time)."),
                 found=Name.found(value), shown=Name(shown))


def outside_folder(path: Path, root: Path) -> bool:
    """True when ``path`` (after resolving symbolic links) lies outside ``root``."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop, an unreadable component
        return True


def _confinement(spec: LayerSpec, raw: Any, root: Path, where: str, opt_out: Phrase | Name,
                 problems: Findings) -> bool:
    """Note every file of ``spec`` that leaves ``root`` (none is opened); True if any."""
    names = [raw] if isinstance(raw, str) else list(raw)
    escapes = False
    for name, path in zip(names, spec.files, strict=True):
        if not outside_folder(path, root):
            continue
        how = (
            N_("is an absolute path")
            if Path(name).is_absolute()
            else N_("leads outside the dataset folder")
            if ".." in Path(name).parts
            else N_("is a link to a file outside the dataset folder")
        )
        problems.add(where, N_('file = "{name}" {how}; covplan reads only files inside '
                               "{folder}."),
                     N_("copy the file into the dataset folder and name it relative to "
                        "it{opt_out}."), name=Name(name), how=how, folder=Name(str(root)),
                     opt_out=opt_out)
        escapes = True
    return escapes


def _read_toml(path: Path) -> dict[str, Any]:
    size = path.stat().st_size
    if size > 1_000_000:
        raise ConfigError(
            N_("{path}: {size} bytes is too large for a manifest (at most 1 MB). Fix: check that "
               "{manifest} is the dataset's manifest, not a data file."),
            path=path, size=Num(size), manifest=MANIFEST_NAME,
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            N_("{path}: line {line}: the manifest is not UTF-8 text. Fix: save it as UTF-8 (in "
               "Notepad: Save as, Encoding UTF-8)."),
            path=path, line=line,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            N_("{path}: not valid TOML: {error}. Fix: check the quotes, brackets and '=' on "
               'that line; text values need quotes (name = "Thai Nguyen").'),
            path=path, error=exc,
        ) from None


def read_manifest(path: str | Path, *, confined: bool = False) -> Manifest:
    """Read and validate a ``dataset.toml``; all problems are reported together.

    Parameters
    ----------
    path
        The manifest.
    confined
        Refuse files outside the manifest's folder even when the manifest allows them
        (``allow_files_outside``): for uploads.

    Raises
    ------
    DataFileNotFoundError
        When the file does not exist.
    ConfigError
        When the TOML is malformed or does not follow the schema, or a file lies outside
        the dataset folder.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(N_("{path}: manifest not found."), path=path)
    doc = _read_toml(path)
    problems = Findings(str(path), N_("dataset manifest"))
    problems.unknown_keys(doc, ("dataset", "layers"), Phrase(N_("top level")))
    meta = doc.get("dataset", {})
    if not isinstance(meta, dict):
        problems.add(Phrase(N_("top level")), N_("'dataset' must be a table, found {found}."),
                     N_('write [dataset] on its own line and name = "..." under it.'),
                     found=Name.found(meta))
        meta = {}
    problems.unknown_keys(meta, sorted(_DATASET_KEYS), "[dataset]")
    for key in ("name", "province", "description", "attribution"):
        if key in meta and not isinstance(meta[key], str):
            problems.add(f"[dataset] {key}", N_("expected text in quotes, found {found}."),
                         N_('write {key} = "{value}".'), found=Name.found(meta[key]),
                         key=Name(key), value=Name(str(meta[key])))
    for key in ("synthetic", "allow_files_outside"):
        if key in meta and not isinstance(meta[key], bool):
            problems.add(f"[dataset] {key}", N_("expected true or false, found {found}."),
                         N_("write {key} = true (without quotes)."), found=Name.found(meta[key]),
                         key=Name(key))
    check_preset(meta.get("targets"), "[dataset]", problems)
    _as_of_problem(meta.get("as_of"), "[dataset]", problems)
    crs = meta.get("crs")
    if crs is not None and not _crs_problem(crs, "[dataset] crs", problems, metric=True):
        crs = None
    allow = meta.get("allow_files_outside") is True
    if allow and confined:
        logger.info("%s: allow_files_outside is ignored for an uploaded dataset", path)
    opt_out: Phrase | Name = (
        Name("") if confined
        else Phrase(N_(", or allow it with [dataset] allow_files_outside = true"))
    )
    calibration = _calibration_path(meta.get("calibration"), path, confined or not allow,
                                    opt_out, problems)
    tables = doc.get("layers", {})
    if not isinstance(tables, dict):
        problems.add(Phrase(N_("top level")), N_("'layers' must hold one table per layer, "
                                                 "found {found}."),
                     N_('write [layers.sites] on its own line and file = "sites.csv" under '
                        "it."), found=Name.found(tables))
        tables = {}
    layers: dict[str, LayerSpec] = {}
    for name, table in tables.items():
        where = f"[layers.{name}]"
        if name not in LAYERS:
            problems.add(where, N_("unknown layer '{name}'."), suggest(name, LAYERS),
                         name=Name(name))
            continue
        spec = _layer_spec(path.parent, name, table, where, problems)
        if spec is None:
            continue
        if (confined or not allow) and _confinement(spec, table["file"], path.parent, where,
                                                    opt_out, problems):
            continue
        layers[name] = spec
    problems.raise_if_any()
    return Manifest(
        root=path.parent,
        name=str(meta.get("name", path.parent.name)),
        layers=layers,
        synthetic=bool(meta.get("synthetic", False)),
        description=str(meta.get("description", "")),
        attribution=str(meta.get("attribution", "")),
        crs=None if crs is None else str(crs),
        province=str(meta.get("province", "")),
        targets=str(meta.get("targets", "")),
        calibration=calibration,
        as_of=meta.get("as_of"),
    )


def _claims(stem: str, layer: str) -> bool:
    """Whether a file stem names ``layer``: exactly, or followed by a separator."""
    stem = stem.lower()
    return any(
        stem == name or (stem.startswith(name) and stem[len(name)] in "_-. ")
        for name in _NAMES[layer]
    )


def _find(folder: Path, layer: str, files: list[Path]) -> tuple[Path, ...]:
    suffixes = RASTER_SUFFIXES if layer in _RASTERS else VECTOR_SUFFIXES
    found = [p for p in files if p.suffix.lower() in suffixes]
    if layer == "terrain":
        tiles = tuple(p for p in found if p.suffix.lower() == ".hgt")
        if tiles:
            return tiles
    return tuple(p for p in found if _claims(p.name.split(".")[0], layer))


def _starter_manifest(folder: Path, files: list[Path]) -> str:
    lines = ["[dataset]", f'name = "{folder.name}"', ""]
    for path in files:
        if path.suffix.lower() in VECTOR_SUFFIXES + RASTER_SUFFIXES:
            lines += ["[layers.LAYER]  # one of " + ", ".join(LAYERS), f'file = "{path.name}"', ""]
    return "\n".join(lines[:12])


def discover(folder: str | Path, *, confined: bool = False) -> Manifest:
    """The manifest of a folder: ``dataset.toml`` if present, else files found by name.

    Parameters
    ----------
    folder
        A dataset folder, its ``dataset.toml``, or a GeoPackage.
    confined
        Passed to :func:`read_manifest` (uploads).

    Raises
    ------
    InputError
        When two files claim one layer, a file found is a link leaving the folder, or the
        folder holds no vector layer.
    """
    folder = Path(folder)
    if not folder.exists():
        raise DataFileNotFoundError(
            N_("{folder}: no such dataset folder. Fix: give a folder of layer files, a "
               "GeoPackage, or a {manifest}."),
            folder=folder, manifest=MANIFEST_NAME,
        )
    if folder.is_file() and folder.name == MANIFEST_NAME:
        return read_manifest(folder, confined=confined)
    if folder.is_file():
        return Manifest(root=folder.parent, name=folder.stem, layers=_gpkg_layers(folder))
    if (folder / MANIFEST_NAME).is_file():
        return read_manifest(folder / MANIFEST_NAME, confined=confined)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    problems: list[Problem] = []
    layers: dict[str, LayerSpec] = {}
    for name in LAYERS:
        found = _find(folder, name, files)
        leaving = [p for p in found if outside_folder(p, folder)]
        for path in leaving:
            problems.append(
                Problem(
                    file=str(path),
                    message=N_("is a link to a file outside the dataset folder; it is not read."),
                    fix=N_("copy the file itself into the dataset folder."),
                )
            )
        found = tuple(p for p in found if p not in leaving)
        if len(found) > 1 and name != "terrain":
            problems.append(
                Problem(
                    file=str(folder),
                    message=N_("{count} files could be the {layer} layer: {files}."),
                    fix=N_('say which in {manifest}: [layers.{layer}] file = "{file}", or '
                           "rename or move the other(s)."),
                    params={"count": len(found), "layer": name,
                            "files": ", ".join(p.name for p in found),
                            "manifest": MANIFEST_NAME, "file": found[0].name},
                )
            )
        elif found:
            layers[name] = LayerSpec(name, found)
    if problems:
        raise InputError(problems)
    if not any(n in layers for n in VECTOR_LAYERS):
        present = "; ".join(f"{n}: {s.label}" for n, s in layers.items())
        expected = ", ".join(f"{n} ({'/'.join(_NAMES[n][:2])}…)" for n in VECTOR_LAYERS)
        message = (
            N_("no vector layer found by file name (found {present}). covplan looks for files "
               "named after its layers: {expected}.")
            if present
            else N_("no vector layer found by file name (found no layer file). covplan looks "
                    "for files named after its layers: {expected}.")
        )
        raise InputError(
            [
                Problem(
                    file=str(folder),
                    message=message,
                    fix=N_("rename the files, or add a {manifest} such as:\n{example}"),
                    params={"present": present, "expected": expected,
                            "manifest": MANIFEST_NAME,
                            "example": _starter_manifest(folder, files)},
                )
            ]
        )
    return Manifest(root=folder, name=folder.name, layers=layers)


def _gpkg_layers(path: Path) -> dict[str, LayerSpec]:
    import pyogrio

    if path.suffix.lower() != ".gpkg":
        raise ConfigError(
            N_("{path}: a single file must be a GeoPackage with layers named after covplan's "
               "layers ({layers}); give a folder or a {manifest} instead."),
            path=path, layers=", ".join(LAYERS), manifest=MANIFEST_NAME,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on a damaged file
            names = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception:  # pyogrio raises DataSourceError and plain errors for garbage
        raise InputError(
            [
                Problem(
                    file=str(path),
                    message=N_("is not a readable GeoPackage (damaged, truncated or another "
                               "format)."),
                    fix=N_("export the layers again as a GeoPackage, or give the dataset folder."),
                )
            ]
        ) from None
    layers = {n: LayerSpec(n, (path,), layer=n) for n in names if n in LAYERS}
    if not layers:
        raise InputError(
            [
                Problem(
                    file=str(path),
                    message=(N_("has no layer named after covplan's layers (found {found}).")
                             if names
                             else N_("has no layer named after covplan's layers (found none).")),
                    fix=N_("name the layers {layers}, or add a {manifest}."),
                    params={"found": ", ".join(names), "layers": ", ".join(VECTOR_LAYERS),
                            "manifest": MANIFEST_NAME},
                )
            ]
        )
    return layers
