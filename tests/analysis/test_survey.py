"""Survey component: questionnaires, aggregation policies, SIPAS, bootstrap, CLI."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex.cli import main

from ..conftest import examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "survey-illustrative-district.csv"
POLICIES = ("linear_mean", "share_positive", "group_weighted_mean")
# The illustrative questionnaire's survey leaves and their maxima.
LEAVES = {"1.4.2": 2.0, "2.3": 3.0, "3.3": 8.0, "4.3": 3.0, "7.4": 4.0}


@pytest.fixture(scope="module")
def questionnaire() -> parindex.model.questionnaire.Questionnaire:
    return parindex.io.survey.get_questionnaire("illustrative-district")


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return parindex.load_responses(EXAMPLE)


def _full_responses(
    q: parindex.model.questionnaire.Questionnaire, answer: str, units: int = 2
) -> pd.DataFrame:
    """Every group answers every item it is asked, with the same code ``answer``
    (``"top"`` / ``"bottom"`` pick each scale's end)."""
    rows = []
    for u in range(units):
        for g in q.groups:
            for k in range(2):
                for item in q.items:
                    if item.groups and g.id not in item.groups:
                        continue
                    scale = q.scale_of(item.id)
                    code = {"top": scale.high, "bottom": scale.low}.get(answer, answer)
                    rows.append((f"U{u}", f"{g.id}-{k}", g.id, item.id, str(code)))
    return pd.DataFrame(rows, columns=list(parindex.io.survey.RESPONSE_COLUMNS))


# --------------------------------------------------------------------------- model and files


def test_shipped_questionnaire_is_illustrative_and_fits_its_methodology(questionnaire):
    m = parindex.get_methodology("illustrative-district")
    assert questionnaire.official is False
    assert set(questionnaire.targets) == set(LEAVES)
    questionnaire.check(m)
    for leaf, mx in LEAVES.items():
        assert m.max_points_of(leaf) == mx
        assert m.node(leaf).method == "survey"
    assert sum(LEAVES.values()) == m.component("survey").max_points


def test_questionnaire_round_trips_through_json(questionnaire, tmp_path):
    data = {
        "format": "parindex-questionnaire/1",
        "id": "rt",
        "methodology": "illustrative-district",
        "groups": [{"id": g.id, "weight": g.weight} for g in questionnaire.groups],
        "items": [
            {"id": i.id, "target": i.target, "scale": i.scale, "groups": list(i.groups)}
            for i in questionnaire.items
        ],
    }
    path = tmp_path / "q.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    q = parindex.load_questionnaire(path)
    assert q.targets == questionnaire.targets
    assert [g.weight for g in q.groups] == [g.weight for g in questionnaire.groups]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "x"}, "format"),
        ({"bogus": 1}, "unknown keys"),
        ({"items": [{"id": "Q1", "target": "7.4", "scale": "likert9"}]}, "likert9"),
        ({"items": [{"id": "Q1", "target": "7.4", "scale": "yes_no", "groups": ["x"]}]}, "'x'"),
        ({"policy": "no_such_policy"}, "no_such_policy"),
        ({"groups": [{"id": "c", "weight": -1}]}, "weight"),
        ({"scales": [{"id": "s", "low": 1, "high": 1, "positive_from": 1}]}, "high"),
        ({"scales": [{"id": "s", "low": 1, "high": 5, "positive_from": 4, "dont_know": [3]}]}, "3"),
        # float(True) is 1.0 and float("0.4") is 0.4: neither is a weight
        (
            {"groups": [{"id": "c", "weight": True}]},
            r"group 'c': weight must be a number, got True",
        ),
        ({"groups": [{"id": "c", "weight": "0.4"}]}, r"group 'c': weight .* got '0.4'"),
        ({"scales": [{"id": "s", "low": 1.0, "high": 5, "positive_from": 4}]}, r"low .* got 1.0"),
        (
            {"scales": [{"id": "s", "low": 0, "high": True, "positive_from": 1}]},
            r"high .* got True",
        ),
        (
            {
                "scales": [
                    {"id": "s", "low": 1, "high": 5, "positive_from": 4, "labels": {2.5: "x"}}
                ]
            },
            r"scale 's': label code 2.5 must be a whole number",
        ),
        (
            {
                "scales": [
                    {"id": "s", "low": 0, "high": 1, "positive_from": 1, "labels": {True: "x"}}
                ]
            },
            r"scale 's': label code True",
        ),
        (
            {
                "scales": [
                    {
                        "id": "s",
                        "low": 0,
                        "high": 1,
                        "positive_from": 1,
                        "labels": {1: "a", "1": "b"},
                    }
                ]
            },
            r"scale 's': label code 1 is given twice",
        ),
    ],
)
def test_malformed_questionnaires_are_refused(change, message):
    data = {
        "format": "parindex-questionnaire/1",
        "id": "bad",
        "methodology": "illustrative-district",
        "groups": [{"id": "c"}],
        "items": [{"id": "Q1", "target": "7.4", "scale": "yes_no"}],
    } | change
    with pytest.raises(parindex.errors.QuestionnaireError, match=message):
        parindex.io.survey.questionnaire_from_dict(data)


