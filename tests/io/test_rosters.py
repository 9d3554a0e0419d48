"""Rosters by level: provinces and ministries from the shipped data, communes, wards and
special zones from the optional package (with a typed error naming the install when it
is missing), departments from the user's file or list."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from parindex.errors import DuplicateEntryError, InputFormatError
from parindex.io import rosters
from parindex.io.rosters import (
    commune_roster,
    load_roster,
    ministry_roster,
    province_roster,
    roster_for,
    roster_from_dict,
    roster_from_names,
    roster_levels,
)
from parindex.model.units import Roster, RosterUnavailableError, RosterUnit


def test_provinces_before_and_after_the_merger_with_their_codes() -> None:
    before, after = province_roster(2024), province_roster(2025)
    assert (len(before), len(after)) == (63, 34)
    # Đắk Lắk keeps code 66 across the merger (verified against vietnam-provinces'
    # tables of the 63 and the 34 provinces).
    assert before.by_code("66").name == after.by_code("66").name == "Đắk Lắk"
    assert before.former == ()
    assert all(len(u.code or "") == 2 and (u.code or "").isdigit() for u in (*before, *after))


def test_every_pre_merger_province_joins_exactly_one_successor() -> None:
    after = province_roster(2025)
    joined = [p.name for u in after for p in after.predecessors(u.code or "")]
    assert sorted(joined) == sorted(province_roster(2024).names())
    assert [p.name for p in after.predecessors("19")] == ["Bắc Kạn", "Thái Nguyên"]
    assert [p.name for p in after.predecessors("46")] == ["Thừa Thiên Huế"]
    assert {m.effective.isoformat() for m in after.former} == {"2025-07-01"}


def test_ministries_where_a_list_of_names_is_known() -> None:
    r = ministry_roster(2022)
    assert len(r) == 19
    assert {u.code for u in r} == {None}
    assert "Thanh tra Chính phủ" in r.names()
    with pytest.raises(RosterUnavailableError, match="no list of the ministries assessed in 2023"):
        ministry_roster(2023)


def test_levels_are_data() -> None:
    levels = roster_levels()
    assert {"commune", "ward", "special_zone", "department", "province", "ministry"} <= set(levels)
    assert levels["commune"].includes == ("commune", "ward", "special_zone")
    assert levels["ward"].includes == ("ward",)
    assert levels["department"].roster == "user"


def test_departments_have_no_shipped_roster_and_say_where_to_put_them() -> None:
    with pytest.raises(RosterUnavailableError, match="supplied by you, as a roster file"):
        roster_for("department", year=2025)
    with pytest.raises(RosterUnavailableError, match="unknown level 'wardd'"):
        roster_for("wardd", year=2025)
    with pytest.raises(RosterUnavailableError, match="kept under the names given"):
        roster_for("district", year=2024)


def test_a_csv_roster_of_departments(tmp_path: Path) -> None:
    path = tmp_path / "haiphong-departments.csv"
    path.write_text(
        "name,code,aliases\nSở Nội vụ,,SNV\nVăn phòng UBND thành phố,,VP UBND thành phố; VP UBND TP\n",
        encoding="utf-8",
    )
    r = roster_for("department", year=2025, province="Hải Phòng", path=path)
    assert r.names() == ("Sở Nội vụ", "Văn phòng UBND thành phố")
    assert r.units[1].aliases == ("VP UBND thành phố", "VP UBND TP")
    assert {u.province for u in r} == {"Hải Phòng"}
    assert {u.level for u in r} == {"department"}
    assert r.units[0].code is None
    assert r.origin == str(path)


def test_a_yaml_roster_and_its_checks(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "format: parindex-roster/1\nlevel: department\nprovince: Hải Phòng\n"
        "source: {url: 'https://example.org/list', note: the province's list}\n"
        "units:\n  - {name: Sở Tài chính, code: '31.05'}\n  - Thanh tra thành phố\n",
        encoding="utf-8",
    )
    r = load_roster(path)
    assert r.by_code("31.05").name == "Sở Tài chính"
    assert r.source is not None
    assert r.source.url == "https://example.org/list"
    with pytest.raises(InputFormatError, match="is for province 'Hải Phòng', not 'Hà Nội'"):
        load_roster(path, province="Hà Nội")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code\n1\n", "needs a 'name' column"),
        ("name,kind\nA,x\n", "unknown columns \\['kind'\\]"),
        ("name\nSở A\nSở A\n", "'Sở A' is listed twice"),
        ("name,code\nSở A,1\nSở B,1\n", "code '1' is given to both 'Sở A' and 'Sở B'"),
        ("name,level\nSở A,Not A Level\n", "unit 1"),
    ],
)
def test_bad_csv_rosters_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((InputFormatError, DuplicateEntryError), match=message):
        load_roster(path, level="department")


def test_bad_roster_documents_are_refused() -> None:
    with pytest.raises(InputFormatError, match="'format' must be"):
        roster_from_dict({"units": ["A"]})
    with pytest.raises(InputFormatError, match="non-empty list"):
        roster_from_dict({"format": "parindex-roster/1", "units": []})
    with pytest.raises(InputFormatError, match="unknown keys \\['colour'\\]"):
        roster_from_dict({"format": "parindex-roster/1", "units": ["A"], "colour": 1})
    with pytest.raises(InputFormatError, match="'year' must be int, got '2025'"):
        roster_from_dict({"format": "parindex-roster/1", "year": "2025", "units": ["A"]})
    with pytest.raises(InputFormatError, match="unit 2 must be a name or a mapping"):
        roster_from_dict({"format": "parindex-roster/1", "units": ["A", ["B"]]})
    with pytest.raises(InputFormatError, match="not one text"):
        roster_from_names("Sở A")


def test_a_list_of_names_is_a_roster_without_codes() -> None:
    r = roster_from_names(["Sở Nội vụ", "Sở Tài chính"], province="Hải Phòng")
    assert [(u.name, u.code, u.province) for u in r] == [
        ("Sở Nội vụ", None, "Hải Phòng"),
        ("Sở Tài chính", None, "Hải Phòng"),
    ]


def test_a_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)  # import now fails
    rosters._package_units.cache_clear()
    try:
        with pytest.raises(
            RosterUnavailableError, match='pip install "parindex\\[units\\]"'
        ) as info:
            commune_roster(2025)
        assert info.value.install == 'pip install "parindex[units]"'
        assert rosters.units_package_version() is None
        with pytest.raises(RosterUnavailableError, match="not installed"):
            roster_for("ward", year=2025, province="Hải Phòng")
    finally:
        rosters._package_units.cache_clear()


def test_a_package_too_old_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Old:
        __version__ = "0.6.0"

    monkeypatch.setitem(sys.modules, "vietnam_provinces", Old)
    rosters._package_units.cache_clear()
    try:
        with pytest.raises(RosterUnavailableError, match=r"0\.6\.0 is too old"):
            commune_roster(2025)
    finally:
        rosters._package_units.cache_clear()


def test_communes_are_not_listed_before_2025() -> None:
    with pytest.raises(RosterUnavailableError, match="no roster of communes for 2024"):
        commune_roster(2024)


# --------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def communes() -> Roster:
    pytest.importorskip("vietnam_provinces")
    return commune_roster(2025)


def test_the_national_roster_of_the_commune_level(communes: Roster) -> None:
    # 3,321 units from 1 July 2025: 2,621 communes, 687 wards and 13 special zones.
    assert len(communes) == 3321
    assert Counter(u.level for u in communes) == {"commune": 2621, "ward": 687, "special_zone": 13}
    assert all(len(u.code or "") == 5 and (u.code or "").isdigit() for u in communes)
    assert set(communes.provinces()) == set(province_roster(2025).names())
    assert communes.origin.startswith("vietnam-provinces ")


def test_hai_phong(communes: Roster) -> None:
    hp = commune_roster(2025, province="Hải Phòng")
    assert Counter(u.level for u in hp) == {"ward": 45, "commune": 67, "special_zone": 2}
    assert commune_roster(2025, province="31").names() == hp.names()
    wards = commune_roster(2025, level="ward", province="Hải Phòng")
    assert len(wards) == 45
    assert wards.level == "ward"
    u = hp.by_code("11311")
    assert (u.name, u.level, u.province, u.province_code) == (
        "Phường Hồng Bàng", "ward", "Hải Phòng", "31",
    )  # fmt: skip
    assert [z.name for z in commune_roster(2025, level="special_zone", province="31")] == [
        "Đặc khu Cát Hải", "Đặc khu Bạch Long Vĩ",
    ]  # fmt: skip
    with pytest.raises(RosterUnavailableError, match="no ward roster for province 'Hai Phong'"):
        commune_roster(2025, level="ward", province="Hai Phong")  # exact here; loose in resolve


def test_the_commune_roster_is_for_2025_on(communes: Roster) -> None:
    assert len(roster_for("commune", year=2026)) == 3321
    with pytest.raises(RosterUnavailableError, match="not in the commune roster"):
        commune_roster(2025, level="province")
    assert isinstance(communes.units[0], RosterUnit)
