"""Typed errors raised by covplan.

Every error derives from :class:`CovplanError`; subclasses also inherit the matching
builtin (as rasterio does), so ``except FileNotFoundError`` still works. The library
raises; only the CLI turns errors into a message and exit code, and only the app turns
them into ``st.error``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from covplan.i18n import Language, Phrase


@dataclass(frozen=True)
class Problem:
    """One problem found while validating an input.

    ``message`` and ``fix`` are written in English and marked for translation where they
    are written (``N_``); values found in the file go in ``params`` and fill the
    ``{name}`` fields of both, so that :meth:`text` can say the problem in the reader's
    language. Without ``params`` the texts are shown as they are (no fields filled).

    Parameters
    ----------
    file
        The file (or manifest entry) the problem is in.
    message
        What is wrong: what was expected and what arrived.
    fix
        How the user can fix it.
    layer
        The dataset layer (``sites``, ``roads``, ...), when known.
    column
        The column concerned, when the problem is about one column.
    rows
        Rows concerned, numbered as the user sees them: line numbers for CSV (header = 1),
        feature numbers from 1 for other formats.
    row_label
        What ``rows`` count: ``"line"``, ``"feature"``, ``"edit"`` (a scenario's) or
        ``"row"``.
    params
        Values for the fields of ``message`` and ``fix`` (``{column}``, ``{found}``, ...).
    written
        The column as the user's file names it, when dataset.toml maps it onto ``column``
        (the problem then names both: ``column 'Độ cao anten (m)' (height_m)``).
    """

    file: str
    message: str
    fix: str = ""
    layer: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = ()
    row_label: str = "row"
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    written: str | None = None

    def text(self, lang: Language | None = None) -> str:
        """The problem as a person reads it, in ``lang`` (default English)."""
        from covplan.i18n import N_, language

        lang = lang or language("en")
        where = [self.file]
        if self.layer:
            where.append(lang._(N_("layer '{layer}'")).format(layer=self.layer))
        if self.column and self.written and self.written != self.column:
            where.append(lang._(N_("column '{written}' ({column})")).format(
                written=self.written, column=self.column))
        elif self.column:
            where.append(lang._(N_("column '{column}'")).format(column=self.column))
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            if len(self.rows) > 10:
                shown += lang._(N_(" and {count} more")).format(count=len(self.rows) - 10)
            where.append(_rows_label(self.row_label, len(self.rows), lang).format(rows=shown))
        text = f"{': '.join(where)}: {_filled(self.message, self.params, lang)}"
        if self.fix:
            fix = _filled(self.fix, self.params, lang)
            text += " " + lang._(N_("Fix: {fix}")).format(fix=fix)
        return text

    def __str__(self) -> str:
        return self.text()


def _filled(template: str, params: Mapping[str, object], lang: Language | None = None) -> str:
    """``template`` in ``lang`` (default English) with ``params`` in its fields.

    A :class:`~covplan.i18n.Phrase` says it: values are shown as written (a file, a column,
    a value found), except :class:`~covplan.i18n.Num` (formatted per language) and nested
    phrases (translated). Without params the template is returned as it is, translated
    but not formatted (an English sentence with braces of its own stays whole).
    """
    from covplan.i18n import Name, Num, Phrase, language

    if not params:
        return lang._(template) if lang is not None else template
    values = tuple((key, value if isinstance(value, (Num, Phrase, CovplanError))
                    else Name(str(value))) for key, value in params.items())
    return Phrase(template, values)(lang or language("en"))


def _rows_label(row_label: str, count: int, lang: Language) -> str:
    """"line {rows}" / "lines {rows}" (and features, a scenario's edits, rows) in ``lang``."""
    if row_label == "line":
        return lang.n_("line {rows}", "lines {rows}", count)
    if row_label == "feature":
        return lang.n_("feature {rows}", "features {rows}", count)
    if row_label == "edit":
        return lang.n_("edit {rows}", "edits {rows}", count)
    return lang.n_("row {rows}", "rows {rows}", count)


class CovplanError(Exception):
    """Root of every error covplan raises on purpose.

    ``message`` is written in English and marked for translation where it is written
    (``N_``); ``params`` fill its ``{name}`` fields (values from the user's files and
    settings, never translated), as for a :class:`Problem`. ``str(error)`` is the English;
    :meth:`text` says it in another language.
    """

    def __init__(self, message: str = "", /, **params: object) -> None:
        self.template = message
        self.params: dict[str, object] = dict(params)
        super().__init__(_filled(message, self.params))

    def text(self, lang: Language | None = None) -> str:
        """The error as a person reads it, in ``lang`` (default English)."""
        if lang is None:
            return str(self)
        return _filled(self.template, self.params, lang)

    def __reduce__(self) -> tuple[object, ...]:
        # made again from its template and values, so that it is said in any language after
        # a trip through pickle (a Dask worker's error); subclasses with state of their own
        # (InputError, ConfigFileError) reduce to their own arguments
        return _rebuilt, (type(self), self.template, self.params)


def _rebuilt(cls: type[CovplanError], template: str, params: Mapping[str, object]
             ) -> CovplanError:
    """A :class:`CovplanError` of class ``cls`` from its template and values (unpickling)."""
    error = cls.__new__(cls)
    CovplanError.__init__(error, template, **params)
    return error


class InputError(CovplanError, ValueError):
    """Input data that covplan cannot use, with every problem found listed at once.

    Parameters
    ----------
    problems
        All problems found; the message lists each on its own line.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.text())

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        # made again from its problems (a worker's error reaches the client whole)
        return type(self), (self.problems,)

    def text(self, lang: Language | None = None) -> str:
        """Every problem, each on its own line, in ``lang`` (default English)."""
        from covplan.i18n import language

        lang = lang or language("en")
        count = len(self.problems)
        head = lang.n_("{count} problem found in the input:",
                       "{count} problems found in the input:", count).format(count=count)
        return "\n".join([head, *(f"  - {p.text(lang)}" for p in self.problems)])


class DataFileNotFoundError(CovplanError, FileNotFoundError):
    """A dataset folder, manifest or layer file does not exist."""


class UnsupportedFormatError(CovplanError, ValueError):
    """A file whose format covplan cannot read."""


class ConfigError(CovplanError, ValueError):
    """A configuration file (manifest, targets, scenario) that does not follow its schema."""


@dataclass(frozen=True)
class Finding:
    """One problem of a configuration file: where in the file, what is wrong, how to fix it.

    Each part is a :class:`~covplan.i18n.Phrase`, said in the reader's language.
    """

    where: Phrase
    message: Phrase
    fix: Phrase | None = None

    def text(self, lang: Language) -> str:
        """``where: message Fix: fix`` in ``lang``."""
        from covplan.i18n import N_

        text = f"{self.where(lang)}: {self.message(lang)}"
        if self.fix is not None:
            text += " " + lang._(N_("Fix: {fix}")).format(fix=self.fix(lang))
        return text


class ConfigFileError(ConfigError):
    """Every problem of one configuration file, listed at once in the reader's language.

    Targets files, dataset manifests, calibration files, country files, and a scenario's
    structure raise it through :class:`Findings`.

    Parameters
    ----------
    source
        The file, as the user named it.
    kind
        What the file is, marked for translation (``N_("targets file")``).
    findings
        The problems, in the order found.
    """

    def __init__(self, source: str, kind: str, findings: tuple[Finding, ...]) -> None:
        self.source, self.kind, self.findings = source, kind, tuple(findings)
        super().__init__(self.text())

    def __reduce__(self) -> tuple[type[ConfigFileError], tuple[str, str, tuple[Finding, ...]]]:
        # made again from its findings (a worker's error reaches the client whole)
        return type(self), (self.source, self.kind, self.findings)

    def text(self, lang: Language | None = None) -> str:
        """Every problem, each on its own line, in ``lang`` (default English)."""
        from covplan.i18n import language

        lang = lang or language("en")
        count = len(self.findings)
        head = lang.n_("{count} problem in the {kind} {file}:",
                       "{count} problems in the {kind} {file}:", count).format(
            count=lang.count(count), kind=lang._(self.kind), file=self.source)
        return "\n".join([head, *(f"  - {f.text(lang)}" for f in self.findings)])


class Findings:
    """Collects the problems of one configuration file; :meth:`raise_if_any` reports them.

    ``where`` is the place in the file as written (``[[target]] 2 (id 'roads')``,
    ``[layers.sites]``) or a phrase; ``message`` and ``fix`` are templates marked with
    ``N_`` whose fields ``values`` fill (values found in the file go in as
    :class:`~covplan.i18n.Name`, shown as written). ``source`` and ``kind`` are those of the
    :class:`ConfigFileError` it raises.
    """

    def __init__(self, source: str, kind: str) -> None:
        self.source, self.kind = source, kind
        self.items: list[Finding] = []

    def add(self, where: str | Phrase, message: str, fix: str | Phrase = "",
            **values: object) -> None:
        """Note one problem (``fix`` a template filled with ``values``, or a phrase)."""
        from covplan.i18n import Name, Phrase

        place = Phrase.of("{where}", where=Name(where)) if isinstance(where, str) else where
        if isinstance(fix, Phrase):
            advice: Phrase | None = fix
        else:
            advice = Phrase.of(fix, **values) if fix else None
        self.items.append(Finding(place, Phrase.of(message, **values), advice))

    def unknown_keys(self, table: Mapping[str, object], allowed: Iterable[str],
                     where: str | Phrase) -> None:
        """Note every key of ``table`` not in ``allowed``, with the closest allowed one."""
        from covplan.i18n import N_, Name

        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                self.add(where, N_("unknown key '{key}'."), suggest(str(key), allowed),
                         key=Name(str(key)))

    def raise_if_any(self) -> None:
        """Raise :class:`ConfigFileError` listing every problem noted, if any."""
        if self.items:
            raise ConfigFileError(self.source, self.kind, tuple(self.items))


def suggest(word: str, allowed: Iterable[str]) -> Phrase:
    """``did you mean 'x'? Allowed: a, b, c.`` (without the question when nothing is close)."""
    from covplan.i18n import N_, Name, Phrase

    allowed = list(allowed)
    close = difflib.get_close_matches(str(word), allowed, n=1, cutoff=0.6)
    names = Name.listed(allowed)
    if close:
        return Phrase.of(N_("did you mean '{close}'? Allowed: {allowed}."),
                         close=Name(close[0]), allowed=names)
    return Phrase.of(N_("Allowed: {allowed}."), allowed=names)


class OutputExistsError(CovplanError, FileExistsError):
    """An output file exists and overwriting was not allowed."""


class OutputError(CovplanError, OSError):
    """Outputs cannot be written where asked: the path is a file, read-only, full, or locked.

    The message names the path, what went wrong and what to do (another ``--out``, free
    space, wait for the other run).
    """


class LimitError(CovplanError, ValueError):
    """An input or a grid larger than covplan's configured limit.

    The message names the size found, the limit, the setting (an environment variable)
    that raises it, and the smaller choice that fits (a coarser resolution, a clipped file).
    """
