"""Finding a commune by what a person types: code, full name, or the name without its unit
and without diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from covplan.errors import InputError
from covplan.export.static_map import find_commune
from covplan.i18n import language
from covplan.io import load_dataset


@pytest.mark.parametrize(("typed", "code"), [
    ("99001", "99001"), ("Xã Tân Hòa", "99001"), ("xã tân hòa", "99001"),
    ("Tân Hòa", "99001"), ("tan hoa", "99001"), ("XA TAN HOA", "99001"),
    ("Đông", "99002"), ("phuong dong", "99002")])
def test_a_commune_is_found_as_people_type_it(tiny_dir: Path, typed: str, code: str) -> None:
    assert find_commune(load_dataset(tiny_dir), typed)["code"].tolist() == [code]


def test_an_unknown_commune_names_the_closest(tiny_dir: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_commune(load_dataset(tiny_dir), "Tan Hao")
    assert "use a code or name such as Xã Tân Hòa." in str(caught.value)
    assert "Phường Đông" not in str(caught.value)  # only what is close


def test_a_name_two_communes_share_is_refused_with_both(tiny_dir: Path) -> None:
    import geopandas as gpd

    communes = gpd.read_file(tiny_dir / "communes.gpkg")
    communes["name"] = ["Xã Đông", "Phường Đông"]
    communes.to_file(tiny_dir / "communes.gpkg")
    dataset = load_dataset(tiny_dir)
    assert find_commune(dataset, "Phường Đông")["code"].tolist() == ["99002"]  # as written
    with pytest.raises(InputError) as caught:
        find_commune(dataset, "dong")
    said = caught.value.text(language("vi"))
    assert "có nhiều xã, phường tên 'dong': Xã Đông (99001), Phường Đông (99002)" in said
