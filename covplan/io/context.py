"""Collecting the problems and notes of one file while it is validated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from covplan.errors import InputError, Problem
from covplan.i18n import N_, Name, Text

#: ``DataFrame.attrs`` key of a table read from lon/lat columns: the rows whose coordinates
#: were given but are not usable numbers (already reported), so no check reports them again.
UNLOCATED = "covplan_unlocated_rows"


@dataclass
class FileContext:
    """Where values come from, and what has been found wrong or done to them so far.

    Parameters
    ----------
    file
        File name shown in messages.
    layer
        covplan layer name.
    row_offset
        Added to a 0-based position to get the number a user sees.
    row_label
        ``"line"`` for text tables, ``"feature"`` otherwise.
    """

    file: str
    layer: str
    row_offset: int = 1
    row_label: str = "feature"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The manifest's ``where`` kept none of the file's rows (a problem says so already).
    filtered_out: bool = False

    def rows(self, mask: pd.Series | np.ndarray) -> tuple[int, ...]:
        """User-facing numbers of the rows where ``mask`` is true."""
        return tuple(int(i) + self.row_offset for i in np.flatnonzero(np.asarray(mask)))

    def add(
        self, message: str, fix: str = "", *, column: str | None = None,
        rows: Iterable[int] = (), **params: object,
    ) -> None:
        """Record a problem in this file.

        ``message`` and ``fix`` are English templates marked with ``N_``; ``params`` fill
        their ``{name}`` fields (see :class:`covplan.errors.Problem`).
        """
        self.problems.append(
            Problem(
                file=self.file,
                layer=self.layer,
                column=column,
                rows=tuple(rows),
                message=message,
                fix=fix,
                row_label=self.row_label,
                params=params,
            )
        )

    def note(self, text: Text) -> None:
        """Record something done to the data (a default applied, a geometry repaired).

        ``text`` is a :class:`~covplan.i18n.Text`, to be said in the reader's
        language (the report and ``covplan validate --lang vi`` say it so).
        """
        self.notes.append(Text(N_("{layer}: {note}"), layer=Name(self.layer), note=text))

    def warn(self, text: str) -> None:
        """Record what the user must see although the file loads (unlike a note).

        Warnings (a partial overlap, rows left out) are printed by every command and shown
        in the app and the report. ``text`` is a :class:`~covplan.i18n.Text` where the
        reader's language matters.
        """
        self.warnings.append(Text(N_("{file}: {warning}"), file=Name(self.file), warning=text))

    def raise_if_problems(self) -> None:
        """Raise :class:`InputError` with every problem recorded so far."""
        if self.problems:
            raise InputError(self.problems)
