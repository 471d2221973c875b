"""What changed between two snapshots: sites, road stretches, villages, points, communes.

- **Sites** are matched by ``site_id`` and ``sector`` (:func:`covplan.planning.sites_diff`):
  added, removed, moved or modified, with the changed fields (``technology 4G -> 5G``).
- **Road stretches** newly covered (gained) or newly without signal (lost), per road target
  with its filter, technologies and thresholds: runs of road pieces whose status changed,
  measured on the later snapshot's roads with their chainage and the communes they cross.
  Pieces are matched by position (the same roads on the same grid give the same pieces); a
  road absent from the earlier snapshot is neither gained nor lost.
- **Villages** newly fibre-reached or covered (gained) or no longer (lost), per village
  target, matched by ``village_id`` (by name and position without unique ids); **points of
  interest** the same for point targets, matched by kind, name and position.
- **Communes** that moved from not met to met (``now met``) or back (``no longer met``),
  per target (:func:`covplan.progress.communes.commune_measures`).

:func:`snapshot_state` keeps what a snapshot's evaluation leaves for these lists, so that
the coverage grids can go once it is made; :func:`changes_between` compares two states.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from covplan.metrics.context import MetricContext
from covplan.metrics.gaps import village_table
from covplan.metrics.pois import poi_covered
from covplan.metrics.roadgaps import road_gaps
from covplan.metrics.roads import RoadSamples
from covplan.metrics.zones import ZoneRaster
from covplan.planning.scenario import sites_diff
from covplan.targets.evaluate import road_mask, village_mask
from covplan.targets.schema import STATUS_MET, STATUS_NOT_MET, TargetSet

logger = logging.getLogger(__name__)

#: The change of a road stretch, village or point.
GAINED: Final = "gained"
LOST: Final = "lost"
#: The change of a commune's status for a target.
NOW_MET: Final = "now met"
NO_LONGER_MET: Final = "no longer met"
#: How a site changed, as a whole.
SITE_ADDED: Final = "added"
SITE_REMOVED: Final = "removed"
SITE_CHANGED: Final = "changed"

ROAD_COLUMNS: Final = ("target", "change", "road", "road_class", "ref", "name", "start_km",
                       "end_km", "length_km", "counted_km", "communes")
VILLAGE_COLUMNS: Final = ("target", "change", "village_id", "name", "commune",
                          "commune_name", "population")
POI_COLUMNS: Final = ("target", "change", "kind", "name")
COMMUNE_COLUMNS: Final = ("target", "change", "code", "name", "unit", "before_percent",
                          "after_percent", "before_covered", "after_covered")
SITE_COLUMNS: Final = ("site_id", "sector", "change", "technology", "moved_m", "details")


@dataclass(frozen=True, eq=False)
class RoadState:
    """One road target's pieces in a snapshot and which have signal."""

    target: str
    samples: RoadSamples
    pick: np.ndarray
    covered: np.ndarray


@dataclass(frozen=True, eq=False)
class ItemState:
    """One village or point target's items in a snapshot and which it counts as covered."""

    target: str
    table: gpd.GeoDataFrame
    keys: np.ndarray
    covered: np.ndarray


@dataclass(frozen=True, eq=False)
class SnapshotState:
    """What a snapshot's evaluation leaves for the change lists (no coverage grids).

    Parameters
    ----------
    label
        The snapshot's label.
    sites
        Its sites (one row per sector), or None.
    roads, villages, pois
        Per road, village and point target: the items and which are covered.
    communes
        Targets per commune (:func:`covplan.progress.communes.commune_measures`).
    commune_shapes, commune_zones
        The communes (``code``, ``name``, polygon) and their cells, to name the communes a
        road stretch crosses; None without communes.
    """

    label: str
    sites: gpd.GeoDataFrame | None
    roads: tuple[RoadState, ...]
    villages: tuple[ItemState, ...]
    pois: tuple[ItemState, ...]
    communes: pd.DataFrame
    commune_shapes: gpd.GeoDataFrame | None
    commune_zones: ZoneRaster | None


