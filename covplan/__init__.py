"""covplan: digital-infrastructure coverage planning for Vietnamese provinces.

Public modules: :mod:`covplan.io` (load and validate datasets), :mod:`covplan.demo`
(the synthetic demo province), :mod:`covplan.radio` (propagation, antennas, link budget),
:mod:`covplan.grid` (raster grids), :mod:`covplan.errors` (typed errors).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("covplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
