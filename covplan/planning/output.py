"""Writing a recommendation: GeoPackage, CSV tables, the scenario file and a summary."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np

from covplan.export.atomic import check_outputs, write_atomic
from covplan.export.tables import to_csv, to_gpkg
from covplan.planning.recommend import Recommendation
from covplan.planning.scenario_io import save_scenario

logger = logging.getLogger(__name__)

GPKG_NAME = "plan.gpkg"
#: Every file :func:`write_plan` writes, in order.
OUTPUTS = (GPKG_NAME, "chosen_sites.csv", "targets_before.csv", "targets_after.csv",
           "scenario.json", "plan_summary.json")


def candidate_points(rec: Recommendation) -> gpd.GeoDataFrame:
    """One point per candidate: ``site_id``, ``source``, ``technology``, ``cost``, ``chosen``."""
    cands = rec.candidates
    first = cands.groupby(cands["site_id"].astype(str), sort=False).head(1)
    columns = [c for c in ("site_id", "source", "technology", "height_m", "cost")
               if c in first.columns]
    frame = first[[*columns, first.geometry.name]].reset_index(drop=True)
    frame["chosen"] = frame["site_id"].astype(str).isin(set(rec.chosen["site_id"]))
    return gpd.GeoDataFrame(frame, geometry=first.geometry.name, crs=cands.crs)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_json(data: dict[str, object], path: Path) -> Path:
    text = json.dumps({k: _plain(v) for k, v in data.items()}, ensure_ascii=False, indent=2)

    def write(tmp: Path) -> None:
        tmp.write_text(text + "\n", encoding="utf-8")

    return write_atomic(path, write, overwrite=True)


def write_plan(rec: Recommendation, out: str | Path, *, overwrite: bool = False
               ) -> list[Path]:
    """Write :data:`OUTPUTS` into ``out``, each file atomically.

    ``plan.gpkg`` holds the layers ``chosen_sites``, ``candidates`` and ``uncoverable``.
    To publish the files as one set, pass the folder of
    :func:`covplan.export.atomic.staged_outputs`, as ``covplan plan`` does.

    Raises
    ------
    covplan.errors.OutputExistsError
        When an output exists and ``overwrite`` is False (nothing is written then).
    """
    out = Path(out)
    check_outputs([out / name for name in OUTPUTS], overwrite=overwrite)
    layers = {"chosen_sites": rec.chosen, "candidates": candidate_points(rec),
              "uncoverable": rec.uncoverable}
    written = [to_gpkg(layers, out / GPKG_NAME, overwrite=True),
               to_csv(rec.chosen, out / "chosen_sites.csv", overwrite=True),
               to_csv(rec.before, out / "targets_before.csv", overwrite=True),
               to_csv(rec.after, out / "targets_after.csv", overwrite=True),
               save_scenario(rec.scenario, out / "scenario.json", overwrite=True)]
    summary = {**rec.summary(), "timings_s": rec.timings_s}
    written.append(_write_json(summary, out / "plan_summary.json"))
    logger.info("Wrote the plan for %s to %s", rec.target.id, out)
    return written
