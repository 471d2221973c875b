"""Measurements against the engine's prediction: attribution, predicted RSRP and error.

Each measurement is attributed to its serving sector, in this order:

1. ``site_id`` and ``sector`` of the row, when the sites layer has that sector;
2. ``cell_id``, matched with the sites layer's ``cell_id`` column;
3. ``pci``, matched with the nearest sector of the sites layer that carries that PCI
   (within :data:`PCI_RADIUS_M`);
4. else the predicted best server (among the sectors of the row's operator, when the row and
   the sites both name operators).

A row that names a cell the sites layer does not have falls back to the best server and is
counted. The prediction comes from :func:`covplan.predict.points.predict_points`, the same
per-site windows the coverage grids are merged from, with the dataset's clutter and vendor
patterns and, unless asked otherwise, its calibration.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan import settings
from covplan._progress import ProgressFn, scaled
from covplan.calibration.correction import ErrorStats
from covplan.calibration.measurements import Measurements
from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.io.dataset import Dataset
from covplan.predict.engine import MAX_RADIUS_M
from covplan.predict.environment import RadioEnvironment
from covplan.predict.points import predict_points
from covplan.schema import TECHNOLOGIES

logger = logging.getLogger(__name__)

#: Farthest sector a PCI is matched with (m).
PCI_RADIUS_M: Final = 20_000.0

ATTRIBUTIONS: Final = ("site/sector", "cell id", "pci", "best server",
                       "best server (its named cell is not in the sites)")
#: The attribution of a row that names a cell the sites layer does not have.
NAMED_BUT_MISSING: Final = ATTRIBUTIONS[-1]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Measurements with the prediction at each (see the module docstring).

    Parameters
    ----------
    points
        One row per predicted measurement, in the dataset's CRS: the measurement's columns
        (``line``, ``rsrp_dbm`` …) plus ``serving`` (``"site_id/sector"``), ``attribution``
        (one of :data:`ATTRIBUTIONS`), ``distance_m``, ``landcover`` (class value, 0 none),
        ``predicted_dbm``, ``error_db`` (measured − predicted), ``x``, ``y``.
    dropped
        Measurements not compared, by reason, with their count.
    models
        The resolved propagation model of each technology.
    calibration
        Which calibration the prediction used ("none" or the file).
    """

    points: gpd.GeoDataFrame
    dropped: dict[str, int] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    calibration: str = "none"

    def errors(self) -> pd.DataFrame:
        """Error statistics per technology and over all points (measured − predicted)."""
        rows = []
        for tech, part in self.points.groupby("technology", sort=True):
            rows.append({"technology": tech, **ErrorStats.of(part["error_db"]).__dict__})
        rows.append({"technology": "all", **ErrorStats.of(self.points["error_db"]).__dict__})
        return pd.DataFrame(rows)


