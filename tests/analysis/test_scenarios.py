"""What-if and gap analysis."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex import Methodology, ScoreSheet
from parindex.io.sheet import load_sheet
from parindex.testing import methodologies, score_sheets

from ..conftest import examples

SHEET = "examples/illustrative-districts.csv"
M = "illustrative-district"
D = "Huyện Minh Họa D"


def test_what_if_never_mutates_and_reports_what_moved() -> None:
    sheet = load_sheet(SHEET)
    before = sheet.to_frame()
    w = parindex.what_if(M, sheet, D, {"3.2.1": "100%", "7.4": 4.0})
    pd.testing.assert_frame_equal(sheet.to_frame(), before)
    diff = w.diff().set_index("node")
    # 97 % -> 100 % moves 3.2.1 from the 80-100 % tier (3 points) to the top tier (6).
    assert diff.loc["3.2.1", "points_before"] == 3.0
    assert diff.loc["3.2.1", "points_after"] == 6.0
    assert diff.loc["7.4", "points_change"] == 0.5
    assert diff.loc["total", "points_change"] == 3.5
    assert "1.1" not in diff.index  # unchanged nodes are left out
    # 3.2.1 is appraised and 7.4 surveyed: both score components move with them.
    assert set(diff.index) == {"total", "appraisal", "survey", "3", "3.2", "3.2.1", "7", "7.4"}
    assert diff.loc["appraisal", "points_change"] == 3.0
    assert diff.loc["survey", "points_change"] == 0.5
    text = w.to_text()
    assert text.splitlines()[0] == w.headline()
    assert "3.2.1" in text
    assert "3 -> 6" in text
    assert "<table" in w.to_html()


def test_what_if_na_and_value_changes() -> None:
    sheet = load_sheet(SHEET)
    w = parindex.what_if(M, sheet, D, {"1.2.1": "na", "1.1.1": "chậm"})
    diff = w.diff().set_index("node")
    assert diff.loc["1.2.1", "status_after"] == "na"
    assert diff.loc["1.1.1", "points_after"] == 0.5
    assert diff.loc["total", "max_points_after"] == diff.loc["total", "max_points_before"] - 2


def test_what_if_rank_moves_and_peers_passed() -> None:
    sheet = load_sheet("examples/binhduong-district-2017.csv")
    w = parindex.what_if(
        "binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"appraisal": 50.0, "survey": 35.0}
    )
    assert (w.rank_before, w.rank_after) == (2, 1)
    moved = w.rank_changes().set_index("unit")["change"].to_dict()
    assert moved == {"Thị xã Tân Uyên": 1, "Thành phố Thủ Dầu Một": -1}
    assert "peers moved: Thành phố Thủ Dầu Một 1 -> 2" in w.to_text()


def test_what_if_errors() -> None:
    sheet = load_sheet(SHEET)
    with pytest.raises(parindex.errors.UnknownUnitError):
        parindex.what_if(M, sheet, "Nowhere", {"1.1.1": 1.0})
    with pytest.raises(parindex.errors.NotApplicableError, match=r"3\.2\.1"):
        parindex.what_if(M, sheet, D, {"3.2.1": "na"})
    with pytest.raises(parindex.errors.InputFormatError):
        parindex.what_if(M, sheet, D, {"3.2.1": None})  # type: ignore[dict-item]
    with pytest.raises(parindex.errors.InputFormatError, match="already in the sheet"):
        parindex.what_if(M, sheet, D, {"3.2.1": 6.0}, peers=sheet)


def test_peers_rank_a_lone_unit() -> None:
    sheet = load_sheet(SHEET)
    alone = sheet.for_unit(D)
    others = ScoreSheet(tuple(e for e in sheet.entries if e.unit != D))
    w = parindex.what_if(M, alone, D, {"7.2": "100%", "3.3": "100%"}, peers=others)
    assert (w.rank_before, w.rank_after) == (3, 2)


@pytest.mark.parametrize("ties", ["min", "max", "first", "dense", "average"])
@pytest.mark.parametrize("target", ["rank", "band", 95.0])
def test_gap_plan_reaches_its_target(ties: str, target: object) -> None:
    sheet = load_sheet(SHEET)
    g = parindex.gap(M, sheet, D, target=target, ties=ties)  # type: ignore[arg-type]
    assert g.reachable
    assert g.check is not None
    after = g.check.after.unit(D).total.index
    assert after is not None
    assert g.target_index is not None
    assert after >= g.target_index - 1e-9
    if target == "rank":
        assert g.check.rank_after is not None
        assert g.check.rank_before is not None
        assert g.check.rank_after < g.check.rank_before
    if target == "band":
        assert g.check.band_after == "Xuất sắc"
    # Tier leaves only jump to tier points.
    for step in g.plan:
        rule = parindex.get_methodology(M).node(step.node).rule
        if isinstance(rule, parindex.rules.PercentTiers):
            assert step.points_to in {t.points for t in rule.tiers}
    assert g.explain().count("\n") >= len(g.plan)


def test_gap_headroom_and_edge_cases() -> None:
    sheet = load_sheet(SHEET)
    g = parindex.gap(M, sheet, D)
    room = g.headroom.set_index("node")
    assert room.loc["3.2.1", "headroom"] == 3.0
    assert room.loc["total", "headroom"] == pytest.approx(99.0 - room.loc["total", "points"])
    assert "1.3.2" not in room.index  # N/A: no headroom
    top = parindex.gap(M, sheet, "Huyện Minh Họa B")
    assert top.points_needed is None
    assert top.plan == ()
    assert "no next rank" in top.explain()
    done = parindex.gap(M, sheet, D, target=50.0)
    assert done.points_needed == 0
    assert "already reached" in done.explain()
    far = parindex.gap(M, sheet, "Huyện Minh Họa H", target=100.0)
    assert far.reachable  # every input can reach its maximum
    with pytest.raises(parindex.errors.InputFormatError):
        parindex.gap(M, sheet, D, target="moon")  # type: ignore[arg-type]


cases = methodologies().flatmap(
    lambda m: score_sheets(m, min_units=2, max_units=5, na=True).map(lambda s: (m, s))
)


@settings(max_examples=examples(40))
@given(cases, st.data())
def test_gap_to_a_reachable_index_is_closed_by_the_plan(
    case: tuple[Methodology, ScoreSheet], data: st.DataObject
) -> None:
    m, sheet = case
    unit = data.draw(st.sampled_from(sheet.units))
    result = parindex.score(m, sheet).unit(unit).total
    if result.index is None:
        return
    target = data.draw(st.floats(result.index, 100.0))
    g = parindex.gap(m, sheet, unit, target=target)
    if g.reachable and g.check is not None:
        after = g.check.after.unit(unit).total.index
        assert after is not None
        assert after >= target - 1e-9
    # Every step raises an input, never past its maximum.
    for step in g.plan:
        assert step.points_to > step.points_from


def test_gap_ranks_within_the_units_group() -> None:
    rows = [
        {"unit": u, "node": n, "points": p, "group": g}
        for u, g, a, s in [("A", "x", 60, 30), ("B", "y", 65, 31), ("C", "x", 55, 25)]
        for n, p in [("appraisal", a), ("survey", s)]
    ]
    sheet = ScoreSheet.from_records(rows)
    g = parindex.gap("ministry-2022", sheet, "C")
    assert g.target_index == 90.0  # A, the unit above C in its group, not B
    assert g.points_needed == 10.0


def test_what_if_and_gap_band_with_a_level_year_keys_year() -> None:
    # "province-2023" is 876/QĐ-BNV in 2023: the bands are 2023's, as in score + rank.
    from ..conftest import DAKLAK_2023_CSV

    sheet = parindex.sheet_from_csv(DAKLAK_2023_CSV)
    w = parindex.what_if("province-2023", sheet, "Đắk Lắk", {"sipas": 9.0})
    assert w.ranking_before.year == 2023
    assert w.ranking_after.to_frame().loc[0, "band"] == "B"
    g = parindex.gap("province-2023", sheet, "Đắk Lắk", target="band")
    assert g.target == "band 'A'"
    assert g.target_index == 90
