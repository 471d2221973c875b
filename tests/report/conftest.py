"""The report tests share the export tests' tiny province and hand-made coverage."""

from ..export.conftest import (  # noqa: F401 - fixtures re-exported for this folder
    _built,
    out_dir,
    tiny_coverage,
    tiny_dataset,
    tiny_report,
)