def _serving_keys(m: pd.DataFrame, sites: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per measurement: the named ``site_id/sector`` (or None), how it was named, its tech."""
    n = len(m)
    keys = np.full(n, None, dtype=object)
    how = np.full(n, "best server", dtype=object)
    tech = np.full(n, None, dtype=object)
    sector_key = (sites["site_id"].astype(str) + "/" + sites["sector"].astype(int).astype(str))
    tech_of = dict(zip(sector_key, sites["technology"].astype(str), strict=True))
    site = m["site_id"].astype("string")
    sector = m["sector"]
    named = (site.notna() & sector.notna()).to_numpy(bool)
    if named.any():
        wanted = (site[named].astype(str) + "/" + sector[named].astype(int).astype(str)).to_numpy()
        found = np.array([k in tech_of for k in wanted])
        idx = np.flatnonzero(named)[found]
        keys[idx] = wanted[found]
        how[idx] = "site/sector"
    if "cell_id" in sites.columns and m["cell_id"].notna().any():
        ids = sites["cell_id"].astype("string").str.strip()
        cells = {str(c): k for c, k in zip(ids, sector_key, strict=True)
                 if not pd.isna(c) and str(c)}
        for i in np.flatnonzero(m["cell_id"].notna().to_numpy(bool) & pd.isna(keys)):
            key = cells.get(str(m["cell_id"].iloc[i]))
            if key is not None:
                keys[i], how[i] = key, "cell id"
    if "pci" in sites.columns and m["pci"].notna().any():
        pci = sites["pci"].to_numpy(dtype=np.float64)
        sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
        for i in np.flatnonzero(m["pci"].notna().to_numpy(bool) & pd.isna(keys)):
            same = np.flatnonzero(pci == float(m["pci"].iloc[i]))
            if not same.size:
                continue
            dist = np.hypot(sx[same] - x[i], sy[same] - y[i])
            if dist.min() <= PCI_RADIUS_M:
                j = same[int(np.argmin(dist))]
                keys[i], how[i] = sector_key.iloc[j], "pci"
    for i in np.flatnonzero(~pd.isna(keys)):
        tech[i] = tech_of.get(keys[i])
    # a row that names its cell (a sector, a cell id) the sites do not have: said apart
    gave = named | (m["cell_id"].notna().to_numpy(bool) if "cell_id" in m else False)
    how[gave & pd.isna(keys)] = NAMED_BUT_MISSING
    return keys, how, tech


def compare_measurements(
    dataset: Dataset,
    measurements: Measurements,
    *,
    model: str = "auto",
    resolution_m: float | None = None,
    environment: RadioEnvironment | None = None,
    progress: ProgressFn | None = None,
) -> Comparison:
    """Predict every measurement's serving sector at its place and compare.

    Parameters
    ----------
    dataset
        The loaded dataset; its sectors (all statuses) serve.
    measurements
        From :func:`covplan.calibration.measurements.read_measurements`.
    model
        Propagation model or ``"auto"``.
    resolution_m
        Grid resolution of the prediction; default :data:`covplan.settings.resolution_m`.
    environment
        Clutter, calibration and patterns; default the dataset's with its calibration
        (``dataset.environment(calibrated=False)`` for the bare model, as ``covplan
        calibrate`` fits).
    progress
        Called with (fraction, message).

    Returns
    -------
    Comparison

    Raises
    ------
    covplan.errors.InputError
        The dataset has no sites, or no measurement could be compared (none in the study
        area, none with a technology the sites have, none the prediction reaches).
    """
    sites = dataset.sites
    source = str(measurements.source)
    if sites is None or not len(sites):
        raise InputError([Problem(str(dataset.path), N_("the dataset has no sites layer: nothing "
                                  "to compare the measurements with."), N_("add the sites layer."),
                                  layer="sites")])
    environment = environment if environment is not None else dataset.environment()
    grid = dataset.grid(resolution_m or settings.resolution_m)
    m = measurements.frame.reset_index(drop=True)
    to_work = Transformer.from_crs(4326, dataset.crs, always_xy=True)
    x, y = to_work.transform(m["lon"].to_numpy(float), m["lat"].to_numpy(float))
    x, y = np.asarray(x), np.asarray(y)
    minx, miny, maxx, maxy = grid.bounds
    dropped: dict[str, int] = {}
    inside = (x >= minx) & (x < maxx) & (y >= miny) & (y < maxy)
    if (~inside).any():
        dropped["outside the study area"] = int((~inside).sum())
    keys, how, named_tech = _serving_keys(m, sites, x, y)
    tech = _texts(m["technology"])
    tech = np.where(pd.isna(tech), named_tech, tech)
    present = sorted(set(sites["technology"].astype(str)) & set(TECHNOLOGIES))
    if len(present) == 1:
        tech = np.where(pd.isna(tech), present[0], tech)
    unknown = inside & pd.isna(tech)
    if unknown.any():
        dropped["no technology (give a technology column)"] = int(unknown.sum())
    other = inside & ~pd.isna(tech) & ~np.isin(tech.astype(str), present)
    if other.any():
        dropped["of a technology the sites do not have"] = int(other.sum())
    mismatch = inside & ~pd.isna(keys) & (named_tech != tech)
    keys[mismatch], how[mismatch] = None, "best server"
    frames = []
    models: dict[str, str] = {}
    for n, t in enumerate(present):
        use = np.flatnonzero(inside & (tech == t))
        if not use.size:
            continue
        result = predict_points(
            sites, dataset.terrain, grid, x[use], y[use], technology=t, model=model,
            serving=keys[use].tolist(), operators=_texts(m["operator"])[use].tolist(),
            environment=environment,
            progress=scaled(progress, n / len(present), (n + 1) / len(present))
            if progress is not None else None)
        models[t] = result.model
        predicted = result.rsrp_dbm
        fell_back = ~pd.isna(keys[use]) & (result.named_sector < 0)
        serving = result.serving_sector
        part = m.iloc[use].copy()
        part["technology"] = t
        part["x"], part["y"] = x[use], y[use]
        part["attribution"] = np.where(fell_back, NAMED_BUT_MISSING, how[use])
        part["serving"] = [result.site_keys[s] if s >= 0 else None for s in serving.tolist()]
        part["distance_m"] = result.distance_m
        part["landcover"] = result.landcover
        part["predicted_dbm"] = predicted
        part["error_db"] = part["rsrp_dbm"].to_numpy(float) - predicted
        missing = ~np.isfinite(predicted)
        if missing.any():
            why = f"{t}: no site within {MAX_RADIUS_M / 1000:g} km"
            dropped[why] = int(missing.sum())
        frames.append(part[~missing])
    if not frames or not sum(len(f) for f in frames):
        raise InputError([Problem(source, N_("no measurement could be compared with the "
                                  "prediction ({reasons})."),
                                  N_("check that the measurements lie in the dataset's study "
                                     "area and are of technologies its sites have."),
                                  layer="measurements", params={"reasons": _reasons(dropped)})])
    table = pd.concat(frames, ignore_index=True)
    points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["x"], table["y"]),
                              crs=dataset.crs)
    calibration = environment.calibration.name if environment.calibration is not None else "none"
    logger.info("Compared %d measurements with the prediction (%s); %s", len(points),
                calibration, _reasons(dropped) or "none dropped")
    return Comparison(points, dropped, models, calibration)


def _texts(values: pd.Series) -> np.ndarray:
    """An object array of the values as text, None where missing."""
    return np.array([None if pd.isna(v) else str(v) for v in values], dtype=object)


def _reasons(dropped: Mapping[str, int]) -> str:
    return "; ".join(f"{n:,} {why}" for why, n in dropped.items())
