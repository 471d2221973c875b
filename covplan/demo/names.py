"""Fictional Vietnamese-style names for communes, villages and facilities.

Names are assembled from syllable lists: Sino-Vietnamese syllables for the lowland Kinh
areas and Tày-style syllables for the mountains. Communes and wards get three syllables,
which real units rarely have, so the names read naturally without pretending to be real
places; the few real names the syllables can spell are excluded. All names are
NFC-normalised.
"""

from __future__ import annotations

import unicodedata

import numpy as np


def _syllables(text: str) -> tuple[str, ...]:
    """The space-separated syllables of ``text``."""
    return tuple(text.split())


#: Sino-Vietnamese syllables used for commune and ward names.
KINH_FIRST = _syllables(
    "Tân Minh Phú Hòa Bình An Đồng Vĩnh Quang Thanh Hưng Phúc Thịnh Xuân Kim Trung "
    "Hợp Tiến Thái Nghĩa Đức Long Hồng Lương Cẩm Bảo Định Thuận Mỹ Yên Gia Khánh "
    "Quyết"
)
KINH_SECOND = _syllables(
    "Lộc Hòa Sơn Phong Thành Lợi Tiến Hưng Thịnh Khê Lâm Điền Giang Nguyên Quang "
    "Phát Hải Vân Trạch Cường Mai Đạt Tường Hà Long Tâm Hiệp Dương Liên Ninh Hội "
    "Chính"
)
KINH_THIRD = _syllables(
    "Sơn Hà Lâm Điền Giang Khê Phong Thủy Nguyên Trung Đông Tây Nam Bắc Thượng Hạ Đoài Xá"
)
#: Tày-style syllables (field, stream, river mouth, hill, spring ...) for mountain names.
TAY = _syllables(
    "Nà Khuổi Pác Phiêng Cốc Lũng Nặm Khau Pò Pù Kéo Slam Thẳm Pheo Vài Mạ Hin "
    "Lạn Tẩu Mỏ Chang Luông Đon Phai Nưa Cáp Tềnh Quân Lòa Nghè Sla Kha Mòn Tát"
)
#: Everyday syllables of lowland hamlet names.
HAMLET = _syllables(
    "Đồng Tâm Chùa Cầu Đình Trại Bãi Gò Làng Mới Cả Đá Trên Dưới Giữa Ngoài Trong "
    "Chợ Bến Đầm Soi Núi Cây Thông Tre Dộc Hòa Tân Lập Phú Thịnh Quyết Thắng Hợp"
)

#: Real names in the Thai Nguyen area (2025 communes and wards, OSM place names) that the
#: syllables above can spell. They are never drawn, so no generated place poses as a real
#: one; ``tests/test_demo.py`` checks the list against ``../shared/realdata``.
REAL_NAMES = frozenset(
    {
        "Chợ Mới",
        "Hợp Hòa",
        "Khuổi Luông",
        "Nà Nghè",
        "Nà Pù",
        "Nà Vài",
        "Pác Nghè",
        "Phú Thịnh",
        "Phú Đình",
        "Quyết Thắng",
        "Đon Mỏ",
        "Đình Cả",
    }
)


def nfc(text: str) -> str:
    """``text`` in Unicode NFC form."""
    return unicodedata.normalize("NFC", text)


class NameBook:
    """Draws unique fictional names.

    Parameters
    ----------
    rng
        Random source.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._places: set[str] = set()

    def _pick(self, syllables: tuple[str, ...]) -> str:
        return syllables[int(self._rng.integers(len(syllables)))]

    def _pair(self, syllables: tuple[str, ...]) -> str:
        """Two different syllables from ``syllables`` that do not spell a real name."""
        while True:
            first, second = self._rng.choice(len(syllables), size=2, replace=False)
            pair = nfc(f"{syllables[int(first)]} {syllables[int(second)]}")
            if pair not in REAL_NAMES:
                return pair

    def place_name(self, *, mountain: bool) -> str:
        """A unique three-syllable place name (no unit prefix) for a commune or ward.

        Parameters
        ----------
        mountain
            Use Tày-style syllables (two Tày syllables and a Kinh qualifier).

        Returns
        -------
        str
            A name such as ``"Tân Lộc Sơn"`` or ``"Khuổi Mạ Thượng"``.

        Raises
        ------
        RuntimeError
            When no unused name turns up in 1,000 draws (far beyond any preset).
        """
        for _ in range(1_000):
            if mountain:
                parts = [self._pick(TAY), self._pick(TAY), self._pick(("Thượng", "Hạ", "Trung"))]
            else:
                parts = [self._pick(KINH_FIRST), self._pick(KINH_SECOND), self._pick(KINH_THIRD)]
            name = nfc(" ".join(parts))
            if len(set(parts)) == 3 and name not in self._places and name not in REAL_NAMES:
                self._places.add(name)
                return name
        raise RuntimeError("ran out of distinct place names")

    def village_names(self, mountain: np.ndarray, *, ward: bool) -> list[str]:
        """Names for the villages of one commune, unique within it.

        Parameters
        ----------
        mountain
            Mountain factor (0..1) of each village.
        ward
            Whether the commune is a ward: its groups are numbered residential groups.

        Returns
        -------
        list of str
            Names such as ``"Tổ dân phố 7"``, ``"Xóm Đồng Tâm"`` or ``"Thôn Nà Pheo"``;
            repeats get a number (``"Xóm Đồng Tâm 3"``).
        """
        if ward:
            return [nfc(f"Tổ dân phố {i + 1}") for i in range(len(mountain))]
        names: list[str] = []
        counts: dict[str, int] = {}
        for m in mountain:
            if m > 0.55:
                base = f"{self._pick(('Thôn', 'Bản'))} {self._pair(TAY)}"
            else:
                base = f"{self._pick(('Xóm', 'Xóm', 'Thôn'))} {self._pair(HAMLET)}"
            counts[base] = counts.get(base, 0) + 1
            names.append(nfc(base if counts[base] == 1 else f"{base} {counts[base]}"))
        return names
