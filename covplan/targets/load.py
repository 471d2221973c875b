"""Reading targets files and the shipped presets, with every problem reported at once.

Unknown keys are refused with a "did you mean" suggestion, values are checked against
their allowed sets and ranges, and all problems of a file are collected before one
:class:`~covplan.errors.ConfigError` lists them (as osmnx's ``_validate`` does).
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from covplan.errors import ConfigError
from covplan.metrics.thresholds import THRESHOLD_RANGES, Thresholds
from covplan.schema import POI_KINDS, ROAD_CLASSES, TECHNOLOGIES
from covplan.targets.schema import (
    FILTERS,
    LAYER_OF_MEASURE,
    LAYERS,
    MEASURES,
    PRESET_KEYS,
    REQUIRED_TARGET_KEYS,
    SIGNAL_MEASURES,
    TARGET_KEYS,
    TOP_KEYS,
    WEIGHTS,
    Target,
    TargetSet,
)

logger = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9_-]+$")
#: Filter columns whose values are checked against a closed set.
_CLOSED_VALUES: dict[str, tuple[str, ...]] = {"road_class": ROAD_CLASSES, "kind": POI_KINDS}


class _Problems:
    """Collects problems of one file; :meth:`raise_if_any` reports them together."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str, fix: str = "") -> None:
        self.items.append(f"{where}: {message}" + (f" Fix: {fix}" if fix else ""))

    def raise_if_any(self) -> None:
        if self.items:
            count = len(self.items)
            head = (f"{count} problem{'s' if count != 1 else ''} in the targets file "
                    f"{self.source}:")
            raise ConfigError("\n".join([head, *(f"  - {p}" for p in self.items)]))


