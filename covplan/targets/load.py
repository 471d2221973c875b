"""Reading targets files and the shipped presets, with every problem reported at once.

Unknown keys are refused with a "did you mean" suggestion, values are checked against
their allowed sets and ranges, and all problems of a file are collected before one
:class:`~covplan.errors.ConfigError` lists them (as osmnx's ``_validate`` does).
"""

from __future__ import annotations

import codecs
import difflib
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from covplan import settings
from covplan.errors import ConfigError, Findings, LimitError, suggest
from covplan.i18n import LANGUAGES, N_, Name, Num, Phrase
from covplan.metrics.thresholds import THRESHOLD_MEANINGS, THRESHOLD_RANGES, Thresholds
from covplan.radio.indoor import BUILDING_TYPES, building_type
from covplan.radio.linklevel import SHADOW_SIGMA_DB
from covplan.schema import POI_KINDS, ROAD_CLASSES, TECHNOLOGIES
from covplan.targets.schema import (
    ALL_OPERATORS,
    ANY_OPERATOR,
    EDGE_PROBABILITY_PERCENT,
    ENVIRONMENTS,
    FILTERS,
    INDOOR_PROBABILITY_PERCENT,
    LAYER_OF_MEASURE,
    LAYERS,
    MEASURES,
    PRESET_KEYS,
    REQUIRED_TARGET_KEYS,
    SIGNAL_MEASURES,
    SPEED_MEASURE_OF_LAYER,
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




def _string(table: Mapping[str, Any], key: str, where: str, problems: Findings) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        problems.add(where, N_("'{key}' should be text, got {found}."),
                     N_('write it in quotes: {key} = "…"'), key=Name(key), found=Name.found(value))
        return ""
    return value


def _thresholds(table: Any, base: Thresholds, where: str, problems: Findings) -> Thresholds:
    if not isinstance(table, Mapping):
        problems.add(where, N_("should be a table of thresholds, got {found}."),
                     N_("write it as [thresholds] or thresholds = {{ rsrp_4g_dbm = -105 }}"),
                     found=Name.found(table))
        return base
    problems.unknown_keys(table, [*THRESHOLD_RANGES, "sources"], where)
    values: dict[str, float] = {}
    for key, (low, high) in THRESHOLD_RANGES.items():
        if key not in table:
            continue
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value) or not low <= value <= high:
            problems.add(where, N_("'{key}' is {meaning}, from {low} to {high}; got {found}."),
                         _threshold_fix(key, value, low, high), key=Name(key),
                         meaning=THRESHOLD_MEANINGS[key], low=Num.shortest(low),
                         high=Num.shortest(high), found=Name.found(value))
            continue
        values[key] = float(value)
    sources = table.get("sources", {})
    if not isinstance(sources, Mapping):
        problems.add(where, N_("'sources' should be a table of text, got {found}."),
                     N_('write it as [thresholds.sources] with lines such as rsrp_4g_dbm = "…"'),
                     found=Name.found(sources))
        sources = {}
    problems.unknown_keys(sources, THRESHOLD_RANGES, f"{where}.sources")
    cited = {k: str(v) for k, v in sources.items() if k in THRESHOLD_RANGES}
    return base.updated(values, cited) if values or cited else base


def _threshold_fix(key: str, value: Any, low: float, high: float) -> Phrase:
    """How to write a threshold that is out of range (a sign or a scale slip, say)."""
    example = float(getattr(Thresholds(), key))
    if (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and low <= -value <= high):
        why = (N_("an RSRP threshold is negative") if value > 0
               else N_("it cannot be negative"))
        return Phrase.of(N_("write {key} = {value} ({why})."), key=Name(key),
                         value=Name(f"{-value:g}"), why=why)
    return Phrase.of(N_("write {key} = {value} (the default) or another value from {low} to "
                        "{high}."), key=Name(key), value=Name(f"{example:g}"),
                     low=Num.shortest(low), high=Num.shortest(high))


def _choice(table: Mapping[str, Any], key: str, allowed: Iterable[str], where: str,
            problems: Findings) -> str:
    value = table.get(key)
    allowed = tuple(allowed)
    if value not in allowed:
        problems.add(where, N_("unknown {key} {found}."), suggest(str(value), allowed),
                     key=Name(key), found=Name.found(value))
        return ""
    return str(value)


