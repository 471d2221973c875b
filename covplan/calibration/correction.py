r"""The calibration file: per technology, the correction fitted to measurements.

``covplan calibrate`` writes it and a dataset manifest names it
(``[dataset] calibration = "calibration.toml"``); every prediction of that dataset then adds,
for each technology whose model matches,

.. math::
    \Delta(d, c) = a + b\,\log_{10}\!\left(\frac{\mathrm{clip}(d, d_{lo}, d_{hi})}{1\,\mathrm{km}}
    \right) + o_c

to the RSRP: the offset :math:`a` (dB at 1 km), the slope :math:`b` (dB per decade of
distance from the serving site, held flat outside the distances the measurements covered)
and the offset :math:`o_c` of the land-cover class of the cell (classes with too few points
have none). The file::

    [calibration]
    format = 1
    created = "2026-01-31"
    dataset = "Tỉnh Minh Sơn — synthetic demo province"
    measurements = "drive_test.csv"
    points = 12408
    clutter = true                # fitted over the P.2108 clutter of the land cover

    [technology.4G]
    model = "hata-suburban"       # the correction applies to this model only
    offset_db = 3.1
    slope_db_per_decade = -4.2
    distance_m = [85.0, 14200.0]
    points = 9731
    class_offsets_db = { 10 = 1.9, 40 = -0.8, 50 = 0.6 }

    [technology.4G.errors]        # measured minus predicted, dB
    before = { points = 9731, mean_db = -5.2, std_db = 9.8, rmse_db = 11.1 }
    after = { points = 9731, mean_db = 0.1, std_db = 7.4, rmse_db = 7.4, cross_validated = true }
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from covplan.errors import ConfigError, Findings
from covplan.i18n import N_, Name, Num, Phrase, Text, joined
from covplan.radio.models import MODELS
from covplan.schema import TECHNOLOGIES

logger = logging.getLogger(__name__)

#: Version of the file format.
FORMAT: Final = 1
#: Largest |offset| (dB) and |slope| (dB/decade) a calibration may hold: beyond, the model
#: is wrong for the measurements, not off by a correction.
MAX_OFFSET_DB: Final = 60.0
MAX_SLOPE_DB: Final = 60.0
#: Largest calibration file read (bytes).
MAX_FILE_BYTES: Final = 1_000_000


@dataclass(frozen=True)
class ErrorStats:
    """Measured minus predicted RSRP over a set of points.

    Parameters
    ----------
    points
        How many.
    mean_db, std_db, rmse_db
        Mean error (bias), standard deviation and root mean square.
    """

    points: int
    mean_db: float
    std_db: float
    rmse_db: float

    @classmethod
    def of(cls, errors: Any) -> ErrorStats:
        """The statistics of an array of errors (NaN ignored)."""
        import numpy as np

        e = np.asarray(errors, dtype=np.float64)
        e = e[np.isfinite(e)]
        if not e.size:
            return cls(0, math.nan, math.nan, math.nan)
        return cls(int(e.size), float(e.mean()), float(e.std()), float(np.sqrt(np.mean(e**2))))

    def as_toml(self) -> str:
        """``{ points = …, mean_db = …, std_db = …, rmse_db = … }``."""
        return (f"{{ points = {self.points}, mean_db = {_num(self.mean_db)}, std_db = "
                f"{_num(self.std_db)}, rmse_db = {_num(self.rmse_db)} }}")


@dataclass(frozen=True)
class TechnologyCorrection:
    """The correction of one technology (see the module docstring).

    Parameters
    ----------
    technology
        ``{"4G", "5G"}``.
    model
        The propagation model it was fitted for (resolved name, not ``"auto"``).
    offset_db
        :math:`a`, dB at 1 km.
    slope_db_per_decade
        :math:`b`.
    distance_m
        :math:`(d_{lo}, d_{hi})`.
    class_offsets_db
        :math:`o_c` by land-cover class value.
    points
        Measurements it was fitted on.
    before, after
        Errors of the prediction without and with it (``after`` cross-validated when
        ``cross_validated``).
    cross_validated
        Whether ``after`` comes from held-out blocks.
    """

    technology: str
    model: str
    offset_db: float
    slope_db_per_decade: float
    distance_m: tuple[float, float]
    class_offsets_db: Mapping[int, float] = field(default_factory=dict)
    points: int = 0
    before: ErrorStats | None = None
    after: ErrorStats | None = None
    cross_validated: bool = True

    def text(self) -> str:
        """Everything that changes predictions, for cache keys."""
        classes = ",".join(f"{k}:{v!r}" for k, v in sorted(self.class_offsets_db.items()))
        return (f"{self.technology} {self.model} {self.offset_db!r} "
                f"{self.slope_db_per_decade!r} {self.distance_m!r} {classes}")

    def summary(self) -> Text:
        """``4G hata-suburban: +3.1 dB at 1 km, -4.2 dB/decade, 3 land-cover class offsets``."""
        text = N_("{tech} {model}: {offset} dB at 1 km, {slope} dB/decade")
        values: dict[str, object] = {
            "tech": Name(self.technology), "model": Name(self.model),
            "offset": Num(self.offset_db, 1, signed=True),
            "slope": Num(self.slope_db_per_decade, 1, signed=True)}
        if self.class_offsets_db:
            text = N_("{tech} {model}: {offset} dB at 1 km, {slope} dB/decade, {classes} "
                      "land-cover class offsets")
            values["classes"] = Num(len(self.class_offsets_db))
        return Text(text, **values)


@dataclass(frozen=True)
class Calibration:
    """A calibration file's contents.

    Parameters
    ----------
    corrections
        By technology.
    source
        The file it was read from ("" for one not yet written).
    created
        ISO date it was fitted.
    dataset, measurements
        What it was fitted on.
    points
        Measurements used.
    clutter
        Whether it was fitted over the land cover's clutter loss (then it belongs with it).
    """

    corrections: Mapping[str, TechnologyCorrection]
    source: str = ""
    created: str = ""
    dataset: str = ""
    measurements: str = ""
    points: int = 0
    clutter: bool = False

    def for_technology(self, technology: str, model: str) -> TechnologyCorrection | None:
        """The correction of ``technology`` when it was fitted for ``model``, else None."""
        found = self.corrections.get(technology)
        if found is None or found.model != model:
            return None
        return found

    def digest(self) -> str:
        """Content digest for cache keys."""
        h = hashlib.blake2b(digest_size=12)
        for tech in sorted(self.corrections):
            h.update(self.corrections[tech].text().encode())
        return h.hexdigest()

    @property
    def name(self) -> str:
        """The file's name ("calibration.toml"), or "calibration" when not read from a file."""
        return Path(self.source).name if self.source else "calibration"

    def describe(self) -> str:
        """One line for every output: which calibration, fitted on what, and its corrections."""
        fitted = f"fitted {self.created} " if self.created else ""
        on = f"on {self.measurements} ({self.points:,} points)" if self.measurements else ""
        parts = "; ".join(c.summary() for c in self.corrections.values())
        return f"{self.name} ({fitted}{on}): {parts}" if parts else f"{self.name}: no correction"

    def note(self, technology: str, model: str) -> Text:
        """The grid note of ``technology`` predicted with ``model``."""
        found = self.corrections.get(technology)
        if found is None:
            return Text(N_("calibration: {file} has no {tech} correction; none applied"),
                        file=Name(self.name), tech=Name(technology))
        if found.model != model:
            return Text(N_("calibration: {file} was fitted for {fitted}, not {model}; not "
                           "applied to {tech}"), file=Name(self.name), fitted=Name(found.model),
                        model=Name(model), tech=Name(technology))
        return Text(N_("calibration: {file}, {correction}"), file=Name(self.name),
                    correction=found.summary())

    def to_toml(self) -> str:
        """The file's text (module docstring)."""
        lines = [
            "# covplan calibration: corrections fitted to measurements (covplan calibrate).",
            "# Name this file in dataset.toml: [dataset] calibration = \"<this file>\".",
            "[calibration]",
            f"format = {FORMAT}",
            f"created = {_text(self.created or dt.date.today().isoformat())}",
            f"dataset = {_text(self.dataset)}",
            f"measurements = {_text(self.measurements)}",
            f"points = {self.points}",
            f"clutter = {'true' if self.clutter else 'false'}",
        ]
        for tech, c in self.corrections.items():
            classes = ", ".join(f"{code} = {_num(v)}" for code, v in
                                sorted(c.class_offsets_db.items()))
            lines += [
                "", f"[technology.{tech}]",
                f"model = {_text(c.model)}",
                f"offset_db = {_num(c.offset_db)}",
                f"slope_db_per_decade = {_num(c.slope_db_per_decade)}",
                f"distance_m = [{_num(c.distance_m[0], 1)}, {_num(c.distance_m[1], 1)}]",
                f"points = {c.points}",
                f"class_offsets_db = {{ {classes} }}" if classes else "class_offsets_db = {}",
            ]
            if c.before is not None or c.after is not None:
                lines.append(f"\n[technology.{tech}.errors]  # measured minus predicted, dB")
                if c.before is not None:
                    lines.append(f"before = {c.before.as_toml()}")
                if c.after is not None:
                    after = c.after.as_toml()[:-2]
                    validated = "true" if c.cross_validated else "false"
                    lines.append(f"after = {after}, cross_validated = {validated} }}")
        return "\n".join(lines) + "\n"


