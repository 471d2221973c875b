"""Each operator's own network: which sectors serve whom, and the best operator per cell.

A sector's ``operator`` may name several operators (``"A;B"``: a shared site, national
roaming); it then belongs to each of their networks. :func:`predict_operators` predicts
every network with :func:`~covplan.predict.engine.predict_network`, each with its own SINR
(an operator's sectors interfere with each other only); :func:`best_dl_mbps` and
:func:`best_sinr_db` read the fastest or best-served operator per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from covplan._progress import ProgressFn, labelled, scaled
from covplan.grid import GridSpec, Raster
from covplan.predict.engine import CoverageGrid, GridMemo, dl_mbps, predict_network


def best_dl_mbps(networks: Mapping[str, Mapping[str, CoverageGrid]], technology: str,
                 fade_db: float = 0.0, *, step: int = 1) -> Raster | None:
    """The fastest downlink of any operator per cell (Mb/s, NaN: none); None without one.

    ``networks`` is :func:`predict_operators`' answer with SINR. With ``step`` k > 1, only
    the centre cell of every k × k block is computed, on a grid k times coarser (for a map
    image that is averaged down anyway).
    """
    return _best_of(networks, technology, step, "Mb/s", lambda g: dl_mbps(g, fade_db).data)


def best_sinr_db(networks: Mapping[str, Mapping[str, CoverageGrid]], technology: str, *,
                 step: int = 1) -> Raster | None:
    """The best operator's downlink SINR per cell (dB, NaN: none); None without SINR.

    ``step`` as in :func:`best_dl_mbps`.
    """
    return _best_of(networks, technology, step, "dB",
                    lambda g: np.asarray(g.sinr_db.data if g.sinr_db is not None else np.nan))


def _best_of(networks: Mapping[str, Mapping[str, CoverageGrid]], technology: str, step: int,
             units: str, value: Callable[[CoverageGrid], np.ndarray]) -> Raster | None:
    """Per cell, the largest ``value`` of any operator's ``technology`` grid with SINR."""
    grids = [g[technology] for g in networks.values()
             if technology in g and g[technology].sinr_tiles is not None]
    if not grids:
        return None
    notes = grids[0].rsrp_tiles.notes
    if step > 1:
        grids = [_coarse(g, step) for g in grids]
    stack = np.stack([value(g) for g in grids])
    best = np.where(np.isnan(stack).all(axis=0), np.nan,
                    np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0))
    return Raster(best.astype(np.float32), grids[0].rsrp_tiles.grid, units, notes)


def _coarse(grid: CoverageGrid, step: int) -> CoverageGrid:
    """``grid`` read at the centre cell of every ``step`` × ``step`` block."""
    assert grid.sinr_tiles is not None
    start = (step - 1) // 2
    fine = grid.rsrp_tiles.grid
    server = grid.servers.every(step, start)
    t = fine.transform
    coarse = GridSpec(fine.crs_wkt, Affine(t.a * step, t.b, t.c, t.d, t.e * step, t.f),
                      server.shape[1], server.shape[0])
    sinr = grid.sinr_tiles.values.every(step, start)
    rsrp = grid.rsrp_tiles.values.every(step, start)
    return CoverageGrid(grid.technology, Raster(rsrp, coarse, "dBm"),
                        Raster(server, coarse, "index"), grid.site_keys, None,
                        Raster(sinr, coarse, "dB"), grid.link)


#: Separator of the operators sharing one sector (``"MobiFone;Viettel"``: a shared site).
OPERATOR_SEPARATOR = ";"
#: The network of sectors that name no operator.
NO_OPERATOR = "(no operator)"


def _operators_of(value: object) -> tuple[str, ...]:
    """The operators one ``operator`` value names, in order, each once."""
    text = value if isinstance(value, str) else ""
    names = [n.strip() for n in text.split(OPERATOR_SEPARATOR) if n.strip()]
    return tuple(dict.fromkeys(names)) or (NO_OPERATOR,)


def _coded_operators(sites: gpd.GeoDataFrame) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Per sector row a code, and per code the operators it names.

    A province has thousands of sectors but a handful of distinct ``operator`` values:
    each is parsed once.
    """
    if "operator" not in sites.columns:
        return np.zeros(len(sites), dtype=np.intp), [(NO_OPERATOR,)]
    codes, values = pd.factorize(sites["operator"], use_na_sentinel=False)
    return np.asarray(codes, dtype=np.intp), [_operators_of(v) for v in values]


def sector_operators(sites: gpd.GeoDataFrame) -> list[list[str]]:
    """Per sector row, the operators it serves (a shared sector names several)."""
    codes, names = _coded_operators(sites)
    return [list(names[code]) for code in codes]


def operator_names(sites: gpd.GeoDataFrame | None) -> list[str]:
    """The operators of ``sites``, sorted (:data:`NO_OPERATOR` for unnamed sectors)."""
    if sites is None or not len(sites):
        return []
    return sorted({n for names in _coded_operators(sites)[1] for n in names})


def operator_sites(sites: gpd.GeoDataFrame, operator: str) -> gpd.GeoDataFrame:
    """The sectors that serve ``operator``'s users (its own and those it shares)."""
    codes, names = _coded_operators(sites)
    serving = np.array([operator in n for n in names], dtype=bool)
    return sites[serving[codes]]


def predict_operators(
    sites: gpd.GeoDataFrame | None,
    terrain: Raster | None,
    grid: GridSpec,
    *,
    progress: ProgressFn | None = None,
    memo: GridMemo | None = None,
    sinr: bool = True,
    **options: object,
) -> dict[str, dict[str, CoverageGrid]]:
    """Each operator's own network predicted on ``grid``: ``{operator: {technology: grid}}``.

    A sector whose ``operator`` names several operators (``"A;B"``, a shared site or
    national roaming) belongs to each of their networks. With ``sinr`` every network's
    sectors interfere only with each other (:mod:`covplan.predict.sinr`). The other
    ``options`` are :func:`predict_network`'s; give the same ``cache`` to every call, so
    that a site shared or predicted before is swept once.
    """
    names = operator_names(sites)
    if sites is None or not names:
        return {}
    out: dict[str, dict[str, CoverageGrid]] = {}
    for i, name in enumerate(names):
        own = operator_sites(sites, name)
        out[name] = predict_network(
            own, terrain, grid, memo=memo, sinr=sinr, network=name,
            progress=labelled(scaled(progress, i / len(names), (i + 1) / len(names)), name),
            **options)  # type: ignore[arg-type]
    return out
