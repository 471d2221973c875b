r"""Count dual carriageways once in road length.

OSM draws a divided road (an expressway, most national highways near towns, city
boulevards) as two one-way ways, one per direction, a few metres to a few tens of metres
apart. Summing their lengths counts the road twice, which inflates the denominator of
"share of national-highway length covered".

Rule
----
Each one-way way (``oneway=yes|true|1|-1``; ``highway=motorway`` is one-way when the tag
is missing) is sampled every ``step_m`` metres. A sample is *paired* when another one-way
way lies within ``max_separation_m`` of it (``expressway_separation_m`` for expressways,
whose medians are wider), runs the **opposite** direction and is
**parallel** there (tangents within ``max_angle_deg`` of antiparallel), has the same
``road_class`` and a compatible identity: when both carry a recognised reference they must
share one (``CT.01;CT.37`` pairs with ``CT.37;CT.01;QL.1``), otherwise their names must not
differ. Links (``*_link``) and roundabouts are never paired.

Both carriageways keep their geometry (coverage is sampled on both), and each way gets

.. math:: w = 1 - \tfrac{1}{2} f

where :math:`f` is the share of its samples that are paired. Where both carriageways exist
each counts half, so :math:`\sum \ell_i w_i` equals the centre-line length; where the road
is undivided or only one side is mapped, it counts fully. Columns added: ``length_weight``
(:math:`w`) and ``carriageway`` (``"dual"`` when :math:`f \ge 0.5`, else ``"single"``). The
weight applies to the whole way; the total is exact, per-point coverage within a partly
paired way is weighted on average.
"""

from __future__ import annotations

import logging
import math
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.io.roadclass import canonical_ref, classify_roads

logger = logging.getLogger(__name__)

_ONEWAY_FORWARD: Final = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE: Final = frozenset({"-1", "reverse"})
_ROUNDABOUTS: Final = frozenset({"roundabout", "circular"})


