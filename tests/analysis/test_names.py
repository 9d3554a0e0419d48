"""Unit names: one unit whatever the case, normalisation, diacritics or prefix; an
ambiguous or unknown name is an error, never a guess."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex import match_unit
from parindex.analysis.names import UnitNames, fold_name

# Official spellings of the 63 provinces before the 2025 merger, as the package ships
# them (src/parindex/data/units/provinces.yaml, the spellings of the published results).
PROVINCES = sorted(u.name for u in parindex.io.units.provinces(2024))


def _strip(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@pytest.mark.parametrize(
    "spelling", ["Dak Lak", "ĐẮK LẮK", "tỉnh Đắk Lắk", "Tỉnh Đắk-Lắk", "dak  lak.", "Đắk Lắk"]
)
def test_the_issue_examples_are_one_unit(spelling: str) -> None:
    assert match_unit(spelling, PROVINCES) == "Đắk Lắk"
    assert match_unit(unicodedata.normalize("NFD", spelling), PROVINCES) == "Đắk Lắk"


def test_city_prefixes() -> None:
    names = UnitNames(["Thành phố Thủ Dầu Một", "Thị xã Tân Uyên", "Huyện Bàu Bàng", "Sở Tư pháp"])
    assert names.match("TP. Thủ Dầu Một") == "Thành phố Thủ Dầu Một"
    assert names.match("Tp Thu Dau Mot") == "Thành phố Thủ Dầu Một"
    assert names.match("thủ dầu một") == "Thành phố Thủ Dầu Một"
    assert names.match("TX. Tân Uyên") == "Thị xã Tân Uyên"
    assert names.match("bau bang") == "Huyện Bàu Bàng"
    assert names.match("SỞ TƯ PHÁP") == "Sở Tư pháp"
    assert match_unit("Hồ Chí Minh", PROVINCES) == "TP. Hồ Chí Minh"
    assert match_unit("Thành phố Hồ Chí Minh", PROVINCES) == "TP. Hồ Chí Minh"


def test_tone_placement_old_and_new() -> None:
    assert match_unit("Hoà Bình", ["Hòa Bình", "Ninh Bình"]) == "Hòa Bình"


def test_ambiguous_names_list_every_candidate() -> None:
    # Phú Thọ is both a province and a town (thị xã) of that province.
    with pytest.raises(parindex.errors.UnknownUnitError) as info:
        match_unit("Phu Tho", ["tỉnh Phú Thọ", "thị xã Phú Thọ"])
    assert "'tỉnh Phú Thọ', 'thị xã Phú Thọ'" in str(info.value)
    assert info.value.value == ["tỉnh Phú Thọ", "thị xã Phú Thọ"]
    # A prefix settles it.
    assert match_unit("TX Phú Thọ", ["tỉnh Phú Thọ", "thị xã Phú Thọ"]) == "thị xã Phú Thọ"
    assert match_unit("tinh phu tho", ["tỉnh Phú Thọ", "thị xã Phú Thọ"]) == "tỉnh Phú Thọ"
    # Diacritics settle it before they are dropped.
    assert match_unit("Hà Nam", ["Hà Nam", "Hạ Nam"]) == "Hà Nam"
    with pytest.raises(parindex.errors.UnknownUnitError, match="ambiguous"):
        match_unit("Ha Nam", ["Hà Nam", "Hạ Nam"])


def test_unknown_names_suggest_the_closest() -> None:
    with pytest.raises(parindex.errors.UnknownUnitError, match="closest: 'Đắk Lắk'") as info:
        match_unit("Dak Lac", PROVINCES)
    assert info.value.unit == "Dak Lac"
    with pytest.raises(parindex.errors.UnknownUnitError, match="matches none"):
        match_unit("Atlantis", PROVINCES)
    with pytest.raises(parindex.errors.UnknownUnitError, match="blank"):
        match_unit("  ", PROVINCES)


def test_official_names_are_distinct_without_diacritics() -> None:
    assert len({fold_name(p) for p in PROVINCES}) == len(PROVINCES)


@given(
    st.sampled_from(PROVINCES),
    st.sampled_from(["", "tỉnh ", "Tỉnh ", "TỈNH "]),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from(["NFC", "NFD"]),
    st.booleans(),
)
def test_any_spelling_of_an_official_name_matches_it(
    name: str, prefix: str, case: object, form: str, strip: bool
) -> None:
    text = name if name.startswith("TP.") else prefix + name
    text = case(text)  # type: ignore[operator]
    if strip:
        text = _strip(text)
    assert match_unit(unicodedata.normalize(form, text), PROVINCES) == name  # type: ignore[arg-type]


def test_canonicalising_a_sheet_turns_two_spellings_into_a_duplicate() -> None:
    names = UnitNames(PROVINCES)
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "Dak Lak", "node": "1", "points": 5.5},
            {"unit": "ĐẮK LẮK", "node": "2", "points": 8.16},
            {"unit": "Đắk Nông", "node": "1", "points": 6},
        ]
    )
    assert sheet.units == ("Dak Lak", "ĐẮK LẮK", "Đắk Nông")
    fixed = names.canonicalize(sheet)
    assert fixed.units == ("Đắk Lắk", "Đắk Nông")
    assert sheet.units == ("Dak Lak", "ĐẮK LẮK", "Đắk Nông")  # the original is unchanged
    twice = parindex.ScoreSheet.from_records(
        [
            {"unit": "Dak Lak", "node": "1", "points": 5.5},
            {"unit": "tỉnh Đắk Lắk", "node": "1", "points": 5.0},
        ]
    )
    with pytest.raises(parindex.errors.DuplicateEntryError, match="Đắk Lắk"):
        names.canonicalize(twice)
