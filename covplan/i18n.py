"""Languages: every word a person reads, in Vietnamese or English, and numbers per locale.

Messages are written in English in the code and looked up in gettext catalogues:
``covplan/locale/vi/LC_MESSAGES/<domain>.po`` (the translations, edited by people) are
compiled to ``.mo`` at set-up (``scripts/setup.sh`` runs ``pybabel compile``); a catalogue
whose ``.mo`` is missing or older than its ``.po`` is compiled in memory instead, so an edit
shows at once. One domain per part of covplan (:data:`DOMAINS`) keeps the catalogues of the
app, the report and the core apart; a :class:`Language` looks a message up in all of them.

Numbers, percentages and dates are formatted with Babel (CLDR data): ``1.799.489``,
``98,5 %``, ``02/12/2026`` in Vietnamese; ``1,799,489``, ``98.5 %``, ``2 Dec 2026`` in
English. Machine-readable outputs (GeoPackage columns, JSON, the full-precision CSV) keep
stable English identifiers and full precision in every language.

Marking
-------
``lang._("Target")`` translates at once; module-level text (column headers, labels) is
marked with :func:`N_` where it is written and translated where it is shown. ``pybabel
extract -k _ -k N_ -k n_:1,2`` finds both (``tests/test_i18n.py`` checks that every marked
message has a Vietnamese translation).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import logging
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal, get_args

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern

from covplan.errors import ConfigError, CovplanError, Problem

logger = logging.getLogger(__name__)

LanguageCode = Literal["vi", "en"]
#: The languages covplan speaks; the first is the default for Vietnamese presets.
LANGUAGES: Final[tuple[LanguageCode, ...]] = get_args(LanguageCode)
#: Names of the languages, in their own language (for a language switch).
LANGUAGE_NAMES: Final[dict[str, str]] = {"vi": "Tiếng Việt", "en": "English"}
#: Where the catalogues are: ``<LOCALE_DIR>/<lang>/LC_MESSAGES/<domain>.po``.
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
#: One catalogue per part of covplan.
DOMAINS: Final = ("core", "input", "report", "app", "calibration", "scale", "progress")


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for translation where it is written; translate it where it is shown."""
    return message


