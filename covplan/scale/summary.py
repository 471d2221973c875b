"""The national tables: province × target, one row per province, merged gap layers.

Every table's first column names the province (``province``: the dataset's name;
``folder``: its folder in the country). Geometry is in EPSG:4326 (lon/lat): provinces lie
in different UTM zones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import pandas as pd

from covplan.i18n import N_
from covplan.scale.province import ProvinceResult
from covplan.targets.schema import STATUS_MET, STATUS_NO_DATA, STATUS_NOT_MET

#: A province's status as a whole: every target with data met, some, none, no target with
#: data, or the province did not run.
ALL_MET: Final = N_("all targets met")
SOME_MET: Final = N_("some targets met")
NONE_MET: Final = N_("no target met")
NO_DATA: Final = N_("no data")
FAILED: Final = N_("failed")
PROVINCE_STATUSES: Final = (ALL_MET, SOME_MET, NONE_MET, NO_DATA, FAILED)

#: Columns of the target table carried into the national summary, in order.
TARGET_COLUMNS: Final = ("id", "target", "target_vi", "measure", "technologies", "threshold",
                         "denominator", "measured_percent", "goal_percent", "met", "status",
                         "covered", "total", "shortfall", "unit")
#: The gap layers merged over the provinces (the GeoPackage's layers).
GAP_LAYERS: Final = ("road_gaps", "village_gaps", "poi_gaps", "commune_summary")


def province_status(result: ProvinceResult) -> str:
    """One of :data:`PROVINCE_STATUSES`."""
    if result.analysis is None:
        return FAILED
    statuses = result.analysis.targets["status"].astype(str)
    met = int((statuses == STATUS_MET).sum())
    not_met = int((statuses == STATUS_NOT_MET).sum())
    if met + not_met == 0:
        return NO_DATA
    return ALL_MET if not_met == 0 else (SOME_MET if met else NONE_MET)


def _head(result: ProvinceResult) -> dict[str, object]:
    return {"province": result.name, "folder": result.key, "preset": result.targets}


def national_summary(results: Sequence[ProvinceResult]) -> pd.DataFrame:
    """Province × target: measured, goal, met, status and shortfall (provinces that ran)."""
    frames = []
    for result in results:
        if result.analysis is None:
            continue
        table = result.analysis.targets
        part = table.loc[:, [c for c in TARGET_COLUMNS if c in table.columns]].rename(
            columns={"id": "target_id"})
        frames.append(pd.concat([pd.DataFrame([_head(result)] * len(part)), part.reset_index(
            drop=True)], axis=1))
    if not frames:
        return pd.DataFrame(columns=["province", "folder", "preset", "target_id",
                                     *TARGET_COLUMNS[1:]])
    summary = pd.concat(frames, ignore_index=True)
    summary["met"] = summary["met"].astype("boolean")
    return summary


def province_table(results: Sequence[ProvinceResult]) -> gpd.GeoDataFrame:
    """One row per province (failed ones too): status, targets met, size, outline."""
    rows = []
    for result in results:
        targets = result.analysis.targets if result.analysis is not None else None
        stats = result.stats
        rows.append({
            **_head(result),
            "status": province_status(result),
            "targets_met": (int((targets["status"] == STATUS_MET).sum())
                            if targets is not None else None),
            "targets_not_met": (int((targets["status"] == STATUS_NOT_MET).sum())
                                if targets is not None else None),
            "targets_no_data": (int((targets["status"] == STATUS_NO_DATA).sum())
                                if targets is not None else None),
            "sectors": stats.sectors if stats else None,
            "grid_cells": stats.cells if stats else None,
            "tiles": stats.tiles if stats else None,
            "synthetic": result.synthetic,
            "problems": " | ".join(result.problems),
        })
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["province"])
    return gpd.GeoDataFrame(frame, geometry=[r.outline for r in results], crs=4326)


def summary_layer(results: Sequence[ProvinceResult]) -> gpd.GeoDataFrame:
    """:func:`national_summary` with each row's province outline (the GeoPackage layer)."""
    summary = national_summary(results)
    outlines = {r.key: r.outline for r in results}
    return gpd.GeoDataFrame(summary, geometry=[outlines.get(k) for k in summary["folder"]],
                            crs=4326)


def merged_layers(results: Sequence[ProvinceResult]) -> dict[str, gpd.GeoDataFrame]:
    """The gap layers and commune summaries of every province, each with its province."""
    merged: dict[str, gpd.GeoDataFrame] = {}
    for name in GAP_LAYERS:
        frames = []
        for result in results:
            if result.analysis is None:
                continue
            layer = getattr(result.analysis, name)
            head = pd.DataFrame([_head(result)] * len(layer), index=layer.index,
                                columns=["province", "folder", "preset"])
            frames.append(gpd.GeoDataFrame(pd.concat([head, pd.DataFrame(layer)], axis=1),
                                           geometry=layer.geometry.name, crs=4326))
        filled = [f for f in frames if len(f)] or frames[:1]  # concat warns on empty frames
        merged[name] = (gpd.GeoDataFrame(pd.concat(filled, ignore_index=True),
                                         geometry=filled[0].geometry.name, crs=4326)
                        if filled else gpd.GeoDataFrame({"province": []}, geometry=[],
                                                        crs=4326))
    return merged


def failures_table(results: Sequence[ProvinceResult]) -> pd.DataFrame:
    """One row per problem of the provinces that did not run."""
    rows = [{**_head(r), "kind": "unexpected" if r.unexpected else "input", "problem": p}
            for r in results if not r.ok for p in r.problems]
    return pd.DataFrame(rows, columns=["province", "folder", "preset", "kind", "problem"])
