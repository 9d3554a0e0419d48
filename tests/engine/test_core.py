"""Example tests for the core: published numbers, policies, rules, errors."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

import parindex
from parindex import ScoreEntry, ScoreSheet
from parindex.io.sheet import load_sheet, sheet_from_csv
from parindex.rules import PercentTiers, Tier

from ..conftest import ROOT

ILLUSTRATIVE = "illustrative-district"


def sheet(*rows: dict[str, object]) -> ScoreSheet:
    return ScoreSheet.from_records(rows)


# --------------------------------------------------------------------------- published


def test_daklak_2017_field_losses_give_75_37() -> None:
    # Field maxima 10, 10, 14.5, 11, 16, 7, 16, 15.5 (2948/QĐ-BNV) minus the published
    # losses: http://truyenhinhdaknong.vn/tin-tuc/dak-lak-chi-so-cai-cach-hanh-chinh-dung-dau-khu-vuc-tay-nguyen-2540.html
    result = parindex.score("province-2017", load_sheet(ROOT / "examples/daklak-2017.csv"))
    unit = result.unit("Đắk Lắk")
    assert parindex.round_half_up(unit.total.index or 0) == 75.37
    assert unit.total.max_points == 100.0
    indices = {k: parindex.round_half_up(v.index or 0) for k, v in unit.nodes.items()}
    assert indices == {
        "1": 55.0,
        "2": 81.6,
        "3": 100.0,
        "4": 74.82,
        "5": 69.5,
        "6": 72.0,
        "7": 55.38,
        "8": 90.06,
    }


def test_binhduong_2017_totals_and_ranks_match_the_published_table() -> None:
    # http://baubang.binhduong.gov.vn/Default.aspx?tabid=175&ID=1881
    published = {
        "Thành phố Thủ Dầu Một": (84.58, 1),
        "Thị xã Tân Uyên": (82.00, 2),
        "Huyện Bàu Bàng": (80.27, 3),
        "Thị xã Thuận An": (79.04, 4),
        "Thị xã Dĩ An": (78.06, 5),
        "Thị xã Bến Cát": (77.83, 6),
        "Huyện Dầu Tiếng": (76.22, 7),
        "Huyện Phú Giáo": (76.03, 8),
        "Huyện Bắc Tân Uyên": (71.46, 9),
    }
    scores = parindex.score(
        "binhduong-district-2017", load_sheet(ROOT / "examples/binhduong-district-2017.csv")
    )
    table = parindex.rank(scores).to_frame().set_index("unit")
    for unit, (index, rank) in published.items():
        assert parindex.round_half_up(table.loc[unit, "par_index"]) == index
        assert table.loc[unit, "rank"] == rank
    # The mean of district indices is published too: 78.39 %.
    assert parindex.round_half_up(table["par_index"].mean()) == 78.39


# --------------------------------------------------------------------------- rules


def full_illustrative_sheet(unit: str = "Huyện A") -> list[dict[str, object]]:
    m = parindex.get_methodology(ILLUSTRATIVE)
    return [{"unit": unit, "node": n.id, "points": n.max_points} for n in m.nodes() if n.is_leaf]


def test_values_are_turned_into_points_by_each_rule() -> None:
    rows = {r["node"]: r for r in full_illustrative_sheet()}
    rows["1.1.1"] = {"unit": "Huyện A", "node": "1.1.1", "value": "chậm"}  # categorical: 0.5
    rows["1.1.2"] = {"unit": "Huyện A", "node": "1.1.2", "value": "85%"}  # tiers: 2
    rows["1.2.1"] = {"unit": "Huyện A", "node": "1.2.1", "value": 3}  # deduction: 2 - 1.5
    rows["1.3.1"] = {"unit": "Huyện A", "node": "1.3.1", "value": "15%"}  # proportional: 2 * 15/30
    rows["1.3.2"] = {"unit": "Huyện A", "node": "1.3.2", "value": "không"}  # yes/no: 0
    rows["3.2.1"] = {"unit": "Huyện A", "node": "3.2.1", "value": "99.99%"}  # tiers: 3
    result = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows.values())).unit("Huyện A")
    got = {
        k: result.nodes[k].points for k in ("1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2", "3.2.1")
    }
    assert got == {
        "1.1.1": 0.5,
        "1.1.2": 2.0,
        "1.2.1": 0.5,
        "1.3.1": 1.0,
        "1.3.2": 0.0,
        "3.2.1": 3.0,
    }
    assert result.total.points == pytest.approx(100 - 0.5 - 1 - 1.5 - 1 - 1 - 3)


def test_tier_bounds_are_exact_at_the_boundary() -> None:
    rule = PercentTiers((Tier(1.0, lower=100), Tier(0.5, lower=80, upper=100), Tier(0.0, upper=80)))
    import numpy as np

    measures = np.array(
        [rule.parse(v, max_points=1, rate_scale="fraction") for v in (0.8, 0.7999, 1.0)]
    )
    assert rule.points(measures, 1.0).tolist() == [0.5, 0.0, 1.0]


def test_a_bare_number_for_a_rate_is_refused_unless_the_scale_is_given() -> None:
    rows = full_illustrative_sheet()
    rows[1] = {"unit": "Huyện A", "node": "1.1.2", "value": 97}
    with pytest.raises(parindex.errors.AmbiguousInputError, match=r"Huyện A.*1\.1\.2.*97%"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))
    fine = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows), rate_scale="percent")
    assert fine.unit("Huyện A").nodes["1.1.2"].points == 2.0
    with pytest.raises(parindex.errors.PointsOutOfRangeError, match="fraction"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows), rate_scale="fraction")


# --------------------------------------------------------------------------- policies


def test_na_rebases_the_maximum_of_every_ancestor() -> None:
    rows = full_illustrative_sheet()
    rows = [r for r in rows if r["node"] != "1.3.1"] + [
        {"unit": "Huyện A", "node": "1.3.1", "status": "na"}
    ]
    unit = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows)).unit("Huyện A")
    assert unit.nodes["1.3.1"].status == "na"
    assert unit.nodes["1.3.1"].index is None
    assert unit.nodes["1.3"].max_points == 1.0
    assert unit.nodes["1"].max_points == 10.0
    assert unit.total.max_points == 98.0
    assert unit.total.index == 100.0


def test_na_is_refused_where_the_methodology_forbids_it() -> None:
    rows = [r for r in full_illustrative_sheet() if r["node"] != "3.2.1"]
    rows.append({"unit": "Huyện A", "node": "3.2.1", "status": "na"})
    with pytest.raises(parindex.errors.NotApplicableError, match=r"Huyện A.*3\.2\.1"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))


def test_missing_leaves_are_an_error_unless_the_caller_says_otherwise() -> None:
    rows = [r for r in full_illustrative_sheet() if r["node"] != "7.4"]
    with pytest.raises(parindex.errors.MissingDataError, match=r"Huyện A.*'7'.*7\.4"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))
    zero = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows), missing="zero").unit(
        "Huyện A"
    )
    assert zero.total.points == 96.0
    assert zero.total.max_points == 100.0
    unknown = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows), missing="unknown").unit(
        "Huyện A"
    )
    assert unknown.total.points is None
    assert unknown.total.index is None
    assert unknown.nodes["7"].index is None
    assert unknown.nodes["1"].index == 100.0


def test_points_at_field_level_and_components_must_agree() -> None:
    m = parindex.get_methodology(ILLUSTRATIVE)
    fields = [{"unit": "X", "node": n.id, "points": n.max_points} for n in m.tree]
    ok = parindex.score(
        m,
        sheet(
            *fields,
            {"unit": "X", "node": "appraisal", "points": 80},
            {"unit": "X", "node": "survey", "points": 20},
        ),
    )
    assert ok.unit("X").total.index == 100.0
    assert ok.unit("X").components["survey"].index == 100.0
    with pytest.raises(parindex.errors.ConflictError, match="X"):
        parindex.score(
            m,
            sheet(
                *fields,
                {"unit": "X", "node": "appraisal", "points": 70},
                {"unit": "X", "node": "survey", "points": 20},
            ),
        )


def test_component_points_alone_leave_field_indices_unknown() -> None:
    unit = parindex.score(
        "ministry-2022",
        sheet(
            {"unit": "Bộ Tư pháp", "node": "appraisal", "points": 61.86},
            {"unit": "Bộ Tư pháp", "node": "survey", "points": 28.10},
        ),
    ).unit("Bộ Tư pháp")
    # Published parts are rounded separately: 61.86 + 28.10 = 89.96, published total 89.95.
    assert parindex.round_half_up(unit.total.index or 0) == 89.96
    assert all(node.index is None and node.status == "unknown" for node in unit.nodes.values())


def test_overlapping_levels_are_refused() -> None:
    rows = [*full_illustrative_sheet(), {"unit": "Huyện A", "node": "1.1", "points": 4}]
    with pytest.raises(parindex.errors.OverlapError, match=r"Huyện A.*1\.1\.1.*'1\.1'"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))


def test_a_field_and_its_grandchild_overlap_for_one_unit_only() -> None:
    # The criterion between them is not given, and only one of two units overlaps:
    # the check must follow ancestors, not just parents, and look at every unit.
    rows = [
        *full_illustrative_sheet(),
        *[{**r, "unit": "Huyện B"} for r in full_illustrative_sheet()],
        {"unit": "Huyện B", "node": "1", "points": 4},
    ]
    with pytest.raises(parindex.errors.OverlapError, match=r"Huyện B.*'1\.1\.1'.*'1'"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))


def test_components_give_the_total_when_only_some_fields_are_given() -> None:
    # 876/QĐ-BNV: the four components make the total; field 1 alone is known too.
    rows = [
        {"unit": "A", "node": n, "points": p}
        for n, p in [
            ("appraisal", 57.92),
            ("impact", 2.97),
            ("leader_survey", 18.29),
            ("sipas", 8.15),
            ("1", 5.0),
        ]
    ]
    unit = parindex.score("province-2023", ScoreSheet.from_records(rows), units="free").unit("A")
    assert unit.total.points == 87.33
    assert unit.nodes["1"].points == 5.0
    assert unit.nodes["2"].index is None  # not given, not guessed
    # Without the components, the same fields are only part of the total: an error.
    with pytest.raises(parindex.errors.MissingDataError, match="the total is only partly given"):
        parindex.score("province-2023", ScoreSheet.from_records(rows[4:]), units="free")


def test_a_partial_tree_is_never_under_counted() -> None:
    # A field whose listed criteria do not exhaust it: summing them would understate it.
    m = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "partial",
            "name_vi": "x",
            "name_en": "x",
            "level": "district",
            "evaluation_years": [2013],
            "total_max": 20,
            "complete": False,
            "tree": [
                {
                    "id": "1",
                    "max_points": 20,
                    "children": [{"id": "1.1", "max_points": 5}, {"id": "1.2", "max_points": 2}],
                }
            ],
        }
    )
    unit = parindex.score(
        m,
        sheet({"unit": "U", "node": "1.1", "points": 5}, {"unit": "U", "node": "1.2", "points": 2}),
    ).unit("U")
    assert unit.nodes["1.1"].index == 100.0
    assert unit.nodes["1"].points is None
    assert unit.total.index is None


def test_collect_all_reports_every_problem() -> None:
    rows = [
        {"unit": "A", "node": "9", "points": 1},
        {"unit": "B", "node": "1", "points": 11},
        {"unit": "C", "node": "2", "points": -1},
    ]
    with pytest.raises(parindex.errors.ScoreSheetErrors) as info:
        ScoreSheet.from_records(rows, collect_all=True)
    assert len(info.value.exceptions) == 1  # the negative is caught when reading
    good = ScoreSheet.from_records(rows[:2])
    with pytest.raises(parindex.errors.ScoreSheetErrors) as info:
        parindex.score("province-2017", good, collect_all=True, units="free")
    kinds = sorted(type(e).__name__ for e in info.value.exceptions)
    assert kinds == ["PointsOutOfRangeError", "UnknownNodeError"]


# --------------------------------------------------------------------------- ranking


def test_tie_policies() -> None:
    values = {"a": 90.0, "b": 85.0, "c": 85.0, "d": 80.0}
    expected = {
        "min": [1, 2, 2, 4],
        "dense": [1, 2, 2, 3],
        "max": [1, 3, 3, 4],
        "first": [1, 2, 3, 4],
        "average": [1.0, 2.5, 2.5, 4.0],
    }
    for ties, ranks in expected.items():
        assert parindex.analysis.ranking.rank_values(values, ties=ties).tolist() == ranks  # type: ignore[arg-type]


def test_ranking_on_the_published_precision_can_create_ties() -> None:
    values = {"a": 90.104, "b": 90.095}
    assert parindex.analysis.ranking.rank_values(values).tolist() == [1, 2]
    assert parindex.analysis.ranking.rank_values(values, precision=2).tolist() == [1, 1]


def test_unranked_units_and_groups() -> None:
    rows = []
    for unit, a in [("Bộ Tư pháp", 61.86), ("Bộ Tài chính", 60.0), ("Thanh tra Chính phủ", 65.0)]:
        rows += [
            {"unit": unit, "node": "appraisal", "points": a},
            {"unit": unit, "node": "survey", "points": 28.0},
        ]
    table = parindex.rank(parindex.score("ministry-2022", ScoreSheet.from_records(rows))).to_frame()
    ranks = dict(zip(table["unit"], table["rank"], strict=True))
    assert ranks["Bộ Tư pháp"] == 1
    assert ranks["Bộ Tài chính"] == 2
    assert pd.isna(ranks["Thanh tra Chính phủ"])


def test_unranked_units_are_found_whatever_their_spelling() -> None:
    # 876/QĐ-BNV leaves "Thanh tra Chính phủ" and "Ủy ban Dân tộc" unranked; sheets
    # spell them in capitals or with the old tone placement ("Uỷ").
    m = parindex.get_methodology("ministry-2023")
    rows = []
    for unit, a in [("Bộ Tư pháp", 61.86), ("THANH TRA CHÍNH PHỦ", 65.0), ("Uỷ ban Dân tộc", 66.0)]:
        rows += [
            {"unit": unit, "node": "appraisal", "points": a},
            {"unit": unit, "node": "survey", "points": 28.0},
        ]
    scores = parindex.score(m, ScoreSheet.from_records(rows))
    table = parindex.rank(scores).to_frame().set_index("unit")
    assert table.loc["Bộ Tư pháp", "rank"] == 1
    assert table["ranked"].to_dict() == {
        "Bộ Tư pháp": True,
        "THANH TRA CHÍNH PHỦ": False,
        "Uỷ ban Dân tộc": False,
    }
    # A caller's list is matched the same way, and a name that fits no unit is an error.
    mine = parindex.rank(scores, unranked=["bo tu phap"]).to_frame().set_index("unit")
    assert not mine.loc["Bộ Tư pháp", "ranked"]
    assert mine.loc["Uỷ ban Dân tộc", "rank"] == 1
    with pytest.raises(parindex.errors.UnknownUnitError, match="Bộ Công an"):
        parindex.rank(scores, unranked=["Bộ Công an"])
    # A name that fits two scored units is never resolved by a guess.
    two = parindex.score(
        m,
        ScoreSheet.from_records(
            [
                {"unit": u, "node": c, "points": p}
                for u in ("tỉnh Phú Thọ", "thị xã Phú Thọ")
                for c, p in (("appraisal", 60.0), ("survey", 28.0))
            ]
        ),
    )
    with pytest.raises(parindex.errors.UnknownUnitError, match=r"ambiguous.*'tỉnh Phú Thọ'"):
        parindex.rank(two, unranked=["Phu Tho"])


def test_bands_follow_the_methodology_year() -> None:
    rows = full_illustrative_sheet("A") + [
        r | {"points": 0} if r["node"] == "3.2.1" else r for r in full_illustrative_sheet("B")
    ]
    table = parindex.rank(parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))).to_frame()
    assert table.set_index("unit")["band"].to_dict() == {"A": "Xuất sắc", "B": "Xuất sắc"}
    before = [
        r | {"points": 0} if r["node"] == "1.1.2" else r for r in full_illustrative_sheet("A")
    ]
    previous = parindex.rank(
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(before + full_illustrative_sheet("B")))
    )
    current = parindex.rank(parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows)))
    changed = parindex.rank_change(current, previous)
    assert changed.set_index("unit").loc["A", "change"] == 1


# --------------------------------------------------------------------------- model


def tiers_leaf(*tiers: dict[str, float]) -> list[dict[str, object]]:
    return [{"id": "1", "max_points": 10, "rule": {"kind": "tiers", "tiers": list(tiers)}}]


def test_methodology_validation_names_the_node() -> None:
    base = {
        "format": "parindex-methodology/1",
        "id": "bad",
        "name_vi": "x",
        "name_en": "x",
        "level": "district",
        "evaluation_years": [2024],
        "total_max": 10,
        "complete": True,
    }
    cases = [
        (
            [{"id": "1", "max_points": 10, "children": [{"id": "1.1", "max_points": 11}]}],
            "1: children's maxima add up to 11",
        ),
        ([{"id": "1", "max_points": 5}, {"id": "1", "max_points": 5}], "'1' appears twice"),
        (
            [{"id": "1", "max_points": 10, "children": [{"id": "2.1", "max_points": 10}]}],
            "does not continue",
        ),
        ([{"id": "1", "max_points": 10, "rule": {"kind": "magic"}}], "unknown rule kind 'magic'"),
        (
            tiers_leaf({"min_inclusive": 50, "points": 1}, {"max_exclusive": 40, "points": 0}),
            "gap between 40 % and 50 %",
        ),
        (
            tiers_leaf({"min_inclusive": 50, "points": 1}, {"max_inclusive": 50, "points": 0}),
            "overlap at 50 %",
        ),
        ([{"id": "1", "max_points": 9}], "add up to 9, not the total 10"),
    ]
    for tree, fragment in cases:
        with pytest.raises(parindex.errors.MethodologyError, match=fragment.replace("(", r"\(")):
            parindex.methodology_from_dict(base | {"tree": tree})


def test_shipped_methodologies_round_trip_through_yaml() -> None:
    for m in parindex.list_methodologies():
        again = parindex.methodology_from_dict(parindex.methodology_to_dict(m))
        assert again == m


def test_registry_lookups() -> None:
    assert parindex.get_methodology("2948/qd-bnv", level="ministry").id == "ministry-2017"
    assert parindex.get_methodology("province-2017").decision.number == "2948/QĐ-BNV"
    with pytest.raises(parindex.errors.UnknownMethodologyError, match="years covered"):
        parindex.get_methodology("province-1990")
    with pytest.raises(parindex.errors.UnknownMethodologyError, match="several"):
        parindex.get_methodology("2948/QĐ-BNV")
    # The illustrative district set is not a national methodology for any year.
    with pytest.raises(
        parindex.errors.UnknownMethodologyError,
        match="no national methodology for level 'district'",
    ):
        parindex.get_methodology("district-2024")


def test_a_level_year_key_names_its_evaluation_year() -> None:
    reg = parindex.io.catalogue.default_registry
    m, year = reg.lookup("province-2023")
    assert (m.id, year) == ("province-2022", 2023)
    # An id names a decision, which may cover several years: it implies none.
    assert reg.lookup("province-2022") == (m, None)
    assert reg.lookup("876/QĐ-BNV", level="province") == (m, None)
    assert reg.lookup("province-2022", year=2024) == (m, 2024)
    assert reg.lookup("province-2023", year=2023) == (m, 2023)
    with pytest.raises(parindex.errors.UnknownMethodologyError, match="names 2023, not 2024"):
        reg.lookup("province-2023", year=2024)


def test_scores_from_a_level_year_key_band_with_that_year() -> None:
    import pandas as pd

    from ..conftest import DAKLAK_2023_CSV

    sheet = sheet_from_csv(DAKLAK_2023_CSV)
    frame = pd.read_csv(io.StringIO(DAKLAK_2023_CSV))
    for scores in (
        parindex.score("province-2023", sheet),
        parindex.score_frame("province-2023", frame),
        parindex.score_frame(
            "province-2023", frame.pivot(index="unit", columns="node", values="points"), wide=True
        ),
    ):
        assert scores.year == 2023
        table = parindex.rank(scores).to_frame()
        assert table.loc[0, "band"] == "B"  # 87.33 under the 2023 thresholds
        with pytest.raises(parindex.errors.UnknownMethodologyError, match=r"for 2023.*not 2024"):
            parindex.rank(scores, year=2024)
    # An id names no year: the caller says which.
    assert parindex.score("province-2022", sheet).year is None
    assert parindex.rank(parindex.score("province-2022", sheet), year=2023).year == 2023


def test_a_year_the_methodology_does_not_cover_is_an_error() -> None:
    m = parindex.get_methodology("province-2022")
    assert [b.label for b in m.bands_for(2023)] == ["A", "B"]
    with pytest.raises(
        parindex.errors.UnknownMethodologyError, match="covers 2022, 2023, 2024, not 2021"
    ):
        m.bands_for(2021)
    scores = parindex.score("province-2017", load_sheet(ROOT / "examples/daklak-2017.csv"))
    assert parindex.rank(scores, year=2017).year == 2017
    with pytest.raises(parindex.errors.UnknownMethodologyError, match="covers 2017, not 2018"):
        parindex.rank(scores, year=2018)
    # Without evaluation years nothing contradicts a year, and no bands are known.
    assert parindex.get_methodology("camau-2013").bands_for(2013) == ()


def test_inputs_are_not_mutated() -> None:
    frame = pd.DataFrame(full_illustrative_sheet())
    before = frame.copy(deep=True)
    parindex.score(ILLUSTRATIVE, frame)
    pd.testing.assert_frame_equal(frame, before)


def test_entry_requires_exactly_one_input() -> None:
    with pytest.raises(parindex.errors.ScoreSheetError, match="exactly one"):
        ScoreEntry("A", "1", points=1, value="x")
    with pytest.raises(parindex.errors.PointsOutOfRangeError, match="finite"):
        ScoreEntry("A", "1", points=math.nan)


def test_self_assessed_and_appraised_points_are_kept_side_by_side() -> None:
    rows = [
        {"unit": "A", "node": str(i), "points": p, "self_points": p + 0.5, "appraised_points": p}
        for i, p in enumerate([9, 9, 14, 10, 15, 6, 15, 14], 1)
    ]
    result = parindex.score("province-2017", ScoreSheet.from_records(rows), units="free")
    total = result.unit("A").total
    assert (total.points, total.self_points, total.appraised_points) == (92.0, 96.0, 92.0)
    frame = result.to_frame()
    assert frame.loc[frame["node"] == "1", "self_points"].item() == 9.5
    # A node without a self-assessment leaves the total's self-assessment unknown.
    rows[0] = {"unit": "A", "node": "1", "points": 9}
    assert (
        parindex.score("province-2017", ScoreSheet.from_records(rows), units="free")
        .unit("A")
        .total.self_points
        is None
    )


def test_an_unknown_node_with_a_value_is_reported_once() -> None:
    sheet = ScoreSheet.from_records(
        [{"unit": "A", "node": "9.9", "value": 1}, {"unit": "A", "node": "1", "points": 5}]
    )
    # Only the unknown node is reported (it used to add a bogus error naming node '1').
    with pytest.raises(parindex.errors.UnknownNodeError, match=r"'9\.9'"):
        parindex.score("province-2017", sheet, collect_all=True, units="free")


def test_every_public_function_class_and_method_has_a_runnable_example() -> None:
    import importlib
    import inspect
    import pkgutil

    import parindex.testing

    # Every public name of every public module: the facade's, and each layer module's
    # ``__all__`` (the facade is small; the layers hold the rest).
    modules = [parindex] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(parindex.__path__, "parindex.")
        # the command modules of the CLI are its plumbing; parindex.cli.main is its API
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
        and not info.name.startswith("parindex.cli.")
    ]
    public = {
        f"{module.__name__}.{name}": getattr(module, name)
        for module in modules
        for name in getattr(module, "__all__", ())
        if not name.startswith("_")
    }
    missing = [
        name
        for name, obj in public.items()
        if (inspect.isfunction(obj) or inspect.isclass(obj))
        and ">>>" not in (inspect.getdoc(obj) or "")
    ]
    assert missing == []
    # Their methods too, and properties (each has one: none is so plain that an example
    # would not help). A member counts where parindex defines it (not what Exception
    # or object provide), with its own docstring (``inspect.getdoc`` would borrow a base
    # class's). attrs fields are data, described in the class docstring.
    classes = list({id(obj): obj for obj in public.values() if inspect.isclass(obj)}.values())
    members = {
        f"{cls.__name__}.{name}": raw.fget if isinstance(raw, property) else raw
        for cls in classes
        if inspect.isclass(cls)
        for base in reversed(cls.__mro__)
        if base.__module__.startswith("parindex")
        for name, raw in vars(base).items()
        if not name.startswith("_")
        and (inspect.isfunction(raw) or isinstance(raw, property | classmethod | staticmethod))
    }
    assert len(members) > 100  # the collection itself works
    missing = sorted(
        name
        for name, member in members.items()
        if ">>>" not in (inspect.unwrap(getattr(member, "__func__", member)).__doc__ or "")
    )
    assert missing == []


def test_appraisal_and_survey_components_follow_from_the_leaves() -> None:
    # The illustrative set is complete and its survey leaves add up to the survey
    # component (2 + 3 + 8 + 3 + 4 = 20), so leaf points determine both components.
    rows = full_illustrative_sheet()
    unit = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows)).unit("Huyện A")
    assert (unit.components["appraisal"].points, unit.components["survey"].points) == (80.0, 20.0)
    rows = [r | {"points": 4.0} if r["node"] == "3.3" else r for r in rows]  # survey leaf 8 -> 4
    rows = [r for r in rows if r["node"] != "1.3.1"] + [
        {"unit": "Huyện A", "node": "1.3.1", "status": "na"}  # appraisal leaf, max 2
    ]
    unit = parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows)).unit("Huyện A")
    survey, appraisal = unit.components["survey"], unit.components["appraisal"]
    assert (survey.points, survey.max_points, survey.index) == (16.0, 20.0, 80.0)
    assert (appraisal.points, appraisal.max_points) == (78.0, 78.0)
    # Given components must agree with the leaves, not only in their sum (80 + 14 = 94,
    # the tree's total, but the appraised leaves add up to 78).
    rows += [
        {"unit": "Huyện A", "node": "appraisal", "points": 80},
        {"unit": "Huyện A", "node": "survey", "points": 14},
    ]
    with pytest.raises(parindex.errors.ConflictError, match=r"'appraisal'.*80.*78"):
        parindex.score(ILLUSTRATIVE, ScoreSheet.from_records(rows))


def test_components_are_not_derived_from_a_partial_tree() -> None:
    # province-2022 declares components but its tree has no leaves with methods.
    rows = [
        {"unit": "Đắk Lắk", "node": node, "points": pts}
        for node, pts in [
            ("appraisal", 57.92),
            ("impact", 2.97),
            ("leader_survey", 18.29),
            ("sipas", 8.15),
        ]
    ]
    unit = parindex.score("province-2022", ScoreSheet.from_records(rows)).unit("Đắk Lắk")
    assert parindex.round_half_up(unit.total.index or 0) == 87.33
    assert all(n.status == "unknown" for n in unit.nodes.values())
