"""Vietnamese road references and the covplan road class.

OSM and government layers spell the same route many ways: ``QL.3``, ``QL3``, ``QL 3``,
``Quốc lộ 3``, ``quoc lo 3``; ``ĐT.261``, ``DT261``, ``Đường tỉnh 261``, ``TL.261`` (the
pre-2008 *tỉnh lộ*); ``CT.07``, ``cao tốc Hà Nội – Thái Nguyên``. :func:`normalise_ref`
turns each into a canonical ``(prefix, number)`` pair and :func:`road_class_from` maps the
pairs and the OSM ``highway`` tag onto :data:`covplan.schema.ROAD_CLASSES`.

Road class rule
---------------
1. A recognised reference decides: ``CT`` (cao tốc) -> ``expressway``; ``QL`` (quốc lộ)
   and ``AH`` (Asian highway, always signed on a QL or CT in Vietnam) -> ``national``;
   ``ĐT`` (đường tỉnh) -> ``provincial``; ``ĐH`` (đường huyện) -> ``local``. A
   ``;``-separated reference takes the highest class of its parts
   (``QL.6;ĐT.70`` -> national).
2. ``highway=motorway``/``motorway_link`` is always ``expressway``, whatever the reference
   says: in Vietnam the tag is only used on cao tốc, and a ``QL`` reference on it marks a
   concurrent national route.
3. Without a recognised reference, the ``name`` is tried, but only when it *starts* with a
   designation (``Quốc lộ 3``, ``Đường tỉnh 72``, ``Đường cao tốc Vành đai 3``), so
   ``Ngõ 25 Đường Tỉnh 422B`` (an alley) or ``Đường Song Hành Cao Tốc …`` (a frontage road)
   stay local.
4. Otherwise the ``highway`` tag decides, following the Vietnamese OSM convention (OSM wiki
   *Vi:Highways*): ``trunk``/``trunk_link`` -> ``national`` (quốc lộ),
   ``primary``/``primary_link`` -> ``provincial`` (đường tỉnh), everything else
   (``secondary``, ``tertiary``, ``residential``, unknown or missing) -> ``local``.

A bare number (``ref=34``) carries no prefix and is ignored.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Final

import geopandas as gpd
import pandas as pd

logger = logging.getLogger(__name__)

#: Class rank, highest first; the index is used to pick the highest class.
_CLASS_ORDER: Final = ("expressway", "national", "provincial", "local")

#: Road class of each canonical reference prefix.
PREFIX_CLASS: Final[dict[str, str]] = {
    "CT": "expressway",
    "QL": "national",
    "AH": "national",
    "ĐT": "provincial",
    "ĐH": "local",
}

#: Road class implied by the OSM ``highway`` tag when no reference decides.
HIGHWAY_CLASS: Final[dict[str, str]] = {
    "motorway": "expressway",
    "motorway_link": "expressway",
    "trunk": "national",
    "trunk_link": "national",
    "primary": "provincial",
    "primary_link": "provincial",
}

_SEP: Final = r"[\s.\-:_]*"
_NUM: Final = r"(?P<num>\d+)(?P<suffix>[A-Z]?)\b"
# Patterns run on the folded text: NFC, Đ -> D, diacritics removed, upper case.
_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("CT", re.compile(rf"^(?:DUONG{_SEP})?(?:CAO{_SEP}TOC\b|CT(?![A-Z])){_SEP}(?:{_NUM})?")),
    ("QL", re.compile(rf"^(?:DUONG{_SEP})?(?:QUOC{_SEP}LO|QL){_SEP}{_NUM}")),
    ("AH", re.compile(rf"^(?:DUONG{_SEP})?AH{_SEP}{_NUM}")),
    ("ĐT", re.compile(rf"^(?:DUONG{_SEP})?(?:TINH{_SEP}LO|DT|TL){_SEP}{_NUM}")),
    ("ĐT", re.compile(rf"^DUONG{_SEP}TINH{_SEP}{_NUM}")),
    ("ĐH", re.compile(rf"^(?:DUONG{_SEP})?(?:HUYEN{_SEP}LO|DH|HL){_SEP}{_NUM}")),
    ("ĐH", re.compile(rf"^DUONG{_SEP}HUYEN{_SEP}{_NUM}")),
)


def _fold(text: str) -> str:
    """Upper-case ASCII form of ``text``: Đ/đ -> D, diacritics dropped, spaces squeezed."""
    text = unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d")
    # The Latin capital/small D with stroke sometimes arrives as the African D (U+0189).
    text = text.replace("\u0189", "D").replace("\u0256", "d")
    decomposed = unicodedata.normalize("NFD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = re.sub(r"[\u2010-\u2015]", "-", ascii_text)  # en/em dashes
    return re.sub(r"\s+", " ", ascii_text).strip().upper()


def _canonical_number(prefix: str, num: str, suffix: str) -> str:
    """Expressway numbers are two digits (``CT.07``); others drop leading zeros (``QL.3``)."""
    if not num:
        return ""
    digits = str(int(num))
    if prefix == "CT":
        digits = digits.zfill(2)
    return digits + suffix


def _parse_part(part: str) -> tuple[str, str] | None:
    """Parse one reference or name, anchored at its start; ``None`` when unrecognised."""
    folded = _fold(part)
    for prefix, pattern in _PATTERNS:
        match = pattern.match(folded)
        if match:
            num = match.group("num") or ""
            suffix = match.group("suffix") or ""
            return prefix, _canonical_number(prefix, num, suffix)
    return None


def _is_missing(value: object) -> bool:
    """True for None, NaN and blank strings."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def normalise_ref(ref: str | None) -> list[tuple[str, str]]:
    """Canonical ``(prefix, number)`` pairs of a Vietnamese road reference.

    Parameters
    ----------
    ref
        An OSM ``ref`` (``"QL.3"``, ``"CT.01;CT.37;QL.1"``) or a designation written out
        (``"Quốc lộ 3"``, ``"Đường tỉnh 261"``, ``"Cao tốc Hà Nội – Thái Nguyên"``).
        Parts are separated by ``;``, ``,`` or ``/``; NFC and NFD input and ``D`` for ``Đ`` are
        accepted.

    Returns
    -------
    list of tuple
        One ``(prefix, number)`` per recognised part, in input order without repeats.
        Prefix ∈ {"CT", "QL", "AH", "ĐT", "ĐH"}; the number keeps its letter suffix
        (``"21C"``); an expressway named without a number gets ``""``.

    Examples
    --------
    >>> normalise_ref("quoc lo 3; DT.261")
    [('QL', '3'), ('ĐT', '261')]
    """
    if _is_missing(ref):
        return []
    pairs: list[tuple[str, str]] = []
    for part in re.split(r"[;,/]", str(ref)):
        parsed = _parse_part(part)
        if parsed is None:
            if part.strip():
                logger.debug("Unrecognised road reference part %r in %r", part, ref)
            continue
        if parsed not in pairs:
            pairs.append(parsed)
    return pairs


