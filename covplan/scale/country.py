"""A country: the province datasets of a national run, and the job of each.

A country is a folder ROOT of province folders, each a dataset with a ``dataset.toml``
naming its target preset (``[dataset] targets = "bac_ninh_2030"``), or a ``country.toml``
that lists them::

    [country]
    name = "Việt Nam"
    targets = "thai_nguyen_2025"     # preset of provinces whose manifest names none

    [[province]]
    path = "thai_nguyen"             # relative to country.toml
    targets = "thai_nguyen_2025"     # optional: overrides the manifest's

Without ``country.toml``, every sub-folder of ROOT holding a ``dataset.toml`` is a province
(hidden folders and the run's own output folder are skipped). A province's preset is, in
order: its ``[[province]] targets``, its manifest's ``targets``, ``--targets``, the
``[country] targets``.

:func:`plan_jobs` reads each province's manifest on the client (its name, its preset, the
files it names) and hashes the files and settings (:mod:`covplan.scale.resume`); a province
whose manifest cannot be read, or that has no preset, is a failed province from the start.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from covplan.errors import ConfigError, CovplanError, Findings
from covplan.i18n import N_, Name, Phrase
from covplan.scale.province import ProvinceJob, ProvinceResult, RunSettings, failed_result
from covplan.scale.resume import province_digest

logger = logging.getLogger(__name__)

COUNTRY_FILE: Final = "country.toml"
_COUNTRY_KEYS: Final = ("name", "targets")
_PROVINCE_KEYS: Final = ("path", "targets")


@dataclass(frozen=True)
class ProvinceEntry:
    """One province of a country, before its manifest is read.

    Parameters
    ----------
    key
        Its name within the country: the folder's path relative to ROOT (unique).
    path
        The dataset folder.
    targets
        Preset named for it by ``country.toml`` ("" when none).
    """

    key: str
    path: Path
    targets: str = ""


@dataclass(frozen=True)
class Country:
    """The provinces of a national run.

    Parameters
    ----------
    name
        What the outputs call the country.
    root
        ROOT as given.
    provinces
        In the order of ``country.toml``, else sorted by folder name.
    targets
        ``[country] targets``: the preset of provinces that name none ("" when not given).
    """

    name: str
    root: Path
    provinces: tuple[ProvinceEntry, ...]
    targets: str = ""


@dataclass(frozen=True)
class Plan:
    """The jobs of a run and the provinces refused before any work.

    Parameters
    ----------
    jobs
        One per province that can run, in the country's order.
    refused
        Failed results of provinces whose manifest cannot be read or that have no preset.
    order
        Every province key in the country's order (for the outputs).
    """

    jobs: tuple[ProvinceJob, ...]
    refused: tuple[ProvinceResult, ...]
    order: tuple[str, ...] = field(default=())


def _check_preset(value: Any, where: str, problems: Findings) -> str:
    """``value`` when it names a shipped preset ("" when absent), else a problem noted."""
    from covplan.io.manifest import check_preset

    if not check_preset(value, where, problems):
        return ""
    return "" if value is None else str(value)


def read_country_file(path: Path) -> Country:
    """Read and validate ``country.toml``; every problem is reported at once.

    Raises
    ------
    covplan.errors.ConfigError
        When the file is not TOML or breaks the schema (the module docstring shows it).
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(N_("{path}: cannot be read as UTF-8 TOML ({error}). Fix: check the "
                             "quotes and brackets; [country] and [[province]] tables with "
                             "path = \"folder\" under each."), path=path, error=exc) from None
    problems = Findings(str(path), N_("country file"))
    top = Phrase(N_("top level"))
    problems.unknown_keys(doc, ("country", "province"), top)
    meta = doc.get("country", {})
    if not isinstance(meta, dict):
        problems.add(top, N_("'country' must be a table."),
                     N_("write [country] on its own line."))
        meta = {}
    problems.unknown_keys(meta, _COUNTRY_KEYS, "[country]")
    default = _check_preset(meta.get("targets"), "[country]", problems)
    entries: list[ProvinceEntry] = []
    tables = doc.get("province", [])
    if not isinstance(tables, list) or not tables:
        problems.add(top, N_("no provinces."),
                     N_('add one [[province]] table per province, with path = "folder" under '
                        "it."))
        tables = []
    for number, table in enumerate(tables, start=1):
        where = f"[[province]] {number}"
        if not isinstance(table, dict) or not isinstance(table.get("path"), str):
            problems.add(where, N_('needs path = "folder" (the province\'s dataset folder, '
                                   "relative to country.toml)."))
            continue
        problems.unknown_keys(table, _PROVINCE_KEYS, where)
        preset = _check_preset(table.get("targets"), where, problems)
        entries.append(ProvinceEntry(table["path"], (path.parent / table["path"]).resolve(),
                                     preset))
    keys = [e.key for e in entries]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.add(top, N_("province {key} is listed twice."), key=Name.found(key))
    problems.raise_if_any()
    name = meta.get("name")
    return Country(str(name) if isinstance(name, str) else path.parent.name, path.parent,
                   tuple(entries), default)


