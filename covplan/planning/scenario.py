"""What-if scenarios: the baseline sites plus a list of edits.

A :class:`Scenario` never changes: each edit method returns a new scenario, validated at
once (a bad edit raises :class:`~covplan.errors.InputError` naming it). :meth:`Scenario.sites`
is the sites table after the edits, :meth:`Scenario.diff` what differs from the baseline,
sector by sector. Adding a site and removing it again gives back the baseline exactly.

Scenarios save to and load from JSON (:mod:`covplan.planning.scenario_io`) and evaluate
through :class:`covplan.planning.evaluate.ScenarioEvaluator`, which reuses the engine's
per-site cache so that comparing scenarios recomputes only the sites they change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field, replace
from functools import cached_property
from typing import Any, Unpack, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.errors import InputError, Problem
from covplan.planning.edits import Edit, apply_edits
from covplan.schema import SECTOR_KEY, SECTOR_VALUES, SectorSpec, SectorValues

#: Columns that enter the baseline fingerprint (with the position to the millimetre).
_HASH_COLUMNS = (*SECTOR_KEY, *SECTOR_VALUES)


def sites_hash(sites: gpd.GeoDataFrame) -> str:
    """SHA-256 of a sites table: ids, radio values and positions (mm), order-independent."""
    cols = [c for c in _HASH_COLUMNS if c in sites.columns]
    table = pd.DataFrame(sites[cols]).astype(object).where(sites[cols].notna(), "")
    table["x"] = np.round(sites.geometry.x.to_numpy(float), 3)
    table["y"] = np.round(sites.geometry.y.to_numpy(float), 3)
    table["site_id"] = table["site_id"].astype(str)
    table = table.sort_values(["site_id", "sector"], kind="stable")
    text = table.to_csv(index=False, float_format="%.6f", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=False)
class Scenario:
    """Baseline sites and the edits that make this scenario.

    Parameters
    ----------
    baseline
        Sectors as loaded (:func:`covplan.io.load_sites` or ``Dataset.sites``), in a metric
        CRS that edit positions use.
    edits
        The edits, applied in order.
    name, description
        For reports and the scenario file.
    dataset
        Name of the dataset the baseline comes from (recorded in the file).
    source
        Where the scenario was read from, named in problems.
    warnings
        What the user must see although the scenario loads (a site placed outside the
        study area), from :func:`covplan.planning.load_scenario`.
    """

    baseline: gpd.GeoDataFrame
    edits: tuple[Edit, ...] = ()
    name: str = "scenario"
    description: str = ""
    dataset: str = ""
    source: str = "<scenario>"
    warnings: tuple[str, ...] = ()
    parent: InitVar[Scenario | None] = None
    applied: InitVar[gpd.GeoDataFrame | None] = None
    _sites: gpd.GeoDataFrame = field(init=False, repr=False)

    def __post_init__(self, parent: Scenario | None, applied: gpd.GeoDataFrame | None
                      ) -> None:
        """Apply and check every edit now: a scenario is immutable, its sites fixed.

        ``parent`` (a scenario whose edits begin this one's) lets only the new edits be
        applied, and hands on the digest of a shared baseline (0.05–0.2 s on the full demo,
        which the app's every run states); ``applied`` gives sites already applied and
        checked (a loaded file). Neither is kept.
        """
        if self.baseline.crs is None or not self.baseline.crs.is_projected:
            raise ValueError("the baseline sites must be in a projected (metric) CRS; load "
                             "them with covplan.io so they are reprojected")
        if applied is not None:
            sites, problems = applied, list[Problem]()
        elif parent is not None and self.edits[:len(parent.edits)] == parent.edits:
            done = len(parent.edits)  # apply only the new edits to the parent's sites
            sites, problems = apply_edits(parent.sites, self.edits[done:], source=self.source,
                                          first_number=done + 1)
            drop = [c for c in sites.columns if c not in self.baseline.columns
                    and sites[c].isna().all()]
            sites = sites.drop(columns=drop)
        else:
            sites, problems = apply_edits(self.baseline, self.edits, source=self.source)
        if problems:
            raise InputError(problems)
        object.__setattr__(self, "_sites", sites)  # the frozen dataclass's one derived field
        if parent is not None and parent.baseline is self.baseline and (
                "baseline_hash" in vars(parent)):  # the same table: its digest is known
            vars(self)["baseline_hash"] = vars(parent)["baseline_hash"]

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """The sites after every edit (one row per sector, index 0..n-1)."""
        return self._sites

    @cached_property
    def baseline_hash(self) -> str:
        """:func:`sites_hash` of the baseline."""
        return sites_hash(self.baseline)

    def with_edits(self, *edits: Edit) -> Scenario:
        """A new scenario with ``edits`` appended (validated now)."""
        return replace(self, edits=(*self.edits, *edits), parent=self)

    def renamed(self, name: str, description: str = "") -> Scenario:
        """The same scenario under another name (no edit is re-applied)."""
        return replace(self, name=name, description=description or self.description,
                       applied=self.sites)

    def add_site(self, site_id: str, x: float, y: float, *, technology: str,
                 sectors: Sequence[SectorSpec] = (), **values: Any) -> Scenario:
        """Add a site at ``(x, y)``; ``sectors`` holds per-sector values (default one omni).

        Examples
        --------
        >>> s2 = s.add_site("NEW-1", 585_000, 2_380_000, technology="4G", height_m=35,
        ...                 sectors=[{"azimuth_deg": a} for a in (0, 120, 240)])  # doctest: +SKIP
        """
        return self.with_edits(Edit("add", site_id, x=float(x), y=float(y),
                                    values=cast(SectorValues,
                                                {"technology": technology, **values}),
                                    sectors=tuple(sectors)))

    def move_site(self, site_id: str, x: float, y: float) -> Scenario:
        """Move every sector of ``site_id`` to ``(x, y)``."""
        return self.with_edits(Edit("move", site_id, x=float(x), y=float(y)))

    def remove_site(self, site_id: str, sector: int | None = None) -> Scenario:
        """Remove ``site_id`` (or one of its sectors)."""
        return self.with_edits(Edit("remove", site_id, sector=sector))

    def modify_site(self, site_id: str, sector: int | None = None,
                    **values: Unpack[SectorValues]) -> Scenario:
        """Set ``values`` (height, azimuth, tilt, power, technology, …) on a site or sector."""
        return self.with_edits(Edit("modify", site_id, sector=sector, values=values))

    def diff(self) -> gpd.GeoDataFrame:
        """What differs from the baseline, one row per changed sector.

        Returns
        -------
        geopandas.GeoDataFrame
            ``site_id``, ``sector``, ``change`` (``added``, ``removed``, ``moved``,
            ``modified`` or ``moved, modified``), ``moved_m``, ``details`` (``"tilt_deg
            4 -> 6"``) and the sector's position (the old one when removed). Computed
            once per scenario: do not modify it.
        """
        return self._diff

    @cached_property
    def _diff(self) -> gpd.GeoDataFrame:
        # edits change only the sites they name: compare those rows, not the province's
        named = sorted({e.site_id for e in self.edits})
        before, after = (frame[frame["site_id"].astype(str).isin(named).to_numpy()]
                         for frame in (self.baseline, self.sites))
        return sites_diff(before, after)


def _keyed(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keys = list(zip(sites["site_id"].astype(str), sites["sector"].astype(int), strict=True))
    return sites.set_axis(pd.MultiIndex.from_tuples(keys, names=["site_id", "sector"])
                          if keys else pd.MultiIndex.from_arrays([[], []],
                                                                 names=["site_id", "sector"]))


def _changed(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise "differs" of two aligned columns (NaN equals NaN; floats to 1e-9)."""
    both_na = a.isna().to_numpy(bool) & b.isna().to_numpy(bool)  # positions: no alignment
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        x, y = a.to_numpy(float, na_value=np.nan), b.to_numpy(float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            same = np.abs(x - y) <= 1e-9
    else:
        same = (a.astype(object).to_numpy() == b.astype(object).to_numpy()).astype(bool)
    differs: np.ndarray = ~(same | both_na)
    return differs


def _show(value: Any) -> str:
    if pd.isna(value):
        return "(empty)"
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def _common_changes(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, columns: list[str]
                    ) -> list[dict[str, Any]]:
    common = old.index.intersection(new.index, sort=False)
    a, b = old.loc[common], new.loc[common]
    moved = a.geometry.distance(b.geometry, align=False).to_numpy(float)
    flags = {c: _changed(a[c], b[c]) for c in columns}
    rows = []
    changed = np.zeros(len(common), dtype=bool)
    for flag in flags.values():
        changed |= flag
    for k in np.flatnonzero((moved > 1e-3) | changed):
        details = "; ".join(f"{c} {_show(a[c].iloc[k])} -> {_show(b[c].iloc[k])}"
                            for c in columns if flags[c][k])
        change = ", ".join(n for n, on in (("moved", moved[k] > 1e-3), ("modified", details))
                           if on)
        rows.append({"site_id": common[k][0], "sector": common[k][1], "change": change,
                     "moved_m": float(moved[k]), "details": details,
                     "geometry": b.geometry.iloc[k]})
    return rows


def sites_diff(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sector-by-sector differences between two sites tables (see :meth:`Scenario.diff`)."""
    old, new = _keyed(before), _keyed(after)
    columns = [c for c in SECTOR_VALUES if c in old.columns and c in new.columns]
    rows: list[dict[str, Any]] = []
    for frame, other, change in ((new, old, "added"), (old, new, "removed")):
        for k in np.flatnonzero(~frame.index.isin(other.index)):
            rows.append({"site_id": frame.index[k][0], "sector": frame.index[k][1],
                         "change": change, "moved_m": 0.0, "details": "",
                         "geometry": frame.geometry.iloc[k]})
    rows.extend(_common_changes(old, new, columns))
    frame = pd.DataFrame(rows, columns=["site_id", "sector", "change", "moved_m", "details",
                                        "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=after.crs)
