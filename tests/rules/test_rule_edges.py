"""Every rule kind at its edges: exactly on a bound, exactly at the maximum, the first
value refused, the defaults of a rule file, and tier sets that must be refused.
Written to kill the mutants of ``tools/mutate.py`` on ``parindex.rules``."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex.errors import (
    AmbiguousInputError,
    InvalidValueError,
    MethodologyError,
    PointsOutOfRangeError,
)
from parindex.rules import (
    Categorical,
    Deduction,
    DirectPoints,
    Level,
    PercentTiers,
    Proportional,
    Tier,
    YesNo,
    conversion,
    parse_rate,
    rule_from_dict,
)
from parindex.rules.conversion import (
    ConversionPolicy,
    SurveyStats,
    get_policy,
    ratio,
    register_policy,
)
from parindex.rules.kinds import flag_setting
from parindex.rules.rates import rate_measures

# 100 % -> 3; [80, 100) -> 2; (50, 80) -> 1; [0, 50] -> 0: every kind of bound.
TIERS = {
    "kind": "tiers",
    "tiers": [
        {"min_inclusive": 100, "points": 3},
        {"min_inclusive": 80, "max_exclusive": 100, "points": 2},
        {"min_exclusive": 50, "max_exclusive": 80, "points": 1},
        {"max_inclusive": 50, "points": 0},
    ],
}
LEVELS = {
    "kind": "categorical",
    "levels": [
        {"label": "đúng hạn", "points": 1, "aliases": ["on time"]},
        {"label": "chậm", "points": 0.5, "aliases": ["late"]},
        {"label": "không ban hành", "points": 0},
    ],
}
YES_NO = {"kind": "yes_no"}
YES_NO_PARTIAL = {"kind": "yes_no", "yes_points": 1.5, "no_points": 0.5}
SHARE = {"kind": "proportional", "full_at": 30}
SHARE_DEFAULT = {"kind": "proportional"}
COUNT = {"kind": "proportional", "full_at": 10, "rate": False}
DEDUCT = {"kind": "deduction", "per_occurrence": 0.5}
DEDUCT_FLOOR = {"kind": "deduction", "per_occurrence": 1, "floor": 0.5}
DIRECT = {"kind": "points"}

# (rule, node maximum, raw value, rate scale, points or the error parse raises)
EDGES: list[tuple[dict[str, Any], float, object, str | None, float | type[Exception]]] = [
    # tiers: exactly on each bound, and just inside
    (TIERS, 3, "100%", None, 3.0),
    (TIERS, 3, "99.99%", None, 2.0),
    (TIERS, 3, "80%", None, 2.0),
    (TIERS, 3, "79.99%", None, 1.0),
    (TIERS, 3, "50.01%", None, 1.0),
    (TIERS, 3, "50%", None, 0.0),
    (TIERS, 3, "0%", None, 0.0),
    (TIERS, 3, " 80 % ", None, 2.0),
    (TIERS, 3, 1.0, "fraction", 3.0),
    (TIERS, 3, 0.8, "fraction", 2.0),
    (TIERS, 3, 0.5, "fraction", 0.0),
    (TIERS, 3, 0.0, "fraction", 0.0),
    (TIERS, 3, 100, "percent", 3.0),
    (TIERS, 3, 0, "percent", 0.0),
    (TIERS, 3, "100.01%", None, PointsOutOfRangeError),
    (TIERS, 3, "-0.01%", None, PointsOutOfRangeError),
    (TIERS, 3, 100.01, "percent", PointsOutOfRangeError),
    (TIERS, 3, -0.01, "percent", PointsOutOfRangeError),
    (TIERS, 3, 1.01, "fraction", PointsOutOfRangeError),
    (TIERS, 3, -0.01, "fraction", PointsOutOfRangeError),
    (TIERS, 3, 97, None, AmbiguousInputError),
    (TIERS, 3, "97", None, AmbiguousInputError),
    (TIERS, 3, "97,5%", None, AmbiguousInputError),
    # yes / no: the node maximum for yes, unless yes_points says otherwise
    (YES_NO, 2, True, None, 2.0),
    (YES_NO, 2, False, None, 0.0),
    (YES_NO, 2, np.bool_(True), None, 2.0),
    (YES_NO, 2, 1, None, 2.0),
    (YES_NO, 2, 0, None, 0.0),
    (YES_NO, 2, 1.0, None, 2.0),
    (YES_NO, 2, np.int64(0), None, 0.0),
    (YES_NO, 2, "có", None, 2.0),
    (YES_NO, 2, "  YES ", None, 2.0),
    (YES_NO, 2, "Không   Đạt", None, 0.0),
    (YES_NO, 2, "x", None, 2.0),
    (YES_NO, 2, 5, None, InvalidValueError),
    (YES_NO, 2, 0.5, None, InvalidValueError),
    (YES_NO, 2, 2, None, InvalidValueError),
    (YES_NO, 2, -1, None, InvalidValueError),
    (YES_NO, 2, "maybe", None, InvalidValueError),
    (YES_NO, 2, None, None, InvalidValueError),
    (YES_NO_PARTIAL, 2, "yes", None, 1.5),
    (YES_NO_PARTIAL, 2, "no", None, 0.5),
    # categorical: labels and aliases, whatever the case, Unicode form or spacing
    (LEVELS, 1, "đúng hạn", None, 1.0),
    (LEVELS, 1, "ON TIME", None, 1.0),
    (LEVELS, 1, "Chậm", None, 0.5),
    (LEVELS, 1, "cha\u0323\u0302m", None, 0.5),  # decomposed (NFD) spelling
    (LEVELS, 1, " late ", None, 0.5),
    (LEVELS, 1, "không  ban hành", None, 0.0),
    (LEVELS, 1, "early", None, InvalidValueError),
    (LEVELS, 1, 1, None, InvalidValueError),  # a number is never a level
    # proportional: max * min(measure / full_at, 1)
    (SHARE, 2, "15%", None, 1.0),  # 2 * 15 / 30
    (SHARE, 2, "30%", None, 2.0),
    (SHARE, 2, "60%", None, 2.0),  # capped
    (SHARE, 2, "0%", None, 0.0),
    (SHARE, 2, 0.15, "fraction", 1.0),
    (SHARE, 2, 15, None, AmbiguousInputError),
    (SHARE_DEFAULT, 10, "50%", None, 5.0),  # full at 100 % by default
    (SHARE_DEFAULT, 10, "100%", None, 10.0),
    (COUNT, 2, 4, None, 0.8),  # 2 * 4 / 10
    (COUNT, 2, 10, None, 2.0),
    (COUNT, 2, 25, None, 2.0),
    (COUNT, 2, 0, None, 0.0),
    (COUNT, 2, "5", None, 1.0),
    (COUNT, 2, -1, None, PointsOutOfRangeError),
    (COUNT, 2, "4%", None, InvalidValueError),  # a count, not a rate
    # deduction: max - per_occurrence * count, never below the floor
    (DEDUCT, 2, 0, None, 2.0),
    (DEDUCT, 2, 1, None, 1.5),
    (DEDUCT, 2, "3", None, 0.5),
    (DEDUCT, 2, 4, None, 0.0),
    (DEDUCT, 2, 9, None, 0.0),
    (DEDUCT, 2, 1.5, None, PointsOutOfRangeError),
    (DEDUCT, 2, -1, None, PointsOutOfRangeError),
    (DEDUCT, 2, "1,5", None, AmbiguousInputError),
    (DEDUCT_FLOOR, 2, 1, None, 1.0),
    (DEDUCT_FLOOR, 2, 2, None, 0.5),
    (DEDUCT_FLOOR, 2, 5, None, 0.5),
    # points entered directly: 0 to the maximum, a hair of float noise allowed
    (DIRECT, 2, 2, None, 2.0),
    (DIRECT, 2, 2 + 5e-10, None, 2 + 5e-10),
    (DIRECT, 2, 2 + 1e-9, None, 2 + 1e-9),  # exactly the edge of the tolerance
    (DIRECT, 2, 0, None, 0.0),
    (DIRECT, 2, "1.5", None, 1.5),
    (DIRECT, 2, 2.001, None, PointsOutOfRangeError),
    (DIRECT, 2, 2 + 2e-9, None, PointsOutOfRangeError),
    (DIRECT, 2, -0.001, None, PointsOutOfRangeError),
]


def _id(case: tuple[Any, ...]) -> str:
    rule, maximum, raw, scale, _ = case
    return f"{rule['kind']}-{maximum}-{raw!r}-{scale}"


@pytest.mark.parametrize("case", EDGES, ids=[_id(c) for c in EDGES])
def test_edge_case_table_over_every_rule_kind(case: tuple[Any, ...]) -> None:
    data, maximum, raw, scale, expected = case
    rule = rule_from_dict(data)
    rule.check(maximum, "x")
    numeric = isinstance(raw, int | float | np.number) and not isinstance(raw, bool | np.bool_)
    if isinstance(expected, type):
        with pytest.raises(expected):
            rule.parse(raw, max_points=maximum, rate_scale=scale)
        if numeric:  # the vectorised reading refuses the same value (NaN)
            values = np.array([float(raw)])  # type: ignore[arg-type]
            assert np.isnan(rule.measures(values, max_points=maximum, rate_scale=scale)).all()
        return
    measure = rule.parse(raw, max_points=maximum, rate_scale=scale)
    assert rule.points(np.array([measure]), maximum).tolist() == [expected]
    if numeric and data["kind"] != "categorical":
        # Both readings agree: parse (one value) and measures (a whole column).
        values = np.array([float(raw)])  # type: ignore[arg-type]
        measured = rule.measures(values, max_points=maximum, rate_scale=scale)
        assert measured.tolist() == [measure]
        assert rule.points(measured, maximum).tolist() == [expected]


def _one_leaf(rule: dict[str, Any], maximum: float) -> parindex.Methodology:
    return parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "one-rule",
            "level": "district",
            "evaluation_years": [2024],
            "total_max": maximum,
            "tree": [{"id": "1", "max_points": maximum, "rule": rule}],
        }
    )


@pytest.mark.parametrize(
    "case",
    [c for c in EDGES if not isinstance(c[4], type)][::3],
    ids=[_id(c) for c in EDGES if not isinstance(c[4], type)][::3],
)
def test_scoring_a_sheet_gives_the_table_points(case: tuple[Any, ...]) -> None:
    data, maximum, raw, scale, expected = case
    if isinstance(raw, np.generic):
        raw = raw.item()
    sheet = parindex.ScoreSheet.from_records([{"unit": "A", "node": "1", "value": raw}])
    result = parindex.score(_one_leaf(data, maximum), sheet, rate_scale=scale)
    # Points are snapped to 9 decimals (the number policy): 2 + 5e-10 is 2.000000001.
    assert result.unit("A").nodes["1"].points == pytest.approx(expected, rel=0, abs=1e-9)


# --------------------------------------------------------------------------- defaults


def test_the_defaults_of_a_rule_file_are_those_of_the_classes() -> None:
    assert rule_from_dict({"kind": "yes_no"}) == YesNo() == YesNo(None, 0.0)
    assert rule_from_dict({"kind": "proportional"}) == Proportional() == Proportional(100.0, True)
    assert rule_from_dict({"kind": "deduction", "per_occurrence": 1}) == Deduction(1.0, 0.0)
    assert Deduction(1.0).floor == 0.0
    assert rule_from_dict({"kind": "points"}) == DirectPoints()
    tier = Tier(1.0, lower=10, upper=20)
    assert (tier.lower_inclusive, tier.upper_inclusive) == (True, False)
    assert (Tier(1.0).lower, Tier(1.0).upper) == (None, None)


def test_yes_no_without_no_points_scores_a_no_as_zero() -> None:
    rule = rule_from_dict({"kind": "yes_no", "yes_points": 1})
    assert rule.points(np.array([0.0, 1.0]), 2.0).tolist() == [0.0, 1.0]


def test_proportional_is_full_at_100_percent_by_default() -> None:
    rule = rule_from_dict({"kind": "proportional"})
    assert rule.points(np.array([99.0, 100.0]), 1.0).tolist() == [0.99, 1.0]
    assert rule.parse("99%", max_points=1.0) == 99.0
    count = rule_from_dict({"kind": "proportional", "full_at": 10, "rate": False})
    assert count.parse(250, max_points=1.0) == 250.0  # a count is not capped at 100


def test_a_dropped_rate_flag_is_read_as_a_rate() -> None:
    assert flag_setting(None, "rate", True) is True
    assert flag_setting(None, "rate", False) is False
    assert flag_setting(True, "rate", False) is True
    assert flag_setting(False, "rate", True) is False
    with pytest.raises(MethodologyError, match="true or false"):
        flag_setting(0, "rate", True)


# --------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([{"max_exclusive": 60, "points": 0}, {"min_inclusive": 50, "points": 1}], "overlap"),
        ([{"max_inclusive": 60, "points": 0}, {"min_inclusive": 60, "points": 1}], "overlap at 60"),
        ([{"max_exclusive": 60, "points": 0}, {"min_exclusive": 60, "points": 1}], "60 % itself"),
        ([{"max_exclusive": 50, "points": 0}, {"min_inclusive": 60, "points": 1}], "gap"),
        ([{"min_inclusive": 10, "points": 1}], "from 0 % up to 10"),
        ([{"min_exclusive": 0, "points": 1}], "from 0 % up to 0"),
        ([{"min_inclusive": 0.5, "points": 1}], "from 0 % up to 0.5"),
        ([{"max_inclusive": 90, "points": 1}], "from 90 % to 100"),
        ([{"max_exclusive": 100, "points": 1}], "from 100 % to 100"),
        ([{"max_inclusive": 99.5, "points": 1}], "from 99.5 % to 100"),
        # an unbounded tier anywhere but at an end overlaps its neighbour
        ([{"points": 1}, {"min_inclusive": 50, "points": 0}], "overlap"),
        ([{"max_exclusive": 50, "points": 0}, {"points": 1}], "overlap"),
        ([], "at least one tier"),
    ],
)
def test_tier_sets_that_do_not_cover_0_to_100_once_are_refused(
    tiers: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(MethodologyError, match=message):
        rule_from_dict({"kind": "tiers", "tiers": tiers})


@pytest.mark.parametrize(
    "tiers",
    [
        [{"points": 1}],
        [{"min_inclusive": 0, "max_inclusive": 100, "points": 1}],
        [{"min_inclusive": -5, "max_inclusive": 120, "points": 1}],
        [{"min_inclusive": 0, "points": 1}],
        [{"max_inclusive": 100, "points": 1}],
        # a point tier at 100 %: both of its bounds inclusive
        [
            {"max_exclusive": 100, "points": 0},
            {"min_inclusive": 100, "max_inclusive": 100, "points": 1},
        ],
        [{"max_inclusive": 50, "points": 0}, {"min_exclusive": 50, "points": 1}],
        # listed in any order
        [{"min_inclusive": 50, "points": 1}, {"max_exclusive": 50, "points": 0}],
    ],
)
def test_tier_sets_covering_0_to_100_once_are_accepted(tiers: list[dict[str, Any]]) -> None:
    rule = rule_from_dict({"kind": "tiers", "tiers": tiers})
    assert isinstance(rule, PercentTiers)
    points = rule.points(np.array([0.0, 50.0, 99.9, 100.0]), 1.0)
    assert not np.isnan(points).any()


@pytest.mark.parametrize(
    ("tier", "message"),
    [
        ({"min_inclusive": 60, "max_inclusive": 50, "points": 1}, "empty"),
        ({"min_inclusive": 60, "max_exclusive": 60, "points": 1}, "empty"),
        ({"min_exclusive": 60, "max_inclusive": 60, "points": 1}, "empty"),
        ({"min_inclusive": 0, "points": 1, "color": "red"}, "unknown keys"),
        ({"min_inclusive": 0}, "no 'points'"),
        ({"min_inclusive": 0, "min_exclusive": 0, "points": 1}, "both min_inclusive"),
        ({"max_inclusive": 9, "max_exclusive": 9, "points": 1}, "both max_inclusive"),
        ({"min_inclusive": True, "points": 1}, "tier bound must be a number"),
        ({"max_inclusive": "100", "points": 1}, "tier bound must be a number"),
        ({"points": "1"}, "tier points must be a number"),
        ({"points": math.inf}, "finite"),
    ],
)
def test_a_malformed_tier_is_refused(tier: dict[str, Any], message: str) -> None:
    with pytest.raises(MethodologyError, match=message):
        Tier.from_dict(tier)


@pytest.mark.parametrize(
    "kwargs",
    [{"points": math.inf}, {"points": 1, "lower": math.nan}, {"points": 1, "upper": -math.inf}],
)
def test_a_tier_with_a_non_finite_number_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(MethodologyError, match="finite"):
        Tier(**kwargs)


def test_a_tier_bound_given_as_a_boolean_is_refused() -> None:
    with pytest.raises(MethodologyError, match="lower must be a finite number"):
        Tier(1.0, lower=True)  # type: ignore[arg-type]
    with pytest.raises(MethodologyError, match="upper must be a finite number"):
        Tier(1.0, upper=False)  # type: ignore[arg-type]


def test_tier_membership_on_its_bounds() -> None:
    x = np.array([49.0, 50.0, 51.0, 59.0, 60.0, 61.0])
    default = Tier(1.0, lower=50, upper=60)  # [50, 60)
    assert default.contains(x).tolist() == [False, True, True, True, False, False]
    closed = Tier(1.0, lower=50, upper=60, upper_inclusive=True)
    assert closed.contains(x).tolist() == [False, True, True, True, True, False]
    opened = Tier(1.0, lower=50, upper=60, lower_inclusive=False)
    assert opened.contains(x).tolist() == [False, False, True, True, False, False]
    assert Tier(1.0).contains(x).all()
    assert Tier(1.0, upper=50, upper_inclusive=True).contains(x).tolist()[:3] == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("tier", "words", "data"),
    [
        (Tier(2.0, lower=80, upper=100), "80 % <= x < 100 %: 2 points", None),
        (
            Tier(2.0, lower=80, upper=100, lower_inclusive=False, upper_inclusive=True),
            "80 % < x <= 100 %: 2 points",
            {"min_exclusive": 80.0, "max_inclusive": 100.0, "points": 2.0},
        ),
        (Tier(0.5, upper=50), "x < 50 %: 0.5 points", {"max_exclusive": 50.0, "points": 0.5}),
        (
            Tier(0.5, upper=50, upper_inclusive=True),
            "x <= 50 %: 0.5 points",
            {"max_inclusive": 50.0, "points": 0.5},
        ),
        (Tier(1.0, lower=90), "90 % <= x: 1 point", {"min_inclusive": 90.0, "points": 1.0}),
        (
            Tier(1.0, lower=90, lower_inclusive=False),
            "90 % < x: 1 point",
            {"min_exclusive": 90.0, "points": 1.0},
        ),
        (Tier(1.0), "any x: 1 point", {"points": 1.0}),
    ],
)
def test_a_tier_in_words_and_as_data(tier: Tier, words: str, data: dict[str, Any] | None) -> None:
    assert tier.describe() == words
    if data is not None:
        assert tier.to_dict() == data
    assert Tier.from_dict(tier.to_dict()) == tier


def test_tiers_are_described_best_first_and_checked_against_the_maximum() -> None:
    rule = rule_from_dict(TIERS)
    assert rule.describe() == (
        "100 % <= x: 3 points; 80 % <= x < 100 %: 2 points; "
        "50 % < x < 80 %: 1 point; x <= 50 %: 0 points"
    )
    # An exclusive lower bound sorts after an inclusive one at the same number.
    two = rule_from_dict(
        {
            "kind": "tiers",
            "tiers": [
                {"min_exclusive": 50, "points": 2},
                {"min_inclusive": 50, "max_inclusive": 50, "points": 1},
                {"max_exclusive": 50, "points": 0},
            ],
        }
    )
    assert two.describe() == "50 % < x: 2 points; 50 % <= x <= 50 %: 1 point; x < 50 %: 0 points"
    assert two.points(np.array([49.0, 50.0, 51.0]), 2.0).tolist() == [0.0, 1.0, 2.0]
    rule.check(3.0, "x")
    with pytest.raises(MethodologyError, match=r"tier points 3 exceeds the node maximum 2\.5"):
        rule.check(2.5, "x")
    assert rule_from_dict(rule.to_dict()) == rule
    assert rule.to_dict()["kind"] == "tiers"
    assert len(rule.to_dict()["tiers"]) == 4


# --------------------------------------------------------------------------- check


@pytest.mark.parametrize(
    ("rule", "maximum", "message"),
    [
        (YesNo(), None, "without yes_points needs the node maximum"),
        (YesNo(yes_points=2.5), 2.0, "yes_points 2.5 exceeds"),
        (YesNo(yes_points=1.0, no_points=1.5), 1.2, "no_points 1.5 exceeds"),
        (YesNo(no_points=-0.5), 1.0, "no_points -0.5 must be >= 0"),
        (YesNo(yes_points=math.nan), 1.0, "must be >= 0"),
        (Categorical((Level("a", 1.5), Level("b", 0))), 1.0, "level 'a' 1.5 exceeds"),
        (Categorical((Level("a", 1), Level("b", -1))), 1.0, "level 'b' -1.0 must be >= 0"),
        (Deduction(0.5), None, "deduction rule needs the node maximum"),
        (Deduction(0.5, floor=2.5), 2.0, "deduction floor 2.5 exceeds the node maximum 2"),
        (Proportional(), None, "proportional rule needs the node maximum"),
        (PercentTiers((Tier(-1.0),)), 1.0, "tier points -1.0 must be >= 0"),
    ],
)
def test_check_refuses_points_outside_0_and_the_maximum(
    rule: Any, maximum: float | None, message: str
) -> None:
    with pytest.raises(MethodologyError, match=message) as caught:
        rule.check(maximum, "1.2.3")
    assert caught.value.node == "1.2.3"
    assert "node 1.2.3" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "maximum"),
    [
        (YesNo(yes_points=2.0), 2.0),  # exactly at the maximum
        (YesNo(yes_points=2.0 + 5e-10), 2.0),  # float noise above it
        (YesNo(yes_points=1.0), None),  # yes_points given: no maximum needed
        (YesNo(yes_points=0.0, no_points=0.0), 1.0),
        (Categorical((Level("a", 2.0), Level("b", 0.0))), 2.0),
        (Deduction(0.5, floor=2.0), 2.0),
        (Proportional(), 2.0),
        (DirectPoints(), None),
        (PercentTiers((Tier(2.0),)), 2.0),
    ],
)
def test_check_accepts_points_up_to_the_maximum(rule: Any, maximum: float | None) -> None:
    rule.check(maximum, "1.2.3")


def test_points_a_hair_above_the_maximum_are_noise_more_is_refused() -> None:
    YesNo(yes_points=2.0 + 9e-10).check(2.0, "x")
    YesNo(yes_points=2.0 + 1e-9).check(2.0, "x")  # the edge of the tolerance itself
    with pytest.raises(MethodologyError, match="exceeds"):
        YesNo(yes_points=2.0 + 2e-9).check(2.0, "x")


# --------------------------------------------------------------------------- yes / no


def test_yes_no_vectorised_reading_and_points() -> None:
    rule = YesNo()
    values = np.array([0.0, 1.0, 0.5, 2.0, -1.0])
    assert np.isnan(rule.measures(values, max_points=1.0)[2:]).all()
    assert rule.measures(values, max_points=1.0)[:2].tolist() == [0.0, 1.0]
    assert rule.points(np.array([0.0, 1.0]), 3.0).tolist() == [0.0, 3.0]
    partial = YesNo(yes_points=1.5, no_points=0.25)
    assert partial.points(np.array([1.0, 0.0]), 3.0).tolist() == [1.5, 0.25]


@pytest.mark.parametrize(
    ("rule", "words", "data"),
    [
        (YesNo(), "yes: full points; no: 0 points", {"kind": "yes_no"}),
        (
            YesNo(yes_points=0.5),
            "yes: 0.5 points; no: 0 points",
            {"kind": "yes_no", "yes_points": 0.5},
        ),
        (
            YesNo(yes_points=1.0, no_points=0.25),
            "yes: 1 point; no: 0.25 points",
            {"kind": "yes_no", "yes_points": 1.0, "no_points": 0.25},
        ),
        (
            YesNo(no_points=0.25),
            "yes: full points; no: 0.25 points",
            {"kind": "yes_no", "no_points": 0.25},
        ),
        (
            Deduction(1.0),
            "full points minus 1 per occurrence, at least 0",
            {"kind": "deduction", "per_occurrence": 1.0},
        ),
        (
            Deduction(0.25, floor=0.5),
            "full points minus 0.25 per occurrence, at least 0.5",
            {"kind": "deduction", "per_occurrence": 0.25, "floor": 0.5},
        ),
        (
            Proportional(),
            "in proportion to the measure, full points at 100 %",
            {"kind": "proportional", "full_at": 100.0, "rate": True},
        ),
        (
            Proportional(full_at=10, rate=False),
            "in proportion to the measure, full points at 10",
            {"kind": "proportional", "full_at": 10.0, "rate": False},
        ),
        (DirectPoints(), "points entered directly", {"kind": "points"}),
        (
            Categorical((Level("a", 1, aliases=("A1",)), Level("b", 0))),
            "a: 1 point; b: 0 points",
            {
                "kind": "categorical",
                "levels": [
                    {"label": "a", "points": 1.0, "aliases": ["A1"]},
                    {"label": "b", "points": 0.0},
                ],
            },
        ),
    ],
)
def test_every_rule_in_words_and_as_data(rule: Any, words: str, data: dict[str, Any]) -> None:
    assert rule.describe() == words
    assert rule.to_dict() == data
    assert rule_from_dict(rule.to_dict()) == rule


# --------------------------------------------------------------------------- categorical


@pytest.mark.parametrize(
    "levels",
    [
        (Level("đúng hạn", 1), Level("Đúng  hạn", 0)),
        (Level("a", 1, aliases=("late",)), Level("late", 0)),
        (Level("a", 1, aliases=("x", "X")),),
    ],
)
def test_a_label_used_twice_is_refused(levels: tuple[Level, ...]) -> None:
    with pytest.raises(MethodologyError, match="used twice"):
        Categorical(levels)


def test_categorical_levels_index_points_and_numbers_are_never_levels() -> None:
    rule = rule_from_dict(LEVELS)
    assert [rule.parse(x, max_points=1.0) for x in ("on time", "late", "không ban hành")] == [
        0.0,
        1.0,
        2.0,
    ]
    assert rule.points(np.array([2.0, 1.0, 0.0]), 1.0).tolist() == [0.0, 0.5, 1.0]
    assert np.isnan(rule.measures(np.array([0.0, 1.0]), max_points=1.0)).all()
    with pytest.raises(MethodologyError, match="at least one level"):
        Categorical(())
    assert Level("a", 1, aliases=["b"]).aliases == ("b",)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- deduction


@pytest.mark.parametrize("per", [0, -0.5, math.inf, math.nan])
def test_a_deduction_must_take_off_a_positive_finite_amount(per: float) -> None:
    with pytest.raises(MethodologyError, match="per_occurrence must be > 0"):
        Deduction(per)


def test_deduction_vectorised_reading() -> None:
    rule = Deduction(0.5)
    values = np.array([0.0, 3.0, 1.5, -1.0, math.inf, math.nan])
    out = rule.measures(values, max_points=2.0)
    assert out[:2].tolist() == [0.0, 3.0]
    assert np.isnan(out[2:]).all()
    assert Deduction(0.5, floor=0.75).points(np.array([0.0, 2.0, 3.0]), 2.0).tolist() == [
        2.0,
        1.0,
        0.75,
    ]


# --------------------------------------------------------------------------- direct


def test_direct_points_without_a_maximum_take_any_finite_non_negative_number() -> None:
    rule = DirectPoints()
    assert rule.parse(1e6, max_points=None) == 1e6
    assert rule.parse(0, max_points=None) == 0.0
    with pytest.raises(PointsOutOfRangeError, match=r"out of range$"):
        rule.parse(-1, max_points=None)
    with pytest.raises(PointsOutOfRangeError, match=r"\(maximum 2\)"):
        rule.parse(3, max_points=2.0)
    values = np.array([0.0, 2.0, 2 + 5e-10, 2 + 2e-9, -1e-9, math.inf, math.nan])
    assert rule.measures(values, max_points=2.0)[:3].tolist() == [0.0, 2.0, 2 + 5e-10]
    assert np.isnan(rule.measures(values, max_points=2.0)[3:]).all()
    unbounded = rule.measures(np.array([1e6, -1.0, math.inf]), max_points=None)
    assert unbounded[0] == 1e6
    assert np.isnan(unbounded[1:]).all()
    assert rule.points(np.array([1.5, 0.0]), 2.0).tolist() == [1.5, 0.0]


# --------------------------------------------------------------------------- proportional


@pytest.mark.parametrize("full_at", [0, -10, math.inf, math.nan])
def test_proportional_must_be_full_at_a_positive_finite_measure(full_at: float) -> None:
    with pytest.raises(MethodologyError, match="full_at must be > 0"):
        Proportional(full_at)


def test_proportional_vectorised_reading() -> None:
    share = Proportional(full_at=30)
    assert share.measures(np.array([0.5]), max_points=2, rate_scale="fraction").tolist() == [50.0]
    assert np.isnan(share.measures(np.array([50.0]), max_points=2)).all()  # ambiguous
    count = Proportional(full_at=10, rate=False)
    out = count.measures(np.array([0.0, 250.0, -1.0, math.inf]), max_points=2)
    assert out[:2].tolist() == [0.0, 250.0]
    assert np.isnan(out[2:]).all()
    assert count.points(np.array([0.0, 5.0, 20.0]), 2.0).tolist() == [0.0, 1.0, 2.0]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        (True, InvalidValueError, "boolean True"),
        (10**400, PointsOutOfRangeError, "401 digits"),
        ("1,5", AmbiguousInputError, "comma"),
        ("inf", PointsOutOfRangeError, "'inf' must be a finite number"),
        ("-Infinity", PointsOutOfRangeError, "must be a finite number"),
        ("nan", PointsOutOfRangeError, "must be a finite number"),
        ("abc", InvalidValueError, "'abc' is not a number"),
        ("1.5.2", InvalidValueError, "is not a number"),
        (math.nan, PointsOutOfRangeError, "must be a finite number, got nan"),
        (math.inf, PointsOutOfRangeError, "must be a finite number"),
        (None, InvalidValueError, "must be a number, got NoneType"),
        ([1], InvalidValueError, "must be a number, got list"),
    ],
)
def test_a_cell_that_is_not_one_plain_finite_number_is_refused(
    raw: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        DirectPoints().parse(raw, max_points=None)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (" 1.5 ", 1.5),
        ("+2", 2.0),
        (".5", 0.5),
        ("1e1", 10.0),
        (np.int64(3), 3.0),
        (np.float32(0.5), 0.5),
    ],
)
def test_plain_numbers_are_read(raw: object, value: float) -> None:
    assert DirectPoints().parse(raw, max_points=None) == value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "deduction", "per_occurrence": True}, "per_occurrence must be a number"),
        ({"kind": "deduction", "per_occurrence": "0.5"}, "per_occurrence must be a number"),
        ({"kind": "deduction", "per_occurrence": 10**400}, "per_occurrence is too large"),
        ({"kind": "deduction", "per_occurrence": math.inf}, "finite number, got inf"),
        ({"kind": "deduction", "per_occurrence": 1, "floor": None}, "deduction floor must be"),
        ({"kind": "deduction"}, "needs 'per_occurrence'"),
        ({"kind": "deduction", "per_occurrence": 1, "cap": 2}, "unknown keys \\['cap'\\]"),
        ({"kind": "yes_no", "yes_points": "1"}, "yes_points must be a number"),
        ({"kind": "yes_no", "no_points": None}, "no_points must be a number"),
        ({"kind": "proportional", "full_at": None}, "full_at must be a number"),
        ({"kind": "proportional", "rate": "false"}, "proportional rate must be true or false"),
        ({"kind": "points", "max": 2}, "unknown keys"),
        ({"kind": "tiers", "tiers": {"points": 1}}, "needs a list 'tiers'"),
        ({"kind": "tiers", "tiers": [1]}, "a tier must be a mapping"),
        ({"kind": "categorical", "levels": {}}, "needs a list 'levels'"),
        ({"kind": "categorical", "levels": ["a"]}, "a level must be a mapping"),
        ({"kind": "categorical", "levels": [{"label": "a"}]}, "level 'a' has no 'points'"),
        ({"kind": "categorical", "levels": [{"label": " ", "points": 1}]}, "label must be text"),
        ({"kind": "categorical", "levels": [{"label": 1, "points": 1}]}, "label must be text"),
        (
            {"kind": "categorical", "levels": [{"label": "a", "points": 1, "aliases": "b"}]},
            "aliases must be a list",
        ),
        (
            {"kind": "categorical", "levels": [{"label": "a", "points": 1, "aliases": [1]}]},
            "aliases must be a list",
        ),
        (
            {"kind": "categorical", "levels": [{"label": "a", "points": 1, "colour": 1}]},
            "level has unknown keys",
        ),
        ({"kind": "lottery"}, "unknown rule kind 'lottery'"),
        ({"kind": None}, "unknown rule kind None"),
        ({"points": 1}, "unknown rule kind"),
        (["yes_no"], "a rule must be a mapping, got list"),
    ],
)
def test_a_malformed_rule_file_entry_is_refused(data: Any, message: str) -> None:
    with pytest.raises(MethodologyError, match=message):
        rule_from_dict(data)


def test_rule_kinds_read_from_data() -> None:
    levels = rule_from_dict(LEVELS)
    assert isinstance(levels, Categorical)
    assert levels.levels[1] == Level("chậm", 0.5, ("late",))
    assert levels.levels[2].aliases == ()
    assert rule_from_dict(YES_NO_PARTIAL) == YesNo(1.5, 0.5)
    assert rule_from_dict(COUNT) == Proportional(10.0, False)
    assert rule_from_dict(DEDUCT_FLOOR) == Deduction(1.0, 0.5)
    assert rule_from_dict(TIERS).tiers[2] == Tier(1.0, 50.0, 80.0, False, False)


# --------------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("raw", "scale", "percent"),
    [
        ("97.5%", None, 97.5),
        ("0%", "fraction", 0.0),  # "%" wins over the scale
        ("100%", None, 100.0),
        (0.8, "fraction", 80.0),
        (1, "fraction", 100.0),
        (0, "fraction", 0.0),
        (80, "percent", 80.0),
        (100, "percent", 100.0),
    ],
)
def test_rates_are_read_into_percent(raw: object, scale: Any, percent: float) -> None:
    assert parse_rate(raw, scale) == percent


def test_rate_measures_mark_what_parse_rate_refuses() -> None:
    values = np.array([-0.1, 0.0, 0.5, 1.0, 1.1])
    assert np.isnan(rate_measures(values, None)).all()
    fraction = rate_measures(values, "fraction")
    assert np.isnan(fraction[[0, 4]]).all()
    assert fraction[1:4].tolist() == [0.0, 50.0, 100.0]
    percent = rate_measures(np.array([-0.1, 0.0, 100.0, 100.1]), "percent")
    assert np.isnan(percent[[0, 3]]).all()
    assert percent[1:3].tolist() == [0.0, 100.0]


@given(st.floats(0, 100, allow_nan=False))
def test_parse_and_measures_agree_on_every_percent(x: float) -> None:
    rule = rule_from_dict(TIERS)
    measured = rule.measures(np.array([x]), max_points=3, rate_scale="percent")
    parsed = rule.parse(x, max_points=3, rate_scale="percent")
    assert measured.tolist() == [parsed]
    expected = 3.0 if x >= 100 else 2.0 if x >= 80 else 1.0 if x > 50 else 0.0
    assert rule.points(measured, 3.0).tolist() == [expected]


# --------------------------------------------------------------------------- data types


def test_the_numbers_of_a_rule_are_floats_whatever_they_were_given_as() -> None:
    # Written back to a methodology file as 1.0, not 1: the converters make them floats.
    numbers = [
        Tier(1).points,
        Deduction(1, 0).per_occurrence,
        Deduction(1, 0).floor,
        Proportional(10).full_at,
        Level("a", 1).points,
        rule_from_dict({"kind": "tiers", "tiers": [{"points": 1}]}).to_dict()["tiers"][0]["points"],
    ]
    assert [type(x) for x in numbers] == [float] * len(numbers)


def test_rules_given_lists_hold_tuples_and_stay_hashable() -> None:
    levels = [Level("a", 1, aliases=["A1"]), Level("b", 0)]
    rule = Categorical(levels)  # type: ignore[arg-type]
    assert rule == Categorical(tuple(levels))
    assert isinstance(rule.levels, tuple)
    assert hash(rule) == hash(Categorical(tuple(levels)))
    tiers = PercentTiers([Tier(1.0, lower=50), Tier(0.0, upper=50)])  # type: ignore[arg-type]
    assert isinstance(tiers.tiers, tuple)
    assert hash(tiers) == hash(PercentTiers((Tier(1.0, lower=50), Tier(0.0, upper=50))))


def test_a_measure_in_no_tier_gets_no_points_rather_than_zero() -> None:
    rule = rule_from_dict(TIERS)
    assert np.isnan(rule.points(np.array([np.nan]), 3.0)).all()


@pytest.mark.parametrize(
    ("data", "raw", "measure"),
    [
        (TIERS, "80%", 80.0),
        (SHARE, "15%", 15.0),
        (YES_NO, "có", 1.0),
        (LEVELS, "late", 1.0),
        (DEDUCT, "2", 2.0),
        (DIRECT, "1.5", 1.5),
    ],
)
def test_every_rule_reads_a_value_without_a_rate_scale(
    data: dict[str, Any], raw: str, measure: float
) -> None:
    rule = rule_from_dict(data)
    assert rule.parse(raw, max_points=3.0) == measure
    assert rule.measures(np.array([1.0]), max_points=3.0).shape == (1,)


# --------------------------------------------------------------------------- survey conversion

# Two units x two respondent groups (weights 3 : 1) x three targets. Answers rescaled to
# [0, 1] are summed in ``total``; ``positive`` counts the satisfied ones.
#   unit 0, group a: n 2, 1, 0   total 2, 0.5, 0     positive 2, 0, 0
#   unit 0, group b: n 2, 0, 4   total 0.5, 0, 1     positive 1, 0, 1
#   unit 1, group a: n 1, 0, 0   total 0.25, 0, 0    positive 0, 0, 0
#   unit 1, group b: n 3, 2, 0   total 3, 1, 0       positive 3, 1, 0
STATS = SurveyStats(
    n=np.array([[[2.0, 1, 0], [2, 0, 4]], [[1, 0, 0], [3, 2, 0]]]),
    total=np.array([[[2.0, 0.5, 0], [0.5, 0, 1]], [[0.25, 0, 0], [3, 1, 0]]]),
    positive=np.array([[[2.0, 0, 0], [1, 0, 1]], [[0, 0, 0], [3, 1, 0]]]),
    weights=np.array([0.75, 0.25]),
    groups=("a", "b"),
    targets=("t1", "t2", "t3"),
)
NAN = math.nan


@pytest.mark.parametrize(
    ("policy", "scores"),
    [
        # answers of both groups pooled: unit 0, t1: (2 + 0.5) / (2 + 2); no answers: NaN
        ("linear_mean", [[0.625, 0.5, 0.25], [0.8125, 0.5, NAN]]),
        # positive answers pooled: unit 0, t1: (2 + 1) / (2 + 2)
        ("share_positive", [[0.75, 0.0, 0.25], [0.75, 0.5, NAN]]),
        # group means weighted over the groups that answered: unit 0, t1: a 1, b 0.25 ->
        # 0.75 x 1 + 0.25 x 0.25; t2 and t3: one group answered, its mean alone
        ("group_weighted_mean", [[0.8125, 0.5, 0.25], [0.4375, 0.5, NAN]]),
    ],
)
def test_each_policy_by_hand_per_unit_and_target(policy: str, scores: list[list[float]]) -> None:
    np.testing.assert_array_equal(get_policy(policy)(STATS), np.array(scores))


def test_group_weights_are_renormalised_over_the_groups_that_answered() -> None:
    # Weights 0.5, 0.3, 0.2; the second group gave no answer, the first only one.
    stats = SurveyStats(
        n=np.array([[1.0], [0], [2]]),
        total=np.array([[0.5], [0], [2]]),
        positive=np.array([[0.0], [0], [2]]),
        weights=np.array([0.5, 0.3, 0.2]),
        groups=("a", "b", "c"),
        targets=("t",),
    )
    # (0.5 x 0.5 + 0.2 x 1) / (0.5 + 0.2) = 0.45 / 0.7
    assert get_policy("group_weighted_mean")(stats).tolist() == [pytest.approx(0.45 / 0.7)]
    # Only a group of weight 0 answered: unknown, not 0.
    stats = attrs.evolve(stats, weights=np.array([0.0, 0.3, 0.7]), n=np.array([[1.0], [0], [0]]))
    assert np.isnan(get_policy("group_weighted_mean")(stats)).all()


def test_ratio_is_nan_where_the_denominator_is_not_positive_and_never_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 1/0, 0/0 and inf/inf stay silent
        got = ratio(
            np.array([0.25, 3.0, 1.0, 0.0, -1.0, np.inf]),
            np.array([0.5, 1.0, 0.0, 0.0, -2.0, np.inf]),
        )
    np.testing.assert_array_equal(got, [0.5, 3.0, NAN, NAN, NAN, NAN])


def _constant(values: list[Any]) -> ConversionPolicy:
    return ConversionPolicy("constant", lambda s: np.array(values))


def test_a_policy_a_hair_outside_0_to_1_is_float_noise_and_clipped() -> None:
    stats = attrs.evolve(STATS, n=STATS.n[0], total=STATS.total[0], positive=STATS.positive[0])
    out = _constant([-1e-9, 1 + 1e-9, 1 + 5e-10])(stats)  # the tolerance itself, and within
    assert out.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("value", [-2e-9, 1 + 2e-9, 1.5, -1.0])
def test_a_policy_further_outside_0_to_1_is_refused(value: float) -> None:
    stats = attrs.evolve(STATS, n=STATS.n[0], total=STATS.total[0], positive=STATS.positive[0])
    with pytest.raises(parindex.errors.QuestionnaireError, match="outside 0-1"):
        _constant([0.5, value, 0.5])(stats)


def test_a_policy_answers_per_unit_and_target() -> None:
    # STATS holds 2 units x 3 targets: a score per target alone is the wrong shape.
    assert _constant([[0.5] * 3] * 2)(STATS).shape == (2, 3)
    with pytest.raises(
        parindex.errors.QuestionnaireError, match=r"shape \(3,\), expected \(2, 3\)"
    ):
        _constant([0.5] * 3)(STATS)


def test_a_policy_may_return_any_real_numbers_such_as_fractions() -> None:
    stats = attrs.evolve(STATS, n=STATS.n[0], total=STATS.total[0], positive=STATS.positive[0])
    out = _constant([Fraction(1, 2), Fraction(1, 4), 1])(stats)
    assert out.dtype == np.float64
    assert out.tolist() == [0.5, 0.25, 1.0]


def test_a_policy_name_must_be_a_well_formed_id() -> None:
    with pytest.raises(parindex.errors.QuestionnaireError, match="not a well-formed id"):
        ConversionPolicy("my policy", lambda s: s.n)
    # A user policy needs only a name and a function; it claims no official evidence.
    policy = ConversionPolicy("mine", lambda s: s.n)
    assert (policy.description, policy.evidence) == ("", "none: a user-supplied policy")


def test_a_policy_repr_leaves_its_function_out() -> None:
    # A function's repr carries a memory address: the policy's repr would differ per run.
    assert repr(ConversionPolicy("mine", lambda s: s.n)) == (
        "ConversionPolicy(name='mine', description='', evidence='none: a user-supplied policy')"
    )


def test_survey_stats_compare_and_hash_by_identity() -> None:
    # Their arrays have no single truth value: equal-looking stats are distinct objects,
    # and stats can key a dict (a policy's cache).
    copy = attrs.evolve(STATS)
    assert copy != STATS
    assert len({STATS, copy}) == 2


def test_registering_a_policy_name_twice_needs_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conversion, "_POLICIES", dict(conversion._POLICIES))  # undone after
    first, second = _constant([0.5] * 3), _constant([0.25] * 3)
    register_policy(first)  # a new name: no replace needed
    assert get_policy("constant") is first
    with pytest.raises(parindex.errors.QuestionnaireError, match="already registered"):
        register_policy(second)
    assert get_policy("constant") is first
    register_policy(second, replace=True)
    assert get_policy("constant") is second
    with pytest.raises(parindex.errors.QuestionnaireError, match="built-in"):
        register_policy(ConversionPolicy("linear_mean", lambda s: s.n), replace=True)