def _unique(keys: np.ndarray) -> bool:
    return len(keys) == len(set(keys.tolist())) and all(k != "" for k in keys.tolist())


def _position_keys(frame: gpd.GeoDataFrame, *columns: str) -> np.ndarray:
    points = shapely.point_on_surface(np.asarray(frame.geometry.values))
    parts = [frame[c].astype("string").fillna("").to_numpy(object) if c in frame.columns
             else np.full(len(frame), "", dtype=object) for c in columns]
    x, y = np.round(shapely.get_x(points)), np.round(shapely.get_y(points))
    return np.array(["|".join([*(str(p[i]) for p in parts), f"{x[i]:.0f}", f"{y[i]:.0f}"])
                     for i in range(len(frame))], dtype=object)


def _village_states(ctx: MetricContext, targets: TargetSet) -> tuple[ItemState, ...]:
    chosen = [t for t in targets.targets if t.measure in ("fibre_share", "village_share")]
    if ctx.villages is None or not chosen:
        return ()
    table = village_table(ctx)[["village_id", "name", "commune", "commune_name", "population",
                                "geometry"]]
    keys = table["village_id"].astype(str).to_numpy(object)
    if not _unique(keys):
        keys = _position_keys(table, "name")
    states = []
    for target in chosen:
        pick = village_mask(target, ctx)
        if target.measure == "fibre_share":
            if not ctx.has_fibre_data:
                continue
            flag = ctx.fibre_reached(target.thresholds).to_numpy(bool)
        else:
            flag = ctx.village_signal(target.technologies,
                                      target.thresholds)["covered"].to_numpy(bool)
        states.append(ItemState(target.id, table[pick].reset_index(drop=True), keys[pick],
                                flag[pick]))
    return tuple(states)


def _poi_states(ctx: MetricContext, targets: TargetSet) -> tuple[ItemState, ...]:
    chosen = [t for t in targets.targets if t.measure == "point_share"]
    if ctx.pois is None or not len(ctx.pois) or not chosen:
        return ()
    pois = ctx.pois.reset_index(drop=True)
    table = gpd.GeoDataFrame({"kind": pois["kind"].astype(str).to_numpy(),
                              "name": pois.get("name", pd.Series("", index=pois.index))
                              .astype("string").fillna("").to_numpy(object)},
                             geometry=np.asarray(pois.geometry.values), crs=pois.crs)
    keys = _position_keys(table, "kind", "name")
    states = []
    for target in chosen:
        pick = np.ones(len(pois), dtype=bool)
        for column in ("kind", "name"):
            if (values := target.filter_values(column)) is not None:
                pick &= table[column].astype(str).isin(values).to_numpy(bool)
        hit = poi_covered(ctx.poi_signal(target.thresholds).reset_index(drop=True),
                          list(target.technologies)).to_numpy(bool)
        states.append(ItemState(target.id, table[pick].reset_index(drop=True), keys[pick],
                                hit[pick]))
    return tuple(states)


def snapshot_state(label: str, ctx: MetricContext, targets: TargetSet,
                   communes: pd.DataFrame) -> SnapshotState:
    """What the change lists need of one evaluated snapshot.

    Parameters
    ----------
    label
        The snapshot's label.
    ctx
        Its metrics (:attr:`covplan.planning.Evaluation.context`), with its sites.
    targets
        The target set.
    communes
        Its targets per commune.
    """
    roads: tuple[RoadState, ...] = ()
    if ctx.roads is not None:
        roads = tuple(RoadState(t.id, ctx.roads, road_mask(t, ctx),
                                ctx.road_covered(t.technologies, t.thresholds))
                      for t in targets.targets if t.measure == "length_share")
    shapes = None
    if ctx.communes is not None:
        shapes = gpd.GeoDataFrame({"code": ctx.communes["code"].astype(str).to_numpy(),
                                   "name": ctx.communes["name"].astype(str).to_numpy()},
                                  geometry=np.asarray(ctx.communes.geometry.values),
                                  crs=ctx.communes.crs)
    return SnapshotState(label, ctx.sites, roads, _village_states(ctx, targets),
                         _poi_states(ctx, targets), communes, shapes, ctx.commune_zones)