def _text(gdf: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Column as an object array of stripped strings ("" when missing or absent)."""
    if column not in gdf.columns:
        return np.full(len(gdf), "", dtype=object)
    values = gdf[column].astype(object).where(gdf[column].notna(), "")
    return np.array([str(v).strip() for v in values], dtype=object)


def _direction(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """+1 / -1 for one-way ways along / against their drawing order, 0 for two-way."""
    oneway = np.char.lower(_text(gdf, "oneway").astype(str))
    highway = _text(gdf, "highway").astype(str)
    sign = np.zeros(len(gdf), dtype=np.int8)
    sign[np.isin(oneway, list(_ONEWAY_FORWARD))] = 1
    sign[np.isin(oneway, list(_ONEWAY_REVERSE))] = -1
    sign[(oneway == "") & (highway == "motorway")] = 1
    excluded = np.char.endswith(highway, "_link") | np.isin(
        _text(gdf, "junction").astype(str), list(_ROUNDABOUTS)
    )
    sign[excluded] = 0
    return sign


def _tangents(lines: np.ndarray, at_m: np.ndarray, delta_m: float) -> np.ndarray:
    """Unit tangent (dx, dy) of each line at distance ``at_m`` along it."""
    lengths = shapely.length(lines)
    ahead = shapely.line_interpolate_point(lines, np.minimum(at_m + delta_m, lengths))
    behind = shapely.line_interpolate_point(lines, np.maximum(at_m - delta_m, 0.0))
    vec = shapely.get_coordinates(ahead) - shapely.get_coordinates(behind)
    norm = np.hypot(vec[:, 0], vec[:, 1])
    norm[norm == 0] = np.nan
    unit: np.ndarray = vec / norm[:, None]
    return unit


def _compatible(
    a: np.ndarray, b: np.ndarray, cls: np.ndarray, refs: list[set[str]], names: np.ndarray
) -> np.ndarray:
    """Whether ways ``a[k]`` and ``b[k]`` may be the two carriageways of one road."""
    same_class = cls[a] == cls[b]
    both_ref = np.array(
        [bool(refs[i]) and bool(refs[j]) for i, j in zip(a, b, strict=True)], dtype=bool
    )
    share_ref = np.array([bool(refs[i] & refs[j]) for i, j in zip(a, b, strict=True)], dtype=bool)
    names_agree = (names[a] == "") | (names[b] == "") | (names[a] == names[b])
    compatible: np.ndarray = same_class & np.where(both_ref, share_ref, names_agree)
    return compatible


def _check_metric(roads: gpd.GeoDataFrame) -> None:
    """Refuse a layer without a projected (metric) CRS."""
    if roads.crs is None or not roads.crs.is_projected:
        message = (N_("expected roads in a metric (projected) CRS for carriageway merging, "
                      "found no CRS.") if roads.crs is None else
                   N_("expected roads in a metric (projected) CRS for carriageway merging, "
                      "found geographic CRS {crs}."))
        raise InputError(
            [
                Problem(
                    "roads",
                    message,
                    N_("load the roads through a dataset, whose working CRS is metric (leave crs "
                       "out of dataset.toml to use the UTM zone of the data, or give a projected "
                       'one such as crs = "EPSG:32648", UTM 48N).'),
                    layer="roads",
                    params={"crs": roads.crs.to_string()} if roads.crs is not None else {},
                )
            ]
        )


def merge_dual_carriageways(
    roads: gpd.GeoDataFrame,
    *,
    max_separation_m: float = 40.0,
    expressway_separation_m: float = 60.0,
    max_angle_deg: float = 30.0,
    step_m: float = 20.0,
) -> gpd.GeoDataFrame:
    """Weight dual carriageways so that road length counts each road once.

    Parameters
    ----------
    roads
        Road lines in a metric CRS, with ``road_class`` (derived with
        :func:`covplan.io.roadclass.classify_roads` when absent) and, when available,
        ``oneway``, ``highway``, ``junction``, ``ref`` and ``name``.
    max_separation_m
        Largest distance between the two carriageways of one road.
    expressway_separation_m
        The same for expressways, whose medians are wider (the two carriageways of the
        Hà Nội – Hải Phòng expressway, CT.03, are 43-47 m apart in OSM).
    max_angle_deg
        Largest deviation from antiparallel for two carriageways to pair.
    step_m
        Sampling interval along each one-way way.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``roads`` with ``length_weight`` (float in [0.5, 1]) and ``carriageway``
        (``"dual"`` or ``"single"``); geometry unchanged (see the module docstring).
    """
    _check_metric(roads)
    out = roads.copy()
    out["length_weight"] = 1.0
    out["carriageway"] = "single"
    sign = _direction(out)
    is_line = np.asarray(out.geom_type == "LineString") & ~np.asarray(out.geometry.is_empty)
    cand = np.flatnonzero((sign != 0) & is_line)
    if len(cand) < 2:
        logger.info("No one-way pairs to merge among %s roads", f"{len(out):,}")
        return out
    lines = np.asarray(out.geometry.values)[cand]
    lengths = shapely.length(lines)
    counts = np.maximum(2, np.ceil(lengths / step_m)).astype(np.int64)
    owner = np.repeat(np.arange(len(cand)), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    at_m = (np.arange(owner.size) - start + 0.5) * (lengths[owner] / counts[owner])
    samples = shapely.line_interpolate_point(lines[owner], at_m)
    delta_m = min(5.0, step_m / 2)
    own_dir = _tangents(lines[owner], at_m, delta_m) * sign[cand][owner][:, None]

    tree = shapely.STRtree(lines)
    reach_m = max(max_separation_m, expressway_separation_m)
    s_idx, partner = tree.query(samples, predicate="dwithin", distance=reach_m)
    classes = (
        np.asarray(out["road_class"].astype(str))
        if "road_class" in out.columns
        else np.asarray(classify_roads(out).astype(str))
    )[cand]
    allowed_m = np.where(
        classes[partner] == "expressway", expressway_separation_m, max_separation_m
    )
    keep = (partner != owner[s_idx]) & (
        shapely.distance(samples[s_idx], lines[partner]) <= allowed_m
    )
    s_idx, partner = s_idx[keep], partner[keep]
    refs = [set((canonical_ref(r) or "").split(";")) - {""} for r in _text(out, "ref")[cand]]
    ok = _compatible(owner[s_idx], partner, classes, refs, _text(out, "name")[cand])
    s_idx, partner = s_idx[ok], partner[ok]
    at_partner = shapely.line_locate_point(lines[partner], samples[s_idx])
    other_dir = _tangents(lines[partner], at_partner, delta_m) * sign[cand][partner][:, None]
    dot = np.einsum("ij,ij->i", own_dir[s_idx], other_dir)
    antiparallel = dot <= -math.cos(math.radians(max_angle_deg))
    paired = np.zeros(owner.size, dtype=bool)
    paired[s_idx[antiparallel]] = True
    fraction = np.bincount(owner, weights=paired, minlength=len(cand)) / counts
    out.iloc[cand, out.columns.get_loc("length_weight")] = 1.0 - 0.5 * fraction
    out.iloc[cand, out.columns.get_loc("carriageway")] = np.where(fraction >= 0.5, "dual", "single")
    before = float(out.geometry.length.sum())
    after = float((out.geometry.length * out["length_weight"]).sum())
    logger.info(
        "Dual carriageways: %s of %s one-way ways paired; road length %.1f km -> %.1f km",
        f"{int((fraction >= 0.5).sum()):,}",
        f"{len(cand):,}",
        before / 1000,
        after / 1000,
    )
    return out


def weighted_length_m(roads: gpd.GeoDataFrame) -> pd.Series:
    """Length of each road in metres times its ``length_weight`` (1 when absent).

    Parameters
    ----------
    roads
        Roads in a metric CRS, as returned by :func:`merge_dual_carriageways`.

    Returns
    -------
    pandas.Series
        Aligned to ``roads.index`` and named ``weighted_length_m``.
    """
    _check_metric(roads)
    weight = roads["length_weight"] if "length_weight" in roads.columns else 1.0
    weighted: pd.Series = (roads.geometry.length * weight).rename("weighted_length_m")
    return weighted
