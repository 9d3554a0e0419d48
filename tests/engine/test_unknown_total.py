"""Methodologies whose total maximum is unknown (``total_max: null``): the total is never
guessed, points still add up, and the index, rank and band of the total stay unknown."""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from pathlib import Path

import attrs
import jsonschema
import pandas as pd
import pytest

import parindex
from parindex.cli import main
from parindex.present.documents import result_document

DATA = Path(str(resources.files("parindex") / "data" / "methodologies"))

# The reference notes give no total for these (shared/reference/methodology/...):
# provincial/bentre-district-2022.yaml, bentre-district-2024.yaml and
# camau-2013-partial.yaml have `scale: {total_max: null}`; national-2012-2019/
# province-2016.yaml, province-2019.yaml and ministry-2019.yaml have
# `total_max_points: null`; national-2020-2026/README.md section 5 says the 2025
# methodology is unknown. The 100 the files used to carry was an inference (confidence I)
# from results being published in percent, as it was for province-2012, ministry-2016
# and ministry-2018.
UNKNOWN_TOTAL = [
    "bentre-district-2022",
    "bentre-district-2024",
    "camau-2013",
    "province-2025",
    "province-2012",
    "province-2016",
    "province-2019",
    "ministry-2016",
    "ministry-2018",
    "ministry-2019",
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _sheet(rows: list[tuple[str, str, float]]) -> parindex.ScoreSheet:
    return parindex.ScoreSheet.from_records(
        [{"unit": u, "node": n, "points": p} for u, n, p in rows]
    )


def _toy(**changes: object) -> parindex.Methodology:
    data: dict[str, object] = {
        "format": "parindex-methodology/1",
        "id": "toy-unknown-total",
        "level": "district",
        "evaluation_years": [2024],
        "official": False,
        "total_max": None,
        "counts": {"fields": 2},
        "tree": [{"id": "1", "max_points": 60}, {"id": "2", "max_points": 40}],
    }
    return parindex.methodology_from_dict(data | changes)


# --------------------------------------------------------------------------- data


@pytest.mark.parametrize("mid", UNKNOWN_TOTAL)
def test_shipped_file_without_a_sourced_total_loads_unknown(mid: str) -> None:
    m = parindex.load_methodology(DATA / f"{mid}.yaml")
    assert m.total_max is None
    assert m.total_source is None
    assert "scale-assumption" not in m.sources
    assert "total_max: null\n" in (DATA / f"{mid}.yaml").read_text(encoding="utf-8")
    assert "100-point total is an assumption" not in m.notes


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_official_total_rests_on_an_inference(path: Path) -> None:
    # A total cited to an inference (confidence I) is a guess: leave it null instead.
    # The one non-official file is an illustration whose every number is invented.
    m = parindex.load_methodology(path)
    if m.total_max is None or not m.official:
        return
    key = m.total_source or m.source
    assert key is not None, f"{m.id}: total_max {m.total_max:g} cites no source"
    assert m.sources[key].confidence != "I", (
        f"{m.id}: total_max {m.total_max:g} rests on an inference (source {key!r}); "
        "use total_max: null"
    )
    assert "inferred" not in {f.code for f in parindex.check_methodology(m)}


def test_bentre_711_years_follow_article_1_and_the_replacement() -> None:
    # Article 1: "the evaluation of 2021 and following years"; replaced by 222/QĐ-UBND
    # of 03/02/2024, whose first evaluation year is not stated: 2023 is not assigned.
    m = parindex.get_methodology("bentre-district-2022")
    assert m.evaluation_years == (2021, 2022)
    assert "2023 is not listed" in m.notes
    assert parindex.get_methodology("bentre-district-2024").evaluation_years == (2024,)


# --------------------------------------------------------------------------- model


def test_unknown_total_is_never_derived_from_exhaustive_fields() -> None:
    m = _toy()
    assert m.children_exhaustive(None)  # counts.fields matches: the fields are the total
    assert m.total_max is None
    codes = {f.code: f for f in parindex.check_methodology(m)}
    assert "add up to 100, not taken as the total" in codes["total-unknown"].message
    scores = parindex.score(m, _sheet([("A", "1", 50), ("A", "2", 30)]), units="free")
    total = scores.unit("A").total
    assert (total.points, total.max_points, total.index) == (80.0, None, None)
    assert scores.unit("A").nodes["1"].index == pytest.approx(50 / 60 * 100)


def test_complete_methodology_needs_a_total() -> None:
    with pytest.raises(parindex.errors.MethodologyError, match="total maximum is unknown"):
        _toy(complete=True)


def test_fields_and_components_must_agree_without_a_total() -> None:
    comps = [{"id": "appraisal", "max_points": 70}, {"id": "survey", "max_points": 20}]
    with pytest.raises(
        parindex.errors.MethodologyError, match="add up to 100 but score components"
    ):
        _toy(components=comps)
    ok = _toy(components=[{"id": "appraisal", "max_points": 70}, {"id": "survey"}])
    assert ok.total_max is None


def test_total_max_key_is_required_but_may_be_null() -> None:
    doc = parindex.methodology_to_dict(_toy())
    assert doc["total_max"] is None  # written out, not dropped
    del doc["total_max"]
    with pytest.raises(parindex.errors.MethodologyError, match="total_max is required"):
        parindex.methodology_from_dict(doc)
    with pytest.raises(parindex.errors.MethodologyError, match="total_max must be > 0"):
        attrs.evolve(_toy(), total_max=0)


def test_unknown_total_round_trips_through_yaml(tmp_path: Path) -> None:
    m = parindex.get_methodology("camau-2013")
    text = parindex.io.methodology.dump_methodology(m)
    assert "total_max: null\n" in text
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    assert parindex.load_methodology(path) == m


def test_methodology_schema_takes_null_and_refuses_zero() -> None:
    validator = jsonschema.Draft202012Validator(parindex.json_schema("methodology"))
    doc = json.loads(run("show", "camau-2013", "--format", "json")[1])
    assert doc["total_max"] is None
    validator.validate(doc)
    assert not validator.is_valid(doc | {"total_max": 0})
    assert validator.is_valid(doc | {"total_max": 20})
    assert not validator.is_valid({k: v for k, v in doc.items() if k != "total_max"})


# --------------------------------------------------------------------------- scoring


def test_points_known_index_unknown_and_no_rank() -> None:
    m = parindex.get_methodology("province-2025")
    scores = parindex.score(m, _sheet([("X", "total", 91.5), ("Y", "total", 88.0)]), units="free")
    for unit, pts in (("X", 91.5), ("Y", 88.0)):
        total = scores.unit(unit).total
        assert (total.points, total.max_points, total.index, total.status) == (
            pts,
            None,
            None,
            "scored",
        )
    ranking = parindex.rank(scores)
    assert ranking.rank_of("X") is None
    assert ranking.rank_of("Y") is None
    table = ranking.to_frame()
    assert table["rank"].isna().all()
    assert table["band"].isna().all()
    totals = scores.totals()
    assert totals["points"].tolist() == [91.5, 88.0]
    assert totals["max_points"].isna().all()
    assert totals["par_index"].isna().all()


def test_partial_tree_keeps_field_indices_under_an_unknown_total() -> None:
    unit = parindex.score("camau-2013", _sheet([("A", "1", 15)]), units="free").unit("A")
    assert unit.nodes["1"].index == 75.0
    assert unit.total.max_points is None
    assert unit.total.index is None


def test_points_above_a_known_maximum_are_still_refused() -> None:
    m = parindex.get_methodology("camau-2013")
    for node, pts in (("1", 20.5), ("1.3", 4), ("1.1.4", 3)):
        with pytest.raises(parindex.errors.PointsOutOfRangeError, match=f"node '{node}'"):
            parindex.score(m, _sheet([("A", node, pts)]), units="free")
    # No maximum anywhere above the total: any finite points >= 0 are accepted.
    big = (
        parindex.score("province-2025", _sheet([("A", "total", 1e6)]), units="free").unit("A").total
    )
    assert (big.points, big.index) == (1e6, None)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_negative_nan_and_infinite_points_are_always_refused(bad: float) -> None:
    with pytest.raises(parindex.errors.PointsOutOfRangeError):
        parindex.score("province-2025", _sheet([("A", "total", bad)]), units="free")
    tidy = pd.DataFrame({"unit": ["A"], "node": ["total"], "points": [bad]})
    if math.isnan(bad):  # NaN in a frame means "not given": a blank row
        with pytest.raises(parindex.errors.ScoreSheetError, match="blank row"):
            parindex.score_frame("province-2025", tidy, units="free")
        return
    with pytest.raises(parindex.errors.PointsOutOfRangeError):
        parindex.score_frame("province-2025", tidy, units="free")


def test_result_json_with_an_unknown_total_validates() -> None:
    scores = parindex.score(
        "camau-2013", _sheet([("A", "1", 15), ("B", "1.3", 2)]), missing="unknown", units="free"
    )
    doc = json.loads(json.dumps(result_document(scores, parindex.rank(scores)), allow_nan=False))
    jsonschema.Draft202012Validator(parindex.json_schema("result")).validate(doc)
    assert [(u["max_points"], u["index"], u["rank"]) for u in doc["units"]] == [
        (None, None, None),
        (None, None, None),
    ]


def test_cli_score_json_with_an_unknown_total_validates(tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text("unit,node,points\nA,total,80\nB,total,70\n", encoding="utf-8")
    code, out, err = run(
        "score", "--units", "free", "-m", "province-2019", str(sheet), "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.Draft202012Validator(parindex.json_schema("result")).validate(doc)
    assert [(u["points"], u["index"], u["rank"]) for u in doc["units"]] == [
        (80, None, None),
        (70, None, None),
    ]


# --------------------------------------------------------------------------- display


def test_show_validate_and_list_say_unknown_never_100() -> None:
    code, out, _ = run("show", "bentre-district-2022")
    assert code == 0
    assert "total unknown" in out
    assert "total 100" not in out
    code, out, _ = run("validate", str(DATA / "bentre-district-2022.yaml"))
    assert code == 0
    assert "info [total-unknown]" in out
    code, out, _ = run("methodologies")
    row = next(line for line in out.splitlines() if line.startswith("bentre-district-2022 "))
    assert "unknown" in row.split()
    assert "100" not in row.split()
    code, out, _ = run("methodologies", "--format", "json")
    items = {i["id"]: i for i in json.loads(out)}
    assert all(items[mid]["total_max"] is None for mid in UNKNOWN_TOTAL)
    assert items["province-2022"]["total_max"] == 100


def test_html_and_diff_say_unknown() -> None:
    html = parindex.get_methodology("province-2025")._repr_html_()
    assert '<span class="unknown">unknown</span><br>' in html
    diff = parindex.diff_methodologies("province-2018", "province-2019")
    [total] = [c for c in diff if c.detail == "total_max"]
    assert (total.kind, total.before, total.after) == ("max_unknown", 100.0, None)
    assert "100 -> unknown" in str(total)
    same = parindex.diff_methodologies("province-2016", "province-2019")
    assert not [c for c in same if c.detail == "total_max"]


def test_validator_flags_a_total_source_without_a_total() -> None:
    m = attrs.evolve(parindex.get_methodology("camau-2013"), total_source="tvpl-1880")
    found = {f.code: f for f in parindex.check_methodology(m)}
    assert found["total-source"].severity == "warning"


# --------------------------------------------------------------------------- completing


def test_complete_methodology_takes_the_total_from_the_annex() -> None:
    skel = _toy(counts={})
    assert skel.total_max is None
    fields = pd.DataFrame({"id": ["1", "2"], "max_points": ["60", "40"]})
    assert not [
        d
        for d in parindex.authoring.complete.compare_with_skeleton(skel, fields)
        if d.node == "total"
    ]
    done = parindex.complete_methodology(skel, fields)
    assert (done.total_max, done.total_source, done.complete) == (100.0, "table", True)
    stated = pd.concat([fields, pd.DataFrame({"id": ["total"], "max_points": ["100"]})])
    assert parindex.complete_methodology(skel, stated).total_max == 100.0
    wrong = pd.concat([fields, pd.DataFrame({"id": ["total"], "max_points": ["90"]})])
    with pytest.raises(
        parindex.errors.MethodologyError, match="add up to 100, more than the total 90"
    ):
        parindex.complete_methodology(skel, wrong)
    index = (
        parindex.score(done, _sheet([("A", "1", 50), ("A", "2", 30)]), units="free")
        .unit("A")
        .total.index
    )
    assert index == 80.0


def test_complete_methodology_from_a_shipped_skeleton_without_total() -> None:
    skel = parindex.get_methodology("province-2025")
    table = pd.DataFrame({"id": ["1", "2"], "max_points": ["70", "30"]})
    done = parindex.complete_methodology(skel, table, source_url="https://example.org/annex")
    assert done.total_max == 100.0
    assert done.sources["table"].url == "https://example.org/annex"


def test_a_wide_frame_refuses_infinite_points_where_no_maximum_is_known() -> None:
    # The fast wide path checks points against the bound, which is infinite where no
    # maximum is known up the tree: inf would pass that comparison.
    wide = pd.DataFrame({"unit": ["A"], "total": [math.inf]})
    with pytest.raises(parindex.errors.PointsOutOfRangeError, match="finite"):
        parindex.score_frame("province-2025", wide, wide=True, units="free")
    ok = pd.DataFrame({"unit": ["A"], "total": [1e6]})
    assert (
        parindex.score_frame("province-2025", ok, wide=True, units="free").totals()["points"][0]
        == 1e6
    )