def _text_list(value: Any, what: str, where: str, problems: Findings) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.add(where, N_("{what} should be a list of text, got {found}."),
                     N_('write it as {what} = ["…", "…"]'), what=Name(what),
                     found=Name.found(value))
        return ()
    return tuple(values)


def _technologies(table: Mapping[str, Any], where: str, problems: Findings
                  ) -> tuple[str, ...]:
    if "technologies" not in table:
        return ()
    raw = _text_list(table["technologies"], "technologies", where, problems)
    canon = {t.upper(): t for t in TECHNOLOGIES}
    techs: list[str] = []
    for tech in raw:
        if tech.upper() not in canon:
            problems.add(where, N_("unknown technology {found}."),
                         suggest(tech, TECHNOLOGIES), found=Name.found(tech))
        elif canon[tech.upper()] not in techs:
            techs.append(canon[tech.upper()])
    return tuple(techs)


def _filter(table: Mapping[str, Any], layer: str, where: str, problems: Findings
            ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = table.get("filter", {})
    if not isinstance(raw, Mapping):
        problems.add(where, N_("filter should be a table, got {found}."),
                     N_('write it as filter = {{ road_class = ["national"] }}'),
                     found=Name.found(raw))
        return ()
    allowed = FILTERS.get(layer, ())
    problems.unknown_keys(raw, allowed, f"{where} filter")
    out: list[tuple[str, tuple[str, ...]]] = []
    for column in allowed:
        if column not in raw:
            continue
        values = _text_list(raw[column], f"filter {column}", where, problems)
        for value in values:
            if column in _CLOSED_VALUES and value not in _CLOSED_VALUES[column]:
                problems.add(where, N_("unknown {column} {found} in the filter."),
                             suggest(value, _CLOSED_VALUES[column]), column=Name(column),
                             found=Name.found(value))
        out.append((column, values))
    return tuple(out)


def _goal(table: Mapping[str, Any], where: str, problems: Findings) -> float:
    goal = table.get("goal_percent")
    if isinstance(goal, bool) or not isinstance(goal, int | float) or not math.isfinite(goal):
        problems.add(where, N_("goal_percent should be a number from 0 to 100, got {found}."),
                     N_("write the goal as a number without quotes or a percent sign, such as "
                        "goal_percent = 95."), found=Name.found(goal))
        return math.nan
    if not 0 <= goal <= 100:
        problems.add(where, N_("goal_percent should be from 0 to 100, got {found}."),
                     N_("write the goal as a percentage (99.3, not 0.993 or 993)."),
                     found=Name(f"{goal:g}"))
    return float(goal)


def _target(table: Any, number: int, base: Thresholds, problems: Findings) -> Target | None:
    where = f"[[target]] {number}"
    if not isinstance(table, Mapping):
        problems.add(where, N_("should be a table, got {found}."),
                     N_("write each target as a [[target]] table with id, label, layer, "
                        "measure and goal_percent."), found=Name.found(table))
        return None
    if isinstance(table.get("id"), str):
        where += f" (id '{table['id']}')"
    problems.unknown_keys(table, TARGET_KEYS, where)
    missing = [k for k in REQUIRED_TARGET_KEYS if k not in table]
    if missing:
        problems.add(where, N_("missing {keys}."), N_("every target needs {required}."),
                     keys=Name.listed(repr(k) for k in missing),
                     required=Name.listed(REQUIRED_TARGET_KEYS))
    ident, label = _string(table, "id", where, problems), _string(table, "label", where, problems)
    if ident and not _ID.match(ident):
        problems.add(where, N_("id {found} should use only letters, digits, '_' and '-'."),
                     N_('write it as id = "{fixed}"'), found=Name.found(ident),
                     fixed=Name(re.sub(r"[^A-Za-z0-9_-]+", "_", ident).strip("_")))
    layer = _choice(table, "layer", LAYERS, where, problems) if "layer" in table else ""
    measure = _choice(table, "measure", MEASURES, where, problems) if "measure" in table else ""
    if measure == "speed_share" and layer and layer not in SPEED_MEASURE_OF_LAYER:
        problems.add(where, N_("measure 'speed_share' applies to the layers {layers}, not "
                               "'{layer}'."),
                     N_('write layer = "population" (people), "roads", "villages" or "pois".'),
                     layers=Name.listed(SPEED_MEASURE_OF_LAYER), layer=Name(layer))
    elif layer and measure and measure != "speed_share" and LAYER_OF_MEASURE[measure] != layer:
        problems.add(where, N_("measure '{measure}' applies to layer '{own}', not '{layer}'."),
                     N_("write layer = \"{own}\", or choose a measure of layer '{layer}': "
                        "{measures}."), measure=Name(measure),
                     own=Name(LAYER_OF_MEASURE[measure]), layer=Name(layer),
                     measures=Name.listed(m for m, lay in LAYER_OF_MEASURE.items() if lay == layer))
    techs = _technologies(table, where, problems)
    or_fibre = table.get("or_fibre", False)
    _check_measure_options(table, measure, techs, or_fibre, where, problems)
    thresholds = (_thresholds(table["thresholds"], base, f"{where} thresholds", problems)
                  if "thresholds" in table else base)
    environment, building, probability = _environment(table, measure, techs, where, problems)
    speed = _speed(table, measure, where, problems)
    target = Target(
        id=ident, label=label, layer=layer, measure=measure,
        goal_percent=_goal(table, where, problems) if "goal_percent" in table else math.nan,
        technologies=techs, filter=_filter(table, layer, where, problems) if layer else (),
        weight=str(table.get("weight", "population")), or_fibre=bool(or_fibre),
        thresholds=thresholds, note=_string(table, "note", where, problems),
        label_vi=_string(table, "label_vi", where, problems),
        note_vi=_string(table, "note_vi", where, problems),
        operators=_operators(table, where, problems),
        min_dl_mbps=speed.get("min_dl_mbps", math.nan),
        edge_probability_percent=speed.get("edge_probability_percent",
                                           EDGE_PROBABILITY_PERCENT),
        shadow_sigma_db=speed.get("shadow_sigma_db", SHADOW_SIGMA_DB),
    )
    if environment == "indoor" and techs:
        target = target.with_environment("indoor", building=building,
                                         probability_percent=probability)
    return target


def _environment(table: Mapping[str, Any], measure: str, techs: tuple[str, ...], where: str,
                 problems: Findings) -> tuple[str, str, float]:
    """``environment``, ``building`` and ``indoor_probability_percent`` of a target."""
    environment = table.get("environment", "outdoor")
    if environment not in ENVIRONMENTS:
        problems.add(where, N_("unknown environment {found}."),
                     suggest(str(environment), ENVIRONMENTS), found=Name.found(environment))
        environment = "outdoor"
    indoor_keys = [k for k in ("building", "indoor_probability_percent") if k in table]
    if environment != "indoor" and indoor_keys:
        problems.add(where, N_("{keys} applies only to indoor targets."),
                     N_('add environment = "indoor", or remove {keys}.'),
                     keys=Name.listed(indoor_keys))
    if environment == "indoor" and measure and measure not in (*SIGNAL_MEASURES,
                                                              "population_share"):
        problems.add(where, N_("measure '{measure}' has no signal to count indoors."),
                     N_("remove environment, or use a measure with technologies."),
                     measure=Name(measure))
    if environment == "indoor" and measure == "population_share" and not techs:
        problems.add(where, N_("an indoor population_share needs technologies."),
                     N_('add technologies = ["5G"], or remove environment.'))
    building = "traditional"
    if "building" in table:
        try:
            building = building_type(str(table["building"]))
        except ValueError:
            problems.add(where, N_("unknown building {found}."),
                         Phrase.of(N_("{suggestion} (ITU-R P.2109-2: thermally efficient "
                                      "buildings have metallised glass and foil-backed "
                                      "insulation)"),
                                   suggestion=suggest(str(table["building"]), BUILDING_TYPES)),
                         found=Name.found(table["building"]))
    probability = table.get("indoor_probability_percent", INDOOR_PROBABILITY_PERCENT)
    if (isinstance(probability, bool) or not isinstance(probability, int | float)
            or not math.isfinite(probability) or not 0 < probability < 100):
        problems.add(where, N_("indoor_probability_percent should be a number between 0 and "
                               "100 (exclusive), got {found}."),
                     N_("write e.g. indoor_probability_percent = 50 (the median building) or "
                        "90 (a loss that 90 percent of buildings do not exceed)."),
                     found=Name.found(probability))
        probability = INDOOR_PROBABILITY_PERCENT
    return str(environment), building, float(probability)


def _operators(table: Mapping[str, Any], where: str, problems: Findings) -> tuple[str, ...]:
    """``operators``: "any", "all" or a list of operator names."""
    value = table.get("operators", ANY_OPERATOR)
    if value in (ANY_OPERATOR, ALL_OPERATORS):
        return (str(value),)
    names = (tuple(value) if isinstance(value, list) and all(isinstance(v, str) for v in value)
             else ())
    if not names or any(not n.strip() for n in names):
        problems.add(where, N_('operators should be "any", "all" or a list of operator names, '
                               "got {found}."),
                     N_('write operators = "any" (at least one operator), "all", or '
                        '["Viettel", "VNPT"] as the sites file names them.'),
                     found=Name.found(value))
        return (ANY_OPERATOR,)
    return tuple(n.strip() for n in names)


#: The speed keys of a target: lowest, highest, whether the lowest is allowed, and the fix.
_SPEED_KEYS: Final = {
    "min_dl_mbps": (0.0, 10_000.0, False,
                    N_("write the speed in Mb/s, e.g. min_dl_mbps = 40.")),
    "edge_probability_percent": (50.0, 99.9, True,
                                 N_("write a percentage from 50 (the median) to 99.9, e.g. 90 "
                                    "as the FCC's cell-edge probability.")),
    "shadow_sigma_db": (0.0, 20.0, True,
                        N_("write the shadow-fading spread in dB, e.g. 8.")),
}


def _speed(table: Mapping[str, Any], measure: str, where: str, problems: Findings
           ) -> dict[str, float]:
    """``min_dl_mbps``, ``edge_probability_percent`` and ``shadow_sigma_db`` of a target."""
    keys = [k for k in _SPEED_KEYS if k in table]
    if measure and measure != "speed_share":
        if keys:
            problems.add(where, N_("{keys} apply only to measure 'speed_share'."),
                         N_('remove them, or write measure = "speed_share".'),
                         keys=Name.listed(keys))
        return {}
    if measure != "speed_share":
        return {}
    out: dict[str, float] = {}
    for key, (low, high, closed, fix) in _SPEED_KEYS.items():
        if key not in table:
            continue
        value = table[key]
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
              and math.isfinite(value) and (low <= value if closed else low < value)
              and value <= high)
        if not ok:
            problems.add(where, N_("{key} should be a number in {range}, got {found}."), fix,
                         key=Name(key), found=Name.found(value),
                         range=Name(f"{'[' if closed else '('}{low:g}, {high:g}]"))
            continue
        out[key] = float(value)
    if "min_dl_mbps" not in table:
        problems.add(where, N_("measure 'speed_share' needs min_dl_mbps."),
                     N_("add min_dl_mbps = 40 (Decision 36/QĐ-TTg: 4G at least 40 Mb/s)."))
    out.setdefault("edge_probability_percent", EDGE_PROBABILITY_PERCENT)
    return out