def calibration_phrase(calibration: Calibration | None) -> Phrase:
    """Which calibration predictions use, in any language (the statement of every output)."""
    if calibration is None:
        return Phrase(N_("none: the propagation model as published, not fitted to "
                         "measurements"))
    corrections = joined([c.summary().phrase for c in calibration.corrections.values()],
                         N_("; "))
    return Phrase.of(N_("{file}, fitted on {measurements} ({points} points): {corrections}"),
                     file=Name(calibration.name),
                     measurements=Name(calibration.measurements or "?"),
                     points=Num(calibration.points), corrections=corrections)


def _num(value: float, decimals: int = 3) -> str:
    if not math.isfinite(value):
        return "nan"
    return f"{round(float(value), decimals):g}" if decimals < 3 else f"{float(value):.{decimals}f}"


def _text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# --- reading -------------------------------------------------------------------------------



def _number(table: Mapping[str, Any], key: str, where: str, problems: Findings,
            limit: float) -> float:
    value = table.get(key)
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or abs(value) > limit):
        problems.add(where, N_("'{key}' should be a number from {low} to {high}, found "
                               "{found}."),
                     N_("write e.g. {key} = 0 or run covplan calibrate again."), key=Name(key),
                     low=Num.shortest(-limit), high=Num.shortest(limit), found=Name.found(value))
        return 0.0
    return float(value)


