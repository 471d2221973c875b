"""The engine's prediction at given points: best server, a named sector, distance, class.

Calibration compares measurements with what the coverage grids say, so the path loss at a
point comes from the very rule the sweep kernels apply at their ray samples
(:func:`covplan.radio.sweep.point_losses`: the profile from the site to the point in grid-
resolution steps, the running horizon and convex hull, the chosen model and terrain
combination), the sector patterns and link budget from the same propagation groups
(:func:`~covplan.predict._groups.build_groups`), and the receiver correction (clutter,
calibration) from the same :class:`~covplan.predict.environment.ReceiverCorrection`. Only
links are computed, not windows: a point costs its profiles to its nearest sites.

For each point:

- the **best server** is the strongest sector of the :data:`CANDIDATE_SITES` nearest sites
  within the prediction radius (among the sectors of the point's operator when the point
  names one); ties go to the site merged first, as in the grids;
- a **named sector** (a measurement's serving cell) gets its own value;
- the distance from the serving site and the land-cover class value of the point's cell.

Points no site reaches within the radius are NaN.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from covplan import settings as config
from covplan._progress import ProgressFn
from covplan.grid import GridSpec, Raster
from covplan.predict._groups import Group, sector_table
from covplan.predict._terrain import TerrainSampler
from covplan.predict.engine import MARGIN_DB, MAX_RADIUS_M, _settings, prepare_groups
from covplan.predict.environment import RadioEnvironment, ReceiverCorrection, codes_on_grid
from covplan.radio import models, sweep
from covplan.radio.antenna import FRONT_TO_BACK_DB, SIDE_LOBE_VERTICAL_DB, antenna_gain_dbi
from covplan.radio.patterns import pattern_gain_dbi
from covplan.radio.terrain import EARTH_RADIUS_M, K_FACTOR

logger = logging.getLogger(__name__)

#: Sites whose sectors may be a point's best server: the nearest ones (within the radius).
CANDIDATE_SITES = 10
#: Hata effective-height bins per site (as the coverage kernels use).
_AZIMUTH_BINS = 72


@dataclass(frozen=True, eq=False)
class PointPrediction:
    """The prediction of one technology at points (see the module docstring).

    Parameters
    ----------
    technology, model
        What was predicted, with the resolved model name.
    site_keys
        ``"site_id/sector"`` of each sector index.
    best_rsrp_dbm, best_sector
        Best-server RSRP (NaN where none) and its sector index (-1).
    named_rsrp_dbm
        RSRP of the sector each point names (NaN where it names none or an unknown one).
    named_sector
        The named sector's index (-1 where none or unknown).
    distance_m
        Distance from the site of the serving sector (the named one, else the best).
    frequency_mhz
        Carrier of the serving sector.
    landcover
        Land-cover class value of the point's cell (0: none or no land cover).
    """

    technology: str
    model: str
    site_keys: tuple[str, ...]
    best_rsrp_dbm: np.ndarray
    best_sector: np.ndarray
    named_rsrp_dbm: np.ndarray
    named_sector: np.ndarray
    distance_m: np.ndarray
    frequency_mhz: np.ndarray
    landcover: np.ndarray

    @property
    def serving_sector(self) -> np.ndarray:
        """The named sector where a point names a known one, else the best server."""
        return np.where(self.named_sector >= 0, self.named_sector, self.best_sector)

    @property
    def rsrp_dbm(self) -> np.ndarray:
        """The serving sector's RSRP: the named sector's where named, else the best's."""
        return np.where(self.named_sector >= 0, self.named_rsrp_dbm, self.best_rsrp_dbm)


