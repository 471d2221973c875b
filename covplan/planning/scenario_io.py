"""Scenario files: JSON, written atomically, validated on load with every problem at once.

Format (``covplan_scenario`` 1)::

    {
      "covplan_scenario": 1,
      "name": "QL.3 pass fill-in",
      "description": "two new sites on the pass, TN014 raised",
      "baseline": {"dataset": "Demo province (synthetic)",
                   "sites_sha256": "2ebae8…", "sectors": 812},
      "crs": "EPSG:32648",
      "edits": [
        {"op": "add", "site_id": "NEW-001", "x": 585000.0, "y": 2380000.0,
         "lon": 105.8182617, "lat": 21.5188519, "technology": "4G", "height_m": 35,
         "sectors": [{"azimuth_deg": 0}, {"azimuth_deg": 120}, {"azimuth_deg": 240}]},
        {"op": "add", "site_id": "NEW-002", "lon": 105.81, "lat": 21.62, "technology": "5G"},
        {"op": "move", "site_id": "TN001", "x": 583400.0, "y": 2389400.0},
        {"op": "remove", "site_id": "TN002"},
        {"op": "remove", "site_id": "TN003", "sector": 2},
        {"op": "modify", "site_id": "TN004", "sector": 1, "tilt_deg": 6, "azimuth_deg": 30},
        {"op": "modify", "site_id": "TN005", "technology": "5G"}
      ]
    }

* ``covplan_scenario`` (required) is the format version; this module reads version 1.
* ``baseline`` records the dataset name and the :func:`~covplan.planning.scenario.sites_hash`
  of the sites the edits were made on. Loading against other sites logs a warning; the
  edits are still checked against the sites actually given.
* Positions are ``x``/``y`` in ``crs`` (default: the baseline's CRS), or ``lon``/``lat`` in
  degrees (WGS 84). Files written by covplan give both: ``x``/``y`` in the working CRS, so a
  save and load reproduce the sites bit for bit, and ``lon``/``lat`` (7 decimals, about
  1 cm) for people and other tools. When both are given ``x``/``y`` place the site, and
  ``lon``/``lat`` more than :data:`LONLAT_TOLERANCE_M` away from them are refused (one of
  the two was edited by hand: remove the other).
* Every other key of an edit is a sector value (see :data:`covplan.schema.SECTOR_VALUES`);
  ``note`` is free text.

Every key is checked for its type, numbers must be finite (JSON's ``NaN`` and
``Infinity`` are refused), and a position outside Vietnam is refused (lon/lat swaps are
named). A site added or moved outside the study area (``load_scenario(area=...)``) loads
with a warning in :attr:`Scenario.warnings`.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, cast

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from covplan.errors import ConfigError, Findings, InputError, Problem
from covplan.export.atomic import write_atomic
from covplan.i18n import N_, Name, Num, Phrase, Text
from covplan.io.crs import VIETNAM_BOUNDS, inside_vietnam, looks_swapped
from covplan.planning.edits import OPS, Edit, apply_edits, held_back_problems
from covplan.planning.scenario import Scenario, sites_hash
from covplan.schema import SectorSpec, SectorValues
from covplan.targets.load import read_config_text

logger = logging.getLogger(__name__)

FORMAT_VERSION: Final = 1
#: Decimals of the ``lon``/``lat`` written beside ``x``/``y`` (1e-7 degree is about 1 cm).
LONLAT_DECIMALS: Final = 7
#: Largest distance (m) between an edit's ``x``/``y`` and its ``lon``/``lat`` when both are given.
LONLAT_TOLERANCE_M: Final = 1.0
#: Keys of an edit that are not sector values.
EDIT_KEYS: Final = ("op", "site_id", "sector", "x", "y", "lon", "lat", "sectors", "note")
#: Top-level keys of a scenario file and the JSON type each holds.
TOP_KEYS: Final = {"covplan_scenario": N_("a whole number"), "name": N_("text"),
                   "description": N_("text"), "baseline": N_("an object"), "crs": N_("text"),
                   "edits": N_("a list")}
#: Keys of ``baseline`` and their JSON type.
BASELINE_KEYS: Final = {"dataset": N_("text"), "sites_sha256": N_("text"),
                        "sectors": N_("a whole number")}
_CHECKS: Final = {"text": lambda v: isinstance(v, str),
                  "an object": lambda v: isinstance(v, dict),
                  "a list": lambda v: isinstance(v, list),
                  "a whole number": lambda v: isinstance(v, int) and not isinstance(v, bool)}


def _crs_text(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def edit_records(edits: Sequence[Edit]) -> list[dict[str, Any]]:
    """The edits as the JSON records of the scenario file (without the baseline's hash)."""
    return [_edit_record(e) for e in edits]


def _edit_record(edit: Edit) -> dict[str, Any]:
    record: dict[str, Any] = {"op": edit.op, "site_id": edit.site_id}
    if edit.sector is not None:
        record["sector"] = int(edit.sector)
    if edit.x is not None and edit.y is not None:
        record["x"], record["y"] = float(edit.x), float(edit.y)
    record.update({k: _plain(v) for k, v in edit.values.items()})
    if edit.sectors:
        record["sectors"] = [{k: _plain(v) for k, v in s.items()} for s in edit.sectors]
    return record


def _plain(value: Any) -> Any:
    """Numpy scalars as Python numbers, so ``json`` writes them."""
    return value.item() if hasattr(value, "item") else value


def _with_lonlat(records: list[dict[str, Any]], crs: CRS) -> list[dict[str, Any]]:
    """``records`` with ``lon``/``lat`` (WGS 84) right after each ``x``/``y``."""
    to_lonlat = Transformer.from_crs(crs, 4326, always_xy=True)
    out = []
    for record in records:
        if "x" not in record:
            out.append(record)
            continue
        lon, lat = to_lonlat.transform(record["x"], record["y"])
        placed: dict[str, Any] = {}
        for key, value in record.items():
            placed[key] = value
            if key == "y":
                placed["lon"] = round(float(lon), LONLAT_DECIMALS)
                placed["lat"] = round(float(lat), LONLAT_DECIMALS)
        out.append(placed)
    return out


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON document of ``scenario`` (see the module docstring)."""
    crs = scenario.baseline.crs
    return {
        "covplan_scenario": FORMAT_VERSION,
        "name": scenario.name,
        "description": scenario.description,
        "baseline": {"dataset": scenario.dataset, "sites_sha256": scenario.baseline_hash,
                     "sectors": len(scenario.baseline)},
        "crs": _crs_text(crs),
        "edits": _with_lonlat(edit_records(scenario.edits), crs),
    }


def save_scenario(scenario: Scenario, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``scenario`` as JSON, atomically (temporary file renamed into place).

    Raises
    ------
    covplan.errors.OutputExistsError
        When ``path`` exists and ``overwrite`` is False.
    """
    text = json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=2) + "\n"

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    path = write_atomic(path, write, overwrite=overwrite)
    logger.info("Wrote scenario %r (%d edits) to %s", scenario.name, len(scenario.edits), path)
    return path


