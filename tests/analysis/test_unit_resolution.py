"""Resolving given names against a roster: the official name and code per name, two
spellings of one unit refused, unknown and ambiguous names refused with the candidates,
names outside the roster kept on request, units merged on 1 July 2025 pointed to their
successor. Property: any spelling the matcher accepts gives its unit, and two units of
one province are never confused."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parindex
from parindex.analysis.names import (
    PREFIXES,
    find_predecessors,
    find_successor,
    resolve_units,
)
from parindex.errors import DuplicateEntryError, UnknownUnitError
from parindex.io.rosters import commune_roster, province_roster, roster_from_names
from parindex.model.units import Roster, RosterUnavailableError, UnitResolution

from ..conftest import examples

PROVINCES_2017 = province_roster(2017)
PROVINCES_2025 = province_roster(2025)


def _records(names: list[str], roster: Roster, **kw: object) -> list[tuple[str, str, str | None]]:
    return [(r.given_name, r.unit, r.unit_code) for r in resolve_units(names, roster, **kw)]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the issue


def test_four_spellings_of_ha_noi_are_one_unit_given_twice() -> None:
    with pytest.raises(DuplicateEntryError) as info:
        resolve_units(["Hà Nội", "Ha Noi", "TP. Hà Nội", "Thành phố Hà Nội"], PROVINCES_2017)
    assert "'Hà Nội' and 'Ha Noi' are one unit, 'Hà Nội' (code 01)" in str(info.value)
    assert info.value.value == ("Hà Nội", "Ha Noi")
    for pair in (["TP. Hà Nội", "Thành phố Hà Nội"], ["Ha Noi", "HÀ NỘI"]):
        with pytest.raises(DuplicateEntryError, match=re.escape(f"{pair[0]!r} and {pair[1]!r}")):
            resolve_units(pair, PROVINCES_2017)


def test_dak_lak_spellings_resolve_to_the_official_name_and_code() -> None:
    assert _records(["Dak Lak"], PROVINCES_2017) == [("Dak Lak", "Đắk Lắk", "66")]
    assert _records(["ĐẮK LẮK", "Gia Lai"], PROVINCES_2017) == [
        ("ĐẮK LẮK", "Đắk Lắk", "66"),
        ("Gia Lai", "Gia Lai", "64"),
    ]
    with pytest.raises(DuplicateEntryError, match="'Dak Lak' and 'ĐẮK LẮK' are one unit"):
        resolve_units(["Dak Lak", "ĐẮK LẮK"], PROVINCES_2017)


def test_exact_repeats_and_codes() -> None:
    with pytest.raises(DuplicateEntryError, match="unit 'Gia Lai' is given twice"):
        resolve_units(["Gia Lai", "Gia Lai"], PROVINCES_2017)
    assert _records(["66"], PROVINCES_2017) == [("66", "Đắk Lắk", "66")]
    with pytest.raises(DuplicateEntryError, match="'66' and 'Đắk Lắk' are one unit"):
        resolve_units(["66", "Đắk Lắk"], PROVINCES_2017)


def test_unknown_names_list_the_closest_official_names() -> None:
    with pytest.raises(UnknownUnitError) as info:
        resolve_units(["Dak Lac"], PROVINCES_2017)
    assert "matches none of the 63 units of the province roster" in str(info.value)
    assert "closest: 'Đắk Lắk' (code 66)" in str(info.value)
    assert info.value.unit == "Dak Lac"
    assert info.value.value[0] == "Đắk Lắk"
    with pytest.raises(UnknownUnitError, match="blank"):
        resolve_units(["  "], PROVINCES_2017)
    with pytest.raises(UnknownUnitError, match="not one text"):
        resolve_units("Gia Lai", PROVINCES_2017)


def test_free_keeps_names_outside_the_roster_but_still_refuses_two_spellings() -> None:
    r = resolve_units(["Gia Lai", "Cục Hải quan", " Cục  Thuế "], PROVINCES_2017, free=True)
    assert [(x.unit, x.unit_code, x.in_roster) for x in r] == [
        ("Gia Lai", "64", True),
        ("Cục Hải quan", None, False),
        ("Cục Thuế", None, False),
    ]
    with pytest.raises(DuplicateEntryError, match="'Cục Thuế' and 'CỤC THUẾ' are one name"):
        resolve_units(["Cục Thuế", "CỤC THUẾ"], PROVINCES_2017, free=True)
    # A merged unit is not "outside the roster": it has a successor to name.
    with pytest.raises(UnknownUnitError, match="became part of Thái Nguyên"):
        resolve_units(["Bắc Kạn"], PROVINCES_2025, free=True)


# --------------------------------------------------------------------------- mergers


def test_units_resolve_by_the_evaluation_year() -> None:
    assert _records(["Bac Kan"], province_roster(2024)) == [("Bac Kan", "Bắc Kạn", "06")]
    assert _records(["Thai Nguyen"], PROVINCES_2025) == [("Thai Nguyen", "Thái Nguyên", "19")]
    with pytest.raises(UnknownUnitError) as info:
        resolve_units(["Bac Kan"], PROVINCES_2025)
    assert str(info.value) == (
        "unit 'Bac Kan' is not a province for 2025: Bắc Kạn became part of Thái Nguyên "
        "(code 19) on 2025-07-01; write 'Thái Nguyên'"
    )
    assert info.value.value == "Thái Nguyên"
    with pytest.raises(UnknownUnitError, match="Thừa Thiên Huế became Huế \\(code 46\\)"):
        resolve_units(["Thua Thien Hue"], PROVINCES_2025)


def test_successor_and_predecessors() -> None:
    s = find_successor("tỉnh Bắc Kạn", PROVINCES_2025)
    assert (s.given_name, s.predecessor.code, s.successor.name, s.successor.code) == (
        "tỉnh Bắc Kạn", "06", "Thái Nguyên", "19",
    )  # fmt: skip
    assert [u.name for u in s.joined] == ["Bắc Kạn", "Thái Nguyên"]
    assert find_successor("06", PROVINCES_2025).successor.name == "Thái Nguyên"
    assert [u.name for u in find_predecessors("Đắk Lắk", PROVINCES_2025)] == ["Phú Yên", "Đắk Lắk"]
    assert find_predecessors("Đắk Lắk", PROVINCES_2017) == ()
    with pytest.raises(RosterUnavailableError, match="follows no merger"):
        find_successor("Bắc Kạn", PROVINCES_2017)
    with pytest.raises(UnknownUnitError, match="none of the 63 units before the merger"):
        find_successor("Atlantis", PROVINCES_2025)


def test_every_pre_merger_province_has_its_successor() -> None:
    for unit in province_roster(2024):
        s = find_successor(unit.name, PROVINCES_2025)
        assert s.predecessor == unit
        assert unit in s.joined


# --------------------------------------------------------------------------- user rosters


def test_departments_from_a_list_with_aliases() -> None:
    roster = parindex.io.rosters.roster_from_dict(
        {
            "format": "parindex-roster/1",
            "level": "department",
            "province": "Hải Phòng",
            "units": [
                {"name": "Văn phòng UBND thành phố", "aliases": ["VP UBND TP"]},
                "Sở Tài chính",
                "Thanh tra thành phố",
            ],
        }
    )
    assert _records(["VP UBND TP", "so tai chinh", "Thanh tra thanh pho"], roster) == [
        ("VP UBND TP", "Văn phòng UBND thành phố", None),
        ("so tai chinh", "Sở Tài chính", None),
        ("Thanh tra thanh pho", "Thanh tra thành phố", None),
    ]
    with pytest.raises(DuplicateEntryError, match="'VP UBND TP' and 'Văn phòng UBND thành phố'"):
        resolve_units(["VP UBND TP", "Văn phòng UBND thành phố"], roster)
    assert _records(["Sở Tài chính"], roster, province="hai phong") == [
        ("Sở Tài chính", "Sở Tài chính", None)
    ]


def test_a_province_filter_needs_a_roster_divided_by_province() -> None:
    with pytest.raises(RosterUnavailableError, match="not divided by province"):
        resolve_units(["Gia Lai"], PROVINCES_2017, province="Gia Lai")
    with pytest.raises(UnknownUnitError, match="matches none"):
        resolve_units(["Sở A"], roster_from_names(["Sở A"], province="P"), province="Q")


def test_the_resolution_renames_a_sheet() -> None:
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "Dak Lak", "node": "total", "points": 80},
            {"unit": "gia lai", "node": "total", "points": 70},
        ]
    )
    r = resolve_units(sheet.units, PROVINCES_2017)
    assert r.rename(sheet).units == ("Đắk Lắk", "Gia Lai")
    assert r.mapping == {"Dak Lak": "Đắk Lắk", "gia lai": "Gia Lai"}
    with pytest.raises(UnknownUnitError, match="was not among the names resolved"):
        r.code_of("Đắk Lắk")


# --------------------------------------------------------------------------- communes


@pytest.fixture(scope="module")
def communes() -> Roster:
    pytest.importorskip("vietnam_provinces")
    return commune_roster(2025)


def test_hai_phong_wards_written_three_ways(communes: Roster) -> None:
    wards = commune_roster(2025, level="ward")
    for spelling in ("Hồng Bàng", "phường hồng bàng", "P. Hồng Bàng", "PHUONG HONG BANG"):
        assert _records([spelling], wards, province="Hải Phòng") == [
            (spelling, "Phường Hồng Bàng", "11311")
        ]
    with pytest.raises(
        DuplicateEntryError, match=re.escape("'Hồng Bàng' and 'P. Hồng Bàng' are one unit")
    ):
        resolve_units(["Hồng Bàng", "P. Hồng Bàng"], wards, province="Hải Phòng")
    with pytest.raises(UnknownUnitError) as info:
        resolve_units(["Hồng Bàngg"], wards, province="TP. Hải Phòng")
    assert "none of the 45 units of the ward roster of Hải Phòng" in str(info.value)
    assert "closest: 'Phường Hồng Bàng' (Hải Phòng, code 11311)" in str(info.value)


def test_a_commune_name_used_in_two_provinces_is_ambiguous(communes: Roster) -> None:
    with pytest.raises(UnknownUnitError, match="is ambiguous") as info:
        resolve_units(["Tân Lập"], communes)
    assert "(Đắk Lắk, code 24121)" in str(info.value)
    assert "give the province" in str(info.value)
    assert len(info.value.value) >= 2
    assert _records(["Tân Lập"], communes, province="Đắk Lắk") == [
        ("Tân Lập", "Phường Tân Lập", "24121")
    ]


def test_published_hai_phong_names_resolve(communes: Roster) -> None:
    # Names as the press wrote them (shared/reference/results/units-2025.csv).
    published = [
        "phường Hồng Bàng",
        "phường Hải An",
        "phường Hồng An",
        "phường Ngô Quyền",
        "phường Lê Chân",
        "phường Bắc An Phụ",
    ]
    r = resolve_units(published, communes, province="Hải Phòng")
    assert [x.unit for x in r] == [n.replace("phường", "Phường") for n in published]
    assert {x.level for x in r} == {"ward"}
    assert r.code_of("phường Bắc An Phụ") == "10678"


# --------------------------------------------------------------------------- properties

_OLD_TONE = {
    new + second: first + old
    for first, second, olds, news in (
        ("o", "a", "àáảãạ", "òóỏõọ"),
        ("o", "e", "èéẻẽẹ", "òóỏõọ"),
        ("u", "y", "ỳýỷỹỵ", "ùúủũụ"),
    )
    for old, new in zip(olds, news, strict=True)
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONE))


def _strip(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def _official_prefix(name: str) -> tuple[str | None, str]:
    """(prefix key, rest) of an official name, by the spellings parindex knows."""
    low = name.casefold()
    for key, spellings in PREFIXES.items():
        for spelling in sorted(spellings, key=len, reverse=True):
            if low.startswith(spelling + " ") or (
                spelling.endswith(".") and low.startswith(spelling)
            ):
                return key, name[len(spelling) :].strip()
    return None, name


_CASES: list[Callable[[str], str]] = [str.upper, str.lower, str.title, str.swapcase, lambda s: s]


@st.composite
def spellings(draw: st.DrawFn, name: str) -> tuple[str, bool]:
    """A spelling of an official name, and whether it kept the diacritics."""
    key, core = _official_prefix(name)
    prefixes = ["", *(PREFIXES[key] if key else ())]
    prefix = draw(st.sampled_from(prefixes))
    if prefix and not prefix.endswith("."):
        prefix += draw(st.sampled_from([" ", "  ", " - "]))
    core = draw(st.sampled_from([core, core.replace(" ", "  "), core.replace(" ", "-")]))
    if draw(st.booleans()):
        core = _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group()], core)
    text = draw(st.sampled_from(_CASES))(prefix + core)
    stripped = draw(st.booleans())
    if stripped:
        text = _strip(text)
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    text = draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "."]))
    return text, not stripped


def _outcome(names: list[str], roster: Roster) -> UnitResolution | UnknownUnitError:
    """The resolution, or the refusal (kept, so that it is checked outside ``except``)."""
    try:
        return resolve_units(names, roster)
    except UnknownUnitError as err:
        return err


def _check_resolves_to(roster: Roster, index: int, spelling: str, lossless: bool) -> None:
    unit = roster.units[index]
    got = _outcome([spelling], roster)
    if isinstance(got, UnknownUnitError):
        # Only a spelling that lost its diacritics may be ambiguous, and the ambiguity
        # must list the unit itself: a refusal, never another unit.
        assert not lossless, f"{spelling!r} of {unit.name!r}: {got}"
        assert "ambiguous" in str(got)
        assert unit.name in got.value
        return
    record = got.records[0]
    assert (record.unit, record.unit_code) == (unit.name, unit.code), spelling


def _rosters() -> list[Roster]:
    found = [province_roster(2024), PROVINCES_2025]
    with contextlib.suppress(RosterUnavailableError):  # without parindex[units]
        # One province's commune level: Hải Phòng, the published 2025 results.
        found.append(commune_roster(2025, province="Hải Phòng"))
    return found


ROSTERS = _rosters()


# Cases draw positions (roster, unit), so that a failure prints two numbers and a name.
@st.composite
def unit_and_spelling(draw: st.DrawFn) -> tuple[int, int, str, bool]:
    r = draw(st.integers(0, len(ROSTERS) - 1))
    index = draw(st.integers(0, len(ROSTERS[r]) - 1))
    spelling, lossless = draw(spellings(ROSTERS[r].units[index].name))
    return r, index, spelling, lossless


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(unit_and_spelling())
def test_any_accepted_spelling_resolves_to_its_unit(case: tuple[int, int, str, bool]) -> None:
    r, index, spelling, lossless = case
    _check_resolves_to(ROSTERS[r], index, spelling, lossless)


@st.composite
def two_units(draw: st.DrawFn) -> tuple[int, int, int, str, str]:
    r = draw(st.integers(0, len(ROSTERS) - 1))
    roster = ROSTERS[r]
    a = draw(st.integers(0, len(roster) - 1))
    b = draw(st.integers(0, len(roster) - 1).filter(lambda i: i != a))
    sa, _ = draw(spellings(roster.units[a].name))
    sb, _ = draw(spellings(roster.units[b].name))
    return r, a, b, sa, sb


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(two_units())
def test_two_units_of_one_province_are_never_confused(
    case: tuple[int, int, int, str, str],
) -> None:
    r, a, b, sa, sb = case
    roster = ROSTERS[r]
    # Two units taken for one would raise DuplicateEntryError here, failing the test.
    got = _outcome([sa, sb], roster)
    if isinstance(got, UnknownUnitError):
        assert "ambiguous" in str(got), got  # a lossy spelling, refused
        return
    assert [x.unit_code or x.unit for x in got] == [
        roster.units[i].code or roster.units[i].name for i in (a, b)
    ]


def test_a_prefix_word_without_diacritics_may_be_the_start_of_a_name() -> None:
    # "Phuong Trung" reads as the ward Trung or as the commune Phương Trung: refused.
    roster = roster_from_names(["Phường Trung", "Xã Phương Trung"], level="commune")
    with pytest.raises(UnknownUnitError, match="ambiguous: it could be 'Phường Trung'"):
        resolve_units(["Phuong Trung"], roster)
    assert _records(["Phương Trung", "P. Trung"], roster) == [
        ("Phương Trung", "Xã Phương Trung", None),
        ("P. Trung", "Phường Trung", None),
    ]
    # Alone, the commune is found under either reading; twice, it is one unit.
    alone = roster_from_names(["Xã Phương Trung"], level="commune")
    assert [r.unit for r in resolve_units(["phuong trung"], alone)] == ["Xã Phương Trung"]
    with pytest.raises(DuplicateEntryError, match="'xa phuong trung' and 'phuong trung'"):
        resolve_units(["xa phuong trung", "phuong trung"], alone)


def test_every_official_name_resolves_to_itself_in_every_province(communes: Roster) -> None:
    # Exhaustive on the lossless end: every unit of every province, official spelling
    # and without its prefix.
    for province in communes.provinces():
        scoped = communes.select(province=province)
        names = scoped.names()
        assert [r.unit for r in resolve_units(names, scoped)] == list(names)
        bare = [_official_prefix(n)[1] for n in names]
        assert [r.unit for r in resolve_units(bare, scoped)] == list(names)
