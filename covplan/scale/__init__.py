"""The whole country in one run: every province as Dask work (``covplan national``).

Modules:

- :mod:`~covplan.scale.country`: the provinces of a country (a folder of province folders
  or a ``country.toml``) and their jobs;
- :mod:`~covplan.scale.province`: one province as pure tasks over plain inputs (a dataset
  folder and settings in, small result tables out);
- :mod:`~covplan.scale.tiles`: big provinces predicted in tiles of their own grid, exactly
  as in one piece;
- :mod:`~covplan.scale.resume`: content hashes and the folder of finished provinces, so a
  rerun computes only what changed;
- :mod:`~covplan.scale.cluster`, :mod:`~covplan.scale.national`: the Dask cluster (local
  or existing) and the run over it, with retries and faults reported per province;
- :mod:`~covplan.scale.summary`, :mod:`~covplan.scale.maps`, :mod:`~covplan.scale.report`,
  :mod:`~covplan.scale.outputs`: the national tables, map, PDF and the files written;
- :mod:`~covplan.scale.synthetic`: a synthetic country of demo provinces to measure on.
"""

from covplan.scale.cluster import ClusterError, open_client
from covplan.scale.country import Country, Plan, plan_jobs, read_country
from covplan.scale.national import NationalRun, run_national
from covplan.scale.outputs import OUTPUT_NAMES, write_national
from covplan.scale.province import (
    MAX_TILE_CELLS,
    ProvinceJob,
    ProvinceResult,
    RunSettings,
    TilePlan,
    finish_tiled,
    predict_tile,
    run_province,
)
from covplan.scale.resume import ResultCache
from covplan.scale.synthetic import generate_country

__all__ = [
    "MAX_TILE_CELLS",
    "OUTPUT_NAMES",
    "ClusterError",
    "Country",
    "NationalRun",
    "Plan",
    "ProvinceJob",
    "ProvinceResult",
    "ResultCache",
    "RunSettings",
    "TilePlan",
    "finish_tiled",
    "generate_country",
    "open_client",
    "plan_jobs",
    "predict_tile",
    "read_country",
    "run_national",
    "run_province",
    "write_national",
]
