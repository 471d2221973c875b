"""Coverage thresholds: what counts as signal, a covered village, a fibre-reached village.

Every threshold is configuration with a cited default. A targets file (see
:mod:`covplan.targets`) overrides them under ``[thresholds]`` and per target.

Attributes
----------
RSRP_4G_DBM : float
    −105 dBm. Ofcom's threshold for a good outdoor 4G service (RSRP of −105 dBm or
    better), used in its *Connected Nations* reports and in the 700 MHz / 3.6–3.8 GHz
    award coverage obligations.
RSRP_5G_DBM : float
    −105 dBm. **Assumption.** No regulator we could cite publishes a 5G NR SS-RSRP
    coverage threshold; −105 dBm keeps 5G to the same outdoor level as Ofcom's 4G
    threshold and is within the range operators use as the edge of continuous NR
    coverage in drive-test acceptance. Change it in the targets file when the province's
    operators state their own.
VILLAGE_COVERED_PERCENT : float
    90 %. **Assumption.** A village counts as covered when at least this share of its
    people (its area when no population is known) has signal.
FIBRE_DROP_M : float
    500 m. **Assumption.** A village is fibre-reached when a fibre route or access node
    lies within this distance of it: the order of a long FTTH drop from a roadside
    splitter or cabinet to the houses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from covplan.i18n import N_, Name, Num, Phrase, Text

RSRP_4G_DBM: Final = -105.0
RSRP_5G_DBM: Final = -105.0
VILLAGE_COVERED_PERCENT: Final = 90.0
FIBRE_DROP_M: Final = 500.0

#: Where each default comes from (shown in reports next to the number).
DEFAULT_SOURCES: Final[Mapping[str, str]] = {
    "rsrp_4g_dbm": "Ofcom, Connected Nations: good outdoor 4G coverage at RSRP >= -105 dBm",
    "rsrp_5g_dbm": "assumption: same outdoor level as Ofcom's 4G threshold (no published "
                   "regulator threshold for 5G NR SS-RSRP)",
    "village_covered_percent": "assumption: a village is covered when 90 % of its people "
                               "have signal",
    "fibre_drop_m": "assumption: 500 m, a long FTTH drop from a roadside splitter",
}
#: The source of a threshold a targets file sets without citing one.
SET_IN_FILE: Final = N_("set in the targets file")


def source_phrase(source: str) -> Phrase | Name:
    """A threshold's source for people: covplan's own texts translated, a file's as written.

    A targets file that cites the default sources word for word (as the shipped presets
    do) is said in the reader's language too.
    """
    if isinstance(source, Text):
        return source.phrase
    said = {
        DEFAULT_SOURCES["rsrp_4g_dbm"]: Phrase.of(
            N_("Ofcom, Connected Nations: good outdoor 4G coverage at RSRP >= {dbm} dBm"),
            dbm=Name("-105")),
        DEFAULT_SOURCES["rsrp_5g_dbm"]: Phrase(
            N_("assumption: same outdoor level as Ofcom's 4G threshold (no published regulator "
               "threshold for 5G NR SS-RSRP)")),
        DEFAULT_SOURCES["village_covered_percent"]: Phrase.of(
            N_("assumption: a village is covered when {percent} of its people have signal"),
            percent=Num(90, percent=True)),
        DEFAULT_SOURCES["fibre_drop_m"]: Phrase(
            N_("assumption: 500 m, a long FTTH drop from a roadside splitter")),
        SET_IN_FILE: Phrase(SET_IN_FILE),
    }
    return said.get(source, Name(source))


#: Threshold names a targets file may set, with their allowed range: the RSRP a device
#: can report (3GPP TS 36.133 RSRP report mapping: LTE from -140 to -44 dBm; TS 38.133
#: SS-RSRP report mapping: NR from -156 to -31 dBm), a share from 0 to 100 %, a drop of
#: at most 10 km.
THRESHOLD_RANGES: Final[Mapping[str, tuple[float, float]]] = {
    "rsrp_4g_dbm": (-140.0, -44.0),
    "rsrp_5g_dbm": (-156.0, -31.0),
    "village_covered_percent": (0.0, 100.0),
    "fibre_drop_m": (0.0, 10_000.0),
}

#: What each threshold is, in words, for messages that refuse a value.
THRESHOLD_MEANINGS: Final[Mapping[str, str]] = {
    "rsrp_4g_dbm": N_("a 4G RSRP in dBm (negative: LTE reports -140 to -44 dBm)"),
    "rsrp_5g_dbm": N_("a 5G SS-RSRP in dBm (negative: NR reports -156 to -31 dBm)"),
    "village_covered_percent": N_("a share of a village's people in percent (90, not 0.9)"),
    "fibre_drop_m": N_("a distance in metres (not negative)"),
}


@dataclass(frozen=True)
class Thresholds:
    """The thresholds one measure is evaluated with.

    Parameters
    ----------
    rsrp_4g_dbm, rsrp_5g_dbm
        Lowest RSRP that counts as signal for each technology.
    village_covered_percent
        Share of a village's people (or area) with signal for the village to count as
        covered.
    fibre_drop_m
        Largest distance from a village to a fibre route or node for it to count as
        fibre-reached.
    sources
        Where each value comes from, by threshold name (not part of equality).
    """

    rsrp_4g_dbm: float = RSRP_4G_DBM
    rsrp_5g_dbm: float = RSRP_5G_DBM
    village_covered_percent: float = VILLAGE_COVERED_PERCENT
    fibre_drop_m: float = FIBRE_DROP_M
    sources: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_SOURCES), compare=False, hash=False
    )

    def rsrp_dbm(self, technology: str) -> float:
        """The RSRP threshold of ``technology`` (``{"4G", "5G"}``)."""
        if technology == "4G":
            return self.rsrp_4g_dbm
        if technology == "5G":
            return self.rsrp_5g_dbm
        raise ValueError(f"technology should be '4G' or '5G', got {technology!r}")

    def signal_rule(self, technologies: Iterable[str]) -> str:
        """Human-readable signal rule, such as ``"4G >= -105 dBm or 5G >= -105 dBm"``."""
        parts = [f"{t} RSRP >= {self.rsrp_dbm(t):g} dBm" for t in technologies]
        return " or ".join(parts) if parts else "no signal rule"

    def updated(self, values: Mapping[str, float], sources: Mapping[str, str] | None = None
                ) -> Thresholds:
        """A copy with ``values`` replaced (and their sources, when given)."""
        merged = dict(self.sources)
        for key in values:
            merged[key] = (sources or {}).get(key, SET_IN_FILE)
        merged.update(sources or {})
        return replace(self, **{k: float(v) for k, v in values.items()}, sources=merged)
