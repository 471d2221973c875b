"""Scenario edits and how they apply to a sites table (one row per sector).

An :class:`Edit` is one of four operations on a site (all its sectors) or on one sector:

``add``
    A new site at ``(x, y)`` with ``technology`` and optional radio values; ``sectors``
    lists per-sector values (``sector``, ``azimuth_deg``, …), default one omnidirectional
    sector. Values not given take the technology defaults of
    :mod:`covplan.radio.defaults`; ``status`` defaults to ``planned``.
``move``
    Every sector of the site to ``(x, y)``.
``remove``
    The site, or only ``sector``.
``modify``
    Set ``values`` on every sector of the site, or only on ``sector``. Changing
    ``technology`` resets the technology's own radio values (frequency, bandwidth,
    power, gain, feeder loss) to the new technology's defaults unless the same edit
    sets them; height, azimuth, tilt and beamwidth are kept.

Edits apply in order, and each is checked against the sites as they stand after the
edits before it, so a site added by one edit can be moved, changed or removed by a later
one. New and changed rows go through :func:`covplan.io.sites.normalise_sites`, the same
validation and defaults as a sites file.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, cast, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.errors import Problem
from covplan.i18n import N_, Name, Phrase
from covplan.io.context import FileContext
from covplan.io.sites import normalise_sites
from covplan.schema import (
    SECTOR_VALUES,
    TECHNOLOGIES,
    TECHNOLOGY_VALUES,
    SectorSpec,
    SectorValues,
)

logger = logging.getLogger(__name__)

#: What an edit does.
EditOp = Literal["add", "move", "remove", "modify"]
OPS: Final[tuple[EditOp, ...]] = get_args(EditOp)

@dataclass(frozen=True)
class Edit:
    """One change to the sites.

    Parameters
    ----------
    op
        ``{"add", "move", "remove", "modify"}`` (checked again when the edit applies, for
        edits made from untyped input).
    site_id
        The site concerned.
    sector
        One sector of the site, or ``None`` for all of them (``remove``, ``modify``).
    x, y
        New position in the scenario's CRS (``add``, ``move``).
    values
        Sector values (``add``: for every sector; ``modify``: the values to set).
    sectors
        ``add`` only: one mapping of values per sector (each may name its ``sector``).
    """

    op: EditOp
    site_id: str
    sector: int | None = None
    x: float | None = None
    y: float | None = None
    values: SectorValues = field(default_factory=lambda: SectorValues())
    sectors: tuple[SectorSpec, ...] = ()

    def describe(self) -> str:
        """Short text such as ``"move TN001"`` or ``"modify TN002/1"``."""
        target = self.site_id if self.sector is None else f"{self.site_id}/{self.sector}"
        return f"{self.op} {target}"


class _Collector:
    """Problems of one edit, numbered as the user sees it."""

    def __init__(self, source: str, number: int) -> None:
        self.source, self.number = source, number
        self.problems: list[Problem] = []

    def add(self, message: str, fix: str = "", column: str | None = None,
            **params: object) -> None:
        self.problems.append(Problem(file=self.source, message=message, fix=fix,
                                     layer="scenario", column=column, rows=(self.number,),
                                     row_label="edit", params=params))

    def absorb(self, ctx: FileContext) -> None:
        for p in ctx.problems:
            self.problems.append(replace(p, layer="scenario", rows=(self.number,),
                                         row_label="edit"))


def _has(sites: gpd.GeoDataFrame, site_id: str, sector: int | None) -> np.ndarray:
    rows: np.ndarray = (sites["site_id"].astype(str) == site_id).to_numpy(bool)
    if sector is not None:
        rows = rows & (sites["sector"].astype(int) == sector).to_numpy(bool)
    return rows


def _normalised(rows: gpd.GeoDataFrame, out: _Collector) -> gpd.GeoDataFrame | None:
    ctx = FileContext(out.source, "sites")
    frame = normalise_sites(rows, ctx)
    out.absorb(ctx)
    return None if ctx.problems else frame


def _new_rows(edit: Edit, crs: Any) -> gpd.GeoDataFrame:
    specs = edit.sectors or ({},)
    records = []
    for k, spec in enumerate(specs, start=1):
        record: dict[str, Any] = {"site_id": edit.site_id, "status": "planned", **edit.values,
                                  **spec}
        record["sector"] = int(spec.get("sector", k))
        records.append(record)
    frame = pd.DataFrame(records)
    point = shapely.points(edit.x, edit.y)
    return gpd.GeoDataFrame(frame, geometry=[point] * len(frame), crs=crs)


def _add(sites: gpd.GeoDataFrame, edit: Edit, out: _Collector) -> gpd.GeoDataFrame:
    if _has(sites, edit.site_id, None).any():
        out.add(N_("site_id {site_id} already exists; an add needs a new site_id."),
                N_("choose another site_id, or use op 'modify' to change the existing site."),
                column="site_id", site_id=repr(edit.site_id))
        return sites
    rows = _normalised(_new_rows(edit, sites.crs), out)
    if rows is None:
        return sites
    return _concat(sites, rows)


def _concat(sites: gpd.GeoDataFrame, rows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows appended under the baseline's columns and dtypes (new columns at the end)."""
    geom = sites.geometry.name
    rows = rows.rename_geometry(geom) if rows.geometry.name != geom else rows
    extra = [c for c in rows.columns if c not in sites.columns]
    rows = rows.reindex(columns=[*sites.columns, *extra])
    frame = pd.concat([pd.DataFrame(sites), pd.DataFrame(rows)], ignore_index=True)
    return gpd.GeoDataFrame(_restore_dtypes(frame, sites), geometry=geom, crs=sites.crs)