def _catalogue(code: str, domain: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``code`` (compiled in memory when stale)."""
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if not po.is_file():
        return gettext.NullTranslations()
    if mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    logger.debug("Compiling %s in memory (no current .mo)", po)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _locale(code: str) -> Locale:
    """Babel's locale data of ``code``, parsed once."""
    return Locale.parse(code)


@cache
def _decimal_pattern(decimals: int) -> NumberPattern:
    """The grouped pattern with ``decimals`` fixed decimals (``#,##0.0``), parsed once.

    What :func:`babel.numbers.format_decimal` applies, without parsing the pattern and
    the locale on each call (a gap list or a table formats thousands of numbers).
    """
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@dataclass(frozen=True, eq=False)
class Language:
    """Translations and number formats of one language.

    Parameters
    ----------
    code
        ``{"vi", "en"}``.
    translations
        Every domain's catalogue, chained.
    """

    code: LanguageCode
    translations: gettext.NullTranslations

    def _(self, message: str) -> str:
        """``message`` in this language (as written when it has no translation)."""
        return self.translations.gettext(message) if message else message

    def n_(self, singular: str, plural: str, n: float) -> str:
        """The singular or plural form for ``n``, in this language."""
        return self.translations.ngettext(singular, plural, int(n) if math.isfinite(n) else 2)

    def number(self, value: float, decimals: int = 0) -> str:
        """``value`` with the locale's grouping and decimal marks; "–" for no value."""
        if value is None or not math.isfinite(float(value)):
            return "–"
        text: str = _decimal_pattern(decimals).apply(round(float(value), decimals),
                                                     _locale(self.code))
        return text

    def percent(self, value: float, decimals: int = 1) -> str:
        """A percentage already in percent: ``98,5 %`` (vi), ``98.5 %`` (en)."""
        text = self.number(value, decimals)
        return text if text == "–" else f"{text} %"

    def km(self, value: float, decimals: int = 1) -> str:
        """A length in kilometres: ``12,3 km``."""
        text = self.number(value, decimals)
        return text if text == "–" else f"{text} km"

    def count(self, value: float) -> str:
        """A whole number of people, villages or points: ``1.799.489``."""
        return self.number(value, 0)

    def date(self, day: dt.date) -> str:
        """A date: ``02/12/2026`` (vi), ``2 Dec 2026`` (en)."""
        return format_date(day, "dd/MM/yyyy" if self.code == "vi" else "d MMM y",
                           locale=self.code)


@cache
def language(code: str) -> Language:
    """The :class:`Language` of ``code`` (catalogues read once per process).

    Raises
    ------
    covplan.errors.ConfigError
        For a language covplan does not speak.
    """
    if code not in LANGUAGES:
        raise ConfigError(N_("language {code}: covplan speaks {languages}. Fix: give --lang vi "
                             "(Tiếng Việt) or --lang en (English)."),
                          code=repr(code), languages=", ".join(LANGUAGES))
    chain = gettext.NullTranslations()
    if code != "en":  # English is the language the messages are written in
        first: gettext.NullTranslations | None = None
        for domain in DOMAINS:
            part = _catalogue(code, domain)
            if first is None:
                first = part
            else:
                first.add_fallback(part)
        chain = first or chain
    return Language(code, chain)  # type: ignore[arg-type]


def default_language(preset_language: str | None) -> LanguageCode:
    """The language to speak for a target preset: its own, else Vietnamese."""
    return "en" if preset_language == "en" else "vi"


@dataclass(frozen=True)
class Num:
    """A number inside a :class:`Phrase`, formatted per language with ``decimals``.

    ``percent=True`` adds the locale's " %" (so that templates never hold a bare "%",
    which gettext tools read as a C format); ``signed=True`` writes "+" before a positive
    value (a correction: +3,1 dB).
    """

    value: float
    decimals: int = 0
    percent: bool = False
    signed: bool = False

    @classmethod
    def shortest(cls, value: float, most: int = 3) -> Num:
        """``value`` with the fewest decimals that show it, at most ``most`` (30, 28.5, 1.333).

        Examples
        --------
        >>> [(n.value, n.decimals) for n in map(Num.shortest, (28.5, 30.0, 4 / 3))]
        [(28.5, 1), (30.0, 0), (1.333, 3)]
        """
        rounded = round(float(value), most)
        if not math.isfinite(rounded):
            return cls(rounded, 0)
        decimals = next(d for d in range(most + 1) if round(rounded, d) == rounded)
        return cls(rounded, decimals)


@dataclass(frozen=True)
class Phrase:
    """Text for people in any language: a marked English template and its values.

    Values are :class:`Num` (formatted per language), nested phrases, :class:`Name`
    (shown as written: place and road names, codes) or plain text (translated, so it must
    be marked with :func:`N_` where it is written). ``str(phrase)`` is the English.

    Examples
    --------
    >>> phrase = Phrase(N_("{total} km of road"), {"total": Num(1234.5, 1)})
    >>> phrase(language("vi"))  # doctest: +SKIP
    '1.234,5 km đường'
    """

    template: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, template: str, **values: object) -> Phrase:
        """``Phrase(template, values)`` with keyword values."""
        return cls(template, tuple(values.items()))

    def __call__(self, lang: Language) -> str:
        """The phrase in ``lang``."""
        filled = {key: _render(value, lang) for key, value in self.values}
        return lang._(self.template).format(**filled)

    def __str__(self) -> str:
        return self(language("en"))