def _dem_at(s: TerrainSampler, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear elevation as :func:`covplan.radio.sweep.sample_dem` (edges clamp)."""
    nr, nc = s.dem.shape
    fc = np.clip((x - s.cx0) / s.dx, 0.0, nc - 1.0)
    fr = np.clip((s.cy0 - y) / s.dy, 0.0, nr - 1.0)
    c0 = np.minimum(fc.astype(np.int64), max(nc - 2, 0))
    r0 = np.minimum(fr.astype(np.int64), max(nr - 2, 0))
    c1, r1 = np.minimum(c0 + 1, nc - 1), np.minimum(r0 + 1, nr - 1)
    tc, tr = fc - c0, fr - r0
    dem = s.dem.astype(np.float64)
    top = dem[r0, c0] * (1 - tc) + dem[r0, c1] * tc
    bottom = dem[r1, c0] * (1 - tc) + dem[r1, c1] * tc
    return np.asarray(top * (1 - tr) + bottom * tr)


def _sector_gains(g: Group, azimuth_deg: np.ndarray, depression_deg: np.ndarray) -> np.ndarray:
    """EIRP per RE plus pattern of each of ``g``'s sectors towards the points (n x sectors)."""
    rows = g.pattern_rows()
    out = np.empty((azimuth_deg.size, g.azimuth_deg.size))
    for k in range(g.azimuth_deg.size):
        offset = azimuth_deg - g.azimuth_deg[k]
        if rows[k] >= 0:
            pattern = g.patterns[int(rows[k])]
            relative = pattern_gain_dbi(pattern, offset, depression_deg,
                                        mech_tilt_deg=g.tilt_deg[k]) - pattern.gain_dbi
        else:
            relative = antenna_gain_dbi(
                offset, depression_deg, gain_dbi=0.0, beamwidth_deg=g.beamwidth_deg[k],
                tilt_deg=g.tilt_deg[k], vertical_beamwidth_deg=g.vertical_beamwidth_deg[k],
                front_to_back_db=FRONT_TO_BACK_DB, side_lobe_db=SIDE_LOBE_VERTICAL_DB)
        out[:, k] = g.eirp_re_dbm[k] + relative
    return out


def _operators(sites: gpd.GeoDataFrame, technology: str, keys: tuple[str, ...]) -> np.ndarray:
    if "operator" not in sites.columns:
        return np.full(len(keys), "", dtype=object)
    rows = sites[sites["technology"].astype(str) == technology]
    found = {f"{s}/{int(n)}": ("" if not isinstance(o, str) else o.strip().casefold())
             for s, n, o in zip(rows["site_id"].astype(str), rows["sector"], rows["operator"],
                                strict=True)}
    return np.array([found.get(k, "") for k in keys], dtype=object)


def _pairs(groups: list[Group], x: np.ndarray, y: np.ndarray, wanted: np.ndarray,
           group_operator: np.ndarray, named_group: np.ndarray, max_radius_m: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """(point, group) links: each point's nearest eligible sites and its named site."""
    n, n_groups = x.size, len(groups)
    if not n_groups or not n:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    tree = cKDTree(np.array([(g.x, g.y) for g in groups]))
    k = min(n_groups, 3 * CANDIDATE_SITES if (wanted != "").any() else CANDIDATE_SITES)
    dist, near = tree.query(np.column_stack([x, y]), k=k, distance_upper_bound=max_radius_m)
    near = np.asarray(near).reshape(n, k)
    found = np.asarray(dist).reshape(n, k) < np.inf
    op = group_operator[np.minimum(near, n_groups - 1)]
    eligible = found & ((wanted[:, None] == "") | (op == "") | (op == wanted[:, None]))
    eligible &= np.cumsum(eligible, axis=1) <= CANDIDATE_SITES
    point = np.repeat(np.arange(n), k).reshape(n, k)[eligible]
    group = near[eligible]
    extra = np.flatnonzero(named_group >= 0)
    if extra.size:
        point = np.concatenate([point, extra])
        group = np.concatenate([group, named_group[extra]])
    pairs = np.unique(np.column_stack([point, group]), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _links(groups: list[Group], sampler: TerrainSampler, spec: models.ModelSpec,
           point: np.ndarray, group: np.ndarray, x: np.ndarray, y: np.ndarray,
           rx_height_m: float, resolution_m: float, k_factor: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Loss, depression angle, azimuth and distance of every (point, group) link."""
    gx = np.array([g.x for g in groups])
    gy = np.array([g.y for g in groups])
    gh = np.array([g.height_m for g in groups])
    gf = np.array([g.frequency_mhz for g in groups])
    z0 = _dem_at(sampler, gx, gy)
    dx, dy = x[point] - gx[group], y[point] - gy[group]
    azimuth = np.degrees(np.arctan2(dx, dy)) % 360.0
    hb = gh[group].copy()
    if spec.kernel == sweep.MODEL_HATA:
        heights = np.stack([sweep.effective_heights(*sampler.args(), g.x, g.y, float(z0[j]),
                                                    g.height_m, _AZIMUTH_BINS)
                            for j, g in enumerate(groups)])
        bins = np.minimum((azimuth * _AZIMUTH_BINS / 360.0).astype(np.int64), _AZIMUTH_BINS - 1)
        hb = heights[group, bins]
    loss = np.empty(point.size)
    dep = np.empty(point.size)
    sweep.point_losses(*sampler.args(), gx[group], gy[group], z0[group], gh[group],  # type: ignore[call-arg]
                       rx_height_m, x[point], y[point], resolution_m,
                       k_factor * EARTH_RADIUS_M, gf[group], spec.kernel, spec.env, hb,
                       models.RMA_BUILDING_HEIGHT_M, models.RMA_STREET_WIDTH_M, loss, dep)
    return loss, dep, azimuth, np.hypot(dx, dy)


def _correction(rx: ReceiverCorrection | None, grid: GridSpec, groups: list[Group],
                point: np.ndarray, group: np.ndarray, x: np.ndarray, y: np.ndarray,
                distance: np.ndarray) -> np.ndarray:
    """The receiver correction of each link, as :func:`covplan.radio.sweep.correct_window`."""
    if rx is None:
        return np.zeros(point.size)
    lo, hi = rx.log_distance_range
    lg = np.clip(np.log10(np.maximum(distance, 1.0) / 1000.0), lo, hi)
    out = rx.offset_db + rx.slope_db_per_decade * lg
    if rx.classes is not None:
        row, col = grid.index(x[point], y[point])
        inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
        index = np.zeros(point.size, dtype=np.int64)
        index[inside] = rx.classes[row[inside], col[inside]]
        frequency = np.array([g.frequency_mhz for g in groups])[group]
        for f in np.unique(frequency).tolist():
            use = frequency == f
            out[use] -= rx.class_loss_db(f)[index[use]]
    return np.asarray(out)


def predict_points(
    sites: gpd.GeoDataFrame,
    terrain: Raster | None,
    grid: GridSpec,
    x: np.ndarray,
    y: np.ndarray,
    *,
    technology: str,
    model: str = "auto",
    serving: Sequence[str | None] | None = None,
    operators: Sequence[str | None] | None = None,
    rx_height_m: float | None = None,
    environment: RadioEnvironment | None = None,
    max_radius_m: float = MAX_RADIUS_M,
    progress: ProgressFn | None = None,
) -> PointPrediction:
    """Predict ``technology`` at points (module docstring).

    Parameters
    ----------
    sites
        Sectors normalised by :mod:`covplan.io`, in ``grid``'s CRS; every sector of
        ``technology`` is predicted whatever its status.
    terrain, grid
        As for :func:`covplan.predict.predict_coverage`; the grid's resolution is the profile
        step and its cells carry the land-cover class.
    x, y
        Point coordinates in ``grid``'s CRS.
    technology
        ``{"4G", "5G"}``.
    model
        Propagation model or ``"auto"``.
    serving
        Per point, the ``"site_id/sector"`` of its serving sector, or None.
    operators
        Per point, the operator whose sectors may serve it (best server), or None for any.
    rx_height_m
        Receiver height; default :data:`covplan.settings.rx_height_m`.
    environment
        Clutter, calibration and vendor patterns, as for the grids.
    max_radius_m
        Farthest site considered.
    progress
        Called with (fraction, message).

    Returns
    -------
    PointPrediction
    """
    rx_h = config.rx_height_m if rx_height_m is None else rx_height_m
    s = _settings(model, technology, None, rx_h, K_FACTOR, MARGIN_DB, max_radius_m)
    spec = models.MODELS[s.model]
    table = sector_table(sites, technology)
    keys = tuple(f"{a}/{b}" for a, b in zip(table.site_id.tolist(), table.sector.tolist(),
                                             strict=True))
    groups, sampler, _, rx = prepare_groups(table, terrain, grid, technology, s, environment)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = x.size
    position = {k: i for i, k in enumerate(keys)}
    named = np.array([position.get(k, -1) if isinstance(k, str) else -1
                      for k in (serving if serving is not None else [None] * n)],
                     dtype=np.int64)
    wanted = np.array(["" if not isinstance(o, str) else o.strip().casefold()
                       for o in (operators if operators is not None else [""] * n)],
                      dtype=object)
    group_of = np.full(len(keys), -1, dtype=np.int64)
    local_of = np.full(len(keys), -1, dtype=np.int64)
    for j, g in enumerate(groups):
        group_of[g.indices] = j
        local_of[g.indices] = np.arange(g.indices.size)
    sector_operator = _operators(sites, technology, keys)
    group_operator = np.array([sector_operator[g.indices[0]] for g in groups], dtype=object)
    named_group = np.where(named >= 0, group_of[np.maximum(named, 0)], -1)
    point, group = _pairs(groups, x, y, wanted, group_operator, named_group, max_radius_m)
    if progress is not None:
        progress(0.1, f"{technology}: {point.size:,} links to {n:,} points")
    loss, dep, azimuth, distance = _links(groups, sampler, spec, point, group, x, y, rx_h,
                                          grid.resolution_m, s.k_factor)
    base = _correction(rx, grid, groups, point, group, x, y, distance) - loss
    value = np.full(point.size, np.nan)
    best_local = np.full(point.size, -1, dtype=np.int64)
    named_rsrp = np.full(n, np.nan)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(len(groups) + 1))
    for j, g in enumerate(groups):
        links = order[starts[j]:starts[j + 1]]
        if not links.size:
            continue
        gains = _sector_gains(g, azimuth[links], dep[links])
        pick = np.argmax(gains, axis=1)
        best_local[links] = pick
        value[links] = gains[np.arange(links.size), pick] + base[links]
        mine = (named_group[point[links]] == j)
        if mine.any():
            own = local_of[named[point[links[mine]]]]
            named_rsrp[point[links[mine]]] = gains[np.flatnonzero(mine), own] + base[links[mine]]
    eligible = (wanted[point] == "") | (group_operator[group] == "") | (
        group_operator[group] == wanted[point])
    usable = eligible & np.isfinite(value)
    rank = np.lexsort((group, -np.where(usable, value, -np.inf), point))
    first = rank[np.r_[True, point[rank][1:] != point[rank][:-1]]] if rank.size else rank
    first = first[usable[first]]
    best = np.full(n, np.nan)
    best_sector = np.full(n, -1, dtype=np.int64)
    best[point[first]] = value[first]
    best_sector[point[first]] = np.array([groups[j].indices[k] for j, k in
                                          zip(group[first].tolist(), best_local[first].tolist(),
                                              strict=True)], dtype=np.int64)
    serving_index = np.where(named >= 0, named, best_sector)
    distance_out = np.full(n, np.nan)
    frequency = np.full(n, np.nan)
    has = serving_index >= 0
    if has.any():
        idx = serving_index[has]
        distance_out[has] = np.hypot(x[has] - table.x[idx], y[has] - table.y[idx])
        frequency[has] = table["frequency_mhz"][idx]
    landcover = np.zeros(n, dtype=np.int64)
    if environment is not None and environment.landcover is not None:
        codes = codes_on_grid(environment.landcover, grid)
        row, col = grid.index(x, y)
        inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
        landcover[inside] = codes[row[inside], col[inside]]
    if progress is not None:
        progress(1.0, f"{technology}: {int(np.isfinite(best).sum()):,} of {n:,} points predicted")
    logger.info("%s at %d points (%d links): %d with a best server, %d of %d named sectors",
                technology, n, point.size, int(np.isfinite(best).sum()),
                int(np.isfinite(named_rsrp).sum()), int((named >= 0).sum()))
    return PointPrediction(technology, s.model, keys, best, best_sector, named_rsrp, named,
                           distance_out, frequency, landcover)
