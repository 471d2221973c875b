"""Column matching: apply manifest mappings and suggest near misses for missing columns."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping

from covplan.i18n import folded
from covplan.schema import ALIASES


def fold_name(name: str) -> str:
    """Lower-case, strip accents and separators so ``Site ID`` matches ``site_id``."""
    return "".join(c for c in folded(unicodedata.normalize("NFKC", name)) if c.isalnum())


def suggest_column(wanted: str, available: Iterable[str]) -> str | None:
    """Best guess among ``available`` for the missing column ``wanted``.

    Looks for known aliases (``lng`` for ``lon``), case/accent/separator-insensitive
    matches, then close spellings.

    Examples
    --------
    >>> suggest_column("lon", ["lng", "lat"])
    'lng'
    >>> suggest_column("site_id", ["Site ID", "tech"])
    'Site ID'
    """
    names = list(available)
    target = fold_name(wanted)
    for name in names:
        folded = fold_name(name)
        if folded == target or fold_name(ALIASES.get(folded, "")) == target:
            return name
    folded_names = {fold_name(n): n for n in names}
    close = difflib.get_close_matches(target, list(folded_names), n=1, cutoff=0.75)
    return folded_names[close[0]] if close else None


def auto_rename(columns: Iterable[str], wanted: Iterable[str]) -> dict[str, str]:
    """Renames for columns that differ from a wanted name only by case, accents or separators.

    Aliases are not applied automatically (``x`` might not be a longitude); they only
    feed the suggestions in error messages.
    """
    present = list(columns)
    renames: dict[str, str] = {}
    for want in wanted:
        if want in present:
            continue
        for name in present:
            if name not in renames and fold_name(name) == fold_name(want):
                renames[name] = want
                break
    return renames


def invert_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Turn a manifest ``{contract: file_column}`` into a rename ``{file_column: contract}``."""
    return {source: target for target, source in mapping.items()}