def _same_pieces(a: RoadSamples, b: RoadSamples) -> bool:
    if a is b:
        return True
    pa, pb = a.pieces, b.pieces
    return (len(pa.x) == len(pb.x) and np.array_equal(pa.x, pb.x)
            and np.array_equal(pa.y, pb.y) and np.array_equal(pa.length_m, pb.length_m))


def _earlier_on_later(before: RoadState, after: RoadState) -> tuple[np.ndarray, np.ndarray]:
    """The earlier status of each later piece, and whether the piece existed before."""
    if _same_pieces(before.samples, after.samples):
        return before.covered & before.pick, np.ones(len(after.covered), dtype=bool)
    old, new = before.samples.pieces, after.samples.pieces
    if not len(old.x):
        return np.zeros(len(new.x), dtype=bool), np.zeros(len(new.x), dtype=bool)
    distance, nearest = cKDTree(np.column_stack([old.x, old.y])).query(
        np.column_stack([new.x, new.y]))
    matched = distance <= np.maximum(new.length_m, 1.0) / 2.0
    was = (before.covered & before.pick)[nearest] & matched
    return was, matched


def _stretches(state: RoadState, run: np.ndarray, change: str,
               after: SnapshotState) -> gpd.GeoDataFrame:
    """Contiguous runs of pieces flagged in ``run``, as road stretches."""
    stretches = road_gaps(state.samples, ~run, communes=after.commune_shapes,
                          commune_zones=after.commune_zones)
    stretches.insert(0, "change", change)
    stretches.insert(0, "target", state.target)
    return stretches


def road_changes(before: SnapshotState, after: SnapshotState) -> gpd.GeoDataFrame:
    """Road stretches gained and lost per road target (see the module docstring)."""
    frames = []
    earlier = {r.target: r for r in before.roads}
    for state in after.roads:
        old = earlier.get(state.target)
        if old is None:
            continue
        was, existed = _earlier_on_later(old, state)
        now = state.covered & state.pick
        for change, run in ((GAINED, now & ~was & existed), (LOST, was & ~now & existed)):
            if run.any():
                frames.append(_stretches(state, run, change, after))
    crs = after.roads[0].samples.routes.crs if after.roads else None
    return _frame(frames, ROAD_COLUMNS, crs)


def _frame(frames: list[gpd.GeoDataFrame], columns: tuple[str, ...], crs: object
           ) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)
    joined = pd.concat(frames, ignore_index=True)
    keep = [c for c in columns if c in joined.columns]
    return gpd.GeoDataFrame(joined[keep], geometry=joined.geometry.values, crs=frames[0].crs)


