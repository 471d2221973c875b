"""Progress reporting: the core takes a ``progress(fraction, message)`` callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    """Called with the fraction done (0-1) and a short message for the current stage."""

    def __call__(self, fraction: float, message: str, /) -> None: ...


ProgressFn = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that does nothing."""


def scaled(progress: ProgressFn | None, start: float, stop: float) -> ProgressFn:
    """A callback mapping a sub-task's 0-1 onto ``start``-``stop`` of the parent's progress."""
    parent = progress or no_progress

    def report(fraction: float, message: str) -> None:
        parent(start + (stop - start) * min(max(fraction, 0.0), 1.0), message)

    return report


def labelled(report: ProgressFn, label: str) -> ProgressFn:
    """``report`` with ``label`` in front of messages that do not start with it."""

    def labelled_report(fraction: float, message: str) -> None:
        report(fraction, message if message.startswith(label) else f"{label} {message}")

    return labelled_report