def canonical_ref(ref: str | None) -> str | None:
    """Canonical spelling of a reference: ``"QL.3"``, ``"CT.07;QL.3"``, ``"AH1"``.

    Returns ``None`` when no part is recognised. An unnumbered expressway is ``"CT"``.
    """
    pairs = normalise_ref(ref)
    if not pairs:
        return None
    return ";".join(_join(prefix, number) for prefix, number in pairs)


def _join(prefix: str, number: str) -> str:
    """``("QL", "3")`` -> ``"QL.3"``; Asian highways have no dot (``"AH1"``)."""
    if not number:
        return prefix
    return f"{prefix}{number}" if prefix == "AH" else f"{prefix}.{number}"


def _highest(classes: list[str]) -> str | None:
    """The highest class in ``classes`` (``None`` when empty)."""
    if not classes:
        return None
    return min(classes, key=_CLASS_ORDER.index)


def road_class_from(highway: str | None, ref: str | None, name: str | None = None) -> str:
    """The covplan road class of one road (see the module docstring for the rule).

    Parameters
    ----------
    highway
        OSM ``highway`` tag, such as ``"trunk"``; may be missing.
    ref
        Road reference, possibly ``;``-separated; may be missing.
    name
        Road name, used only when ``ref`` has no recognised part and only when it starts
        with a designation (``"Quốc lộ 3"``).

    Returns
    -------
    str
        One of {"expressway", "national", "provincial", "local"}.
    """
    tag = "" if _is_missing(highway) else str(highway).strip().lower()
    if HIGHWAY_CLASS.get(tag) == "expressway":
        return "expressway"
    pairs = normalise_ref(ref)
    if not pairs and not _is_missing(name):
        parsed = _parse_part(str(name))
        pairs = [parsed] if parsed else []
    by_ref = _highest([PREFIX_CLASS[prefix] for prefix, _ in pairs])
    if by_ref is not None:
        return by_ref
    return HIGHWAY_CLASS.get(tag, "local")


def classify_roads(
    gdf: pd.DataFrame | gpd.GeoDataFrame,
    *,
    highway: str = "highway",
    ref: str = "ref",
    name: str = "name",
) -> pd.Series:
    """Road class of every row, aligned to ``gdf.index`` and named ``road_class``.

    Parameters
    ----------
    gdf
        Roads; any of the three columns may be absent (treated as missing).
    highway, ref, name
        Column names of the OSM ``highway`` tag, the reference and the name.

    Returns
    -------
    pandas.Series
        Values in {"expressway", "national", "provincial", "local"}.
    """

    def column(col: str) -> pd.Series:
        if col in gdf.columns:
            return gdf[col].astype(object)
        return pd.Series([None] * len(gdf), index=gdf.index, dtype=object)

    # Many rows share a (highway, ref, name) triple: classify each distinct triple once.
    keys = pd.DataFrame({"h": column(highway), "r": column(ref), "n": column(name)})
    keys = keys.where(keys.notna(), None)
    unique = keys.drop_duplicates()
    lookup = {
        (h, r, n): road_class_from(h, r, n) for h, r, n in unique.itertuples(index=False, name=None)
    }
    values = [lookup[(h, r, n)] for h, r, n in keys.itertuples(index=False, name=None)]
    result = pd.Series(values, index=gdf.index, name="road_class", dtype=object)
    logger.info(
        "Classified %s roads: %s",
        f"{len(result):,}",
        ", ".join(f"{k} {v:,}" for k, v in result.value_counts().items()),
    )
    return result
