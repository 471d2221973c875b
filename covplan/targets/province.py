"""Whether a target set belongs to the dataset's province.

A preset names its province and that province's extent (``[preset] province`` and
``extent_lonlat``). :func:`province_warning` says when a dataset seems to be of another
province: its manifest names a different province (``[dataset] province``), or most of its
study area lies outside the preset's extent. Synthetic datasets (the demo province) stand
for any province and get no warning.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import geopandas as gpd
import shapely

from covplan.errors import CovplanError
from covplan.i18n import folded
from covplan.targets.schema import TargetSet

if TYPE_CHECKING:
    from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)

#: Below this share of the study area inside the preset's extent, the preset is another
#: province's. Neighbouring provinces' boxes overlap (8 % of Thái Nguyên's communes lie in
#: Bắc Ninh's box), so a plain "does it overlap" would not warn.
MIN_SHARE_INSIDE: Final = 0.5
#: Words in front of a province name that do not tell provinces apart, folded.
_PREFIXES: Final = ("tinh ", "thanh pho ", "tp. ", "tp ")


def fold_province(name: str) -> str:
    """A province name for comparison: no case, no diacritics, no "Tỉnh" / "Thành phố".

    Examples
    --------
    >>> fold_province("Tỉnh Thái Nguyên") == fold_province("thai nguyen")
    True
    >>> fold_province("Thành phố Hà Nội")
    'ha noi'
    """
    return folded(name, _PREFIXES)


def _study_area(dataset: Dataset) -> shapely.Geometry | None:
    """The communes' union, else the box of every layer (None for an empty dataset)."""
    area = dataset.area()
    if area is not None and not area.is_empty:
        return area
    try:
        return shapely.box(*dataset.bounds())
    except CovplanError:
        return None


def share_inside(dataset: Dataset, extent_lonlat: tuple[float, float, float, float]) -> float:
    """Share (0-1) of the dataset's study area inside a west, south, east, north box.

    The box is densified before it is projected into the dataset's CRS, so its edges
    follow the meridians and parallels. An empty study area gives 1 (nothing outside).
    """
    area = _study_area(dataset)
    if area is None or area.area <= 0:
        return 1.0
    box = shapely.segmentize(shapely.box(*extent_lonlat), 0.01)
    projected = gpd.GeoSeries([box], crs=4326).to_crs(dataset.crs).iloc[0]
    return float(shapely.intersection(area, projected).area / area.area)


def _extent_text(extent: tuple[float, float, float, float]) -> str:
    west, south, east, north = extent
    return f"lon {west:g}-{east:g}, lat {south:g}-{north:g}"


def province_warning(dataset: Dataset, targets: TargetSet, *,
                     min_share: float = MIN_SHARE_INSIDE) -> str | None:
    """A warning when ``targets`` seem to be another province's than ``dataset``'s.

    Parameters
    ----------
    dataset
        The loaded dataset; its manifest may name its province (``Dataset.province``).
    targets
        The target set; a preset names its province and extent.
    min_share
        Warn when less than this share of the study area (the communes, else every
        layer's box) lies inside the preset's ``extent_lonlat``.

    Returns
    -------
    str or None
        The warning with its fix, or None: the province names agree (folded, see
        :func:`fold_province`) and the study area lies mostly inside the extent, or the
        targets name neither, or the dataset is synthetic.
    """
    if dataset.synthetic:
        return None
    fix = ("Fix: choose the targets of the dataset's province (--targets PRESET or a "
           "targets .toml file)")
    if targets.province and dataset.province and (
            fold_province(targets.province) != fold_province(dataset.province)):
        return (f"the targets '{targets.name}' are for {targets.province}, but the dataset "
                f"{dataset.name} covers {dataset.province} (its manifest's [dataset] "
                f"province). {fix}, or correct [dataset] province in dataset.toml.")
    if targets.extent_lonlat is None:
        return None
    share = share_inside(dataset, targets.extent_lonlat)
    if share >= min_share:
        return None
    where = targets.province or "another area"
    logger.info("%.1f %% of %s lies inside the extent of %s", 100 * share, dataset.name,
                targets.name)
    return (f"the targets '{targets.name}' are for {where} ({_extent_text(targets.extent_lonlat)})"
            f", but only {100 * share:.0f} % of the study area of {dataset.name} lies there: "
            f"they may be another province's targets. {fix}.")