def _suggest(word: str, allowed: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` plus the allowed values."""
    allowed = list(allowed)
    close = difflib.get_close_matches(str(word), allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}Allowed: {', '.join(allowed)}."


def _check_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str,
                problems: _Problems) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            problems.add(where, f"unknown key '{key}'.", _suggest(key, allowed))


def _string(table: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        problems.add(where, f"'{key}' should be text, got {value!r}.",
                     f'write it in quotes: {key} = "…"')
        return ""
    return value


def _thresholds(table: Any, base: Thresholds, where: str, problems: _Problems) -> Thresholds:
    if not isinstance(table, Mapping):
        problems.add(where, f"should be a table of thresholds, got {table!r}.",
                     "write it as [thresholds] or thresholds = { rsrp_4g_dbm = -105 }")
        return base
    _check_keys(table, [*THRESHOLD_RANGES, "sources"], where, problems)
    values: dict[str, float] = {}
    for key, (low, high) in THRESHOLD_RANGES.items():
        if key not in table:
            continue
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value) or not low <= value <= high:
            problems.add(where, f"'{key}' should be a number from {low:g} to {high:g}, "
                                f"got {value!r}.")
            continue
        values[key] = float(value)
    sources = table.get("sources", {})
    if not isinstance(sources, Mapping):
        problems.add(where, f"'sources' should be a table of text, got {sources!r}.")
        sources = {}
    _check_keys(sources, THRESHOLD_RANGES, f"{where}.sources", problems)
    cited = {k: str(v) for k, v in sources.items() if k in THRESHOLD_RANGES}
    return base.updated(values, cited) if values or cited else base


def _choice(table: Mapping[str, Any], key: str, allowed: Iterable[str], where: str,
            problems: _Problems) -> str:
    value = table.get(key)
    allowed = tuple(allowed)
    if value not in allowed:
        problems.add(where, f"unknown {key} {value!r}.", _suggest(str(value), allowed))
        return ""
    return str(value)


def _text_list(value: Any, what: str, where: str, problems: _Problems) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.add(where, f"{what} should be a list of text, got {value!r}.",
                     f'write it as {what} = ["…", "…"]')
        return ()
    return tuple(values)


def _technologies(table: Mapping[str, Any], where: str, problems: _Problems
                  ) -> tuple[str, ...]:
    if "technologies" not in table:
        return ()
    raw = _text_list(table["technologies"], "technologies", where, problems)
    canon = {t.upper(): t for t in TECHNOLOGIES}
    techs: list[str] = []
    for tech in raw:
        if tech.upper() not in canon:
            problems.add(where, f"unknown technology {tech!r}.", _suggest(tech, TECHNOLOGIES))
        elif canon[tech.upper()] not in techs:
            techs.append(canon[tech.upper()])
    return tuple(techs)


def _filter(table: Mapping[str, Any], layer: str, where: str, problems: _Problems
            ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = table.get("filter", {})
    if not isinstance(raw, Mapping):
        problems.add(where, f"filter should be a table, got {raw!r}.",
                     'write it as filter = { road_class = ["national"] }')
        return ()
    allowed = FILTERS.get(layer, ())
    _check_keys(raw, allowed, f"{where} filter", problems)
    out: list[tuple[str, tuple[str, ...]]] = []
    for column in allowed:
        if column not in raw:
            continue
        values = _text_list(raw[column], f"filter {column}", where, problems)
        for value in values:
            if column in _CLOSED_VALUES and value not in _CLOSED_VALUES[column]:
                problems.add(where, f"unknown {column} {value!r} in the filter.",
                             _suggest(value, _CLOSED_VALUES[column]))
        out.append((column, values))
    return tuple(out)


def _goal(table: Mapping[str, Any], where: str, problems: _Problems) -> float:
    goal = table.get("goal_percent")
    if isinstance(goal, bool) or not isinstance(goal, int | float) or not math.isfinite(goal):
        problems.add(where, f"goal_percent should be a number from 0 to 100, got {goal!r}.")
        return math.nan
    if not 0 <= goal <= 100:
        problems.add(where, f"goal_percent should be from 0 to 100, got {goal:g}.",
                     "write the goal as a percentage (99.3, not 0.993 or 993).")
    return float(goal)


def _target(table: Any, number: int, base: Thresholds, problems: _Problems) -> Target | None:
    where = f"[[target]] {number}"
    if not isinstance(table, Mapping):
        problems.add(where, f"should be a table, got {table!r}.")
        return None
    if isinstance(table.get("id"), str):
        where += f" (id '{table['id']}')"
    _check_keys(table, TARGET_KEYS, where, problems)
    missing = [k for k in REQUIRED_TARGET_KEYS if k not in table]
    if missing:
        problems.add(where, f"missing {', '.join(repr(k) for k in missing)}.",
                     f"every target needs {', '.join(REQUIRED_TARGET_KEYS)}.")
    ident, label = _string(table, "id", where, problems), _string(table, "label", where, problems)
    if ident and not _ID.match(ident):
        problems.add(where, f"id {ident!r} should use only letters, digits, '_' and '-'.")
    layer = _choice(table, "layer", LAYERS, where, problems) if "layer" in table else ""
    measure = _choice(table, "measure", MEASURES, where, problems) if "measure" in table else ""
    if layer and measure and LAYER_OF_MEASURE[measure] != layer:
        problems.add(where, f"measure '{measure}' applies to layer "
                            f"'{LAYER_OF_MEASURE[measure]}', not '{layer}'.")
    techs = _technologies(table, where, problems)
    or_fibre = table.get("or_fibre", False)
    _check_measure_options(table, measure, techs, or_fibre, where, problems)
    thresholds = (_thresholds(table["thresholds"], base, f"{where} thresholds", problems)
                  if "thresholds" in table else base)
    return Target(
        id=ident, label=label, layer=layer, measure=measure,
        goal_percent=_goal(table, where, problems) if "goal_percent" in table else math.nan,
        technologies=techs, filter=_filter(table, layer, where, problems) if layer else (),
        weight=str(table.get("weight", "population")), or_fibre=bool(or_fibre),
        thresholds=thresholds, note=_string(table, "note", where, problems),
    )


def _check_measure_options(table: Mapping[str, Any], measure: str, techs: tuple[str, ...],
                           or_fibre: Any, where: str, problems: _Problems) -> None:
    if measure in SIGNAL_MEASURES and not techs:
        problems.add(where, f"measure '{measure}' needs technologies.",
                     'add technologies = ["4G", "5G"] (either counts) or ["5G"].')
    if measure == "fibre_share" and techs:
        problems.add(where, "measure 'fibre_share' takes no technologies.",
                     "remove 'technologies' or use measure 'village_share'.")
    if not isinstance(or_fibre, bool):
        problems.add(where, f"or_fibre should be true or false, got {or_fibre!r}.")
    elif "or_fibre" in table and measure and measure != "population_share":
        problems.add(where, "or_fibre applies only to measure 'population_share'.")
    elif measure == "population_share" and not techs and not or_fibre:
        problems.add(where, "measure 'population_share' needs technologies or or_fibre = true.")
    if "weight" in table:
        if measure and measure != "village_share":
            problems.add(where, "weight applies only to measure 'village_share'.")
        elif table["weight"] not in WEIGHTS:
            problems.add(where, f"unknown weight {table['weight']!r}.",
                         _suggest(str(table["weight"]), WEIGHTS))


def parse_targets(data: Mapping[str, Any], source: str = "<targets>") -> TargetSet:
    """Validate a parsed targets document (see :mod:`covplan.targets.schema`).

    Raises
    ------
    covplan.errors.ConfigError
        Listing every problem found.
    """
    problems = _Problems(source)
    _check_keys(data, TOP_KEYS, "top level", problems)
    preset = data.get("preset", {})
    if not isinstance(preset, Mapping) or "name" not in preset:
        problems.add("[preset]", "missing the [preset] table with a name.",
                     '[preset]\nname = "Thái Nguyên 2025"')
        preset = preset if isinstance(preset, Mapping) else {}
    _check_keys(preset, PRESET_KEYS, "[preset]", problems)
    base = _thresholds(data.get("thresholds", {}), Thresholds(), "[thresholds]", problems)
    raw = data.get("target", [])
    if not isinstance(raw, list) or not raw:
        problems.add("[[target]]", "no targets found.",
                     "add at least one [[target]] table (see covplan/presets/*.toml).")
        raw = raw if isinstance(raw, list) else []
    targets = [t for i, item in enumerate(raw, 1)
               if (t := _target(item, i, base, problems)) is not None]
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            problems.add(f"[[target]] id '{target.id}'", "the id is used twice.",
                         "give every target its own id.")
        seen.add(target.id)
    name, cited, description = (_string(preset, key, "[preset]", problems)
                                for key in ("name", "source", "description"))
    problems.raise_if_any()
    return TargetSet(name=name, source=cited, description=description, path=source,
                     thresholds=base, targets=tuple(targets))


def preset_names() -> tuple[str, ...]:
    """Names of the shipped presets (``covplan/presets/*.toml``)."""
    folder = resources.files("covplan").joinpath("presets")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def load_targets(spec: str | Path) -> TargetSet:
    """A preset by name (``"thai_nguyen_2025"``) or a targets TOML file by path.

    Raises
    ------
    covplan.errors.ConfigError
        For an unknown preset, a file that is not TOML, or a file that breaks the schema.
    """
    path = Path(spec)
    if path.suffix.lower() != ".toml" and not path.exists():
        names = preset_names()
        if str(spec) not in names:
            raise ConfigError(f"unknown targets preset '{spec}': {_suggest(str(spec), names)} "
                              "Or give the path of a targets .toml file.")
        text = resources.files("covplan").joinpath("presets", f"{spec}.toml").read_text(
            encoding="utf-8")
        source = f"preset {spec}"
    else:
        if not path.is_file():
            raise ConfigError(f"{path}: targets file not found. Give a preset name "
                              f"({', '.join(preset_names())}) or an existing .toml file.")
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}). Check quotes, brackets and "
                          "commas on that line.") from None
    targets = parse_targets(data, source)
    logger.info("Loaded %d targets from %s", len(targets), source)
    return targets
