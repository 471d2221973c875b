"""Content digests of tables, for caches that must notice any change to what they hold."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import shapely


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """A digest of a GeoDataFrame's rows: attributes (pandas' row hashes), WKB and CRS.

    Order-dependent; a few milliseconds for a province's sectors.
    """
    digest = hashlib.blake2b(digest_size=16)
    attributes = frame.drop(columns=frame.geometry.name)
    digest.update(pd.util.hash_pandas_object(attributes, index=True).to_numpy().tobytes())
    digest.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy())))
    digest.update(str(frame.crs).encode())
    return digest.hexdigest()
