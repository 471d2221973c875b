"""The radial sweep evaluated on chosen cells only (numba): a site's RSRP at demand cells.

:func:`covplan.radio.sweep.sweep_rays` walks every ray of a site's disc and
:func:`~covplan.radio.sweep.fill_window` then gives every cell of its window a value. A
candidate matrix needs far less: the RSRP at the cells that hold open demand, which along
a road are a few hundred of a window's hundreds of thousands. :func:`cells_rsrp` maps each
such cell to the ray sample the fill would read and walks only the rays some cell reads,
only as far as the farthest of them (a ray sample depends on the profile before it, never
after). It evaluates the model only at the samples a cell reads; the walk that keeps the
horizon and the hull still visits every step. The Longley-Rice kernel, whose anchors
depend on where a ray ends, walks those rays to their end and evaluates them as the sweep
does. The sector patterns and the receiver correction are applied exactly as the fill and
:func:`~covplan.radio.sweep.correct_window` apply them, in the same float32 steps, so the
values are identical to the window's at those cells.

The kernel holds no Python object and releases the GIL, so that several sites run at once
on threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from covplan.radio.patterns import sector_gain_db
from covplan.radio.sweep import MODEL_ITM, _itm_ray, _sweep_ray, cell_sample


@njit(cache=True, nogil=True)
def cells_rsrp(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, step_m, ae,  # type: ignore[no-untyped-def]
               f_mhz, model, env, hb_eff_az, h_bld, w_street, ray_steps, lookup, r0, r1, c0,
               c1, x0, y0, res, radius_m, sec_az, sec_bw, sec_tilt, sec_mech, sec_vbw, sec_fb,
               sec_sla, sec_eirp_re, sec_pattern, pat_h, pat_v, pat_max, corrected, offset_db,
               slope_db, log_lo, log_hi, classes, class_loss_db):
    """RSRP of one propagation group at the cells of its window that ``lookup`` marks.

    Parameters are those of :func:`~covplan.radio.sweep.sweep_rays` (site, rays, model),
    of :func:`~covplan.radio.sweep.fill_window` (sectors; the window's rows ``r0:r1`` and
    columns ``c0:c1`` with cell (0, 0) centred on ``(x0, y0)``) and of
    :func:`~covplan.radio.sweep.correct_window` (applied when ``corrected``; ``classes`` is
    the whole grid's class index). ``lookup`` (the grid's shape, int32) holds each marked
    cell's number, -1 elsewhere.

    Returns
    -------
    numbers, rsrp
        The numbers of the marked cells the site reaches (within its radius and its rays'
        reach) and their RSRP (float32 dBm, before any floor).
    """
    r2 = radius_m * radius_m
    count = 0
    for r in range(r0, r1):
        y = y0 - (r - r0) * res - sy
        for col in range(c0, c1):
            if lookup[r, col] >= 0:
                x = x0 + (col - c0) * res - sx
                if x * x + y * y <= r2:
                    count += 1
    rows = np.empty(count, np.int64)
    cols = np.empty(count, np.int64)
    cell_ray = np.empty(count, np.int64)
    cell_step = np.empty(count, np.int64)
    cell_az = np.empty(count, np.float64)
    need = np.zeros(n_rays, np.int64)
    wanted = np.zeros((n_rays, n_steps + 1), np.bool_)
    k = 0
    for r in range(r0, r1):
        y = y0 - (r - r0) * res - sy
        for col in range(c0, c1):
            if lookup[r, col] < 0:
                continue
            x = x0 + (col - c0) * res - sx
            dd = x * x + y * y
            if dd > r2:
                continue
            az, st, ray = cell_sample(x, y, dd, n_rays, n_steps, step_m)
            rows[k], cols[k], cell_az[k] = r, col, az
            if st > min(ray_steps[ray], n_steps):  # beyond this ray's reach: no value
                cell_ray[k], cell_step[k] = -1, 0
            else:
                cell_ray[k], cell_step[k] = ray, st
                need[ray] = max(need[ray], st)
                wanted[ray, st] = True
            k += 1
    loss = np.empty((n_rays, n_steps + 1), np.float32)
    dep = np.empty((n_rays, n_steps + 1), np.float32)
    n_az = hb_eff_az.size
    for j in range(n_rays):
        if need[j] == 0:
            continue
        if model == MODEL_ITM:
            _itm_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps,
                     min(ray_steps[j], n_steps), step_m, ae, f_mhz, loss, dep)
        else:
            _sweep_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps,
                       need[j], step_m, ae, f_mhz, model, env, hb_eff_az[(j * n_az) // n_rays],
                       h_bld, w_street, loss, dep, wanted, True)
    numbers = np.empty(count, np.int32)
    out = np.empty(count, np.float32)
    n = 0
    for i in range(count):
        ray = cell_ray[i]
        if ray < 0:
            continue
        pl = loss[ray, cell_step[i]]
        dp = dep[ray, cell_step[i]]
        best = -np.inf
        for s in range(sec_az.size):
            g = sec_eirp_re[s] + sector_gain_db(cell_az[i] - sec_az[s], dp, sec_bw[s],
                                                sec_tilt[s], sec_mech[s], sec_vbw[s],
                                                sec_fb[s], sec_sla[s], sec_pattern[s], pat_h,
                                                pat_v, pat_max)
            best = max(best, g)
        v = np.float32(best - pl)
        if corrected:
            ddx = x0 + (cols[i] - c0) * res - sx
            ddy = y0 - (rows[i] - r0) * res - sy
            d_km = max(math.sqrt(ddx * ddx + ddy * ddy), 1.0) / 1000.0
            lg = min(max(math.log10(d_km), log_lo), log_hi)
            v = np.float32(v + offset_db + slope_db * lg
                           - class_loss_db[classes[rows[i], cols[i]]])
        numbers[n] = lookup[rows[i], cols[i]]
        out[n] = v
        n += 1
    return numbers[:n], out[:n]
