"""The dataset manifest (``dataset.toml``) and discovery of layer files in a folder.

A dataset is a folder of layer files. ``dataset.toml`` (optional) maps files, layers
within files and column names onto covplan's layers, so users keep their own file and
column names::

    [dataset]
    name = "Thai Nguyen 2025"
    province = "Thái Nguyên"      # the province the data cover (checked against presets)
    attribution = "© OpenStreetMap contributors; WorldPop"
    crs = "EPSG:32648"            # working CRS (default: UTM zone of the data)

    [layers.communes]
    file = "communes_2025.geojson"
    columns = { code = "code", name = "name" }

    [layers.roads]
    file = "roads.geojson"
    columns = { name = "ten", ref = "ten" }
    values = { road_class = { "Quốc Gia" = "national" } }

    [layers.terrain]
    file = ["N21E105.hgt", "N22E105.hgt"]

Without a manifest, files are found by name (``sites.csv``, ``roads.gpkg``,
``terrain.tif``, ``*.hgt`` …) or as layers of one GeoPackage.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from covplan.errors import ConfigError, DataFileNotFoundError
from covplan.schema import LAYERS

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
}


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


def _unknown(keys: set[str], allowed: set[str], where: str) -> list[str]:
    problems = []
    for key in sorted(keys - allowed):
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        problems.append(
            f"{where}: unknown key '{key}'.{hint} Allowed: {', '.join(sorted(allowed))}."
        )
    return problems


def _layer_spec(
    root: Path, name: str, table: Any, where: str
) -> tuple[LayerSpec | None, list[str]]:
    if not isinstance(table, dict):
        return None, [f'{where}: expected a table like {{ file = "..." }}, found {table!r}.']
    problems = _unknown(set(table), _LAYER_KEYS, where)
    raw = table.get("file")
    files = [raw] if isinstance(raw, str) else raw
    if not files or not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        problems.append(f"{where}: 'file' must be a file name or a list of names, found {raw!r}.")
        return None, problems
    columns = table.get("columns", {})
    values = table.get("values", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        problems.append(f'{where}.columns: expected {{ contract_name = "file column" }}.')
        columns = {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        problems.append(f'{where}.values: expected {{ column = {{ "file value" = "value" }} }}.')
        values = {}
    keep = table.get("where", {})
    if not isinstance(keep, dict) or not all(isinstance(v, list) for v in keep.values()):
        problems.append(f"{where}.where: expected {{ column = [\"value\", ...] }}.")
        keep = {}
    outside = table.get("outside", "flat")
    if outside not in TERRAIN_OUTSIDE:
        problems.append(
            f"{where}.outside: expected one of {', '.join(map(repr, TERRAIN_OUTSIDE))}, found "
            f"{outside!r}. Fix: write outside = \"flat\" (flat ground beyond the terrain) or "
            "outside = \"refuse\"."
        )
        outside = "flat"
    height = table.get("outside_height_m")
    number = isinstance(height, int | float) and not isinstance(height, bool)
    if height is not None and not (number and -500 <= height <= 9000):
        problems.append(
            f"{where}.outside_height_m: expected a height in metres (-500 to 9000), found "
            f"{height!r}. Fix: write a number such as outside_height_m = 30, or leave it out for "
            "the mean height of the terrain."
        )
        height = None
    if ("outside" in table or "outside_height_m" in table) and name != "terrain":
        problems.append(
            f"{where}: 'outside' and 'outside_height_m' apply to the terrain layer only. Fix: "
            "move them under [layers.terrain]."
        )
    spec = LayerSpec(
        name=name,
        files=tuple((root / f) for f in files),
        layer=table.get("layer"),
        crs=table.get("crs"),
        columns=dict(columns),
        values={k: {str(a): str(b) for a, b in v.items()} for k, v in values.items()},
        where={k: tuple(str(x) for x in v) for k, v in keep.items()},
        nodata=table.get("nodata"),
        outside=str(outside),
        outside_height_m=None if height is None else float(height),
    )
    return spec, problems


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
        When the TOML is malformed or does not follow the schema.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"{path}: manifest not found.")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Check quotes and brackets.") from None
    problems = _unknown(set(doc), {"dataset", "layers"}, path.name)
    meta = doc.get("dataset", {})
    problems += _unknown(set(meta), _DATASET_KEYS, f"{path.name} [dataset]")
    layers: dict[str, LayerSpec] = {}
    for name, table in doc.get("layers", {}).items():
        where = f"{path.name} [layers.{name}]"
        if name not in LAYERS:
            close = difflib.get_close_matches(name, LAYERS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(f"{where}: unknown layer '{name}'.{hint} Layers: {', '.join(LAYERS)}.")
            continue
        spec, found = _layer_spec(path.parent, name, table, where)
        problems += found
        if spec is not None:
            layers[name] = spec
    if problems:
        raise ConfigError("\n".join([f"{path}: {len(problems)} problem(s):", *problems]))
    return Manifest(
        root=path.parent,
        name=str(meta.get("name", path.parent.name)),
        layers=layers,
        synthetic=bool(meta.get("synthetic", False)),
        description=str(meta.get("description", "")),
        attribution=str(meta.get("attribution", "")),
        crs=meta.get("crs"),
        province=str(meta.get("province", "")),
    )


def _find(folder: Path, layer: str) -> tuple[Path, ...]:
    suffixes = RASTER_SUFFIXES if layer in ("terrain", "population") else VECTOR_SUFFIXES
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    if layer == "terrain":
        tiles = tuple(p for p in files if p.suffix.lower() == ".hgt")
        if tiles:
            return tiles
    for stem in _NAMES[layer]:
        for p in files:
            if p.stem.lower() == stem or p.name.lower().startswith(stem + "."):
                return (p,)
    return ()


def discover(folder: str | Path, *, confined: bool = False) -> Manifest:
    """The manifest of a folder: ``dataset.toml`` if present, else files found by name.

    ``confined`` is passed to :func:`read_manifest` (uploads).
    """
    folder = Path(folder)
    if not folder.exists():
        raise DataFileNotFoundError(
            f"{folder}: no such dataset folder. Give a folder of layer files, a GeoPackage, or "
            f"a {MANIFEST_NAME}."
        )
    if folder.is_file() and folder.name == MANIFEST_NAME:
        return read_manifest(folder, confined=confined)
    if folder.is_file():
        return Manifest(root=folder.parent, name=folder.stem, layers=_gpkg_layers(folder))
    if (folder / MANIFEST_NAME).is_file():
        return read_manifest(folder / MANIFEST_NAME, confined=confined)
    layers = {n: LayerSpec(n, files) for n in LAYERS if (files := _find(folder, n))}
    return Manifest(root=folder, name=folder.name, layers=layers)


def _gpkg_layers(path: Path) -> dict[str, LayerSpec]:
    import pyogrio

    if path.suffix.lower() != ".gpkg":
        raise ConfigError(
            f"{path}: a single file must be a GeoPackage with layers named after covplan's "
            f"layers ({', '.join(LAYERS)}); give a folder or a {MANIFEST_NAME} instead."
        )
    names = [str(row[0]) for row in pyogrio.list_layers(path)]
    return {n: LayerSpec(n, (path,), layer=n) for n in names if n in LAYERS}
