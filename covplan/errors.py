"""Typed errors raised by covplan.

Every error derives from :class:`CovplanError`; subclasses also inherit the matching
builtin (as rasterio does), so ``except FileNotFoundError`` still works. The library
raises; only the CLI turns errors into a message and exit code, and only the app turns
them into ``st.error``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found while validating an input.

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
        What ``rows`` count: ``"line"`` or ``"feature"``.
    """

    file: str
    message: str
    fix: str = ""
    layer: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = ()
    row_label: str = "row"

    def __str__(self) -> str:
        where = [self.file]
        if self.layer:
            where.append(f"layer '{self.layer}'")
        if self.column:
            where.append(f"column '{self.column}'")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            plural = "s" if len(self.rows) > 1 else ""
            where.append(f"{self.row_label}{plural} {shown}{more}")
        text = f"{': '.join(where)}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class CovplanError(Exception):
    """Root of every error covplan raises on purpose."""


class InputError(CovplanError, ValueError):
    """Input data that covplan cannot use, with every problem found listed at once.

    Parameters
    ----------
    problems
        All problems found; the message lists each on its own line.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found in the input:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class DataFileNotFoundError(CovplanError, FileNotFoundError):
    """A dataset folder, manifest or layer file does not exist."""


class UnsupportedFormatError(CovplanError, ValueError):
    """A file whose format covplan cannot read."""


class ConfigError(CovplanError, ValueError):
    """A configuration file (manifest, targets, scenario) that does not follow its schema."""


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