def test_label_codes_as_text_are_read_as_json_writes_them():
    q = parindex.io.survey.questionnaire_from_dict(
        {
            "format": "parindex-questionnaire/1",
            "id": "j",
            "methodology": "illustrative-district",
            "groups": [{"id": "c", "weight": 2}],
            "scales": [
                {
                    "id": "s",
                    "low": 0,
                    "high": 1,
                    "positive_from": 1,
                    "labels": {"0": "Không", "1": "Có"},
                }
            ],
            "items": [{"id": "Q1", "target": "7.4", "scale": "s"}],
        }
    )
    assert q.scales[0].labels == {0: "Không", 1: "Có"}
    assert q.groups[0].weight == 2.0
    assert type(q.groups[0].weight) is float
    assert parindex.model.questionnaire.RespondentGroup("c", weight=np.float64(0.5)).weight == 0.5


def test_unknown_dont_know_policy_is_one_clean_line():
    with pytest.raises(parindex.errors.QuestionnaireError) as err:
        parindex.io.survey.questionnaire_from_dict(
            {
                "format": "parindex-questionnaire/1",
                "id": "bad",
                "methodology": "illustrative-district",
                "dont_know": "zero",
                "groups": [{"id": "c"}],
                "items": [{"id": "Q1", "target": "7.4", "scale": "yes_no"}],
            }
        )
    assert str(err.value) == (
        "questionnaire bad: dont_know must be 'exclude' or 'lowest', got 'zero'"
    )
    with pytest.raises(
        parindex.errors.QuestionnaireError, match=r"^dont_know must be 'exclude' or"
    ):
        parindex.aggregate_survey(
            parindex.load_responses(EXAMPLE),
            parindex.io.survey.get_questionnaire("illustrative-district"),
            dont_know="zero",
        )


def test_questionnaire_file_is_parsed_safely(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("a: &x [1]\nb: *x\n", encoding="utf-8")
    with pytest.raises(parindex.errors.InputFormatError, match="aliases"):
        parindex.load_questionnaire(path)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("1.4", "not a leaf"),
        ("1.1.1", "appraisal"),
        ("9.9", "neither a node nor a score component"),
    ],
)
def test_targets_must_be_survey_leaves(target, message):
    q = parindex.model.questionnaire.Questionnaire(
        id="t",
        methodology="illustrative-district",
        groups=[parindex.model.questionnaire.RespondentGroup("c")],
        items=[parindex.model.questionnaire.SurveyItem("Q1", target, "yes_no")],
    )
    with pytest.raises(parindex.errors.QuestionnaireError, match=message) as err:
        q.check(parindex.get_methodology("illustrative-district"))
    assert err.value.node == target


def test_questionnaire_for_another_methodology_is_refused(questionnaire):
    with pytest.raises(parindex.errors.QuestionnaireError, match="province-2017"):
        questionnaire.check(parindex.get_methodology("province-2017"))


def test_items_may_feed_a_score_component():
    q = parindex.model.questionnaire.Questionnaire(
        id="comp",
        methodology="ministry-2022",
        groups=[parindex.model.questionnaire.RespondentGroup("leaders")],
        items=[parindex.model.questionnaire.SurveyItem("Q1", "survey", "likert5")],
    )
    frame = pd.DataFrame(
        {"unit": ["Bộ X"] * 2, "respondent": ["a", "b"], "item": ["Q1"] * 2, "answer": ["5", "3"]}
    )
    r = parindex.aggregate_survey(frame, q)
    # linear_mean: mean of (1.0, 0.5) = 0.75 of 31.5 points
    assert r.table["points"].tolist() == [pytest.approx(0.75 * 31.5)]


