"""Snapshots: a dataset as of a date, or a dataset plus a scenario, and their labels.

A snapshot is what a province's network and fibre looked like on a day (the manifest's
``as_of = 2025-09-30``), or a planned state (a dataset plus a scenario file). Snapshots are
labelled by their date, as quarters when the date ends one (``2025-Q3``), else by the folder
name; a folder named like a quarter or a date (``2025-Q3``, ``2025-08-15``) dates the
snapshot when its manifest gives no ``as_of``.

Snapshots are compared only when they describe the same study area in the same working
CRS (:func:`check_comparable`); every snapshot that fails to load is reported at once with
its problems (:func:`load_snapshots`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import geopandas as gpd
import shapely

from covplan.errors import CovplanError
from covplan.i18n import N_, Name, Num, Phrase, joined
from covplan.io.dataset import Dataset, load_dataset
from covplan.planning.scenario import Scenario
from covplan.planning.scenario_io import load_scenario

logger = logging.getLogger(__name__)

#: Largest share of the study area two snapshots may differ by (boundary redrawing, rounding).
AREA_TOLERANCE = 0.005
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
#: Why a snapshot cannot be compared with the first: one line of a longer message (English),
#: and the whole message when it is the only one (translated).
_OTHER_CRS: Final = N_(
    "{label} ({source}) is in {crs}, {first} ({first_source}) in {first_crs}. Fix: give both "
    'the same working CRS (crs = "{first_crs}" under [dataset] in each dataset.toml).')
_OTHER_AREA: Final = N_(
    "{label} ({source}) covers another study area than {first} ({first_source}): {share} of "
    "the area differs ({km2} km²). Fix: compare snapshots of the same province with the "
    "same communes layer.")


class SnapshotError(CovplanError, ValueError):
    """Snapshots that cannot be compared: one fails to load, or they describe other areas."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One state of a province to compare with others.

    Parameters
    ----------
    dataset
        The loaded dataset.
    label
        How tables and maps name it (``2025-Q3``, a folder name, a scenario name).
    as_of
        The date it describes; None for an undated snapshot (a plan), which the pace
        leaves out.
    scenario
        Edits on the dataset's sites (a plan), or None for the dataset as it is.
    source
        Where it was read from, for messages and the report.
    """

    dataset: Dataset
    label: str
    as_of: dt.date | None = None
    scenario: Scenario | None = None
    source: str = ""

    @property
    def sites(self) -> gpd.GeoDataFrame | None:
        """The sites the snapshot evaluates: the scenario's, else the dataset's."""
        return self.scenario.sites if self.scenario is not None else self.dataset.sites


def quarter_of(day: dt.date) -> tuple[int, int]:
    """``(year, quarter)`` of ``day`` (quarter 1-4)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of ``quarter`` (1-4) of ``year``."""
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


def quarter_label(year: int, quarter: int) -> str:
    """``2025-Q3``."""
    return f"{year}-Q{quarter}"


def date_label(day: dt.date) -> str:
    """A snapshot's label from its date: ``2025-Q3`` on a quarter's last day, else ISO."""
    year, quarter = quarter_of(day)
    return quarter_label(year, quarter) if day == quarter_end(year, quarter) else day.isoformat()


def date_from_name(name: str) -> dt.date | None:
    """The date a folder name gives: a quarter (``2025-Q3``: its last day) or an ISO date."""
    text = name.strip()
    if (match := _QUARTER.match(text)) is not None:
        return quarter_end(int(match.group(1)), int(match.group(2)))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def snapshot_from_dataset(dataset: Dataset, *, scenario: Scenario | None = None,
                          label: str | None = None, as_of: dt.date | None = None,
                          source: str = "") -> Snapshot:
    """A :class:`Snapshot` of a loaded dataset (and scenario), dated and labelled.

    Parameters
    ----------
    dataset
        The loaded dataset.
    scenario
        Edits on its sites; the snapshot is then a plan, undated unless ``as_of`` is given.
    label
        The label; default from the date, else the scenario's name, else the folder name.
    as_of
        The date; default the manifest's ``as_of``, else a date in the folder name (for a
        dataset without a scenario).
    source
        Where it was read from; default the dataset's path.
    """
    folder = Path(dataset.path)
    name = folder.parent.name if folder.suffix.lower() == ".toml" else folder.stem or str(folder)
    if as_of is None and scenario is None:
        as_of = dataset.as_of or date_from_name(name)
    if label is None:
        if scenario is not None:
            label = scenario.name
        else:
            label = date_label(as_of) if as_of is not None else name
    return Snapshot(dataset, label, as_of, scenario, source or str(dataset.path))


def load_snapshot(path: str | Path, *, scenario: str | Path | None = None,
                  confined: bool = False, dataset: Dataset | None = None) -> Snapshot:
    """Load one snapshot: a dataset folder, and a scenario file on it when given.

    Parameters
    ----------
    path
        The dataset folder (or ``dataset.toml``, or GeoPackage).
    scenario
        A scenario file (JSON) whose edits apply to the dataset's sites.
    confined
        Refuse files outside the dataset folder whatever the manifest says (uploads).
    dataset
        The dataset at ``path`` already loaded (it is then not read again).

    Raises
    ------
    covplan.errors.CovplanError
        From :func:`covplan.io.load_dataset` or :func:`covplan.planning.load_scenario`.
    """
    data = dataset if dataset is not None else load_dataset(path, confined=confined)
    if scenario is None:
        return snapshot_from_dataset(data, source=str(path))
    sites = data.sites
    if sites is None:
        raise SnapshotError(N_("{path}: the dataset has no sites layer, so the scenario "
                               "{scenario} has nothing to edit. Fix: give the dataset its "
                               "sites."), path=str(path), scenario=str(scenario))
    plan = load_scenario(scenario, sites, dataset=data.name, area=data.area())
    return snapshot_from_dataset(data, scenario=plan, source=f"{path} + {scenario}")


def _is_scenario(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def load_snapshots(paths: Sequence[str | Path], *, confined: bool = False) -> list[Snapshot]:
    """Load every snapshot named on a command line, reporting every failure at once.

    A path ending in ``.json`` is a scenario on the dataset named before it (the dataset
    is read once). Labels are made unique (``Q3``, ``Q3 (2)``) and the snapshots ordered
    by date when every one is dated, else kept in the order given.

    Raises
    ------
    SnapshotError
        Naming each snapshot that failed to load and its problems.
    """
    snapshots: list[Snapshot] = []
    failures: list[Phrase] = []
    base: tuple[Path, Dataset | None] | None = None
    for raw in paths:
        path = Path(raw)
        try:
            if _is_scenario(path):
                if base is None:
                    raise SnapshotError(
                        N_("the scenario {path} comes before any dataset. Fix: name the "
                           "dataset folder it edits before it (covplan compare DATA {name})."),
                        path=str(path), name=path.name)
                if base[1] is None:
                    continue  # its dataset failed to load and is already reported
                snapshots.append(load_snapshot(base[0], scenario=path, dataset=base[1],
                                               confined=confined))
            else:
                base = (path, None)
                snapshot = load_snapshot(path, confined=confined)
                base = (path, snapshot.dataset)
                snapshots.append(snapshot)
        except CovplanError as exc:
            failures.append(Phrase.of(N_("snapshot {path}: {error}"), path=Name(str(path)),
                                      error=exc))
    if failures:
        raise SnapshotError(N_("{count} of {total} snapshot(s) could not be loaded:\n"
                               "{failures}"), count=Num(len(failures)), total=Num(len(paths)),
                            failures=joined(failures, "\n"))
    return ordered(snapshots)


def ordered(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    """Snapshots by date when every one is dated (else as given), with unique labels."""
    out = list(snapshots)
    if out and all(s.as_of is not None for s in out):
        out.sort(key=lambda s: s.as_of or dt.date.min)
    seen: dict[str, int] = {}
    for k, snapshot in enumerate(out):
        count = seen.get(snapshot.label, 0) + 1
        seen[snapshot.label] = count
        if count > 1:
            out[k] = replace(snapshot, label=f"{snapshot.label} ({count})")
    return out


def _area(dataset: Dataset) -> shapely.Geometry:
    area = dataset.area()
    if area is None or area.is_empty:
        return shapely.box(*dataset.bounds())
    return area


def check_comparable(snapshots: Sequence[Snapshot]) -> None:
    """Refuse snapshots of different study areas or working CRSs.

    The study area is the union of the communes (the extent of the layers without them);
    two snapshots may differ by :data:`AREA_TOLERANCE` of it.

    Raises
    ------
    SnapshotError
        Naming the snapshots that differ from the first, how, and what to do.
    """
    if not snapshots:
        raise SnapshotError(N_("no snapshot to compare. Fix: give two or more dataset folders."))
    first = snapshots[0]
    problems: list[Phrase] = []
    area = _area(first.dataset)
    for other in snapshots[1:]:
        names = {"label": Name(other.label), "source": Name(other.source),
                 "first": Name(first.label), "first_source": Name(first.source)}
        if not other.dataset.crs.equals(first.dataset.crs):
            problems.append(Phrase.of(_OTHER_CRS, **names,
                                      crs=Name(other.dataset.crs.to_string()),
                                      first_crs=Name(first.dataset.crs.to_string())))
            continue
        theirs = _area(other.dataset)
        differ = float(shapely.symmetric_difference(area, theirs).area)
        share = differ / max(float(shapely.union(area, theirs).area), 1.0)  # 0-100 %
        if share > AREA_TOLERANCE:
            problems.append(Phrase.of(_OTHER_AREA, **names,
                                      share=Num(100 * share, 1, percent=True),
                                      km2=Num(differ / 1e6, 1)))
    if problems:
        raise SnapshotError(N_("the snapshots cannot be compared:\n{problems}"),
                            problems=joined(problems, "\n"))