def _check_measure_options(table: Mapping[str, Any], measure: str, techs: tuple[str, ...],
                           or_fibre: Any, where: str, problems: Findings) -> None:
    if measure in SIGNAL_MEASURES and not techs:
        problems.add(where, N_("measure '{measure}' needs technologies."),
                     N_('add technologies = ["4G", "5G"] (either counts) or ["5G"].'),
                     measure=Name(measure))
    if measure == "fibre_share" and techs:
        problems.add(where, N_("measure 'fibre_share' takes no technologies."),
                     N_("remove 'technologies' or use measure 'village_share'."))
    if not isinstance(or_fibre, bool):
        problems.add(where, N_("or_fibre should be true or false, got {found}."),
                     N_("write or_fibre = true (lower case, no quotes) or remove it."),
                     found=Name.found(or_fibre))
    elif ("or_fibre" in table and measure and measure != "population_share"
          and not (measure == "speed_share" and table.get("layer") == "population")):
        problems.add(where, N_("or_fibre applies only to people (measure 'population_share', "
                               "or 'speed_share' on layer 'population')."),
                     N_("remove 'or_fibre' from this target."))
    elif measure == "population_share" and not techs and not or_fibre:
        problems.add(where, N_("measure 'population_share' needs technologies or or_fibre = "
                               "true."),
                     N_('add technologies = ["4G", "5G"], or or_fibre = true.'))
    if "weight" in table:
        if measure and measure != "village_share" and not (
                measure == "speed_share" and table.get("layer") == "villages"):
            problems.add(where, N_("weight applies only to measure 'village_share'."),
                         N_("remove 'weight' from this target."))
        elif table["weight"] not in WEIGHTS:
            problems.add(where, N_("unknown weight {found}."),
                         suggest(str(table["weight"]), WEIGHTS), found=Name.found(table["weight"]))