# --------------------------------------------------------------------------- policies


@pytest.mark.parametrize("policy", POLICIES)
@settings(max_examples=15)
@given(
    extra=st.lists(
        st.tuples(
            st.sampled_from(["citizens", "enterprises", "civil_servants", "leaders", "deputies"]),
            st.sampled_from(["DK", "9", ""]),
        ),
        max_size=4,
    ),
    end=st.sampled_from(["top", "bottom"]),
)
def test_every_answer_at_the_top_gives_the_maximum_and_at_the_bottom_zero(
    questionnaire, policy, extra, end
):
    """Every counted answer at the top of its scale -> the leaf's maximum; at the bottom
    -> zero; extra respondents answering only "don't know" or blank change nothing."""
    frame = _full_responses(questionnaire, end)
    rows = [
        ("U0", f"dk{k}", g, item.id, code)
        for k, (g, code) in enumerate(extra)
        for item in questionnaire.items
        if not item.groups or g in item.groups
    ]
    frame = pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)
    r = parindex.aggregate_survey(frame, questionnaire, policy=policy)
    assert len(r.table) == 2 * len(LEAVES)
    got = r.table.groupby("node")["points"].agg(["min", "max"])
    for leaf, mx in LEAVES.items():
        want = mx if end == "top" else 0.0
        assert got.loc[leaf].tolist() == [want, want]


def test_policies_on_a_hand_computed_case():
    q = parindex.model.questionnaire.Questionnaire(
        id="hand",
        methodology="illustrative-district",
        groups=[
            parindex.model.questionnaire.RespondentGroup("a", weight=3),
            parindex.model.questionnaire.RespondentGroup("b", weight=1),
        ],
        items=[parindex.model.questionnaire.SurveyItem("Q", "7.4", "likert5")],
    )
    # group a: answers 5, 5 (rescaled 1, 1); group b: answers 1, 2, 3 (0, .25, .5)
    frame = pd.DataFrame(
        {
            "unit": ["U"] * 5,
            "respondent": list("pqrst"),
            "group": ["a", "a", "b", "b", "b"],
            "item": ["Q"] * 5,
            "answer": ["5", "5", "1", "2", "3"],
        }
    )

    def points(policy: str) -> float:
        return float(parindex.aggregate_survey(frame, q, policy=policy).table["points"].iloc[0])

    assert points("linear_mean") == pytest.approx((1 + 1 + 0 + 0.25 + 0.5) / 5 * 4)
    assert points("share_positive") == pytest.approx(2 / 5 * 4)
    assert points("group_weighted_mean") == pytest.approx((3 * 1 + 1 * 0.25) / 4 * 4)


def test_dont_know_policy_exclude_or_lowest():
    q = parindex.model.questionnaire.Questionnaire(
        id="dk",
        methodology="illustrative-district",
        groups=[parindex.model.questionnaire.RespondentGroup("c")],
        items=[parindex.model.questionnaire.SurveyItem("Q", "7.4", "likert5")],
    )
    frame = pd.DataFrame(
        {"unit": ["U"] * 3, "respondent": list("abc"), "item": ["Q"] * 3, "answer": ["5", "9", ""]}
    )
    excl = parindex.aggregate_survey(frame, q)
    low = parindex.aggregate_survey(frame, q, dont_know="lowest")
    assert excl.table["points"].iloc[0] == 4.0
    assert low.table["points"].iloc[0] == pytest.approx(4.0 / 3)
    row = excl.table.iloc[0]
    assert (row.answers, row.dont_know, row.blank, row.counted) == (1, 1, 1, 1)
    assert low.table.iloc[0].counted == 3


def test_a_target_with_only_dont_know_has_unknown_points_and_is_left_out_of_the_sheet():
    q = parindex.model.questionnaire.Questionnaire(
        id="dk",
        methodology="illustrative-district",
        groups=[parindex.model.questionnaire.RespondentGroup("c")],
        items=[
            parindex.model.questionnaire.SurveyItem("Q", "7.4", "likert5"),
            parindex.model.questionnaire.SurveyItem("R", "2.3", "likert5"),
        ],
    )
    frame = pd.DataFrame(
        {"unit": ["U", "U"], "respondent": ["a", "a"], "item": ["Q", "R"], "answer": ["DK", "4"]}
    )
    r = parindex.aggregate_survey(frame, q)
    assert r.table.set_index("node")["points"].isna().to_dict() == {"2.3": False, "7.4": True}
    assert [e.node for e in r.to_sheet().entries] == ["2.3"]


