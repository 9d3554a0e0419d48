"""Completing a methodology from a tidy table, diffing methodologies, and the units
data (provinces before/after 1 July 2025, ministries per year)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes_no", {"kind": "yes_no"}),
        ("yes_no: yes=1; no=0.5", {"kind": "yes_no", "yes_points": 1.0, "no_points": 0.5}),
        ("points", {"kind": "points"}),
        ("deduction: 0.25", {"kind": "deduction", "per_occurrence": 0.25}),
        ("deduction: per=0.5; floor=0", {"kind": "deduction", "per_occurrence": 0.5}),
        ("proportional: full_at=90", {"kind": "proportional", "full_at": 90.0, "rate": True}),
        (
            "categorical: đúng hạn=1; chậm=0.5; không=0",
            {
                "kind": "categorical",
                "levels": [
                    {"label": "đúng hạn", "points": 1.0},
                    {"label": "chậm", "points": 0.5},
                    {"label": "không", "points": 0.0},
                ],
            },
        ),
        (
            "tiers: >90:2; 70-90:1; <70:0",
            {
                "kind": "tiers",
                "tiers": [
                    {"min_exclusive": 90.0, "points": 2.0},
                    {"min_inclusive": 70.0, "max_inclusive": 90.0, "points": 1.0},
                    {"max_exclusive": 70.0, "points": 0.0},
                ],
            },
        ),
    ],
)
def test_compact_rule_syntax(text: str, expected: dict[str, object]) -> None:
    rule = parindex.authoring.complete.parse_rule(text)
    assert rule is not None
    got = rule.to_dict()
    for key, value in expected.items():
        if key == "levels":
            assert [(lv["label"], lv["points"]) for lv in got["levels"]] == [
                (lv["label"], lv["points"])
                for lv in value  # type: ignore[attr-defined]
            ]
        else:
            assert got[key] == value, key
    # JSON is always accepted and means the same.
    assert parindex.authoring.complete.parse_rule(json.dumps(rule.to_dict())) == rule


@pytest.mark.parametrize(
    "text", ["tiers: 80..90:1", "tiers: >=80", "categorical: on time", "lottery", '{"kind": 1']
)
def test_bad_rule_text_is_a_methodology_error(text: str) -> None:
    with pytest.raises(parindex.errors.MethodologyError, match=r"node 2\.1"):
        parindex.authoring.complete.parse_rule(text, node="2.1")


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=1, max_value=100),
    st.booleans(),
    st.booleans(),
)
def test_tier_ranges_keep_their_inclusivity(
    lo: int, width: int, lo_excl: bool, hi_excl: bool
) -> None:
    hi = lo + width
    text = (
        f"tiers: {'>' if lo_excl else ''}{lo}-{'<' if hi_excl else '<='}{hi}:1; "
        f"{'<=' if lo_excl else '<'}{lo}:0; {'>=' if hi_excl else '>'}{hi}:0"
    )
    rule = parindex.authoring.complete.parse_rule(text)
    assert isinstance(rule, parindex.rules.PercentTiers)
    (tier,) = [t for t in rule.tiers if t.points == 1]
    assert (tier.lower, tier.upper) == (lo, hi)
    assert tier.lower_inclusive is not lo_excl
    assert tier.upper_inclusive is not hi_excl


# --------------------------------------------------------------------------- complete


def _ministry_2017_table() -> pd.DataFrame:
    """A made-up but consistent full table for ministry-2017: the published field
    maxima (https://bonoivu.cls.vn/BoNoiVuTemplate/ChiTietKhoaHoc/20330) with the
    declared numbers of criteria and sub-criteria, points split evenly."""
    m = parindex.get_methodology("ministry-2017")
    rows = []
    for f in m.tree:
        assert f.max_points is not None
        rows.append({"id": f.id, "max_points": f"{f.max_points:g}"})
        n_crit, n_sub = f.counts["criteria"], f.counts["sub_criteria"]
        subs = [n_sub // n_crit + (1 if i < n_sub % n_crit else 0) for i in range(n_crit)]
        for i, k in enumerate(subs, start=1):
            share = f.max_points / n_crit
            rows.append({"id": f"{f.id}.{i}", "max_points": repr(share)})
            rows.extend(
                {"id": f"{f.id}.{i}.{j}", "max_points": repr(share / k), "rule": "points"}
                for j in range(1, k + 1)
            )
    return pd.DataFrame(rows)


def test_consistent_table_completes_the_skeleton(tmp_path: Path) -> None:
    skel = parindex.get_methodology("ministry-2017")
    table = _ministry_2017_table()
    assert parindex.authoring.complete.compare_with_skeleton(skel, table) == []
    done = parindex.complete_methodology(skel, table, source_url="https://example.org/annex")
    assert done.complete
    assert [n.max_points for n in done.tree] == [n.max_points for n in skel.tree]
    assert sum(1 for _ in done.nodes()) == 7 + 37 + 79
    assert done.sources["table"].url == "https://example.org/annex"
    assert [f for f in parindex.check_methodology(done) if f.severity == "error"] == []
    # CSV and xlsx give the same result.
    csv = tmp_path / "annex.csv"
    table.to_csv(csv, index=False)
    assert parindex.complete_methodology(skel, csv, source_url="https://example.org/annex") == done
    xlsx = tmp_path / "annex.xlsx"
    table.to_excel(xlsx, index=False)
    assert parindex.complete_methodology(skel, xlsx, source_url="https://example.org/annex") == done


def test_table_contradicting_a_known_maximum_names_node_and_both_values() -> None:
    skel = parindex.get_methodology("ministry-2017")
    table = _ministry_2017_table()
    table.loc[table["id"] == "6", "max_points"] = "8"  # published: 7.5
    with pytest.raises(parindex.errors.MethodologyError) as info:
        parindex.complete_methodology(skel, table)
    assert info.value.node == "6"
    assert "node 6: max_points is 7.5 in the skeleton but 8 in the table" in str(info.value)
    report = parindex.authoring.complete.compare_with_skeleton(skel, table)
    assert parindex.authoring.complete.Disagreement("6", "max_points", 7.5, 8.0) in report


def test_accepting_the_table_records_the_disagreement_in_notes() -> None:
    skel = parindex.get_methodology("ministry-2017")
    table = _ministry_2017_table()
    table = table[table["id"] != "7.5.3"].copy()  # one sub-criterion fewer than declared
    table.loc[table["id"].isin(["7.5.1", "7.5.2"]), "max_points"] = repr(17.5 / 5 / 2)
    with pytest.raises(parindex.errors.MethodologyError, match=r"counts\.sub_criteria is 19"):
        parindex.complete_methodology(skel, table)
    done = parindex.complete_methodology(skel, table, accept_table=True)
    assert "node 7: counts.sub_criteria is 19 in the skeleton but 18 in the table" in done.notes
    assert done.counts["sub_criteria"] == 78


def test_component_split_disagreement_is_reported() -> None:
    skel = parindex.get_methodology("ministry-2022")  # survey 31.5 of 100
    rows = [{"id": "1", "max_points": "100"}, {"id": "1.1", "max_points": "40", "method": "survey"}]
    rows.append({"id": "1.2", "max_points": "60", "method": "appraisal"})
    report = parindex.authoring.complete.compare_with_skeleton(skel, pd.DataFrame(rows))
    split = [d for d in report if d.what == "split"]
    assert (
        parindex.authoring.complete.Disagreement("component:survey", "split", 31.5, 40.0) in split
    )


def test_marked_leaves_worth_more_than_their_components_disagree_whatever_is_unmarked() -> None:
    skel = parindex.get_methodology("ministry-2022")  # survey 31.5 of 100
    rows = [{"id": "1", "max_points": "100"}, {"id": "1.1", "max_points": "40", "method": "survey"}]
    rows.append({"id": "1.2", "max_points": "60"})  # no method: the split is not known
    report = parindex.authoring.complete.compare_with_skeleton(skel, pd.DataFrame(rows))
    assert [d for d in report if d.what == "split"] == [
        parindex.authoring.complete.Disagreement("component:survey", "split", 31.5, 40.0)
    ]
    rows[1]["max_points"], rows[2]["max_points"] = "30", "70"  # short, but 1.2 may be survey
    report = parindex.authoring.complete.compare_with_skeleton(skel, pd.DataFrame(rows))
    assert [d for d in report if d.what == "split"] == []


def test_complete_cli(tmp_path: Path) -> None:
    csv = tmp_path / "annex.csv"
    _ministry_2017_table().to_csv(csv, index=False)
    out_file = tmp_path / "out.yaml"
    code, out, err = run("complete", "ministry-2017", str(csv), "-o", str(out_file))
    assert code == 0, err
    assert "wrote" in out
    assert parindex.load_methodology(out_file).complete
    bad = tmp_path / "bad.csv"
    bad.write_text("id,max_points\n1,13\n", encoding="utf-8")
    code, _, err = run("complete", "ministry-2017", str(bad))
    assert code == 2
    assert "node 1: max_points is 12 in the skeleton but 13 in the table" in err


def test_complete_cli_reports_every_disagreement(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,max_points\n1,13\n2,99\n3,1\n4,2\n5,3\n", encoding="utf-8")
    problems = parindex.authoring.complete.compare_with_skeleton(
        parindex.get_methodology("ministry-2017"),
        parindex.authoring.complete.load_methodology_table(bad),
    )
    assert len(problems) > 3
    code, out, err = run("complete", "ministry-2017", str(bad))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert f"in {len(problems)} places" in err
    assert "more)" not in err
    for problem in problems:
        assert str(problem) in err
    for node in "12345":
        assert f"node {node}: max_points is" in err


def test_a_name_column_is_the_vietnamese_name(tmp_path: Path) -> None:
    csv = tmp_path / "annex.csv"
    csv.write_text("id,name,max_points\n1,Công tác chỉ đạo,12\n", encoding="utf-8")
    table = parindex.authoring.complete.load_methodology_table(csv)
    assert table.loc[0, "name_vi"] == "Công tác chỉ đạo"
    assert list(table.columns) == ["id", "name_vi", "name_en", "max_points", "method", "rule"]
    both = pd.DataFrame({"id": ["1"], "Name": ["a"], "name_vi": ["b"]})
    with pytest.raises(parindex.errors.InputFormatError, match="both 'name' and 'name_vi'"):
        parindex.authoring.complete.load_methodology_table(both)


def test_the_specified_columns_id_name_maximum_method_rule_are_read(tmp_path: Path) -> None:
    csv = tmp_path / "annex.csv"
    csv.write_text(
        "id,name,maximum,method,rule\n1,Công tác chỉ đạo,12,appraisal,direct\n",
        encoding="utf-8",
    )
    table = parindex.authoring.complete.load_methodology_table(csv)
    assert table.loc[0, ["name_vi", "max_points", "method"]].tolist() == [
        "Công tác chỉ đạo",
        "12",
        "appraisal",
    ]
    both = pd.DataFrame({"id": ["1"], "maximum": ["1"], "max_points": ["2"]})
    with pytest.raises(parindex.errors.InputFormatError, match="both 'maximum' and 'max_points'"):
        parindex.authoring.complete.load_methodology_table(both)


def test_table_needs_an_id_column() -> None:
    with pytest.raises(parindex.errors.InputFormatError, match="'id' column"):
        parindex.authoring.complete.load_methodology_table(pd.DataFrame({"name": ["x"]}))


# --------------------------------------------------------------------------- diff


def test_diff_2017_to_2022_provinces() -> None:
    d = parindex.diff_methodologies("2948/QĐ-BNV province", "province-2023")
    renamed = {c.node: (c.before, c.after) for c in d.of_kind("renamed")}
    assert renamed["7"] == (
        "Hiện đại hóa hành chính",
        "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
    )
    reweighted = {c.node: (c.before, c.after) for c in d.of_kind("reweighted")}
    assert reweighted == {
        "1": (10, 9.5),
        "3": (14.5, 13),
        "4": (11, 10.5),
        "5": (16, 15),
        "8": (15.5, 16.5),
    }
    assert {c.node for c in d.of_kind("max_unknown")} == {"2", "6", "7"}
    (share,) = d.of_kind("survey_share")
    assert (share.before, share.after) == (None, 32.0)


def test_diff_ministry_survey_share_fell() -> None:
    # 1149: 36.5 survey points; 876: 31.5 (thuvienphapluat digest)
    d = parindex.diff_methodologies("ministry-2021", "ministry-2023")
    (share,) = d.of_kind("survey_share")
    assert (share.before, share.after) == (36.5, 31.5)
    frame = d.to_frame()
    assert list(frame.columns) == ["kind", "node", "detail", "before", "after"]
    assert len(frame) == len(d)


def test_diff_with_itself_is_empty() -> None:
    assert len(parindex.diff_methodologies("province-2017", "province-2017")) == 0


def test_diff_cli_json() -> None:
    code, out, _ = run("diff", "ministry-2020", "ministry-2022", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["from"] == "ministry-2020"
    assert {
        "kind": "survey_share",
        "node": None,
        "detail": "survey points",
        "before": 36.5,
        "after": 31.5,
    } in doc["changes"]


# --------------------------------------------------------------------------- units


def test_province_lists() -> None:
    before, after = parindex.io.units.provinces(2024), parindex.io.units.provinces(2025)
    assert (len(before), len(after)) == (63, 34)
    assert len({u.code for u in before}) == 63
    assert len({u.name for u in after}) == 34
    assert len(parindex.io.units.provinces(dt.date(2025, 7, 1))) == 34
    assert {u.code: u.name for u in before}["66"] == "Đắk Lắk"


def test_merger_date_is_data() -> None:
    # The merger date and the evaluation year it first applies to are read from
    # parindex/data/units/provinces.yaml, not written in code.
    from importlib import resources

    text = (resources.files("parindex") / "data" / "units" / "provinces.yaml").read_text(
        encoding="utf-8"
    )
    assert "valid_from: 2025-07-01" in text
    assert "first_evaluation_year: 2025" in text
    merger = parindex.io.units.MERGER_DATE
    assert merger == dt.date(2025, 7, 1)
    assert len(parindex.io.units.provinces(merger - dt.timedelta(days=1))) == 63
    assert len(parindex.io.units.provinces(merger)) == 34
    assert len(parindex.io.units.provinces(merger.year - 1)) == 63
    with pytest.raises(TypeError, match="a year or a date"):
        parindex.io.units.provinces("2025")  # type: ignore[arg-type]


def test_merger_mapping_partitions_the_63() -> None:
    groups = [
        parindex.io.units.province_predecessors(u.name) for u in parindex.io.units.provinces(2025)
    ]
    assert sorted(u.code for g in groups for u in g) == sorted(
        u.code for u in parindex.io.units.provinces(2024)
    )
    assert sum(len(g) == 1 for g in groups) == 11  # 11 provinces were not merged
    for u in parindex.io.units.provinces(2024):
        succ = parindex.io.units.province_successor(u.name)
        assert u in parindex.io.units.province_predecessors(succ.code)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Đắk Nông", "Lâm Đồng"),
        ("Bình Dương", "TP. Hồ Chí Minh"),
        ("Kon Tum", "Quảng Ngãi"),
        ("Hà Tĩnh", "Hà Tĩnh"),
    ],
)
def test_province_successor(old: str, new: str) -> None:
    assert parindex.io.units.province_successor(old).name == new


def test_unknown_province_is_an_error() -> None:
    with pytest.raises(parindex.errors.UnknownUnitError, match="Dak Lak"):
        parindex.io.units.province_successor("Dak Lak")


def test_ministry_rosters() -> None:
    assert [
        parindex.io.units.assessed_ministries(y).ranked for y in (2012, 2017, 2018, 2019, 2022)
    ] == [
        19,
        19,
        18,
        17,
        17,
    ]
    r = parindex.io.units.assessed_ministries(2022)
    assert len(r.ranked_names) == 17
    assert not set(r.unranked) & set(r.ranked_names)
    assert r.source.url.startswith("http")
    with pytest.raises(parindex.errors.UnknownUnitError, match="years covered: 2012"):
        parindex.io.units.assessed_ministries(2011)


def test_unranked_agree_with_methodologies() -> None:
    for year in (2020, 2021, 2022, 2023):
        m = parindex.get_methodology(f"ministry-{year}")
        assert set(m.ranking.unranked) == set(parindex.io.units.assessed_ministries(year).unranked)
    assert math.isclose(
        sum(c.max_points or 0 for c in parindex.get_methodology("ministry-2023").components), 100
    )
