"""Exports: files an official can open without covplan.

Modules (imported on use, so ``covplan.export.tables`` stays light):

- :mod:`~covplan.export.tables`: GeoPackage and CSV-with-BOM tables (atomic);
- :mod:`~covplan.export.atomic`: overwrite checks and atomic writes shared by every export;
- :mod:`~covplan.export.vectors`: gaps and sites as GeoPackage, GeoJSON, CSV and KML;
- :mod:`~covplan.export.kml`: KML for Google Earth (GDAL LIBKML, styled);
- :mod:`~covplan.export.rasters`: coverage grids as Cloud-Optimised GeoTIFF;
- :mod:`~covplan.export.static_map`: print maps (PNG, PDF, SVG) with legend, scale bar,
  north arrow, title, date and attribution.

The interactive HTML map is :func:`covplan.mapview.build_map` + :func:`covplan.mapview.to_html`.
"""