def item_changes(before: tuple[ItemState, ...], after: tuple[ItemState, ...],
                 columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Items (villages or points) gained and lost per target, matched by their keys."""
    frames = []
    earlier = {s.target: s for s in before}
    for state in after:
        old = earlier.get(state.target)
        if old is None:
            continue
        was: dict[object, bool] = {}
        for key, flag in zip(old.keys.tolist(), old.covered.tolist(), strict=True):
            was[key] = was.get(key, False) or bool(flag)
        known = np.array([k in was for k in state.keys.tolist()], dtype=bool)
        prior = np.array([was.get(k, False) for k in state.keys.tolist()], dtype=bool)
        for change, flag in ((GAINED, state.covered & ~prior & known),
                             (LOST, prior & ~state.covered & known)):
            if flag.any():
                part = state.table[flag].copy()
                part.insert(0, "change", change)
                part.insert(0, "target", state.target)
                frames.append(part)
    crs = after[0].table.crs if after else None
    return _frame(frames, columns, crs)


def commune_changes(before: SnapshotState, after: SnapshotState) -> gpd.GeoDataFrame:
    """Communes whose status for a target went from not met to met, or back."""
    keys = ["code", "id"]
    if not len(before.communes) or not len(after.communes) or after.commune_shapes is None:
        return _frame([], COMMUNE_COLUMNS, None)
    pair = after.communes.merge(before.communes[[*keys, "status", "measured_percent",
                                                 "covered"]],
                                on=keys, how="inner", suffixes=("", "_before"))
    rises = (pair["status_before"] == STATUS_NOT_MET) & (pair["status"] == STATUS_MET)
    falls = (pair["status_before"] == STATUS_MET) & (pair["status"] == STATUS_NOT_MET)
    pair = pair[rises | falls].assign(change=np.where(rises[rises | falls], NOW_MET,
                                                      NO_LONGER_MET))
    table = pd.DataFrame({"target": pair["id"], "change": pair["change"], "code": pair["code"],
                          "name": pair["name"], "unit": pair["unit"],
                          "before_percent": pair["measured_percent_before"],
                          "after_percent": pair["measured_percent"],
                          "before_covered": pair["covered_before"],
                          "after_covered": pair["covered"]})
    shapes = after.commune_shapes.set_index("code").geometry
    geometry = shapes.reindex(table["code"].astype(str)).to_numpy()
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geometry),
                            crs=after.commune_shapes.crs)


def site_changes(before: gpd.GeoDataFrame | None, after: gpd.GeoDataFrame | None
                 ) -> gpd.GeoDataFrame:
    """Sectors added, removed, moved or modified, with ``technology`` (the later one)."""
    frames = [f for f in (before, after) if f is not None]
    crs = frames[-1].crs if frames else None
    if not frames:
        return _frame([], SITE_COLUMNS, None)
    template = frames[-1].iloc[:0]
    diff = sites_diff(before if before is not None else template,
                      after if after is not None else template)
    if not len(diff):
        return _frame([], SITE_COLUMNS, crs)
    technology: dict[tuple[str, int], str] = {}
    for frame in frames:  # the later snapshot's technology wins
        keys = zip(frame["site_id"].astype(str), frame["sector"].astype(int), strict=True)
        technology.update(zip(keys, frame["technology"].astype(str), strict=True))
    diff["technology"] = [technology.get((str(s), int(k)), "")
                          for s, k in zip(diff["site_id"], diff["sector"], strict=True)]
    return _frame([diff], SITE_COLUMNS, crs)


def _site_ids(sites: gpd.GeoDataFrame | None) -> set[str]:
    return set() if sites is None else set(sites["site_id"].astype(str))


def sites_by_site(sectors: gpd.GeoDataFrame, before: gpd.GeoDataFrame | None,
                  after: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The sector changes as one row per site: ``added``, ``removed`` or ``changed``.

    A site is added when it was not there before, removed when it is not there after, and
    changed otherwise (moved, modified, or sectors added or removed). Columns:
    ``site_id``, ``change``, ``technology``, ``sectors`` (how many changed), ``details``
    (each changed sector, ``"; "``-joined; empty for a site added or removed) and the
    site's position.
    """
    columns = ("site_id", "change", "technology", "sectors", "details")
    if not len(sectors):
        return _frame([], columns, sectors.crs)
    existed, exists = _site_ids(before), _site_ids(after)
    rows = []
    for site_id, part in sectors.groupby(sectors["site_id"].astype(str), sort=True):
        if site_id not in existed:
            change, details = SITE_ADDED, ""
        elif site_id not in exists:
            change, details = SITE_REMOVED, ""
        else:
            change, details = SITE_CHANGED, _site_details(part)
        rows.append({"site_id": site_id, "change": change,
                     "technology": "/".join(sorted(set(part["technology"].astype(str)))),
                     "sectors": len(part), "details": details,
                     "geometry": part.geometry.iloc[0]})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*columns, "geometry"]),
                            geometry="geometry", crs=sectors.crs)