def test_a_user_policy_callable_and_a_registered_policy(responses, questionnaire):
    def half(stats: parindex.rules.conversion.SurveyStats) -> np.ndarray:
        return np.where(stats.n.sum(axis=-2) > 0, 0.5, np.nan)

    r = parindex.aggregate_survey(responses, questionnaire, policy=half)
    # 3.3 has a proportional rule on a rate: 50 % of full_at 100 % -> half of 8 points
    assert r.table.groupby("node")["points"].first().to_dict() == {
        k: v / 2 for k, v in LEAVES.items()
    }
    parindex.rules.conversion.register_policy(
        parindex.rules.conversion.ConversionPolicy("test_half", half), replace=True
    )
    again = parindex.aggregate_survey(responses, questionnaire, policy="test_half")
    assert again.table["points"].tolist() == r.table["points"].tolist()
    with pytest.raises(parindex.errors.QuestionnaireError, match="built-in"):
        parindex.rules.conversion.register_policy(
            parindex.rules.conversion.ConversionPolicy("linear_mean", half)
        )


def test_a_policy_returning_nonsense_is_refused(responses, questionnaire):
    with pytest.raises(parindex.errors.QuestionnaireError, match="outside 0-1"):
        parindex.aggregate_survey(responses, questionnaire, policy=lambda s: s.n.sum(axis=-2) + 2.0)
    with pytest.raises(parindex.errors.QuestionnaireError, match="shape"):
        parindex.aggregate_survey(responses, questionnaire, policy=lambda s: s.n)


# --------------------------------------------------------------------------- properties


@st.composite
def survey(draw):
    """Random responses to a two-item leaf (7.4: yes/no + Likert 1-5), two groups."""
    n = draw(st.integers(1, 12))
    rows = []
    for k in range(n):
        group = draw(st.sampled_from(["citizens", "enterprises"]))
        for item, hi in (("Q7a", 1), ("Q7b", 5)):
            lo = 0 if hi == 1 else 1
            ans = draw(st.one_of(st.integers(lo, hi).map(str), st.sampled_from(["DK", ""])))
            rows.append(("U", f"r{k}", group, item, ans))
    return pd.DataFrame(rows, columns=list(parindex.io.survey.RESPONSE_COLUMNS))


def _points(frame, q, policy, dont_know="exclude") -> float:
    t = parindex.aggregate_survey(frame, q, policy=policy, dont_know=dont_know).table
    return float(t["points"].iloc[0])


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("dont_know", ["exclude", "lowest"])
@settings(max_examples=examples(30))
@given(
    frame=survey(),
    item=st.sampled_from(["Q7a", "Q7b"]),
    grp=st.sampled_from(["citizens", "enterprises"]),
)
def test_one_more_top_answer_never_lowers_the_points(
    questionnaire, policy, dont_know, frame, item, grp
):
    before = _points(frame, questionnaire, policy, dont_know)
    code = "1" if item == "Q7a" else "5"
    extra = pd.DataFrame([("U", "new", grp, item, code)], columns=frame.columns)
    after = _points(pd.concat([frame, extra], ignore_index=True), questionnaire, policy, dont_know)
    if np.isnan(before):
        assert after >= 0
    else:
        assert after >= before - 1e-12
    assert 0.0 <= after <= LEAVES["7.4"]


@settings(max_examples=examples(40))
@given(
    frame=survey(),
    grp=st.sampled_from(["citizens", "enterprises"]),
    code=st.sampled_from(["4", "5"]),
)
def test_one_more_positive_answer_never_lowers_share_positive(questionnaire, frame, grp, code):
    before = _points(frame, questionnaire, "share_positive")
    extra = pd.DataFrame([("U", "new", grp, "Q7b", code)], columns=frame.columns)
    after = _points(pd.concat([frame, extra], ignore_index=True), questionnaire, "share_positive")
    assert np.isnan(before) or after >= before - 1e-12


