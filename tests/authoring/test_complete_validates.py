"""Whatever ``complete`` writes, ``validate`` accepts (issue #18, item 5).

Every table below is made up: the official criteria tables of 876/QĐ-BNV are not
public, so the maxima of fields 2, 6 and 7 and everything below field level are
invented to exercise the checks; none of them is 876/QĐ-BNV's.
"""

from __future__ import annotations

import io
import tempfile
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parindex
from parindex.authoring.validate import check_methodology_file
from parindex.cli import main
from parindex.errors import InputFormatError, MethodologyError, ParIndexWarning
from parindex.io.methodology import dump_methodology

from ..conftest import examples

complete = parindex.authoring.complete


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def errors_after_writing(m: parindex.Methodology) -> list[str]:
    """What ``parindex validate`` reports as errors on the file ``m`` is written to."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_text(dump_methodology(m), encoding="utf-8")
        loaded, findings = check_methodology_file(path)
    assert loaded == m  # the file says what the object says
    return [str(f) for f in findings if f.severity == "error"]


# The issue's table: a province's partial transcription of the provincial annex, field 1
# marked appraisal leaf by leaf, SIPAS marked survey, every other leaf left blank.
ISSUE_ANNEX = """\
id,name_vi,max_points,method,rule
1,Công tác chỉ đạo điều hành CCHC,"9,5",,
1.1,Kế hoạch CCHC năm,2,appraisal,"categorical: đúng hạn=2; chậm=1; không=0"
1.2,Báo cáo CCHC,1,appraisal,yes_no: yes=1; no=0
1.3,Kiểm tra CCHC,"2,5",appraisal,"tiers: >=30:2.5; 20-<30:1.5; <20:0"
1.4,Tuyên truyền CCHC,2,appraisal,yes_no: yes=2; no=0
1.5,Sáng kiến cải cách,2,appraisal,points
2,Cải cách thể chế,10,,
2.1,Xây dựng văn bản QPPL,5,,proportional
2.2,Kiểm tra rà soát văn bản,5,,deduction: per=0.5; floor=0
3,Cải cách thủ tục hành chính,13,,
3.1,Công bố TTHC,6,,yes_no: yes=6; no=0
3.2,Giải quyết hồ sơ đúng hạn,7,,"tiers: >=100:7; 90-<100:3.5; <90:0"
4,Cải cách tổ chức bộ máy,"10,5",,
4.1,Sắp xếp tổ chức,"10,5",,points
5,Cải cách chế độ công vụ,15,,
5.1,Vị trí việc làm,15,,points
6,Cải cách tài chính công,"12,5",,
6.1,Giải ngân vốn đầu tư công,"12,5",,proportional
7,Chính quyền điện tử,13,,
7.1,Dịch vụ công trực tuyến,13,,proportional
8,Tác động của CCHC,"16,5",,
8.1,SIPAS,10,survey,points
8.2,Tác động kinh tế - xã hội,"6,5",,points
"""
ISSUE_UNMARKED = ("2.1", "2.2", "3.1", "3.2", "4.1", "5.1", "6.1", "7.1", "8.2")


def test_the_issue_command_writes_a_file_validate_accepts(tmp_path: Path) -> None:
    annex = tmp_path / "annex.csv"
    annex.write_text(ISSUE_ANNEX, encoding="utf-8")
    x = tmp_path / "x.yaml"
    code, out, err = run("complete", "province-2022", str(annex), "--accept-table", "-o", str(x))
    assert code == 0, err
    assert (
        out
        == f"wrote {x} (province-2022-completed; partial: 8 of 8 field maxima known, 15 nodes below field level)\n"
    )
    # It says what it left unknown, and why, in the command line's words.
    assert err == (
        "parindex: note: province-2022-completed: not marked complete: the leaves the "
        "table marks appraisal add up to 9.5 of the appraisal component's 61.5, and 9 "
        f"leaves have no method ({', '.join(ISSUE_UNMARKED)}), so which of them are "
        "assessed by appraisal is left unknown\n"
    )
    code, out, err = run("validate", str(x))
    assert (code, err) == (0, ""), out
    assert "error" not in out
    m = parindex.load_methodology(x)
    assert not m.complete
    assert [c.max_points for c in m.components] == [61.5, 6.5, 22.0, 10.0]  # kept, not dropped
    assert "is left unknown." in m.notes


def test_the_issue_table_without_accepting_names_the_flag(tmp_path: Path) -> None:
    annex = tmp_path / "annex.csv"
    annex.write_text(ISSUE_ANNEX, encoding="utf-8")
    code, out, err = run("complete", "province-2022", str(annex), "-o", str(tmp_path / "x.yaml"))
    assert (code, out) == (2, "")
    assert not (tmp_path / "x.yaml").exists()
    assert "counts.criteria is 37 in the skeleton but 15 in the table" in err
    assert "pass --accept-table" in err
    assert "accept_table" not in err
    with pytest.raises(MethodologyError, match=r"pass accept_table=True") as info:
        complete.complete_methodology(parindex.get_methodology("province-2022"), annex)
    assert "--accept-table" not in str(info.value)


# --------------------------------------------------------------------------- full tables

# Fields 2, 6 and 7 are unknown in the skeleton (together 35.5): invented here.
_FIELDS = {"1": 9.5, "2": 10, "3": 13, "4": 10.5, "5": 15, "6": 12.5, "7": 13, "8": 16.5}
_CRITERIA = {"1": 4, "2": 5, "3": 5, "4": 4, "5": 5, "6": 4, "7": 5, "8": 5}  # 37
# Fields 1-7 hold the leaders' survey (22): one survey-assessed leaf each.
_SURVEY = {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3.5, "7": 3.5}


def _split(total: float, n: int) -> list[Decimal]:
    """``total`` in ``n`` parts of whole quarter points (exact, so sums are exact)."""
    q = int(Decimal(str(total)) * 4)
    return [Decimal(q // n + (1 if i < q % n else 0)) / 4 for i in range(n)]


def full_province_2022_table() -> pd.DataFrame:
    """8 fields, 37 criteria, 88 sub-criteria (as declared), every leaf's method marked
    so that appraisal makes 61.5, survey 22 + 10 and the blank impact block 6.5."""
    rows: list[dict[str, str]] = []
    n_sub = iter([3] * 14 + [2] * 23)  # 88 sub-criteria over 37 criteria
    for f, fmax in _FIELDS.items():
        rows.append({"id": f, "max_points": f"{fmax:g}"})
        k = _CRITERIA[f]
        if f == "8":  # SIPAS (survey) in 8.1-8.2, the impact block (no method) in 8.3-8.5
            crit = [(m, "survey") for m in _split(10, 2)] + [(m, "") for m in _split(6.5, 3)]
        else:
            crit = [(m, "appraisal") for m in _split(fmax - _SURVEY[f], k)]
        for i, (cmax, method) in enumerate(crit, start=1):
            subs = next(n_sub)
            last = f != "8" and i == k
            parts = [(m, method) for m in _split(float(cmax), subs - last)]
            if last:  # the field's survey-assessed leaf
                parts.append((Decimal(str(_SURVEY[f])), "survey"))
            total = sum((m for m, _ in parts), Decimal(0))
            rows.append({"id": f"{f}.{i}", "max_points": str(total)})
            rows.extend(
                {"id": f"{f}.{i}.{j}", "max_points": str(m), "method": meth, "rule": "points"}
                for j, (m, meth) in enumerate(parts, start=1)
            )
    return pd.DataFrame(rows).fillna("")


def test_a_full_marked_table_completes_and_validates(tmp_path: Path) -> None:
    skel = parindex.get_methodology("province-2022")
    table = full_province_2022_table()
    assert complete.compare_with_skeleton(skel, table) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", ParIndexWarning)  # nothing left unknown
        done = complete.complete_methodology(skel, table)
    assert done.complete
    assert done.counts == {"fields": 8, "criteria": 37, "sub_criteria": 88}
    assert errors_after_writing(done) == []
    csv = tmp_path / "annex.csv"
    table.to_csv(csv, index=False)
    code, _, err = run("complete", "province-2022", str(csv), "-o", str(tmp_path / "x.yaml"))
    assert (code, err) == (0, "")
    assert run("validate", str(tmp_path / "x.yaml"))[0] == 0


def _unmark(table: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    table = table.copy()
    table.loc[table["id"].isin(ids), "method"] = ""
    return table


def test_leaves_without_a_method_are_refused_in_python_words() -> None:
    skel = parindex.get_methodology("province-2022")
    table = _unmark(full_province_2022_table(), ["1.1.1", "2.1.1"])
    lost = float(table.loc[table["id"].isin(["1.1.1", "2.1.1"]), "max_points"].astype(float).sum())
    with pytest.raises(MethodologyError) as info:
        complete.complete_methodology(skel, table)
    message = str(info.value)
    assert info.value.node == "component:appraisal"
    assert message.startswith(
        "component:appraisal [split-method]: the leaves the table marks appraisal add up to "
        f"{61.5 - lost:g}, not the appraisal component's maximum 61.5 (the skeleton's): "
    )
    assert "3 leaves have no method (1.1.1, 2.1.1, 8.3.1, " not in message  # impact counted
    assert "leaves have no method (1.1.1, 2.1.1, 8.3.1" in message
    assert "pass accept_table=True" in message
    assert "--accept-table" not in message


def test_leaves_without_a_method_are_refused_in_cli_words(tmp_path: Path) -> None:
    csv = tmp_path / "annex.csv"
    _unmark(full_province_2022_table(), ["1.1.1"]).to_csv(csv, index=False)
    code, out, err = run("complete", "province-2022", str(csv))
    assert (code, out) == (2, "")
    assert err.startswith("parindex: error: component:appraisal [split-method]: ")
    assert err.count("\n") == 1
    assert "pass --accept-table to write" in err
    assert "accept_table" not in err


def test_accepting_leaves_without_a_method_writes_a_partial_valid_methodology() -> None:
    skel = parindex.get_methodology("province-2022")
    table = _unmark(full_province_2022_table(), ["1.1.1"])
    with pytest.warns(ParIndexWarning, match="not marked complete: the leaves the table marks"):
        done = complete.complete_methodology(skel, table, accept_table=True)
    assert not done.complete
    assert done.describe_completeness().startswith("partial: 8 of 8 field maxima known")
    assert all(done.children_exhaustive(n.id) for n in done.nodes() if n.children)
    assert errors_after_writing(done) == []


def test_a_table_without_a_method_column_is_refused_then_left_partial() -> None:
    skel = parindex.get_methodology("province-2022")
    table = full_province_2022_table().drop(columns=["method"])
    with pytest.raises(MethodologyError, match=r"add up to 0, not the appraisal component"):
        complete.complete_methodology(skel, table)
    with pytest.warns(ParIndexWarning, match=r"88 leaves have no method"):
        done = complete.complete_methodology(skel, table, accept_table=True)
    assert errors_after_writing(done) == []


def _remark(table: pd.DataFrame, ids: list[str], method: str) -> pd.DataFrame:
    table = table.copy()
    table.loc[table["id"].isin(ids), "method"] = method
    return table


def test_leaves_worth_more_than_the_component_contradict_the_skeleton() -> None:
    skel = parindex.get_methodology("province-2022")
    # The impact block's leaves marked appraisal: 61.5 + 6.5 = 68 appraised.
    table = _remark(
        full_province_2022_table(),
        ["8.3.1", "8.3.2", "8.3.3", "8.4.1", "8.4.2", "8.4.3", "8.5.1", "8.5.2"],
        "appraisal",
    )
    report = complete.compare_with_skeleton(skel, table)
    assert complete.Disagreement("component:appraisal", "split", 61.5, 68.0) in report
    with pytest.raises(
        MethodologyError, match=r"split is 61\.5 in the skeleton but 68 in the table"
    ):
        complete.complete_methodology(skel, table)
    with pytest.warns(ParIndexWarning, match=r"the maximum of appraisal is left unknown"):
        done = complete.complete_methodology(skel, table, accept_table=True)
    assert done.complete
    assert {c.id: c.max_points for c in done.components} == {
        "appraisal": None,
        "impact": 6.5,
        "leader_survey": 22.0,
        "sipas": 10.0,
    }
    assert errors_after_writing(done) == []


def test_the_tables_own_component_row_against_its_leaves_is_refused_even_accepted() -> None:
    skel = parindex.get_methodology("province-2022")
    table = _unmark(full_province_2022_table(), ["1.1.1"])
    rows = pd.DataFrame({"id": ["appraisal", "impact"], "max_points": ["60", "8"]})
    table = pd.concat([table, rows]).fillna("")
    table = _remark(table, ["1.1.1"], "appraisal")  # every leaf marked again: 61.5
    with pytest.raises(MethodologyError) as info:
        complete.complete_methodology(skel, table, accept_table=True)
    assert str(info.value) == (
        "component:appraisal [split-method]: the leaves the table marks appraisal add up to "
        "61.5, more than the appraisal component's maximum 60 (the table's appraisal row): "
        "correct the table's appraisal row or the method of those leaves"
    )


def test_an_overruled_survey_split_leaves_both_survey_components_unknown() -> None:
    skel = parindex.get_methodology("province-2022")
    table = _remark(full_province_2022_table(), ["1.1.1"], "survey")  # survey > 32
    with pytest.warns(ParIndexWarning, match="leader_survey is left unknown.*sipas is left"):
        done = complete.complete_methodology(skel, table, accept_table=True)
    assert {c.id: c.max_points for c in done.components if c.method == "survey"} == {
        "leader_survey": None,
        "sipas": None,
    }
    assert errors_after_writing(done) == []


def test_a_skeleton_citing_nothing_gets_the_table_cited() -> None:
    skel = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "toy-uncited",
            "level": "district",
            "evaluation_years": [2024],
            "official": False,
            "total_max": None,
            "tree": [{"id": "1", "max_points": 60}, {"id": "2", "max_points": 40}],
        }
    )
    done = complete.complete_methodology(
        skel, pd.DataFrame({"id": ["1", "2"], "max_points": ["60", "40"]})
    )
    assert (done.source, done.counts) == ("table", {"fields": 2})
    assert errors_after_writing(done) == []


def test_what_validate_would_reject_is_refused_naming_the_check() -> None:
    skel = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "toy-unsourced-component",
            "level": "district",
            "evaluation_years": [2024],
            "official": False,
            "total_max": 10,
            "source": "doc",
            "sources": {"doc": {"url": "https://example.org/d", "confidence": "S"}},
            "components": [{"id": "sipas", "max_points": 10}],  # no source
            "tree": [{"id": "1", "max_points": 10, "source": "doc"}],
        }
    )
    with pytest.raises(MethodologyError) as info:
        complete.complete_methodology(skel, pd.DataFrame({"id": ["1"], "max_points": ["10"]}))
    assert str(info.value) == (
        "the completed methodology would not pass validate (1 error): error "
        "[source-missing] component:sipas: maximum 10 has no source"
    )
    assert info.value.node == "component:sipas"


# --------------------------------------------------------------------------- the law


SKELETONS = ["province-2022", "ministry-2022", "province-2018", "ministry-2017", "province-2025"]
_METHOD_WORDS = ["", "", "appraisal", "survey", "thẩm định", "điều tra", "Self"]
_METHODS = {"appraisal": "appraisal", "thẩm định": "appraisal", "self": "appraisal"} | {
    "survey": "survey",
    "điều tra": "survey",
}


@st.composite
def _shape(draw: st.DrawFn, depth: int) -> list[object]:
    """A subtree's shape: a list of children shapes ([] is a leaf)."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return []
    return [draw(_shape(depth + 1)) for _ in range(draw(st.integers(1, 3)))]


