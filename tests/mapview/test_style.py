"""Colour classes and legend blocks."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.mapview import style


def test_rsrp_classes_follow_the_dbm_edges() -> None:
    values = np.array([np.nan, -140.0, -110.0, -105.01, -105.0, -95.0, -85.5, -75.0, -50.0])
    assert style.rsrp_class(values).tolist() == [0, 0, 1, 1, 2, 3, 3, 5, 5]


def test_the_first_drawn_class_is_the_fringe_below_the_shipped_threshold() -> None:
    """A cell is coloured as covered exactly when the shipped presets count it covered."""
    from covplan.targets import load_targets

    for preset in ("thai_nguyen_2025", "bac_ninh_2030"):
        targets = load_targets(preset)
        for tech in ("4G", "5G"):
            assert style.RSRP_EDGES_DBM[1] == targets.thresholds.rsrp_dbm(tech)
            assert style.RSRP_EDGES_DBM[0] == targets.floor_dbm(tech) - 5.0


def test_every_drawn_rsrp_class_has_a_colour_and_an_alpha() -> None:
    assert len(style.RSRP_EDGES_DBM) == len(style.RSRP_COLOURS) == len(style.RSRP_ALPHAS)
    assert list(style.RSRP_EDGES_DBM) == sorted(style.RSRP_EDGES_DBM)


@pytest.mark.parametrize(
    ("share", "colour"),
    [
        (0.0, style.SHARE_COLOURS[0]),
        (0.49, style.SHARE_COLOURS[0]),
        (0.5, style.SHARE_COLOURS[1]),
        (0.9, style.SHARE_COLOURS[2]),
        (0.97, style.SHARE_COLOURS[3]),
        (1.0, style.SHARE_COLOURS[4]),
        (float("nan"), style.NO_DATA_COLOUR),
    ],
)
def test_share_colour_bins(share: float, colour: str) -> None:
    assert style.share_colour(share) == colour


def test_signal_and_village_palettes_share_no_colour() -> None:
    assert not set(style.RSRP_COLOURS) & set(style.SHARE_COLOURS)


def test_sites_and_points_of_interest_never_look_alike() -> None:
    """4G, 5G and new sites differ in symbol and colour; no POI kind takes a site colour."""
    symbols = {style.site_symbol("4G"), style.site_symbol("5G"), style.site_symbol("4G", new=True)}
    colours = {style.site_colour("4G"), style.site_colour("5G"), style.site_colour("5G", new=True)}
    assert len(symbols) == 3 and len(colours) == 3
    assert style.POI_SYMBOL not in symbols
    assert not colours & set(style.POI_COLOURS.values())


def test_legends_speak_vietnamese() -> None:
    from covplan.i18n import language

    vi = language("vi")
    sites = style.site_legend(technologies=("4G", "5G"), candidates=True, lang=vi)
    assert sites.title == "Trạm BTS"
    assert [i.swatch for i in sites.items] == ["dot", "diamond", "star"]
    signal = style.rsrp_legend(None, {"4G": -105.0}, lang=vi)
    assert signal.items[-1].label == "−110 đến −105 (yếu nhất được dự báo)"
    assert "có sóng từ −105 dBm" in signal.title
    assert style.poi_legend(("post_office",), lang=vi).items[0].label == "bưu điện"


def test_rsrp_legend_lists_strongest_first_and_names_the_preset_threshold() -> None:
    section = style.rsrp_legend("4G")
    assert section.items[0].label == "≥ −75"
    assert section.items[-1].label.startswith("−110 to −105")
    assert "covered" not in section.title  # no threshold claimed when none is known
    assert [i.colour for i in section.items] == list(style.RSRP_COLOURS[::-1])
    both = style.rsrp_legend(None, {"4G": -105.0, "5G": -105.0})
    assert both.title == "Signal (RSRP, dBm); covered from −105 dBm"
    mixed = style.rsrp_legend(None, {"4G": -105.0, "5G": -100.0})
    assert mixed.title.endswith("covered from −105 (4G), −100 (5G)")


def test_village_legends() -> None:
    fibre = style.village_legend("fibre", "Fibre")
    assert [i.label for i in fibre.items] == ["fibre-reached", "no fibre", "no data"]
    share = style.village_legend("share", "Coverage")
    assert share.items[0].label == "100 %" and share.items[-1].colour == style.NO_DATA_COLOUR


def test_road_legend_switches_between_classes_and_coverage() -> None:
    plain = style.road_legend(with_coverage=False, with_gaps=False)
    assert [i.label for i in plain.items] == list(style.ROAD_STYLE)
    covered = style.road_legend(with_coverage=True, with_gaps=True)
    assert [i.colour for i in covered.items] == [
        style.ROAD_COVERED,
        style.ROAD_UNCOVERED,
        style.ROAD_GAP,
    ]


def test_unknown_poi_kind_is_grey() -> None:
    assert style.poi_colour("stadium") == style.POI_COLOURS["other"]