def _extent(preset: Mapping[str, Any], problems: Findings
            ) -> tuple[float, float, float, float] | None:
    """``[preset] extent_lonlat``: west, south, east, north in degrees (None when absent)."""
    if "extent_lonlat" not in preset:
        return None
    value = preset["extent_lonlat"]
    numbers = (isinstance(value, list) and len(value) == 4
               and all(isinstance(v, int | float) and not isinstance(v, bool)
                       and math.isfinite(v) for v in value))
    if numbers:
        west, south, east, north = (float(v) for v in value)
        if -180 <= west < east <= 180 and -90 <= south < north <= 90:
            return west, south, east, north
    problems.add("[preset]", N_("extent_lonlat should be [west, south, east, north] in degrees "
                                "(west < east, south < north), got {found}."),
                 N_("write it as extent_lonlat = [105.43, 21.32, 106.25, 22.75] (longitudes "
                    "first), or remove it."), found=Name.found(value))
    return None


def _preset(data: Mapping[str, Any], problems: Findings) -> Mapping[str, Any]:
    """The ``[preset]`` table, its keys and its year checked."""
    preset = data.get("preset", {})
    if not isinstance(preset, Mapping) or "name" not in preset:
        problems.add("[preset]", N_("missing the [preset] table with a name."),
                     N_('start the file with [preset] and a line name = "Thái Nguyên 2025".'))
        preset = preset if isinstance(preset, Mapping) else {}
    problems.unknown_keys(preset, PRESET_KEYS, "[preset]")
    year = preset.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                             or not 2000 <= year <= 2100):
        problems.add("[preset]", N_("year should be a year such as 2030, got {found}."),
                     N_("write year = 2030 (a number, no quotes), or remove it."),
                     found=Name.found(year))
    return preset


