"""Loading, validating and normalising datasets (see ``DESIGN.md``, "Data contracts").

The entry point is :func:`load_dataset`; each layer also has its own loader.
"""

from covplan.io.dataset import Dataset, load_dataset
from covplan.io.loaders import (
    load_communes,
    load_fibre,
    load_layer,
    load_pois,
    load_roads,
    load_sites,
    load_villages,
)
from covplan.io.manifest import LayerSpec, Manifest, discover, read_manifest
from covplan.io.terrain import load_terrain
from covplan.io.zonal import load_population

__all__ = [
    "Dataset",
    "LayerSpec",
    "Manifest",
    "discover",
    "load_communes",
    "load_dataset",
    "load_fibre",
    "load_layer",
    "load_pois",
    "load_population",
    "load_roads",
    "load_sites",
    "load_terrain",
    "load_villages",
    "read_manifest",
]