def _stats(value: Any, where: str, problems: Findings) -> ErrorStats | None:
    if value is None:
        return None
    keys = ("points", "mean_db", "std_db", "rmse_db")
    if not isinstance(value, Mapping) or not all(k in value for k in keys):
        problems.add(where, N_("expected {{ {keys} }}, found {found}."),
                     N_("run covplan calibrate again, or remove the errors table."),
                     keys=Name.listed(keys), found=Name.found(value))
        return None
    try:
        return ErrorStats(int(value["points"]), float(value["mean_db"]),
                          float(value["std_db"]), float(value["rmse_db"]))
    except (TypeError, ValueError):
        problems.add(where, N_("expected numbers, found {found}."),
                     N_("run covplan calibrate again, or remove the errors table."),
                     found=Name.found(value))
        return None


def _class_offsets(value: Any, where: str, problems: Findings) -> dict[int, float]:
    if not isinstance(value, Mapping):
        problems.add(where, N_("'class_offsets_db' should be a table of class = dB, found "
                               "{found}."),
                     N_("write e.g. class_offsets_db = {{ 10 = 2.0, 40 = -1.0 }}."),
                     found=Name.found(value))
        return {}
    out: dict[int, float] = {}
    for key, offset in value.items():
        code = int(key) if str(key).isdigit() else -1
        ok = isinstance(offset, int | float) and not isinstance(offset, bool)
        if not 1 <= code <= 65535 or not ok or not math.isfinite(offset) or abs(
                offset) > MAX_OFFSET_DB:
            problems.add(f"{where}.class_offsets_db",
                         N_("{key} = {found}: expected a land-cover class value (1-65535) and "
                            "an offset within ±{limit} dB."), N_("write e.g. 10 = 2.0."),
                         key=Name(str(key)), found=Name.found(offset),
                         limit=Num.shortest(MAX_OFFSET_DB))
            continue
        out[code] = float(offset)
    return out


#: The keys of a ``[technology.X]`` table.
_TECHNOLOGY_KEYS: Final = ("class_offsets_db", "distance_m", "errors", "model", "offset_db",
                           "points", "slope_db_per_decade")