def _restore_dtypes(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    for column, dtype in like.dtypes.items():
        if column == like.geometry.name or frame[column].dtype == dtype:  # type: ignore[attr-defined]
            continue
        try:
            frame[column] = frame[column].astype(dtype)
        except (TypeError, ValueError):
            logger.debug("Column %s keeps dtype %s", column, frame[column].dtype)
    return frame


def _move(sites: gpd.GeoDataFrame, edit: Edit, out: _Collector) -> gpd.GeoDataFrame:
    if edit.sector is not None:
        out.add(N_("a move applies to every sector of a site; it cannot name a sector."),
                N_("remove the 'sector' key (sectors of one site share one position)."),
                column="sector")
        return sites
    geoms = np.asarray(sites.geometry.values, dtype=object).copy()
    rows = _has(sites, edit.site_id, None)
    geoms[rows] = shapely.points(edit.x, edit.y)
    return sites.set_geometry(gpd.GeoSeries(geoms, index=sites.index, crs=sites.crs),
                              crs=sites.crs)


def _remove(sites: gpd.GeoDataFrame, edit: Edit, out: _Collector) -> gpd.GeoDataFrame:
    keep = ~_has(sites, edit.site_id, edit.sector)
    return sites.loc[keep].reset_index(drop=True)


def _modify(sites: gpd.GeoDataFrame, edit: Edit, out: _Collector) -> gpd.GeoDataFrame:
    rows = _has(sites, edit.site_id, edit.sector)
    changed = sites.loc[rows].copy()
    if "technology" in edit.values:
        for column in TECHNOLOGY_VALUES:
            if column not in edit.values and column in changed.columns:
                changed[column] = np.nan
    for column, value in edit.values.items():
        if column not in changed.columns:
            changed[column] = np.nan if SECTOR_VALUES[column] == "float" else None
        changed[column] = pd.Series([value] * len(changed), index=changed.index,
                                    dtype=object)
    fixed = _normalised(changed.reset_index(drop=True), out)
    if fixed is None:
        return sites
    fixed.index = changed.index
    result = sites.copy()
    for column in (c for c in fixed.columns if c != fixed.geometry.name):
        if column not in result.columns:
            result[column] = pd.Series(np.nan if SECTOR_VALUES.get(column) == "float" else pd.NA,
                                       index=result.index)
        result[column] = result[column].astype(object)
        result.loc[fixed.index, column] = fixed[column].astype(object)
    return gpd.GeoDataFrame(_restore_dtypes(result, sites), geometry=sites.geometry.name,
                            crs=sites.crs)


def _exists(sites: gpd.GeoDataFrame, edit: Edit, out: _Collector) -> bool:
    if _has(sites, edit.site_id, edit.sector).any():
        return True
    near = sorted({str(s) for s in sites["site_id"]
                   if str(s).lower().startswith(edit.site_id[:3].lower())})[:5]
    missing = Phrase.of(_MISSING[edit.op, edit.sector is not None],
                        site_id=Name(repr(edit.site_id)), sector=Name(str(edit.sector)))
    hint = (Phrase.of(N_(" Similar site_ids: {similar}."), similar=Name(", ".join(near)))
            if near else "")
    out.add(N_("{missing}{hint}"), N_("check the site_id (and sector) against the sites layer."),
            column="site_id", missing=missing, hint=hint)
    return False


def _check(edit: Edit, out: _Collector) -> None:
    """Problems an edit has on its own, before it meets the sites."""
    if edit.op not in OPS:
        close = difflib.get_close_matches(str(edit.op).lower(), OPS, n=1)
        out.add(N_("unknown op {op}; expected one of {ops}."),
                N_("did you mean '{suggestion}'? Write \"op\": \"add\", \"move\", "
                   "\"remove\" or \"modify\".") if close else
                N_('Write "op": "add", "move", "remove" or "modify".'), column="op",
                op=repr(edit.op), ops=", ".join(OPS), suggestion=close[0] if close else "")
        return
    if not edit.site_id:
        out.add(N_("missing site_id."), N_("name the site the edit applies to."),
                column="site_id")
    specs = [edit.values, *edit.sectors]
    unknown = sorted({k for spec in specs for k in spec
                      if k not in SECTOR_VALUES and k != "sector"})
    if unknown:
        named = [(c[0], k) for k in unknown
                 if (c := difflib.get_close_matches(k, SECTOR_VALUES, n=1))]
        hints = [f"'{c}' for '{k}'" for c, k in named]
        fix = (N_("write '{suggestion}' for '{field}', or remove the field.") if len(named) == 1
               else N_("write {hints}, or remove the field.") if named
               else N_("fix the field name or remove it."))
        out.add(N_("unknown fields {fields}; expected {expected}.") if len(unknown) > 1
                else N_("unknown field {fields}; expected {expected}."), fix,
                fields=", ".join(unknown), expected=", ".join(SECTOR_VALUES),
                hints=", ".join(hints), suggestion=named[0][0] if named else "",
                field=named[0][1] if named else "")
    if edit.op in ("add", "move") and not (
            edit.x is not None and edit.y is not None and np.isfinite([edit.x, edit.y]).all()):
        out.add(N_("an add needs a position.") if edit.op == "add"
                else N_("a move needs a position."),
                N_("give x and y (in the scenario's crs) or lon and lat (degrees)."))
    if edit.op == "add" and "technology" not in edit.values and not all(
            "technology" in s for s in edit.sectors or ({},)):
        out.add(N_("an add needs a technology."), N_("set technology to 4G or 5G."),
                column="technology")
    if edit.op == "modify" and not edit.values:
        out.add(N_("a modify sets no values."), N_("give values to set, out of {fields}."),
                fields=", ".join(SECTOR_VALUES))
    if edit.op != "add" and edit.sectors:
        out.add(_NOT_ADD[edit.op], N_("give one sector number."))


#: "only an add lists sectors", one whole sentence per other op.
_NOT_ADD: Final = {"move": N_("only an add lists sectors, not a move."),
                   "remove": N_("only an add lists sectors, not a remove."),
                   "modify": N_("only an add lists sectors, not a modify.")}
#: What an edit of a site (or of one sector, second key) that does not exist says, per op.
_MISSING: Final = {
    ("move", False): N_("site {site_id} does not exist in the baseline or an earlier edit, so "
                        "it cannot be moved."),
    ("move", True): N_("sector {sector} of site {site_id} does not exist in the baseline or "
                       "an earlier edit, so it cannot be moved."),
    ("remove", False): N_("site {site_id} does not exist in the baseline or an earlier edit, "
                          "so it cannot be removed."),
    ("remove", True): N_("sector {sector} of site {site_id} does not exist in the baseline or "
                         "an earlier edit, so it cannot be removed."),
    ("modify", False): N_("site {site_id} does not exist in the baseline or an earlier edit, "
                          "so it cannot be modified."),
    ("modify", True): N_("sector {sector} of site {site_id} does not exist in the baseline "
                         "or an earlier edit, so it cannot be modified."),
}
_APPLY = {"add": _add, "move": _move, "remove": _remove, "modify": _modify}


def _finite(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without their non-finite numbers (reported where they were read)."""
    return {k: v for k, v in values.items()
            if not (isinstance(v, float) and not math.isfinite(v))}


def held_back_problems(found: list[Problem], edits: list[Edit | None],
                       drafts: Mapping[int, Edit], source: str, baseline: gpd.GeoDataFrame
                       ) -> list[Problem]:
    """What an edit's first problems kept from being checked, for every edit that has some.

    An edit refused when it is read (its position, a non-finite value) is not applied, and
    one applied stops at its first kind of problem (an unknown field, a site that does not
    exist): its other fields and the values it sets are checked here, on their own, so that
    one run names every problem of every edit. Problems already found are not repeated.

    ``found`` are the problems so far (numbered by edit), ``edits`` the edits as read (None
    where refused), ``drafts`` every edit with an op and a site_id as far as it was read.
    """
    more: list[Problem] = []
    for number in sorted({r for p in found for r in p.rows}):
        draft = drafts.get(number)
        if draft is None:
            continue
        out = _Collector(source, number)
        if edits[number - 1] is None:  # not applied: what applying it checks first
            _check(draft, out)
        added = {d.site_id for n, d in drafts.items() if n < number and d.op == "add"}
        named = any(p.column == "site_id" and number in p.rows for p in found)
        if draft.op != "add" and draft.site_id not in added and not named:
            _exists(baseline, draft, out)  # neither in the baseline nor added before it
        if draft.op in ("add", "modify"):
            _values_alone(draft, out, baseline.crs)
        more += [p for p in out.problems if p not in found and p not in more]
    return more


def _values_alone(edit: Edit, out: _Collector, crs: Any) -> None:
    """Problems of the values an add or modify sets, as the sites' validation finds them.

    The values go through :func:`~covplan.io.sites.normalise_sites` as the sectors of a
    new site, without the unknown fields and non-finite numbers (reported apart); a modify
    that sets no technology is given one that raises nothing.
    """
    values = {k: v for k, v in _finite(edit.values).items() if k in SECTOR_VALUES}
    if "technology" not in values and not (edit.op == "add" and edit.sectors and all(
            "technology" in s for s in edit.sectors)):
        values["technology"] = TECHNOLOGIES[0]
    sectors = tuple({k: v for k, v in _finite(s).items() if k in SECTOR_VALUES or k == "sector"}
                    for s in edit.sectors) if edit.op == "add" else ()
    draft = replace(edit, op="add", x=0.0, y=0.0, values=cast(SectorValues, values),
                    sectors=cast(tuple[SectorSpec, ...], sectors))
    _normalised(_new_rows(draft, crs), out)


def apply_edit(sites: gpd.GeoDataFrame, edit: Edit, *, source: str = "<scenario>",
               number: int = 1) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Apply one edit; on a problem the sites come back unchanged with the problems.

    Parameters
    ----------
    sites
        Sectors (normalised, in the scenario's CRS).
    edit
        The edit.
    source, number
        File and edit number named in problems.
    """
    out = _Collector(source, number)
    _check(edit, out)
    if out.problems:
        return sites, out.problems
    if edit.op != "add" and not _exists(sites, edit, out):
        return sites, out.problems
    result = _APPLY[edit.op](sites, edit, out)
    return (sites, out.problems) if out.problems else (result, [])


def _add_batch(sites: gpd.GeoDataFrame, edits: list[Edit]) -> gpd.GeoDataFrame | None:
    """Several valid-looking adds of new site_ids in one normalisation (None on trouble)."""
    ids = [e.site_id for e in edits]
    if len(set(ids)) < len(ids) or sites["site_id"].astype(str).isin(ids).any():
        return None
    out = _Collector("<batch>", 0)
    for edit in edits:
        _check(edit, out)
    if out.problems:
        return None
    frames = [_new_rows(e, sites.crs) for e in edits]
    rows = _normalised(gpd.GeoDataFrame(pd.concat(frames, ignore_index=True),
                                        geometry="geometry", crs=sites.crs), out)
    return None if rows is None else _concat(sites, rows)


def _runs(edits: tuple[Edit, ...] | list[Edit]) -> list[tuple[int, list[Edit]]]:
    """Edits split into runs of consecutive adds and single other edits, with first numbers."""
    runs: list[tuple[int, list[Edit]]] = []
    for number, edit in enumerate(edits, start=1):
        if edit.op == "add" and runs and runs[-1][1][-1].op == "add":
            runs[-1][1].append(edit)
        else:
            runs.append((number, [edit]))
    return runs


def apply_edits(baseline: gpd.GeoDataFrame, edits: tuple[Edit, ...] | list[Edit], *,
                source: str = "<scenario>", first_number: int = 1
                ) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Apply ``edits`` in order, collecting every problem (a bad edit is skipped).

    Consecutive adds are validated together when they can be (a recommendation adds
    dozens of sites); on any problem they are redone one by one so that each problem
    names its edit.
    """
    sites = baseline.reset_index(drop=True)
    problems: list[Problem] = []
    for start, run in _runs(edits):
        batch = _add_batch(sites, run) if len(run) > 1 else None
        if batch is not None:
            sites = batch
            continue
        for offset, edit in enumerate(run):
            sites, found = apply_edit(sites, edit, source=source,
                                      number=first_number + start - 1 + offset)
            problems.extend(found)
    empty_new = [c for c in sites.columns if c not in baseline.columns and sites[c].isna().all()]
    return sites.drop(columns=empty_new).reset_index(drop=True), problems