class _Reader:
    """Turns edit records into :class:`Edit` objects, collecting problems and warnings."""

    def __init__(self, source: str, crs: CRS, target: CRS,
                 area: shapely.Geometry | None = None) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.crs = crs
        self.same_crs = crs.equals(target)
        self.to_target = Transformer.from_crs(crs, target, always_xy=True)
        self.from_lonlat = Transformer.from_crs(4326, target, always_xy=True)
        self.to_lonlat = Transformer.from_crs(target, 4326, always_xy=True)
        self.area = area
        #: Every edit with an op and a site_id, by number, as far as it could be read.
        self.drafts: dict[int, Edit] = {}

    def problem(self, number: int, message: str, fix: str = "", column: str | None = None,
                **params: object) -> None:
        self.problems.append(Problem(self.source, message, fix, "scenario", column,
                                     (number,), "edit", params))

    def number(self, record: dict[str, Any], key: str, n: int, *, integer: bool = False
               ) -> Any:
        value = record.get(key)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if value is None or isinstance(value, bool) or not ok:
            self.problem(n, N_("{key} should be a whole number, got {found}.") if integer
                         else N_("{key} should be a number, got {found}."),
                         N_('write it without quotes, such as "{key}": {example}.'),
                         column=key, key=key, found=repr(value),
                         example="1" if integer else "105.8")
            return None
        if not math.isfinite(value):
            self.problem(n, N_("{key} should be a finite number, got {found}."),
                         N_("replace {found} by a real value."), column=key, key=key,
                         found=repr(value))
            return None
        return value

    def finite(self, values: dict[str, Any], n: int) -> bool:
        """Whether every number among ``values`` is finite (JSON allows NaN, Infinity)."""
        bad = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
        for key in bad:
            self.problem(n, N_("{key} should be a finite number, got {found}."),
                         N_("replace {found} by a real value, or remove {field} to take the "
                            "technology's default."),
                         column=key, key=key, found=repr(values[key]), field=repr(key))
        return not bad

    def position(self, record: dict[str, Any], n: int) -> tuple[float | None, float | None]:
        if "x" in record or "y" in record:
            x, y = self.number(record, "x", n), self.number(record, "y", n)
            if x is None or y is None:
                return None, None
            xy = (float(x), float(y)) if self.same_crs else self.to_target.transform(x, y)
            if ("lon" in record or "lat" in record) and not self.agree(xy, record, n):
                return None, None
            return xy
        if "lon" in record or "lat" in record:
            lon, lat = self.number(record, "lon", n), self.number(record, "lat", n)
            if None in (lon, lat):
                return None, None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                swapped = bool(looks_swapped(np.array([lon]), np.array([lat]))[0])
                self.problem(n, N_("lon/lat {lon}, {lat} are not degrees (lon and lat look "
                                   "swapped).") if swapped else
                             N_("lon/lat {lon}, {lat} are not degrees."),
                             N_("exchange lon and lat.") if swapped else
                             N_("give lon (-180..180) and lat (-90..90) in WGS 84 degrees."),
                             column="lon", lon=str(lon), lat=str(lat))
                return None, None
            return self.from_lonlat.transform(lon, lat)
        return None, None

    def agree(self, xy: tuple[float, float], record: dict[str, Any], n: int) -> bool:
        """Whether an edit's ``lon``/``lat`` lie where its ``x``/``y`` do (files covplan wrote)."""
        lon, lat = self.number(record, "lon", n), self.number(record, "lat", n)
        if lon is None or lat is None:
            return False
        x, y = self.from_lonlat.transform(lon, lat)
        away_m = math.hypot(x - xy[0], y - xy[1])
        if math.isfinite(away_m) and away_m <= LONLAT_TOLERANCE_M:
            return True
        self.problem(n, N_("x/y and lon/lat give two positions {distance} m apart."),
                     N_("keep one of them: remove x and y to place the site by lon and lat, or "
                        "remove lon and lat to place it by x and y."), column="lon",
                     distance=Num(away_m))
        return False

    def placed(self, x: float, y: float, record: dict[str, Any], n: int) -> bool:
        """Refuse a position outside Vietnam; warn about one outside the study area."""
        lon, lat = self.to_lonlat.transform(x, y)
        column = "x" if "x" in record else "lon"
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.problem(n, N_("the position cannot be converted to longitude and latitude."),
                         N_("check x and y (in {crs}) or give lon and lat."),
                         column=column, crs=self.crs.name)
            return False
        given = np.array([lon]), np.array([lat])
        if not inside_vietnam(*given)[0]:
            west, south, east, north = VIETNAM_BOUNDS
            swapped = bool(looks_swapped(*given)[0])
            fix = (N_("exchange lon and lat (longitude is about 102-110 in Vietnam, latitude "
                      "about 8-23.5).") if swapped else
                   N_("give lon/lat in WGS 84 degrees inside Vietnam, or x/y in the scenario's "
                      "crs ({crs})."))
            self.problem(n, N_("the position lon {lon}, lat {lat} lies outside Vietnam "
                               "(lon {west}-{east}, lat {south}-{north})."), fix,
                         column=column, crs=self.crs.name, lon=f"{lon:.4f}", lat=f"{lat:.4f}",
                         west=f"{west:g}", east=f"{east:g}", south=f"{south:g}",
                         north=f"{north:g}")
            return False
        if self.area is not None and not self.area.is_empty:
            away_km = float(shapely.distance(self.area, shapely.points(x, y))) / 1000.0
            if away_km > 0:
                self.warnings.append(Text(
                    N_("{source}: edit {n} ({op} {site_id}) places the site at lon {lon}, lat "
                       "{lat}, {km} km outside the study area (the communes); check its "
                       "position."),
                    source=Name(self.source), n=Name(str(n)), op=Name(str(record.get("op"))),
                    site_id=Name(str(record.get("site_id"))), lon=Name(f"{lon:.4f}"),
                    lat=Name(f"{lat:.4f}"), km=Num(away_km, 1)))
        return True

    def edit(self, record: Any, n: int) -> Edit | None:
        if not isinstance(record, dict):
            self.problem(n, N_("an edit should be an object, got {found}."),
                         N_("write it as {example}."), found=type(record).__name__,
                         example='{"op": "remove", "site_id": "TN001"}')
            return None
        op = record.get("op")
        if op is None or not isinstance(op, str):
            self.problem(n, N_("missing op.") if op is None else
                         N_("op should be text, got {found}."),
                         N_('add "op": one of {ops}.'), column="op", found=repr(op),
                         ops=", ".join(repr(o) for o in OPS))
            return None
        if op not in OPS:
            close = difflib.get_close_matches(op.lower(), OPS, n=1)
            self.problem(n, N_("unknown op {op}; expected one of {ops}."),
                         N_("did you mean '{suggestion}'? Write \"op\": \"add\", \"move\", "
                            "\"remove\" or \"modify\".") if close else
                         N_('Write "op": "add", "move", "remove" or "modify".'), column="op",
                         op=repr(op), ops=", ".join(OPS), suggestion=close[0] if close else "")
            return None
        site_id = record.get("site_id")
        if not isinstance(site_id, str | int) or isinstance(site_id, bool) or site_id == "":
            self.problem(n, N_("site_id should be text, got {found}.") if "site_id" in record
                         else N_("missing site_id."),
                         N_('name the site, such as "site_id": "TN001".'), column="site_id",
                         found=repr(site_id))
            return None
        sector = self.number(record, "sector", n, integer=True) if "sector" in record else None
        sectors = record.get("sectors", [])
        if not isinstance(sectors, list) or not all(isinstance(s, dict) for s in sectors):
            self.problem(n, N_("sectors should be a list of objects."),
                         N_("write it as {example}."), column="sectors",
                         example='"sectors": [{"azimuth_deg": 0}, {"azimuth_deg": 120}]')
            sectors = []
        x, y = self.position(record, n)
        values = {k: v for k, v in record.items() if k not in EDIT_KEYS}
        finite = self.finite(values, n) & all([self.finite(spec, n) for spec in sectors])
        given = any(k in record for k in ("x", "y", "lon", "lat"))
        placed = not given or (x is not None and y is not None
                               and self.placed(x, y, record, n))
        # unknown fields are reported, with the edit's number, when the edit applies; one
        # that cannot apply is checked as a draft (held_back_problems), placed anywhere when its
        # position's problem is reported already
        self.drafts[n] = Edit(op, str(site_id), sector, x if placed else 0.0,
                              y if placed else 0.0, cast(SectorValues, values),
                              tuple(cast(SectorSpec, spec) for spec in sectors))
        if not (placed and finite):
            return None
        return Edit(op, str(site_id), sector, x, y, cast(SectorValues, values),
                    tuple(cast(SectorSpec, spec) for spec in sectors))


