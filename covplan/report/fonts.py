"""Fonts for the PDF report: DejaVu Sans (shipped with matplotlib), which covers Vietnamese.

ReportLab's built-in Helvetica has no glyphs for most Vietnamese letters (ơ, ư, ạ, ế …),
so the report embeds DejaVu Sans, the same family the static maps use. The TrueType files
come from matplotlib's data folder, so nothing extra has to be installed.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Final

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from covplan.errors import CovplanError
from covplan.i18n import N_

logger = logging.getLogger(__name__)

#: Family name registered with ReportLab.
FAMILY: Final = "DejaVuSans"
REGULAR: Final = FAMILY
BOLD: Final = f"{FAMILY}-Bold"
ITALIC: Final = f"{FAMILY}-Oblique"
BOLD_ITALIC: Final = f"{FAMILY}-BoldOblique"
_FILES: Final = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
                 ITALIC: "DejaVuSans-Oblique.ttf", BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}


def font_dir() -> Path:
    """Matplotlib's folder of TrueType fonts."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique, bold oblique) once; returns the family.

    Raises
    ------
    covplan.errors.CovplanError
        When the font files are missing from matplotlib's installation.
    """
    folder = font_dir()
    missing = [name for name in _FILES.values() if not (folder / name).is_file()]
    if missing:
        raise CovplanError(N_("the report font is missing: {files} not found in {folder}. "
                              "Reinstall matplotlib (pip install --force-reinstall "
                              "matplotlib), which ships DejaVu Sans."),
                           files=", ".join(missing), folder=folder)
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD_ITALIC)
    logger.debug("Registered %s from %s", FAMILY, folder)
    return FAMILY