def _site_details(part: pd.DataFrame) -> str:
    """Each sector's change, sectors with the same change together: ``sectors 1, 2: …``."""
    groups: dict[str, list[str]] = {}
    for row in part.sort_values("sector").to_dict("records"):
        change = str(row["change"])
        if change in ("added", "removed"):
            text = change
        else:
            text = str(row.get("details") or "")
            moved = float(str(row.get("moved_m") or 0.0))
            if moved > 1e-3:
                text = f"moved {moved:,.0f} m" + (f"; {text}" if text else "")
        groups.setdefault(text, []).append(str(row["sector"]))
    return " | ".join(f"sector{'s' if len(sectors) > 1 else ''} {', '.join(sectors)}: {text}"
                      for text, sectors in groups.items())


@dataclass(frozen=True, eq=False)
class Changes:
    """What changed from one snapshot to the next.

    Parameters
    ----------
    before, after
        The two snapshots' labels.
    sites
        One row per changed sector (:data:`SITE_COLUMNS`, the sector's position).
    site_summary
        One row per changed site (:func:`sites_by_site`).
    roads
        Road stretches gained and lost (:data:`ROAD_COLUMNS`, the stretch).
    villages
        Villages gained and lost (:data:`VILLAGE_COLUMNS`, the village).
    pois
        Points of interest gained and lost (:data:`POI_COLUMNS`, the point).
    communes
        Communes now met or no longer met (:data:`COMMUNE_COLUMNS`, the commune).
    """

    before: str
    after: str
    sites: gpd.GeoDataFrame
    site_summary: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame

    def site_counts(self) -> dict[str, int]:
        """``{"added": n, "removed": n, "changed": n}`` sites."""
        counts = self.site_summary["change"].value_counts() if len(self.site_summary) else {}
        return {k: int(counts.get(k, 0)) for k in (SITE_ADDED, SITE_REMOVED, SITE_CHANGED)}

    def amounts(self, target: str) -> tuple[float, float, str]:
        """Gained and lost for ``target`` in what the lists count: km, villages or POIs."""
        for frame, unit in ((self.roads, "km"), (self.villages, "villages"),
                            (self.pois, "POIs")):
            rows = frame[frame["target"] == target] if len(frame) else frame
            if len(rows):
                weights = rows["counted_km"] if unit == "km" else pd.Series(1.0,
                                                                            index=rows.index)
                return (float(weights[rows["change"] == GAINED].sum()),
                        float(weights[rows["change"] == LOST].sum()), unit)
        return 0.0, 0.0, ""


def changes_between(before: SnapshotState, after: SnapshotState) -> Changes:
    """Every change from ``before`` to ``after`` (see the module docstring)."""
    sectors = site_changes(before.sites, after.sites)
    changes = Changes(
        before=before.label, after=after.label, sites=sectors,
        site_summary=sites_by_site(sectors, before.sites, after.sites),
        roads=road_changes(before, after),
        villages=item_changes(before.villages, after.villages, VILLAGE_COLUMNS),
        pois=item_changes(before.pois, after.pois, POI_COLUMNS),
        communes=commune_changes(before, after))
    counts = changes.site_counts()
    logger.info("%s -> %s: %d sites added, %d removed, %d changed; %d road stretches, %d "
                "villages, %d points, %d communes changed", before.label, after.label,
                counts[SITE_ADDED], counts[SITE_REMOVED], counts[SITE_CHANGED],
                len(changes.roads), len(changes.villages), len(changes.pois),
                len(changes.communes))
    return changes