def _document(path: Path) -> dict[str, Any]:
    """The scenario document, every top-level key and its type checked (all at once)."""
    text = read_config_text(path, "scenario file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(N_("{path}: line {line}, column {column}: not valid JSON: {error}. "
                             "Fix: check the quotes, commas and brackets there, or save the "
                             "scenario again from covplan."),
                          path=path, line=exc.lineno, column=exc.colno, error=exc.msg) from None
    except RecursionError:
        raise ConfigError(N_("{path}: not valid JSON: nested too deeply. Fix: give a scenario "
                             "file saved by covplan."), path=path) from None
    if not isinstance(data, dict):
        raise ConfigError(N_("{path}: a scenario file holds one JSON object, got {found}. "
                             "Fix: write it as {example}."),
                          path=path, found=type(data).__name__,
                          example='{"covplan_scenario": 1, "edits": [...]}')
    version = data.get("covplan_scenario")
    if "covplan_scenario" not in data:
        raise ConfigError(N_("{path}: the file does not say it is a covplan scenario (no "
                             '"covplan_scenario" at the top). Fix: write "covplan_scenario": '
                             "{version} at the top, or save the scenario again from covplan."),
                          path=path, version=FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ConfigError(N_("{path}: covplan_scenario should be {version} (this covplan's "
                             'scenario format), got {found}. Fix: write "covplan_scenario": '
                             "{version} at the top, or save the scenario again from this "
                             "covplan."),
                          path=path, version=FORMAT_VERSION, found=repr(version))
    problems = Findings(str(path), N_("scenario file"))
    _typed(data, TOP_KEYS, "", problems)
    if isinstance(data.get("baseline"), dict):
        _typed(data["baseline"], BASELINE_KEYS, "baseline.", problems)
    problems.raise_if_any()
    return data


def _typed(table: dict[str, Any], kinds: Mapping[str, str], prefix: str,
           problems: Findings) -> None:
    """Note unknown keys and values of the wrong JSON type in one object of the document."""
    where: str | Phrase = prefix.rstrip(".") or Phrase(N_("top level"))
    allowed = Name.listed(prefix + k for k in kinds)
    for key, value in table.items():
        if key not in kinds:
            close = difflib.get_close_matches(str(key), list(kinds), n=1)
            fix = (Phrase.of(N_("did you mean '{close}'? Remove it, or use one of: {allowed}."),
                             close=Name(prefix + close[0]), allowed=allowed) if close
                   else Phrase.of(N_("remove it, or use one of: {allowed}."), allowed=allowed))
            problems.add(where, N_("unknown key '{key}'."), fix, key=Name(f"{prefix}{key}"))
        elif value is not None and not _CHECKS[kinds[key]](value):
            problems.add(where, N_("'{key}' should be {kind}, got {found}."),
                         _EXAMPLES.get(prefix + key, N_("correct it or remove it.")),
                         key=Name(prefix + key), kind=kinds[key], found=Name.found(value))


#: How to write each key of the document, for messages.
_EXAMPLES: Final = {
    "name": N_('write "name": "QL.3 fill-in".'),
    "description": N_('write "description": "two new sites on the pass".'),
    "crs": N_('write "crs": "EPSG:32648", or remove it (the baseline\'s CRS).'),
    "edits": N_('write "edits": [{{"op": "remove", "site_id": "TN001"}}].'),
    "baseline": N_('write "baseline": {{"dataset": "…", "sites_sha256": "…"}}, or remove it.'),
    "baseline.dataset": N_('write "dataset": "Thái Nguyên".'),
    "baseline.sites_sha256": N_("remove it; covplan writes it when it saves a scenario."),
    "baseline.sectors": N_('write "sectors": 812, or remove it.'),
}


def _baseline_warning(data: dict[str, Any], baseline: gpd.GeoDataFrame, path: Path
                      ) -> Text | None:
    """A warning when the scenario was saved on other sites than ``baseline``."""
    recorded = (data.get("baseline") or {}).get("sites_sha256")
    if not recorded or recorded == sites_hash(baseline):
        return None
    return Text(N_("{file} was made on other sites (dataset {dataset}) than the dataset's; its "
                   "edits are checked against the dataset's sites"), file=Name(path.name),
                dataset=Name(str((data.get("baseline") or {}).get("dataset", "?"))))


def load_scenario(path: str | Path, baseline: gpd.GeoDataFrame, *, dataset: str = "",
                  area: shapely.Geometry | None = None) -> Scenario:
    """Read a scenario file and check every edit against ``baseline``.

    Parameters
    ----------
    path
        The JSON file (see the module docstring).
    baseline
        The sites the edits apply to, in a metric CRS.
    dataset
        Dataset name, used when the file names none.
    area
        The study area in the baseline's CRS (``Dataset.area()``, the communes): a site
        added or moved outside it gives a warning in :attr:`Scenario.warnings`.

    Raises
    ------
    covplan.errors.ConfigError
        For a file that is not a scenario: not UTF-8, not JSON, wrong version, unknown
        keys or values of the wrong type (each listed with its fix).
    covplan.errors.InputError
        Listing every bad edit (unknown op, unknown site_id, bad or non-finite values, a
        position outside Vietnam) at once.
    """
    path = Path(path)
    data = _document(path)
    try:
        crs = CRS.from_user_input(data.get("crs") or baseline.crs)
    except CRSError as exc:
        raise ConfigError(N_("{path}: crs {crs} is not a CRS ({error}). Fix: write an EPSG "
                             'code such as "crs": "EPSG:32648", or remove "crs" to use the '
                             "baseline's."),
                          path=path, crs=repr(data.get("crs")), error=exc) from None
    reader = _Reader(str(path), crs, baseline.crs, area)
    edits = [reader.edit(r, n) for n, r in enumerate(data.get("edits") or [], start=1)]
    good = [e for e in edits if e is not None]
    sites, applied = apply_edits(baseline, good, source=str(path))
    numbers = [n for n, e in enumerate(edits, start=1) if e is not None]
    problems = reader.problems + [_renumber(p, numbers) for p in applied]
    problems += held_back_problems(problems, edits, reader.drafts, str(path), baseline)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.rows))
    if (other := _baseline_warning(data, baseline, path)) is not None:
        reader.warnings.insert(0, other)
    for warning in reader.warnings:  # said to people by the caller, in their language
        logger.info("Warning: %s", warning)
    name = data.get("name") or path.stem
    return Scenario(baseline, tuple(good), name=str(name),
                    description=str(data.get("description") or ""),
                    dataset=str((data.get("baseline") or {}).get("dataset") or dataset),
                    source=str(path), warnings=tuple(reader.warnings), applied=sites)


def _renumber(problem: Problem, numbers: list[int]) -> Problem:
    """Edit numbers among the parsed edits back to numbers in the file."""
    return replace(problem, rows=tuple(numbers[r - 1] for r in problem.rows))