def _rule(draw: st.DrawFn, mx: Decimal) -> str:
    v = f"{mx:g}"
    return draw(
        st.sampled_from(
            [
                "",
                "points",
                f"yes_no: yes={v}; no=0",
                f"tiers: >=90:{v}; <90:0",
                "proportional",
                f"categorical: đạt={v}; không đạt=0",
                "deduction: 0.25",
            ]
        )
    )


@st.composite
def annex_tables(draw: st.DrawFn, skeleton: parindex.Methodology) -> pd.DataFrame:
    """Tables a user might type for ``skeleton``: maxima that add up to a total (the
    skeleton's, where known), methods marked on some, all or none of the leaves, rules,
    sometimes component and total rows, sometimes one mistake."""
    total = Decimal(str(skeleton.total_max or draw(st.sampled_from([100, 50]))))
    shapes = [draw(_shape(1)) for _ in range(draw(st.integers(1, 9)))]
    rows: list[dict[str, str]] = []
    leaves: list[dict[str, str]] = []

    def walk(node_id: str, shape: list[object]) -> None:
        row = {"id": node_id, "max_points": "", "method": "", "rule": ""}
        rows.append(row)
        if not shape:
            leaves.append(row)
        for i, child in enumerate(shape, start=1):
            walk(f"{node_id}.{i}", child)  # type: ignore[arg-type]

    for i, shape in enumerate(shapes, start=1):
        walk(str(i), shape)
    quarters = int(total * 4)
    cuts = sorted(
        draw(
            st.sets(
                st.integers(1, quarters - 1), min_size=len(leaves) - 1, max_size=len(leaves) - 1
            )
        )
    )
    sizes = [Decimal(b - a) / 4 for a, b in zip([0, *cuts], [*cuts, quarters], strict=True)]
    by_id = {r["id"]: Decimal(0) for r in rows}
    for leaf, size in zip(leaves, sizes, strict=True):
        leaf["rule"] = _rule(draw, size)
        leaf["method"] = draw(st.sampled_from(_METHOD_WORDS))
        for k in range(leaf["id"].count(".") + 1):
            by_id[leaf["id"].rsplit(".", k)[0] if k else leaf["id"]] += size
    comma = draw(st.booleans())
    for row in rows:
        text = f"{by_id[row['id']]:g}"
        row["max_points"] = text.replace(".", ",") if comma else text
    if draw(st.booleans()):  # component rows that the marked leaves make up
        got = {"appraisal": Decimal(0), "survey": Decimal(0), None: Decimal(0)}
        for leaf, size in zip(leaves, sizes, strict=True):
            got[_METHODS.get(leaf["method"].casefold())] += size
        for comp in skeleton.components:
            same = [c for c in skeleton.components if c.method == comp.method]
            share = got[comp.method]
            if comp is not same[-1]:  # a share of the method's points, the rest to the last
                share = Decimal(draw(st.integers(0, int(share * 4)))) / 4
                got[comp.method] -= share
            rows.append({"id": comp.id, "max_points": f"{share:g}"})
    if draw(st.booleans()):
        rows.append({"id": "total", "max_points": f"{total:g}"})
    mistake = draw(st.sampled_from([None] * 6 + ["blank", "inner", "rule", "method", "parent"]))
    target = draw(st.sampled_from(rows))
    if mistake == "blank":
        target["max_points"] = ""
    elif mistake == "inner":
        target["max_points"] = (
            f"{Decimal(target['max_points'].replace(',', '.') or 0) + Decimal('0.25'):g}"
        )
    elif mistake == "rule" and target in leaves:
        target["rule"] = "yes_no: yes=1000; no=0"
    elif mistake == "method" and target in leaves:
        target["method"] = "hỏi ý kiến"
    elif mistake == "parent" and "." not in target["id"] and len(shapes) > 1:
        rows.remove(target)
    return pd.DataFrame(rows).fillna("")


