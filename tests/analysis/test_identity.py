"""Units are resolved before scoring (#15): one unit written two ways is one unit or an
error, never two ranks; results keep the official name, code and name as given."""

from __future__ import annotations

import io
import json

import pytest

import parindex
from parindex.cli import main
from parindex.errors import DuplicateEntryError, UnknownUnitError

HANOI = "unit,node,points\nHà Nội,total,80\nHa Noi,total,70\nTP. Hà Nội,total,60\nThành phố Hà Nội,total,50\n"


def _sheet(rows: list[tuple[str, float]]) -> parindex.ScoreSheet:
    return parindex.ScoreSheet.from_records(
        [{"unit": u, "node": "total", "points": p} for u, p in rows]
    )


def test_four_spellings_of_ha_noi_are_one_error_naming_the_rows(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "hn.csv"
    path.write_text(HANOI, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", "-m", "province-2018", str(path)], stdout=out, stderr=err) == 2
    assert out.getvalue() == ""
    line = err.getvalue()
    assert line.count("\n") == 1
    assert "'Hà Nội' in entry 1" in line
    assert "'Ha Noi' in entry 2" in line
    with pytest.raises(DuplicateEntryError):
        parindex.score("province-2018", parindex.sheet_from_csv(HANOI))


@pytest.mark.parametrize("spelling", ["Dak Lak", "ĐẮK LẮK", "đắk lắk", "tỉnh Đắk Lắk"])
def test_a_spelling_resolves_to_the_official_name_and_code(spelling: str) -> None:
    scores = parindex.score("province-2017", _sheet([(spelling, 75.37)]))
    assert scores.units == ("Đắk Lắk",)
    assert scores.unit_code("Đắk Lắk") == "66"
    assert scores.given_name("Đắk Lắk") == spelling
    # Any of the spellings finds the unit again.
    assert scores.unit(spelling).total.index == 75.37
    assert parindex.rank(scores).rank_of(spelling) == 1


def test_the_json_result_carries_code_and_given_name() -> None:
    out = io.StringIO()
    assert (
        main(
            ["score", "-m", "province-2017", "--format", "json", "examples/daklak-2017.csv"],
            stdout=out,
        )
        == 0
    )
    unit = json.loads(out.getvalue())["units"][0]
    assert (unit["unit"], unit["unit_code"], unit["given_name"]) == ("Đắk Lắk", "66", "Đắk Lắk")


def test_an_unknown_name_is_refused_with_the_closest_unless_free() -> None:
    with pytest.raises(UnknownUnitError, match="Đắk Lắk") as info:
        parindex.score("province-2017", _sheet([("Dak Lakk", 70)]))
    assert 'units="free"' in str(info.value)
    scores = parindex.score("province-2017", _sheet([("Ban Dân tộc", 70)]), units="free")
    assert scores.units == ("Ban Dân tộc",)
    assert scores.unit_code("Ban Dân tộc") is None


def test_a_level_without_a_roster_is_scored_as_given() -> None:
    sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
    scores = parindex.score("binhduong-district-2017", sheet)
    assert scores.units == sheet.units
    assert scores.resolution is None


def test_merged_provinces_resolve_by_the_evaluation_year() -> None:
    before = parindex.score("province-2024", _sheet([("Bắc Kạn", 80)]))
    assert before.unit_code("Bắc Kạn") == "06"
    with pytest.raises(UnknownUnitError, match="Thái Nguyên"):
        parindex.score("province-2025", _sheet([("Bắc Kạn", 80)]), year=2025)


@pytest.mark.parametrize("spelling", ["Hồng Bàng", "phường hồng bàng", "P. Hồng Bàng"])
def test_hai_phong_wards_resolve_in_any_spelling(spelling: str) -> None:
    pytest.importorskip("vietnam_provinces")
    scores = parindex.score("haiphong-ward-2025", _sheet([(spelling, 95.8)]))
    assert scores.units == ("Phường Hồng Bàng",)
    assert scores.unit_code("Phường Hồng Bàng") == "11311"


def test_an_unknown_ward_is_refused_with_the_nearest() -> None:
    pytest.importorskip("vietnam_provinces")
    with pytest.raises(UnknownUnitError, match="Hồng Bàng"):
        parindex.score("haiphong-ward-2025", _sheet([("Hồng Bàngg", 95.8)]))


@pytest.mark.parametrize("wide", [True, False], ids=["wide", "tidy"])
def test_score_frame_resolves_units_as_score_does(wide: bool) -> None:
    import pandas as pd

    def frame(names: list[str]) -> pd.DataFrame:
        if wide:
            return pd.DataFrame({"unit": names, "total": [60.0 + i for i in range(len(names))]})
        return pd.DataFrame(
            {"unit": names, "node": ["total"] * len(names), "points": [60.0] * len(names)}
        )

    with pytest.raises(DuplicateEntryError, match="'Ha Noi' in entry 2"):
        parindex.score_frame("province-2018", frame(["Hà Nội", "Ha Noi"]), wide=wide)
    with pytest.raises(UnknownUnitError, match="Atlantis"):
        parindex.score_frame("province-2018", frame(["Atlantis"]), wide=wide)
    given = frame(["ĐẮK LẮK"])
    scores = parindex.score_frame("province-2018", given, wide=wide)
    assert (scores.units, scores.unit_code("Đắk Lắk")) == (("Đắk Lắk",), "66")
    assert given["unit"].tolist() == ["ĐẮK LẮK"]  # the caller's frame is not modified
    free = parindex.score_frame("province-2018", frame(["Atlantis"]), wide=wide, units="free")
    assert free.units == ("Atlantis",)