def parse_targets(data: Mapping[str, Any], source: str = "<targets>") -> TargetSet:
    """Validate a parsed targets document (see :mod:`covplan.targets.schema`).

    Raises
    ------
    covplan.errors.ConfigError
        Listing every problem found.
    """
    problems = Findings(source, N_("targets file"))
    problems.unknown_keys(data, TOP_KEYS, Phrase(N_("top level")))
    preset = _preset(data, problems)
    base = _thresholds(data.get("thresholds", {}), Thresholds(), "[thresholds]", problems)
    raw = data.get("target", [])
    if not isinstance(raw, list) or not raw:
        problems.add("[[target]]", N_("no targets found."),
                     N_("add at least one [[target]] table (see covplan/presets/*.toml)."))
        raw = raw if isinstance(raw, list) else []
    targets = [t for i, item in enumerate(raw, 1)
               if (t := _target(item, i, base, problems)) is not None]
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            problems.add(f"[[target]] id '{target.id}'", N_("the id is used twice."),
                         N_("give every target its own id."))
        seen.add(target.id)
    name, cited, cited_vi, description, description_vi, province = (
        _string(preset, key, "[preset]", problems)
        for key in ("name", "source", "source_vi", "description", "description_vi",
                    "province"))
    lang = preset.get("language", "vi")
    if lang not in LANGUAGES:
        problems.add("[preset]", N_("language should be one of {languages}, got {found}."),
                     N_('write language = "vi" (Tiếng Việt) or language = "en" (English).'),
                     languages=Name.listed(LANGUAGES), found=Name.found(lang))
        lang = "vi"
    _string(preset, "extent_source", "[preset]", problems)
    extent = _extent(preset, problems)
    problems.raise_if_any()
    return TargetSet(name=name, source=cited, description=description, path=source,
                     thresholds=base, targets=tuple(targets), province=province,
                     extent_lonlat=extent, language=str(lang), description_vi=description_vi,
                     source_vi=cited_vi)


def preset_names() -> tuple[str, ...]:
    """Names of the shipped presets (``covplan/presets/*.toml``)."""
    folder = resources.files("covplan").joinpath("presets")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