@pytest.mark.parametrize("policy", POLICIES)
@settings(max_examples=examples(40))
@given(frame=survey(), data=st.data())
def test_raising_one_answer_never_lowers_the_points(questionnaire, policy, frame, data):
    answered = np.flatnonzero(frame["answer"].isin(["0", "1", "2", "3", "4"]).to_numpy())
    if answered.size == 0:
        return
    row = data.draw(st.sampled_from(answered.tolist()))
    hi = 1 if frame.loc[row, "item"] == "Q7a" else 5
    current = int(frame.loc[row, "answer"])
    if current >= hi:
        return
    better = frame.copy()
    better.loc[row, "answer"] = str(data.draw(st.integers(current + 1, hi)))
    assert _points(better, questionnaire, policy) >= _points(frame, questionnaire, policy) - 1e-12


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1))
def test_aggregation_is_invariant_to_row_order(responses, questionnaire, seed):
    shuffled = responses.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    a = parindex.aggregate_survey(responses, questionnaire)
    b = parindex.aggregate_survey(shuffled, questionnaire)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.sample_sizes, b.sample_sizes)
    pd.testing.assert_frame_equal(a.bootstrap(20, seed=3), b.bootstrap(20, seed=3))


def test_inputs_are_not_mutated(responses, questionnaire):
    before = responses.copy(deep=True)
    q_before = parindex.io.survey.get_questionnaire("illustrative-district")
    r = parindex.aggregate_survey(responses, questionnaire)
    r.bootstrap(10)
    parindex.analysis.sipas.sipas_index(responses, questionnaire)
    pd.testing.assert_frame_equal(responses, before)
    assert questionnaire == q_before


# --------------------------------------------------------------------------- errors


def _bad(responses: pd.DataFrame, row: int, **changes: str) -> pd.DataFrame:
    frame = responses.copy()
    for col, value in changes.items():
        frame.loc[row, col] = value
    return frame


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"answer": "7"}, ["Huyện A", "CIT01", "Q1", "'7'", "likert4"]),
        ({"answer": "3.5"}, ["Huyện A", "Q1", "'3.5'"]),
        ({"answer": "4,0"}, ["Huyện A", "Q1", "'4,0'"]),
        ({"item": "Q99"}, ["Huyện A", "CIT01", "Q99", "unknown item"]),
        ({"group": "aliens"}, ["Huyện A", "CIT01", "aliens", "unknown respondent group"]),
        ({"group": "leaders"}, ["Huyện A", "CIT01", "not asked"]),
        ({"unit": " "}, ["unit is blank"]),
    ],
)
def test_errors_name_unit_item_and_value(responses, questionnaire, changes, words):
    with pytest.raises(parindex.errors.SurveyResponseError) as err:
        parindex.aggregate_survey(_bad(responses, 0, **changes), questionnaire)
    assert isinstance(err.value, ValueError)
    for word in words:
        assert word in str(err.value)


def test_duplicate_respondent_item_is_refused(responses, questionnaire):
    frame = pd.concat([responses, responses.iloc[[5]]], ignore_index=True)
    with pytest.raises(parindex.errors.SurveyResponseError, match="twice") as err:
        parindex.aggregate_survey(frame, questionnaire)
    e = err.value
    assert (e.unit, e.respondent, e.item) == tuple(
        responses.iloc[5][["unit", "respondent", "item"]]
    )


def test_respondent_ids_are_one_spelling_within_a_unit(responses, questionnaire):
    first = responses.iloc[0]
    recased = responses.copy()
    recased.loc[1, "respondent"] = first["respondent"].lower()  # CIT01 -> cit01
    assert recased.loc[1, "unit"] == first["unit"]
    with pytest.raises(
        parindex.errors.SurveyResponseError, match="differ only in letter case"
    ) as err:
        parindex.aggregate_survey(recased, questionnaire)
    assert (err.value.unit, err.value.respondent) == (first["unit"], first["respondent"].lower())
    hidden = responses.copy()
    hidden.loc[1, "respondent"] = first["respondent"] + "\u2060"  # word joiner, category Cf
    with pytest.raises(parindex.errors.SurveyResponseError, match="U\\+2060"):
        parindex.aggregate_survey(hidden, questionnaire)
    # The same id in another unit is another respondent, whatever its case.
    other = responses[responses.unit != first["unit"]].respondent
    moved = responses.copy()
    there = (moved.unit != first["unit"]) & (moved.respondent == other.iloc[0])
    moved.loc[there, "respondent"] = other.iloc[0].lower()
    assert (moved.respondent == other.iloc[0]).any()  # the id as it was, in the first unit
    expected = parindex.aggregate_survey(responses, questionnaire).table
    pd.testing.assert_frame_equal(parindex.aggregate_survey(moved, questionnaire).table, expected)


