"""Cutting lines into short pieces and measuring along them (chainage), vectorised.

Every line is cut into ``n = ceil(length / step_m)`` pieces of equal length (so no piece is
longer than ``step_m``) and each piece is represented by its midpoint. The pieces of a line
tile it exactly: their lengths add up to the line's length. Positions along the lines are
interpolated over one table of all vertices (:class:`VertexTable`), with no Python loop
over features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely


@dataclass(frozen=True, eq=False)
class VertexTable:
    """Every vertex of a set of lines, with its position along a global measure.

    Parameters
    ----------
    coords
        (N, 2) vertex coordinates, line after line.
    measure
        Position of each vertex: chainage within its line plus the line's offset. Lines
        are 1 m apart on this measure, so interpolation never crosses from one line to the
        next.
    offset
        Measure of each line's first vertex.
    length_m
        Length of each line.
    """

    coords: np.ndarray
    measure: np.ndarray
    offset: np.ndarray
    length_m: np.ndarray

    @classmethod
    def from_lines(cls, lines: np.ndarray) -> VertexTable:
        """Build the table for an array of non-empty LineStrings."""
        coords, owner = shapely.get_coordinates(lines, return_index=True)
        if not len(coords):
            return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros(0))
        step = np.hypot(*np.diff(coords, axis=0).T)
        same = owner[1:] == owner[:-1]
        measure = np.concatenate([[0.0], np.cumsum(np.where(same, step, 1.0))])
        first = np.searchsorted(owner, np.arange(len(lines)), side="left")
        last = np.searchsorted(owner, np.arange(len(lines)), side="right") - 1
        return cls(coords, measure, measure[first], measure[last] - measure[first])

    def points(self, line: np.ndarray, chainage_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates at ``chainage_m`` along lines ``line`` (clipped to each line)."""
        if not len(line):
            return np.zeros(0), np.zeros(0)
        at = self.offset[line] + np.clip(chainage_m, 0.0, self.length_m[line])
        return (np.interp(at, self.measure, self.coords[:, 0]),
                np.interp(at, self.measure, self.coords[:, 1]))

    def substrings(self, line: np.ndarray, start_m: np.ndarray, end_m: np.ndarray
                   ) -> np.ndarray:
        """LineStrings of lines ``line`` between ``start_m`` and ``end_m`` (start < end)."""
        g0 = self.offset[line] + np.clip(start_m, 0.0, self.length_m[line])
        g1 = self.offset[line] + np.clip(end_m, 0.0, self.length_m[line])
        i0 = np.searchsorted(self.measure, g0, side="right")
        i1 = np.searchsorted(self.measure, g1, side="left")
        inner = np.maximum(i1 - i0, 0)
        count = inner + 2
        owner = np.repeat(np.arange(len(line)), count)
        rank = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
        vertex = np.clip(i0[owner] + rank - 1, 0, len(self.measure) - 1)
        coords = self.coords[vertex].copy()
        x0, y0 = self.points(line, start_m)
        x1, y1 = self.points(line, end_m)
        head, tail = rank == 0, rank == count[owner] - 1
        coords[head] = np.column_stack([x0, y0])
        coords[tail] = np.column_stack([x1, y1])
        return np.asarray(shapely.linestrings(coords, indices=owner))


@dataclass(frozen=True, eq=False)
class LinePieces:
    """Pieces of lines no longer than a step, in line order then chainage order.

    Parameters
    ----------
    line
        Position of the line each piece lies on.
    start_m, end_m
        Chainage of the piece's ends along its line.
    x, y
        The piece's midpoint.
    """

    line: np.ndarray
    start_m: np.ndarray
    end_m: np.ndarray
    x: np.ndarray
    y: np.ndarray

    @property
    def length_m(self) -> np.ndarray:
        """Length of each piece."""
        length: np.ndarray = self.end_m - self.start_m
        return length

    def take(self, keep: np.ndarray) -> LinePieces:
        """The pieces where ``keep`` (a boolean mask or positions), order kept."""
        return LinePieces(self.line[keep], self.start_m[keep], self.end_m[keep], self.x[keep],
                          self.y[keep])


def cut_lines(table: VertexTable, step_m: float) -> LinePieces:
    """Cut every line of ``table`` into equal pieces no longer than ``step_m``.

    Parameters
    ----------
    table
        The lines' vertices.
    step_m
        Longest piece; pass the grid resolution to sample no coarser than the grid.
    """
    if step_m <= 0:
        raise ValueError(f"step_m must be positive, got {step_m}")
    lengths = table.length_m
    count = np.maximum(1, np.ceil(lengths / step_m - 1e-9)).astype(np.int64)
    line = np.repeat(np.arange(len(lengths)), count)
    rank = np.arange(line.size) - np.repeat(np.cumsum(count) - count, count)
    piece = lengths[line] / count[line]
    start = rank * piece
    end = np.where(rank == count[line] - 1, lengths[line], (rank + 1) * piece)
    x, y = table.points(line, (start + end) / 2)
    return LinePieces(line=line, start_m=start, end_m=end, x=x, y=y)
