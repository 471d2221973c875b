"""How outputs for people word their figures in each language: statuses, amounts, roads.

Every output for people (the PDF report, the commune sheets, the maps and the CSV tables for
people) takes its words from here, so a status, an amount or an unnamed road reads the same
everywhere in one language. Numbers go through :class:`covplan.i18n.Language`:
percentages to one decimal, kilometres to one decimal, people and villages whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final

import pandas as pd

from covplan.i18n import N_, Language, default_language, language
from covplan.targets.schema import (
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    TargetSet,
    unit_label,
)

#: A target's status in running text (tables print :func:`~covplan.targets.schema.status_label`).
STATUS_WORDS: Final[Mapping[str, str]] = {
    STATUS_MET: N_("Met"), STATUS_NOT_MET: N_("Not met"), STATUS_NO_DATA: N_("No data"),
}
#: What a village may lack (the tokens of the village gaps' ``missing`` column).
SERVICE_WORDS: Final[Mapping[str, str]] = {"fibre": N_("fibre"), "4G/5G": "4G/5G", "5G": "5G"}
#: Values of covplan's tables that are words, not names: site statuses
#: (:data:`covplan.schema.SITE_STATUSES`) and the population table's operator; marked here,
#: translated by :func:`word` (road classes and POI kinds are marked in the targets' schema).
VALUE_WORDS: Final = (N_("existing"), N_("planned"), N_("candidate"), N_("best operator"))
_UNNAMED = re.compile(r"^\(unnamed (?P<road_class>[a-z_]+) road\)$")


def report_language(targets: TargetSet, lang: Language | str | None = None) -> Language:
    """The language to write in: ``lang`` (a :class:`Language` or its code), else the preset's.

    Raises
    ------
    covplan.errors.ConfigError
        For a language covplan does not speak.
    """
    if isinstance(lang, Language):
        return lang
    return language(lang or default_language(targets.language))


def is_missing(value: object) -> bool:
    """Whether ``value`` is no value (None, NA, NaN)."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def status_word(status: object, lang: Language) -> str:
    """A status in running text: ``Đạt``, ``Chưa đạt``, ``Không có dữ liệu`` (vi)."""
    return lang._(STATUS_WORDS.get(str(status), str(status)))


def goal(value: float, lang: Language) -> str:
    """A goal in percent: ``100 %``, ``99,3 %`` (no ``.0`` on whole goals)."""
    return lang.percent(value, 0 if float(value).is_integer() else 1)


def amount(value: float, unit: str, lang: Language) -> str:
    """A quantity in its natural unit: ``68,4 km``, ``16 thôn, xóm``, ``1 person``."""
    if is_missing(value):
        return "–"
    if unit == "km":
        return lang.km(value)
    if unit == "km²":
        return f"{lang.number(value, 2)} km²"
    return f"{lang.count(value)} {unit_label(unit, lang, value)}"


def amount_decimals(unit: str) -> int:
    """Decimals a quantity in ``unit`` is shown with (km 1, km² 2, counts 0)."""
    return {"km": 1, "km²": 2}.get(unit, 0)


def yes_no(value: object, lang: Language) -> str:
    """``yes`` / ``no``; ``no data`` for a missing value (such as no fibre data)."""
    if is_missing(value):
        return lang._("no data")
    return lang._("yes") if bool(value) else lang._("no")


def word(value: object, lang: Language) -> str:
    """One of covplan's own words (a road class, a POI kind, ``4G or 5G``) in ``lang``."""
    if is_missing(value):
        return ""
    text = str(value)
    if " or " in text:
        return lang._(" or ").join(word(part, lang) for part in text.split(" or "))
    return lang._(text) if text else text


def services(missing: object, lang: Language) -> str:
    """The services a village lacks (``"fibre; 4G/5G"``) in ``lang``: ``cáp quang, 4G/5G``."""
    if is_missing(missing) or not str(missing):
        return ""
    return ", ".join(lang._(SERVICE_WORDS.get(token, token))
                     for token in str(missing).split("; "))


def road_label(road: object, name: object, lang: Language) -> str:
    """A road as people name it: ``QL.3 (Quốc lộ 3)``; an unnamed road by its class."""
    road_text = "" if is_missing(road) else str(road)
    unnamed = _UNNAMED.match(road_text)
    if unnamed:
        return lang._("(unnamed {road_class} road)").format(
            road_class=lang._(unnamed["road_class"]))
    name_text = "" if is_missing(name) else str(name)
    if name_text and name_text not in road_text:
        return f"{road_text} ({name_text})" if road_text else name_text
    return road_text


def villages_count(count: int, lang: Language) -> str:
    """``1 village``, ``12 villages`` (``12 thôn, xóm, bản``)."""
    return lang.n_("{count} village", "{count} villages", count).format(
        count=lang.count(count))