def test_respondent_in_two_groups_is_refused(responses, questionnaire):
    frame = _bad(responses, 1, group="enterprises")
    with pytest.raises(parindex.errors.SurveyResponseError, match="two groups"):
        parindex.aggregate_survey(frame, questionnaire)


def test_missing_column_is_refused(responses, questionnaire):
    with pytest.raises(parindex.errors.InputFormatError, match="answer"):
        parindex.aggregate_survey(responses.drop(columns="answer"), questionnaire)


def test_numeric_answer_column_is_read(questionnaire):
    q = parindex.model.questionnaire.Questionnaire(
        id="num",
        methodology="illustrative-district",
        groups=[parindex.model.questionnaire.RespondentGroup("c")],
        items=[parindex.model.questionnaire.SurveyItem("Q", "7.4", "likert5")],
    )
    frame = pd.DataFrame(
        {"unit": ["U"] * 3, "respondent": list("abc"), "item": ["Q"] * 3, "answer": [5, 9, np.nan]}
    )
    row = parindex.aggregate_survey(frame, q).table.iloc[0]
    assert (row.points, row.dont_know, row.blank) == (4.0, 1, 1)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_seeded_and_brackets_the_estimate(responses, questionnaire):
    r = parindex.aggregate_survey(responses, questionnaire)
    a, b = r.bootstrap(300, seed=7), r.bootstrap(300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(r.bootstrap(300, seed=8))
    assert (a["se"] > 0).all()
    assert ((a["lower"] <= a["points"]) & (a["points"] <= a["upper"])).all()
    se = r.standard_errors(300, seed=7)
    assert list(se.columns) == ["unit", "node", "points", "se"]
    assert se["se"].tolist() == a["se"].tolist()


def test_bootstrap_of_unanimous_answers_has_no_spread(questionnaire):
    r = parindex.aggregate_survey(_full_responses(questionnaire, "top"), questionnaire)
    ci = r.bootstrap(50)
    assert (ci["se"] == 0).all()
    assert (ci["lower"] == ci["points"]).all()


def test_bootstrap_arguments_are_checked(responses, questionnaire):
    r = parindex.aggregate_survey(responses, questionnaire)
    with pytest.raises(ValueError, match="replicates"):
        r.bootstrap(1)
    with pytest.raises(ValueError, match="confidence"):
        r.bootstrap(10, confidence=1.5)


# --------------------------------------------------------------------------- flow into the scorer


def test_survey_sheet_flows_into_the_scorer(responses, questionnaire):
    r = parindex.aggregate_survey(responses, questionnaire)
    scores = parindex.score("illustrative-district", r.to_sheet(), missing="zero")
    for rec in r.table.to_dict("records"):
        assert scores.unit(rec["unit"]).nodes[rec["node"]].points == pytest.approx(rec["points"])


def test_fast_scale_smoke(questionnaire):
    """A sizeable batch goes through without timing anything (see benchmarks/survey.py)."""
    rng = np.random.default_rng(0)
    n_resp = 2000
    groups = rng.choice(["citizens", "enterprises"], n_resp)
    unit = rng.choice([f"U{k}" for k in range(20)], n_resp)
    item = np.tile(["Q7b", "Q3a", "Q3b"], n_resp)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(unit, 3),
            "respondent": np.repeat([f"r{k}" for k in range(n_resp)], 3),
            "group": np.repeat(groups, 3),
            "item": item,
            "answer": rng.integers(1, 6, 3 * n_resp).astype(str),
        }
    )
    r = parindex.aggregate_survey(frame, questionnaire)
    assert set(r.table["node"]) == {"7.4", "3.3"}
    assert r.sample_sizes["answers"].sum() == len(frame)


# --------------------------------------------------------------------------- SIPAS


def test_hatinh_2021_sipas_converts_to_9_12_points():
    # Hà Tĩnh 2021: SIPAS "9.12 points, i.e. 91.17 %" of the 10-point block (1149/QĐ-BNV)
    # https://baohatinh.vn/chinh-quyen/ha-tinh-ban-hanh-ke-hoach-khac-phuc-han-che-nang-cao-chi-so-par-index-sipas-nam-2022/236001.htm
    assert parindex.round_half_up(parindex.analysis.sipas.sipas_points(91.17, 10.0)) == 9.12