#: What a configuration file is, in the messages of :func:`read_config_text`.
ConfigFile = Literal["targets file", "scenario file"]

#: The messages of :func:`read_config_text`, whole for each kind of file (so that each
#: translates as one sentence).
#: What :func:`read_config_text` calls the file it reads, marked for translation.
_FILE_KINDS: Final = {"targets file": N_("targets file"), "scenario file": N_("scenario file")}


def read_config_text(path: Path, what: ConfigFile) -> str:
    """The text of a small UTF-8 configuration file (targets, scenario), size checked first.

    A byte-order mark is accepted (Windows editors write one).

    Parameters
    ----------
    path
        The file.
    what
        What the file is, in messages: ``"targets file"``, ``"scenario file"``.

    Raises
    ------
    covplan.errors.ConfigError
        When the file is missing, is a folder, cannot be read or is not UTF-8 text (the
        line of the first bad byte is named).
    covplan.errors.LimitError
        When the file is larger than :data:`covplan.settings.max_file_mb`.
    """
    kind = Phrase(_FILE_KINDS[what])
    if path.is_dir():
        raise ConfigError(N_("{path}: is a folder, not a {kind}. Fix: give the path of the "
                             "{kind} itself."), path=path, kind=kind)
    try:
        size_mb = path.stat().st_size / 1e6
        if size_mb > settings.max_file_mb:
            raise LimitError(N_("{path}: the {kind} is {size} MB, more than the limit of "
                                "{limit} MB. Fix: check that this is the right file, or raise "
                                "the limit with the environment variable {variable}."),
                             path=path, kind=kind, size=Num(size_mb, 1),
                             limit=f"{settings.max_file_mb:g}",
                             variable=settings.LIMIT_VARIABLES["max_file_mb"])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(N_("{path}: {kind} not found. Fix: check the path."), path=path,
                          kind=kind) from None
    except OSError as exc:
        raise ConfigError(N_("{path}: the {kind} cannot be read ({error}). Fix: check the path "
                             "and its permissions."), path=path, kind=kind,
                          error=exc.strerror) from None
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[:exc.start].count(b"\n") + 1
        raise ConfigError(N_("{path}: line {line}: the {kind} is not UTF-8 text (byte {byte} "
                             "cannot be decoded; a legacy code page such as Windows-1258, or a "
                             "binary file?). Fix: save it as UTF-8 (in Notepad: Save as, "
                             "Encoding: UTF-8)."), path=path, line=line, kind=kind,
                          byte=f"0x{body[exc.start]:02x}") from None


def load_targets(spec: str | Path) -> TargetSet:
    """A preset by name (``"thai_nguyen_2025"``) or a targets TOML file by path.

    Raises
    ------
    covplan.errors.ConfigError
        For an unknown preset, a file that is not UTF-8 TOML, or a file that breaks the
        schema (every problem listed, each with its fix).
    covplan.errors.LimitError
        For a file larger than :data:`covplan.settings.max_file_mb`.
    """
    path = Path(spec)
    if path.suffix.lower() != ".toml" and not path.exists():
        names = preset_names()
        if str(spec) not in names:
            close = difflib.get_close_matches(str(spec), names, n=1, cutoff=0.6)
            raise ConfigError(
                N_("unknown targets preset '{spec}'. Fix: did you mean '{close}'? Allowed: "
                   "{names}. Or give the path of a targets .toml file.")
                if close
                else N_("unknown targets preset '{spec}'. Fix: Allowed: {names}. Or give the "
                        "path of a targets .toml file."),
                spec=spec, close=close[0] if close else "", names=", ".join(names))
        text = resources.files("covplan").joinpath("presets", f"{spec}.toml").read_text(
            encoding="utf-8")
        source = f"preset {spec}"
    else:
        if not path.exists():
            raise ConfigError(N_("{path}: targets file not found. Fix: give a preset name "
                                 "({names}) or an existing .toml file."),
                              path=path, names=", ".join(preset_names()))
        text, source = read_config_text(path, "targets file"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(N_("{source}: not valid TOML: {error}. Fix: check the quotes, "
                             "brackets and commas on that line; text needs quotes "
                             "(name = \"…\"), lists square brackets ({example})."),
                          source=source, error=exc, example='["4G", "5G"]') from None
    targets = parse_targets(data, source)
    logger.info("Loaded %d targets from %s", len(targets), source)
    return targets