def _technology(tech: str, table: Any, problems: Findings) -> TechnologyCorrection | None:
    where = f"[technology.{tech}]"
    if tech not in TECHNOLOGIES:
        problems.add(where, N_("unknown technology {found}."), N_("use one of {allowed}."),
                     found=Name.found(tech), allowed=Name.listed(TECHNOLOGIES))
        return None
    if not isinstance(table, Mapping):
        problems.add(where, N_("should be a table."),
                     N_("write [technology.{tech}] on its own line."), tech=Name(tech))
        return None
    problems.unknown_keys(table, _TECHNOLOGY_KEYS, where)
    model = table.get("model")
    if model not in MODELS:
        problems.add(where, N_("model {found} is not a covplan model."),
                     N_("write one of {models} (the model the fit was made for)."),
                     found=Name.found(model), models=Name.listed(MODELS))
    raw = table.get("distance_m")
    distance: list[float] = [100.0, 10_000.0]
    if (isinstance(raw, list) and len(raw) == 2
            and all(isinstance(d, int | float) and not isinstance(d, bool) for d in raw)
            and 0 < raw[0] < raw[1] <= 1e6):
        distance = [float(raw[0]), float(raw[1])]
    else:
        problems.add(where, N_("distance_m should be [shortest, longest] in metres, found "
                               "{found}."), N_("write e.g. distance_m = [100.0, 15000.0]."),
                     found=Name.found(raw))
    errors = table.get("errors", {})
    errors = errors if isinstance(errors, Mapping) else {}
    after = errors.get("after")
    validated = bool(after.get("cross_validated", True)) if isinstance(after, Mapping) else True
    return TechnologyCorrection(
        technology=tech, model=str(model),
        offset_db=_number(table, "offset_db", where, problems, MAX_OFFSET_DB),
        slope_db_per_decade=_number(table, "slope_db_per_decade", where, problems,
                                    MAX_SLOPE_DB),
        distance_m=(float(distance[0]), float(distance[1])),
        class_offsets_db=_class_offsets(table.get("class_offsets_db", {}), where, problems),
        points=int(table.get("points", 0)) if isinstance(table.get("points", 0), int) else 0,
        before=_stats(errors.get("before"), f"{where}.errors.before", problems),
        after=_stats(after, f"{where}.errors.after", problems),
        cross_validated=validated,
    )


def parse_calibration(doc: Mapping[str, Any], path: Path) -> Calibration:
    """Validate a parsed calibration document; every problem is reported at once.

    Raises
    ------
    covplan.errors.ConfigError
        Listing every problem with its table and key.
    """
    problems = Findings(str(path), N_("calibration file"))
    top = Phrase(N_("top level"))
    for key in sorted(set(doc) - {"calibration", "technology"}):
        problems.add(top, N_("unknown table '{key}'."),
                     N_("use [calibration] and [technology.4G] / [technology.5G]."),
                     key=Name(key))
    meta = doc.get("calibration", {})
    if not isinstance(meta, Mapping):
        problems.add("[calibration]", N_("should be a table."),
                     N_("write [calibration] on its own line."))
        meta = {}
    if meta.get("format", FORMAT) != FORMAT:
        problems.add("[calibration]", N_("format {found} is not one this covplan reads "
                                         "({format})."),
                     N_("run covplan calibrate again with this version."),
                     found=Name.found(meta.get("format")), format=Num(FORMAT))
    techs = doc.get("technology", {})
    if not isinstance(techs, Mapping) or not techs:
        problems.add("[technology]", N_("no technology corrections."),
                     N_("run covplan calibrate DATA MEASUREMENTS --out calibration.toml."))
        techs = {}
    corrections = {t: c for t, table in techs.items()
                   if (c := _technology(str(t), table, problems)) is not None}
    problems.raise_if_any()
    return Calibration(corrections, source=str(path), created=str(meta.get("created", "")),
                       dataset=str(meta.get("dataset", "")),
                       measurements=str(meta.get("measurements", "")),
                       points=int(meta.get("points", 0) or 0),
                       clutter=bool(meta.get("clutter", False)))


def read_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file.

    Raises
    ------
    covplan.errors.ConfigError
        A missing, oversized, non-UTF-8 or non-TOML file (with the line of the error), or one
        that breaks the schema (every problem listed).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(N_("{path}: calibration file not found. Fix: run covplan calibrate "
                             "DATA MEASUREMENTS --out calibration.toml in the dataset folder, or "
                             "correct [dataset] calibration in dataset.toml."), path=path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(N_("{path}: {size} bytes is too large for a calibration file. Fix: "
                             "name the file covplan calibrate wrote."),
                          path=path, size=Num(path.stat().st_size))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(N_("{path}: line {line}: not UTF-8 text. Fix: save it as UTF-8."),
                          path=path, line=line) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(N_("{path}: not valid TOML: {error}. Fix: check the quotes, brackets "
                             "and '=' on that line, or run covplan calibrate again."),
                          path=path, error=exc) from None
    calibration = parse_calibration(doc, path)
    logger.info("Read calibration %s: %s", path, calibration.describe())
    return calibration