def read_country(root: str | Path, *, exclude: Iterable[str | Path] = ()) -> Country:
    """The country at ``root``: its ``country.toml``, else its province sub-folders.

    Parameters
    ----------
    root
        A folder of province folders, a folder with ``country.toml``, or that file.
    exclude
        Folders that are never provinces (the run's output folder).

    Raises
    ------
    covplan.errors.ConfigError
        When ``root`` does not exist, holds no province, or its ``country.toml`` is wrong.
    """
    root = Path(root)
    if root.is_file() and root.name == COUNTRY_FILE:
        return read_country_file(root)
    if not root.is_dir():
        raise ConfigError(N_("{root}: no such folder. Fix: give a folder of province folders "
                             "(each with a dataset.toml) or a {file}."),
                          root=root, file=COUNTRY_FILE)
    if (root / COUNTRY_FILE).is_file():
        return read_country_file(root / COUNTRY_FILE)
    skipped = {Path(p).resolve() for p in exclude}
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                     and p.resolve() not in skipped)
    provinces = [p for p in folders if (p / "dataset.toml").is_file()]
    others = [p.name for p in folders if p not in provinces]
    if others:
        logger.info("Not provinces (no dataset.toml): %s", ", ".join(others))
    if not provinces:
        raise ConfigError(N_("{root}: no province folders found (sub-folders with a "
                             "dataset.toml). Fix: put one dataset folder per province in it, "
                             "or list them in {file}."), root=root, file=root / COUNTRY_FILE)
    return Country(root.resolve().name, root,
                   tuple(ProvinceEntry(p.name, p.resolve()) for p in provinces))


def plan_jobs(country: Country, settings: RunSettings, *, targets: str | None = None
              ) -> Plan:
    """One job per province, each with its preset and the content hash of its inputs.

    Parameters
    ----------
    country
        From :func:`read_country`.
    settings
        The run's settings (resolution resolved).
    targets
        ``--targets``: the preset (or targets file) of provinces that name none; before
        the ``[country]`` one.
    """
    from covplan.io.manifest import discover

    jobs: list[ProvinceJob] = []
    refused: list[ProvinceResult] = []
    for entry in country.provinces:
        job = ProvinceJob(entry.key, str(entry.path), entry.key, "", settings, "")
        try:
            manifest = discover(entry.path)
            job = ProvinceJob(entry.key, str(entry.path), manifest.name, "", settings, "")
            preset = entry.targets or manifest.targets or targets or country.targets
            if not preset:
                raise ConfigError(
                    N_("{path}: no target preset for this province. Fix: add targets = "
                       "\"<preset>\" under [dataset] in its dataset.toml, or pass --targets."),
                    path=entry.path)
            job = ProvinceJob(entry.key, str(entry.path), manifest.name, preset, settings,
                              province_digest(manifest, preset, settings))
        except CovplanError as exc:
            logger.info("Province %s refused: %s", entry.key, exc)  # the run's report says it
            refused.append(failed_result(job, exc))
            continue
        jobs.append(job)
    return Plan(tuple(jobs), tuple(refused), tuple(e.key for e in country.provinces))
