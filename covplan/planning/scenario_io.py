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
         "technology": "4G", "height_m": 35,
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
  degrees (WGS 84). Files written by covplan use ``x``/``y`` in the working CRS, so a
  save and load reproduce the sites bit for bit.
* Every other key of an edit is a sector value (see :data:`covplan.planning.edits.FIELDS`);
  ``note`` is free text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
from pyproj import CRS, Transformer

from covplan.errors import ConfigError, InputError, Problem
from covplan.export.atomic import write_atomic
from covplan.planning.edits import Edit, apply_edits
from covplan.planning.scenario import Scenario, sites_hash

logger = logging.getLogger(__name__)

FORMAT_VERSION: Final = 1
#: Keys of an edit that are not sector values.
EDIT_KEYS: Final = ("op", "site_id", "sector", "x", "y", "lon", "lat", "sectors", "note")


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


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON document of ``scenario`` (see the module docstring)."""
    return {
        "covplan_scenario": FORMAT_VERSION,
        "name": scenario.name,
        "description": scenario.description,
        "baseline": {"dataset": scenario.dataset, "sites_sha256": scenario.baseline_hash,
                     "sectors": len(scenario.baseline)},
        "crs": _crs_text(scenario.baseline.crs),
        "edits": edit_records(scenario.edits),
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
    """Turns edit records into :class:`Edit` objects, collecting problems."""

    def __init__(self, source: str, crs: CRS, target: CRS) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.same_crs = crs.equals(target)
        self.to_target = Transformer.from_crs(crs, target, always_xy=True)
        self.from_lonlat = Transformer.from_crs(4326, target, always_xy=True)

    def problem(self, number: int, message: str, fix: str = "", column: str | None = None
                ) -> None:
        self.problems.append(Problem(self.source, message, fix, "scenario", column,
                                     (number,), "edit"))

    def number(self, record: dict[str, Any], key: str, n: int, *, integer: bool = False
               ) -> Any:
        value = record.get(key)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if value is None or isinstance(value, bool) or not ok:
            kind = "a whole number" if integer else "a number"
            self.problem(n, f"{key} should be {kind}, got {value!r}.", column=key)
            return None
        return value

    def position(self, record: dict[str, Any], n: int) -> tuple[float | None, float | None]:
        if "x" in record or "y" in record:
            x, y = self.number(record, "x", n), self.number(record, "y", n)
            if x is None or y is None:
                return None, None
            return (float(x), float(y)) if self.same_crs else self.to_target.transform(x, y)
        if "lon" in record or "lat" in record:
            lon, lat = self.number(record, "lon", n), self.number(record, "lat", n)
            if None in (lon, lat):
                return None, None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.problem(n, f"lon/lat {lon}, {lat} are not degrees.",
                             "give lon (-180..180) and lat (-90..90) in WGS 84 degrees.")
                return None, None
            return self.from_lonlat.transform(lon, lat)
        return None, None

    def edit(self, record: Any, n: int) -> Edit | None:
        if not isinstance(record, dict):
            self.problem(n, f"an edit should be an object, got {type(record).__name__}.")
            return None
        site_id = record.get("site_id")
        if not isinstance(site_id, str | int) or isinstance(site_id, bool) or site_id == "":
            self.problem(n, f"site_id should be text, got {site_id!r}.", column="site_id")
            return None
        sector = self.number(record, "sector", n, integer=True) if "sector" in record else None
        sectors = record.get("sectors", [])
        if not isinstance(sectors, list) or not all(isinstance(s, dict) for s in sectors):
            self.problem(n, "sectors should be a list of objects.", column="sectors")
            sectors = []
        x, y = self.position(record, n)
        values = {k: v for k, v in record.items() if k not in EDIT_KEYS}
        return Edit(str(record.get("op", "")), str(site_id), sector, x, y, values,
                    tuple(sectors))


def _document(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: scenario file not found.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg}.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a scenario file holds one JSON object.")
    version = data.get("covplan_scenario")
    if version != FORMAT_VERSION:
        raise ConfigError(f"{path}: covplan_scenario should be {FORMAT_VERSION} (this "
                          f"covplan's scenario format), got {version!r}.")
    if not isinstance(data.get("edits", []), list):
        raise ConfigError(f"{path}: 'edits' should be a list.")
    return data


def _check_baseline(data: dict[str, Any], baseline: gpd.GeoDataFrame, path: Path) -> None:
    recorded = (data.get("baseline") or {}).get("sites_sha256")
    if recorded and recorded != sites_hash(baseline):
        logger.warning("%s was made on other sites (dataset %r) than the baseline given; "
                       "its edits are checked against the given sites", path,
                       (data.get("baseline") or {}).get("dataset", "?"))


def load_scenario(path: str | Path, baseline: gpd.GeoDataFrame, *, dataset: str = ""
                  ) -> Scenario:
    """Read a scenario file and check every edit against ``baseline``.

    Parameters
    ----------
    path
        The JSON file (see the module docstring).
    baseline
        The sites the edits apply to, in a metric CRS.
    dataset
        Dataset name, used when the file names none.

    Raises
    ------
    covplan.errors.ConfigError
        For a file that is not a scenario (bad JSON, wrong version).
    covplan.errors.InputError
        Listing every bad edit (unknown op, unknown site_id, bad values) at once.
    """
    path = Path(path)
    data = _document(path)
    try:
        crs = CRS.from_user_input(data.get("crs") or baseline.crs)
    except Exception as exc:
        raise ConfigError(f"{path}: crs {data.get('crs')!r} is not a CRS ({exc}).") from None
    reader = _Reader(str(path), crs, baseline.crs)
    edits = [reader.edit(r, n) for n, r in enumerate(data.get("edits", []), start=1)]
    good = [e for e in edits if e is not None]
    sites, applied = apply_edits(baseline, good, source=str(path))
    numbers = [n for n, e in enumerate(edits, start=1) if e is not None]
    problems = reader.problems + [_renumber(p, numbers) for p in applied]
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.rows))
    _check_baseline(data, baseline, path)
    name = data.get("name") or path.stem
    return Scenario(baseline, tuple(good), name=str(name),
                    description=str(data.get("description", "")),
                    dataset=str((data.get("baseline") or {}).get("dataset") or dataset),
                    source=str(path), _applied=sites)


def _renumber(problem: Problem, numbers: list[int]) -> Problem:
    """Edit numbers among the parsed edits back to numbers in the file."""
    from dataclasses import replace

    return replace(problem, rows=tuple(numbers[r - 1] for r in problem.rows))