Case = tuple[parindex.Methodology, pd.DataFrame]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    skel = parindex.get_methodology(draw(st.sampled_from(SKELETONS)))
    return skel, draw(annex_tables(skel))


def _attempt(
    entry: Callable[..., parindex.Methodology], case: Case, accept: bool
) -> tuple[parindex.Methodology | None, str, list[str]]:
    """(result or None, the refusal's message, the ParIndexWarnings given)."""
    skel, table = case
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            done = entry(skel, table, accept_table=accept)
        except (MethodologyError, InputFormatError) as err:
            return None, str(err), []
    return done, "", [str(w.message) for w in caught if issubclass(w.category, ParIndexWarning)]


@pytest.mark.parametrize(
    "entry", [complete.complete_methodology, parindex.complete_methodology], ids=["module", "top"]
)
@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_whatever_complete_accepts_validate_accepts(
    entry: Callable[..., parindex.Methodology], case: Case
) -> None:
    strict, refusal, strict_notes = _attempt(entry, case, accept=False)
    accepted, accepted_refusal, notes = _attempt(entry, case, accept=True)
    for done in (strict, accepted):
        if done is not None:
            assert errors_after_writing(done) == []
    for message in (refusal, accepted_refusal):
        assert "\n" not in message
        assert "--accept-table" not in message  # Python's words
    assert strict_notes == []  # nothing is left unknown unless the table is accepted
    if strict is not None:
        assert accepted == strict  # nothing to accept
    elif accepted is not None:
        assert "pass accept_table=True" in refusal  # the refusal said what would do
    assert "pass accept_table=True" not in accepted_refusal  # it was passed already
    if accepted is not None:
        assert accepted.complete is not any("not marked complete" in n for n in notes)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_whatever_the_complete_command_writes_validate_accepts(case: Case) -> None:
    skel, table = case
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "annex.csv"
        table.to_csv(csv, index=False)
        refusal = ""
        for flags in ([], ["--accept-table"]):
            x = Path(tmp) / f"x{len(flags)}.yaml"
            code, _, err = run("complete", skel.id, str(csv), *flags, "-o", str(x))
            if code != 0:
                assert code == 2
                assert err.startswith("parindex: error: ")
                assert err.count("\n") == 1
                assert "accept_table" not in err  # the command line's words
                assert not x.exists()
                refusal = refusal or err
                continue
            if flags and refusal:
                assert "pass --accept-table" in refusal  # the refusal said what would do
            code, out, verr = run("validate", str(x))
            assert (code, verr) == (0, ""), out
