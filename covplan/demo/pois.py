"""Points of interest: government offices, hospitals, universities, colleges and schools.

Provincial institutions cluster in the city, regional hospitals and colleges in the towns,
and every commune has its people's committee and schools near its seat.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

from covplan.demo._config import PROVINCE_NAME, UTM_EPSG
from covplan.demo.names import nfc
from covplan.demo.villages import Settlement

logger = logging.getLogger(__name__)

_CITY_HOSPITALS = (
    "Bệnh viện Đa khoa tỉnh {p}",
    "Bệnh viện Trung ương {p}",
    "Bệnh viện Sản Nhi {p}",
    "Bệnh viện Y học cổ truyền {p}",
    "Bệnh viện Phổi {p}",
    "Bệnh viện Quốc tế {p}",
)
_CITY_UNIVERSITIES = (
    "Trường Đại học Kỹ thuật Công nghiệp {p}",
    "Trường Đại học Sư phạm {p}",
    "Trường Đại học Y Dược {p}",
    "Trường Đại học Nông Lâm {p}",
    "Trường Đại học Khoa học {p}",
    "Trường Đại học Công nghệ Thông tin và Truyền thông {p}",
)
_CITY_COLLEGES = (
    "Trường Cao đẳng Y tế {p}",
    "Trường Cao đẳng Công nghiệp {p}",
    "Trường Cao đẳng Kinh tế – Kỹ thuật {p}",
)


def _near(
    centre: tuple[float, float],
    spread_m: float,
    outline: shapely.Geometry,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """A random point near ``centre`` inside ``outline`` (the centre itself as a fallback)."""
    for _ in range(50):
        x, y = rng.normal(centre, spread_m)
        if shapely.contains_xy(outline, x, y):
            return (float(x), float(y))
    return centre


def _urban_pois(
    settlement: Settlement, outline: shapely.Geometry, rng: np.random.Generator
) -> list[tuple[str, str, tuple[float, float]]]:
    """Provincial institutions in the city and regional ones in the towns."""
    rows: list[tuple[str, str, tuple[float, float]]] = []
    for i, town in enumerate(settlement.towns):
        centre, spread = (town.x, town.y), town.radius_m * 0.4
        name = settlement.town_names[i]
        if town.is_city:
            rows.append(("government", f"Ủy ban nhân dân tỉnh {PROVINCE_NAME}", centre))
            groups = (
                ("hospital", _CITY_HOSPITALS),
                ("university", _CITY_UNIVERSITIES),
                ("college", _CITY_COLLEGES),
            )
            for kind, templates in groups:
                rows.extend(
                    (kind, t.format(p=PROVINCE_NAME), _near(centre, spread, outline, rng))
                    for t in templates
                )
            continue
        rows.append(
            ("hospital", f"Bệnh viện Đa khoa khu vực {name}", _near(centre, spread, outline, rng))
        )
        if i % 2 == 1:
            rows.append(
                ("college", f"Trường Cao đẳng Nghề {name}", _near(centre, spread, outline, rng))
            )
        if i == 1 and len(settlement.towns) > 2:
            rows.append(
                (
                    "university",
                    f"Phân hiệu Trường Đại học {PROVINCE_NAME} tại {name}",
                    _near(centre, spread, outline, rng),
                )
            )
    return rows


def _commune_pois(
    settlement: Settlement, outline: shapely.Geometry, rng: np.random.Generator
) -> list[tuple[str, str, tuple[float, float]]]:
    """People's committee and schools of every commune, near its seat and villages."""
    rows: list[tuple[str, str, tuple[float, float]]] = []
    villages = settlement.villages
    xy = villages[["x", "y"]].to_numpy()
    people = villages["population"].to_numpy(np.float64)
    members_of = villages.groupby("commune", sort=True).indices
    for commune in settlement.communes.itertuples():
        unit = "phường" if commune.is_ward else "xã"
        seat = (float(commune.seat_x), float(commune.seat_y))
        office = f"Ủy ban nhân dân {unit} {commune.bare_name}"
        rows.append(("government", office, _near(seat, 120.0, outline, rng)))
        members = members_of[commune.code]
        weights = people[members] / people[members].sum()
        schools = ["Trường Tiểu học {n}", "Trường Trung học cơ sở {n}"]
        if commune.population > 15_000:
            schools.append("Trường Trung học phổ thông {n}")
        for template in schools:
            x, y = xy[members[int(rng.choice(len(members), p=weights))]]
            school = template.format(n=commune.bare_name)
            rows.append(("school", school, _near((float(x), float(y)), 150.0, outline, rng)))
    return rows


def make_pois(
    settlement: Settlement, outline: shapely.Geometry, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """All points of interest.

    Parameters
    ----------
    settlement
        Towns, communes and villages.
    outline
        Province outline; every point lies inside it.
    rng
        Random source.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kind`` and ``name``, points in UTM metres.
    """
    rows = _urban_pois(settlement, outline, rng) + _commune_pois(settlement, outline, rng)
    frame = gpd.GeoDataFrame(
        {"kind": [r[0] for r in rows], "name": [nfc(r[1]) for r in rows]},
        geometry=shapely.points([r[2] for r in rows]),
        crs=UTM_EPSG,
    )
    logger.debug("Placed %d points of interest", len(frame))
    return frame