def test_daklak_2023_sipas_points_read_back_as_a_percentage():
    # Đắk Lắk 2023: SIPAS 8.15 of 10 points (no SIPAS % published alongside it, so this is
    # consistency of the proportional reading, not evidence for it)
    # http://khdt.daklak.gov.vn/dak-lak-tang-10-bac-xep-hang-chi-so-cai-cach-hanh-chinh-nam-2023-1533.html
    pct = parindex.analysis.sipas.sipas_percent(8.15, 10.0)
    assert pct == 81.5
    assert parindex.analysis.sipas.sipas_points(pct, 10.0) == 8.15


@pytest.mark.parametrize(
    ("args", "message"),
    [((101.0, 10.0), "outside"), ((50.0, 0.0), "> 0"), ((float("nan"), 10.0), "finite")],
)
def test_sipas_points_refuses_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        parindex.analysis.sipas.sipas_points(*args)


def test_sipas_index_per_dimension_and_overall(responses, questionnaire):
    t = parindex.analysis.sipas.sipas_index(responses, questionnaire)
    assert set(t["dimension"]) == {"access", "procedures", "civil_servants", "results", "overall"}
    for unit, part in t.groupby("unit"):
        dims = part[part.dimension != "overall"]
        overall = part[part.dimension == "overall"]["percent"].iloc[0]
        assert overall == pytest.approx(dims["percent"].mean())
        # every dimension percent is a share of satisfied answers (4 or 5 on 1-5)
        sub = responses[(responses.unit == unit) & responses.item.isin(["Q3a"])]
        counted = sub[sub.answer.isin(list("12345"))]
        share = counted.answer.isin(["4", "5"]).mean() * 100
        assert dims.set_index("dimension").loc["access", "percent"] == pytest.approx(share)


# --------------------------------------------------------------------------- CLI


def test_cli_survey_output_feeds_score_unchanged(monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "survey",
            "--methodology",
            "illustrative-district",
            "--questionnaire",
            str(ROOT / "src/parindex/data/questionnaires/illustrative-district.yaml"),
            str(EXAMPLE),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert text.splitlines()[0] == "unit,node,points"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    scored, err2 = io.StringIO(), io.StringIO()
    code = main(
        ["score", "-m", "illustrative-district", "--missing", "zero", "--format", "json", "-"],
        stdout=scored,
        stderr=err2,
    )
    assert code == 0, err2.getvalue()
    doc = json.loads(scored.getvalue())
    expected = parindex.aggregate_survey(
        parindex.load_responses(EXAMPLE),
        parindex.io.survey.get_questionnaire("illustrative-district"),
    ).table
    for rec in expected.to_dict("records"):
        unit = next(u for u in doc["units"] if u["unit"] == rec["unit"])
        assert unit["nodes"][rec["node"]]["points"] == pytest.approx(rec["points"], abs=1e-9)


def test_cli_survey_json_and_policy(monkeypatch):
    out = io.StringIO()
    code = main(
        [
            "survey",
            "-m",
            "illustrative-district",
            "--policy",
            "share_positive",
            "--format",
            "json",
            str(EXAMPLE),
        ],
        stdout=out,
    )
    assert code == 0
    doc = json.loads(out.getvalue())
    sheet = parindex.sheet_from_json(out.getvalue())
    assert len(sheet) == len(doc["entries"]) == 15
    monkeypatch.setattr(sys, "stdin", io.StringIO(out.getvalue()))
    assert (
        main(
            ["score", "-m", "illustrative-district", "--missing", "zero", "-"], stdout=io.StringIO()
        )
        == 0
    )


def test_cli_survey_bad_answer_exits_2_with_one_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("unit,respondent,group,item,answer\nA,r1,citizens,Q1,7\n", encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["survey", "-m", "illustrative-district", str(path)], stdout=io.StringIO(), stderr=err
    )
    assert code == 2
    line = err.getvalue()
    assert line.count("\n") == 1
    for word in ("'A'", "Q1", "'7'"):
        assert word in line


def test_cli_survey_unknown_policy_exits_2():
    err = io.StringIO()
    code = main(
        ["survey", "-m", "illustrative-district", "--policy", "nope", str(EXAMPLE)],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 2
    assert "nope" in err.getvalue()