class Text(str):
    """A :class:`Phrase` that is also its English text: for lists of plain strings.

    A dataset's warnings are strings that the command line prints and the report lists; a
    ``Text`` among them prints as its English and can be said in another language
    (``text(lang)``) where a page knows its reader's.

    Examples
    --------
    >>> warning = Text(N_("population ({label}) covers {share} of the study area"),
    ...                label=Name("pop.tif"), share=Num(62, 0, percent=True))
    >>> str(warning)  # doctest: +SKIP
    'population (pop.tif) covers 62 % of the study area'
    """

    phrase: Phrase

    def __new__(cls, template: str, /, **values: object) -> Text:
        """``template`` (marked with :func:`N_`) with ``values``, as :meth:`Phrase.of`."""
        phrase = Phrase.of(template, **values)
        text = super().__new__(cls, str(phrase))
        text.phrase = phrase
        return text

    @classmethod
    def from_phrase(cls, phrase: Phrase) -> Text:
        """The :class:`Text` of a phrase made elsewhere."""
        return cls(phrase.template, **dict(phrase.values))

    def __call__(self, lang: Language) -> str:
        """The text in ``lang``."""
        return self.phrase(lang)

    def __reduce__(self) -> tuple[object, tuple[Phrase]]:
        return Text.from_phrase, (self.phrase,)


class ErrorText(Text):
    """An error or one of its problems as a string: its English, said in any language.

    For lists of plain strings that outlive the error (a province that did not run, in the
    national outputs): ``said(text, lang)`` says it in ``lang``, and it pickles whole.
    """

    source: Problem | CovplanError

    def __new__(cls, source: Problem | CovplanError) -> ErrorText:
        """The English of ``source``, keeping ``source`` to say it in other languages."""
        text = str.__new__(cls, source.text())
        text.source = source
        return text

    def __call__(self, lang: Language) -> str:
        """The text in ``lang``."""
        return self.source.text(lang)

    def __reduce__(self) -> tuple[object, ...]:  # type: ignore[override]
        return ErrorText, (self.source,)


def folded(name: str, prefixes: Iterable[str] = ()) -> str:
    """A Vietnamese name for comparison: no case, no diacritics, without a leading prefix.

    ``prefixes`` are folded words such as ``"xa "`` or ``"tinh "`` (the administrative unit)
    dropped from the front.

    Examples
    --------
    >>> folded("Phường Phan Đình Phùng", ("phuong ", "xa ")) == folded("phan dinh phung")
    True
    """
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = " ".join(text.lower().replace("-", " ").split())
    for prefix in prefixes:
        if text.startswith(prefix):
            return text[len(prefix):].strip()
    return text


def said(text: str, lang: Language) -> str:
    """``text`` in ``lang`` if it is a :class:`Text`, else as it is."""
    return text(lang) if isinstance(text, Text) else text


@dataclass(frozen=True)
class Name:
    """Text shown as written in every language (a name, a code, a file)."""

    text: str

    @classmethod
    def found(cls, value: object) -> Name:
        """A value found in a user's file, as Python writes it (``'5G'``, ``120``, ``[1]``)."""
        return cls(repr(value))

    @classmethod
    def listed(cls, values: Iterable[object]) -> Name:
        """Keys or values as written, one after the other: ``a, b, c``."""
        return cls(", ".join(str(v) for v in values))


def _render(value: object, lang: Language) -> str:
    if isinstance(value, Num):
        if value.percent:
            return lang.percent(value.value, value.decimals)
        text = lang.number(value.value, value.decimals)
        return "+" + text if value.signed and value.value > 0 and text != "–" else text
    if isinstance(value, (Phrase, Text)):
        return value(lang)
    if isinstance(value, Name):
        return value.text
    if isinstance(value, CovplanError):  # an error quoted in a message: in the same language
        return value.text(lang)
    if isinstance(value, _Joined):
        return _render_joined(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(_render(v, lang) for v in value)
    return lang._(str(value))


def joined(parts: list[Phrase], separator: str = N_(" or ")) -> Phrase:
    """``a or b or c`` (the separator translated)."""
    return Phrase("{joined}", (("joined", _Joined(tuple(parts), separator)),))


@dataclass(frozen=True)
class _Joined:
    parts: tuple[Phrase, ...]
    separator: str


def _render_joined(value: _Joined, lang: Language) -> str:
    return lang._(value.separator).join(p(lang) for p in value.parts)
