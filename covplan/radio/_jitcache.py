"""Keep numba's on-disk cache of the coverage kernels consistent with their sources.

numba invalidates a cached function only when its *own* file changes, not when a function it
calls from another module does. The kernels in :mod:`covplan.radio.sweep` inline code from
several modules, so on import we fingerprint all of them and drop the cached machine code of
the whole group when any source changed.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

_MODULES = ("_formulas", "antenna", "itm", "itm_profile", "sweep", "sweep_cells", "pathloss",
            "patterns")


def refresh_kernel_cache() -> None:
    """Delete stale numba cache files of the radio kernels (best effort, never raises)."""
    here = Path(__file__).resolve().parent
    cache_dir = here / "__pycache__"
    digest = hashlib.blake2b(digest_size=16)
    for name in _MODULES:
        try:
            digest.update((here / f"{name}.py").read_bytes())
        except OSError:
            return
    stamp = cache_dir / "covplan-kernels.fingerprint"
    try:
        if stamp.read_text() == digest.hexdigest():
            return
    except OSError:
        pass
    try:
        for name in _MODULES:
            for path in cache_dir.glob(f"{name}.*.nb[ic]"):
                path.unlink(missing_ok=True)
        cache_dir.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
        logger.debug("Refreshed the numba cache of the radio kernels")
    except OSError as exc:  # read-only install: numba then compiles in memory
        logger.debug("Could not refresh the numba kernel cache: %s", exc)
