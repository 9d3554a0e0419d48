"""Reliability properties, fuzzed with hypothesis (issue 7).

- Round trips: valid sheets survive CSV and JSON (text and files); methodologies
  survive YAML and JSON files.
- Refusals: random bytes, mutated valid files, invalid sheets and hostile values raise
  the library's error (ParIndexError) and never another exception; the CLI exits 0 or
  2, never 1, and never prints a traceback.
- Exactness: results equal an independent ``fractions.Fraction`` reference scorer
  within 1e-9, and half-up rounding of the result equals half-up rounding of the exact
  value.
- No side effects: callers' DataFrames, dicts and lists are unchanged after every
  public call, and scoring is deterministic.

The properties the issue names run at 1,000 examples (``@pytest.mark.slow``); they
stay in the normal suite.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parindex
from parindex import Methodology, Node, ParIndexError, ScoreEntry, ScoreSheet
from parindex.cli import main
from parindex.io.sheet import load_sheet, sheet_from_csv, sheet_from_json
from parindex.rules import Categorical, Deduction, PercentTiers, Proportional, YesNo
from parindex.testing import (
    assert_no_mutation,
    hostile_values,
    invalid_score_sheets,
    methodologies,
    score_sheets,
    unit_names,
)

from ..conftest import examples

THOUSAND = settings(
    max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Small trees keep 1,000 examples well under a minute; the shapes still cover every
# rule kind, N/A, components and several units.
small_methodologies = methodologies(max_fields=2, max_depth=3)
cases = small_methodologies.flatmap(
    lambda m: score_sheets(m, max_units=2, names=unit_names(), groups=True).map(lambda s: (m, s))
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability")


# ============================================================== round trips


def _as_text(sheet: ScoreSheet) -> ScoreSheet:
    """CSV is text: a value ``True`` or ``3`` comes back as ``"True"`` or ``"3"``."""
    return ScoreSheet(
        tuple(
            e if e.value is None or isinstance(e.value, str) else _with_text_value(e)
            for e in sheet.entries
        )
    )


def _with_text_value(e: ScoreEntry) -> ScoreEntry:
    value = repr(e.value) if isinstance(e.value, float) else str(e.value)
    return ScoreEntry(
        e.unit, e.node, value=value, group=e.group, self_points=e.self_points, note=e.note
    )


@pytest.mark.slow
@THOUSAND
@given(cases, st.text(alphabet=" ,;\"'\n\r\tĐđ=x", max_size=6))
def test_sheets_round_trip_through_csv_and_json(
    case: tuple[Methodology, ScoreSheet], note: str
) -> None:
    m, sheet = case
    first = sheet.entries[0]
    import attrs

    sheet = ScoreSheet((attrs.evolve(first, note=note), *sheet.entries[1:]))
    assert sheet_from_json(sheet.to_json()) == sheet
    back = sheet_from_csv(sheet.to_csv())
    assert back == _as_text(sheet)
    assert ScoreSheet.from_records(sheet.to_records()) == sheet
    # Textual values score exactly as the typed ones did.
    a = parindex.score(m, sheet)
    b = parindex.score(m, back)
    for name in ("points", "max_points", "index"):
        np.testing.assert_array_equal(getattr(a.batch, name), getattr(b.batch, name))


@pytest.mark.slow
@THOUSAND
@given(cases)
def test_sheets_round_trip_through_files(
    folder: Path, case: tuple[Methodology, ScoreSheet]
) -> None:
    _, sheet = case
    csv_path, json_path = folder / "s.csv", folder / "s.json"
    csv_path.write_text(sheet.to_csv(), encoding="utf-8")
    json_path.write_text(sheet.to_json(), encoding="utf-8")
    assert load_sheet(json_path) == sheet
    assert load_sheet(csv_path) == _as_text(sheet)
    # Windows line ends and a BOM change nothing.
    csv_path.write_bytes(b"\xef\xbb\xbf" + sheet.to_csv().replace("\n", "\r\n").encode())
    assert load_sheet(csv_path) == sheet_from_csv(sheet.to_csv())


@pytest.mark.slow
@THOUSAND
@given(small_methodologies)
def test_methodologies_round_trip_through_yaml_and_json_files(folder: Path, m: Methodology) -> None:
    yaml_path, json_path = folder / "m.yaml", folder / "m.json"
    yaml_path.write_text(parindex.io.methodology.dump_methodology(m), encoding="utf-8")
    json_path.write_text(
        json.dumps(parindex.methodology_to_dict(m), ensure_ascii=False), encoding="utf-8"
    )
    assert parindex.load_methodology(yaml_path) == m
    assert parindex.load_methodology(json_path) == m
    assert parindex.methodology_from_dict(parindex.methodology_to_dict(m)) == m


# ============================================================== refusals


def _library_errors_only(call: Any, *args: Any, **kwargs: Any) -> object:
    """Run a call on dubious input: success or ParIndexError, nothing else."""
    try:
        return call(*args, **kwargs)
    except ParIndexError:
        return None


@pytest.mark.slow
@THOUSAND
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_library_errors(folder: Path, data: bytes) -> None:
    for name in ("b.csv", "b.json", "b.yaml"):
        path = folder / name
        path.write_bytes(data)
        if name == "b.yaml":
            _library_errors_only(parindex.load_methodology, path)
        else:
            sheet = _library_errors_only(ScoreSheet.read, path)
            if sheet is not None:
                _library_errors_only(parindex.score, "illustrative-district", sheet)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_library_errors(text: str) -> None:
    _library_errors_only(ScoreSheet.from_csv_text, text)
    _library_errors_only(ScoreSheet.from_json_text, text)
    data = _library_errors_only(parindex.io.safe.safe_parse, text)
    if data is not None:
        _library_errors_only(parindex.methodology_from_dict, data)


_NOISE = st.text(alphabet=" ,;:\"'\n\r\t[]{}-&*!%#.0123456789eE+naNIfT\x00\ufeffđ", max_size=6)


@st.composite
def mutations(draw: st.DrawFn, text: str) -> str:
    """A valid file with a few random edits: deletions, insertions, swapped lines."""
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "swap", "duplicate"]))
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 12)))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(_NOISE) + text[i:]
        elif op == "replace":
            text = text[:i] + draw(_NOISE) + text[j:]
        else:
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            if op == "swap":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                lines.insert(b, lines[a])
            text = "\n".join(lines)
    return text


_sheet_files = cases.flatmap(
    lambda c: st.sampled_from(["csv", "json"]).flatmap(
        lambda fmt: mutations(c[1].to_csv() if fmt == "csv" else c[1].to_json()).map(
            lambda text: (c[0], fmt, text)
        )
    )
)


@pytest.mark.slow
@THOUSAND
@given(_sheet_files, st.sampled_from(["error", "zero", "unknown"]))
def test_mutated_sheets_raise_only_library_errors(
    case: tuple[Methodology, str, str], missing: Any
) -> None:
    m, fmt, text = case
    reader = ScoreSheet.from_csv_text if fmt == "csv" else ScoreSheet.from_json_text
    sheet = _library_errors_only(reader, text)
    if sheet is not None:
        result = _library_errors_only(parindex.score, m, sheet, missing=missing)
        if result is not None:
            for unit in result:  # type: ignore[attr-defined]
                index = unit.total.index
                assert index is None or 0.0 <= index <= 100.0


@pytest.mark.slow
@THOUSAND
@given(
    small_methodologies.flatmap(lambda m: mutations(parindex.io.methodology.dump_methodology(m)))
)
def test_mutated_methodology_files_raise_only_library_errors(text: str) -> None:
    data = _library_errors_only(parindex.io.safe.safe_parse, text)
    if data is not None:
        _library_errors_only(parindex.methodology_from_dict, data)


@pytest.mark.slow
@THOUSAND
@given(small_methodologies.flatmap(lambda m: invalid_score_sheets(m).map(lambda r: (m, r))))
def test_invalid_sheets_are_always_refused(case: tuple[Methodology, list[dict[str, Any]]]) -> None:
    m, records = case
    with pytest.raises(ParIndexError):
        parindex.score(m, ScoreSheet.from_records(records), missing="zero")


@given(hostile_values(), st.sampled_from(["points", "self_points", "appraised_points"]))
def test_hostile_values_are_refused_in_every_points_field(value: object, name: str) -> None:
    with pytest.raises(ParIndexError):
        ScoreEntry("A", "1", **{name: value, "na": name != "points"})
    with pytest.raises(ParIndexError):
        ScoreSheet.from_records([{"unit": "A", "node": "1", name: value, "status": "na"}])


# -------------------------------------------------------------- the CLI

_WORDS = [
    "score",
    "score",
    "show",
    "validate",
    "methodologies",
    "-m",
    "--methodology",
    "illustrative-district",
    "province-2017",
    "province-1999",
    "--format",
    "json",
    "csv",
    "table",
    "yaml",
    "--input-format",
    "--ties",
    "dense",
    "--rank-precision",
    "2",
    "-1",
    "400",
    "--missing",
    "zero",
    "unknown",
    "--rate-scale",
    "percent",
    "fraction",
    "--decimal-comma",
    "--collect-all",
    "--year",
    "2024",
    "{csv}",
    "{json}",
    "{yaml}",
    "{missing}",
    "",
    "Đắk Lắk",
]


_ILLUSTRATIVE = parindex.get_methodology("illustrative-district")
# A full, valid sheet for the illustrative methodology and a small methodology file:
# fixed starting points keep each example cheap; the mutations supply the variety.
_FULL_SHEET = ScoreSheet(
    tuple(
        ScoreEntry(unit, n.id, points=(n.max_points or 0) * share)
        for unit, share in [("Đắk Lắk", 0.5), ("Gia Lai", 1.0)]
        for n in _ILLUSTRATIVE.nodes()
        if n.is_leaf
    )
)
_MINI_METHODOLOGY = """format: parindex-methodology/1
id: mini
name_vi: Thử
name_en: Test
level: district
evaluation_years: [2024]
total_max: 10
complete: true
tree:
  - id: "1"
    max_points: 6
    children:
      - {id: "1.1", max_points: 2, rule: {kind: yes_no}}
      - id: "1.2"
        max_points: 4
        rule:
          kind: tiers
          tiers:
            - {min_inclusive: 90, points: 4}
            - {min_inclusive: 50, max_exclusive: 90, points: 2}
            - {max_exclusive: 50, points: 0}
  - {id: "2", max_points: 4, rule: {kind: deduction, per_occurrence: 0.5}}
"""


_COMMANDS = [
    ["score", "-m", "illustrative-district", "{sheet}"],
    ["score", "-m", "{yaml}", "{sheet}"],
    ["validate", "{yaml}"],
    ["show", "{yaml}"],
]
_FLAGS = [
    ["--missing", "zero"],
    ["--missing", "unknown"],
    ["--format", "json"],
    ["--format", "csv"],
    ["--rate-scale", "percent"],
    ["--rate-scale", "fraction"],
    ["--decimal-comma"],
    ["--collect-all"],
    ["--ties", "dense"],
    ["--rank-precision", "2"],
    ["--year", "2024"],
]
# Half the command lines are well formed, so the mutated files are read and scored;
# the other half are random words.
argv_strategy = st.one_of(
    st.tuples(st.sampled_from(_COMMANDS), st.lists(st.sampled_from(_FLAGS), max_size=4)).map(
        lambda t: [*t[0][:1], *(w for flag in t[1] for w in flag), *t[0][1:]]
    ),
    st.lists(st.sampled_from(_WORDS), max_size=8),
)


@pytest.mark.slow
@THOUSAND
@given(
    argv_strategy,
    st.sampled_from(["csv", "json"]).flatmap(
        lambda fmt: mutations(_FULL_SHEET.to_csv() if fmt == "csv" else _FULL_SHEET.to_json()).map(
            lambda text: (fmt, text)
        )
    ),
    mutations(_MINI_METHODOLOGY),
)
def test_the_cli_never_crashes_or_prints_a_traceback(
    folder: Path, words: list[str], sheet: tuple[str, str], methodology: str
) -> None:
    fmt, text = sheet
    paths = {
        "csv": folder / "cli.csv",
        "json": folder / "cli.json",
        "yaml": folder / "cli.yaml",
        "missing": folder / "absent.csv",
    }
    paths["sheet"] = paths[fmt]
    paths[fmt].write_text(text, encoding="utf-8")
    paths["yaml"].write_text(methodology, encoding="utf-8")
    argv = [w.format(**{k: str(v) for k, v in paths.items()}) for w in words]
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    assert status in (0, 2), (argv, err.getvalue())
    assert "Traceback" not in out.getvalue() + err.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == (1 if status == 2 else 0), err.getvalue()


# ============================================================== exactness


def F(x: float | int) -> Fraction:
    """The decimal a methodology file or sheet states (0.1 means 1/10, not its binary
    approximation)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def _rate(value: object) -> Fraction:
    assert isinstance(value, str)
    assert value.endswith("%")
    return Fraction(value[:-1])


def _in_tier(x: Fraction, lower: float | None, upper: float | None, li: bool, ui: bool) -> bool:
    if lower is not None and not (x >= F(lower) if li else x > F(lower)):
        return False
    return upper is None or (x <= F(upper) if ui else x < F(upper))


def reference_leaf(node: Node, entry: ScoreEntry) -> Fraction:
    """Points of one leaf, from the rule's published definition, in exact arithmetic."""
    if entry.points is not None:
        return F(entry.points)
    assert node.max_points is not None
    mx, rule, value = F(node.max_points), node.rule, entry.value
    if isinstance(rule, PercentTiers):
        x = _rate(value)
        hits = [
            t
            for t in rule.tiers
            if _in_tier(x, t.lower, t.upper, t.lower_inclusive, t.upper_inclusive)
        ]
        assert len(hits) == 1
        return F(hits[0].points)
    if isinstance(rule, YesNo):
        yes = value is True or value == 1
        if yes:
            return mx if rule.yes_points is None else F(rule.yes_points)
        return F(rule.no_points)
    if isinstance(rule, Categorical):
        (level,) = [lv for lv in rule.levels if lv.label == value]
        return F(level.points)
    if isinstance(rule, Proportional):
        measure = _rate(value) if rule.rate else Fraction(value)  # type: ignore[arg-type]
        return mx * min(measure / F(rule.full_at), Fraction(1))
    if isinstance(rule, Deduction):
        return max(F(rule.floor), mx - F(rule.per_occurrence) * Fraction(value))  # type: ignore[arg-type]
    return F(value)  # type: ignore[arg-type]


def reference_scores(
    m: Methodology, sheet: ScoreSheet, unit: str
) -> dict[str, tuple[Fraction, Fraction] | None]:
    """Exact (points, applicable maximum) per node and for the total; None when N/A.

    Independent of the engine: a plain recursion over the tree. N/A removes a leaf
    from its ancestors' points and maxima; a node whose leaves are all N/A is N/A.
    """
    entries = {e.node: e for e in sheet.entries if e.unit == unit}
    out: dict[str, tuple[Fraction, Fraction] | None] = {}

    def walk(node: Node) -> tuple[Fraction, Fraction, Fraction] | None:
        """(points, maximum, maximum lost to N/A) or None when N/A."""
        assert node.max_points is not None
        if node.is_leaf:
            e = entries[node.id]
            res = None if e.na else (reference_leaf(node, e), F(node.max_points), Fraction(0))
        else:
            kids = [walk(c) for c in node.children]
            if all(k is None for k in kids):
                res = None
            else:
                lost = sum(
                    (F(c.max_points or 0) if k is None else k[2])
                    for c, k in zip(node.children, kids, strict=True)
                )
                pts = sum(k[0] for k in kids if k is not None)
                res = (Fraction(pts), F(node.max_points), Fraction(lost))
        out[node.id] = None if res is None else (res[0], res[1] - res[2])
        return res

    fields = [walk(n) for n in m.tree]
    if all(f is None for f in fields):
        out["total"] = None
    else:
        lost = sum(
            (F(n.max_points or 0) if f is None else f[2])
            for n, f in zip(m.tree, fields, strict=True)
        )
        pts = sum(f[0] for f in fields if f is not None)
        out["total"] = (Fraction(pts), F(m.total_max) - lost)
    return out


def half_up(x: Fraction, decimals: int = 2) -> Fraction:
    """Exact half-up rounding (values here are >= 0)."""
    q = Fraction(10) ** decimals
    return Fraction(math.floor(x * q + Fraction(1, 2))) / q


def _close(value: float | None, exact: Fraction) -> None:
    assert value is not None
    assert abs(Fraction(value) - exact) <= Fraction(1, 10**9), (value, float(exact))
    assert F(parindex.round_half_up(value, 2)) == half_up(exact), (value, exact)


def _check_unit(result: parindex.engine.scores.UnitResult, ref: dict[str, Any]) -> Iterator[str]:
    for node_id, expected in ref.items():
        got = result.total if node_id == "total" else result.nodes[node_id]
        if expected is None:
            assert got.status == "na", (node_id, got)
            assert got.index is None
            continue
        pts, mx = expected
        assert got.status == "scored", (node_id, got)
        _close(got.points, pts)
        _close(got.max_points, mx)
        _close(got.index, pts / mx * 100)
        yield node_id


@pytest.mark.slow
@THOUSAND
@given(cases)
def test_results_equal_an_exact_fraction_reference(case: tuple[Methodology, ScoreSheet]) -> None:
    m, sheet = case
    result = parindex.score(m, sheet)
    checked = 0
    for unit in sheet.units:
        checked += len(list(_check_unit(result.unit(unit), reference_scores(m, sheet, unit))))
    assert checked or all(e.na for e in sheet.entries)


def test_the_reference_catches_a_wrong_engine() -> None:
    """The reference is not a tautology: a result off by 0.01 fails it."""
    m = parindex.get_methodology("illustrative-district")
    sheet = ScoreSheet(
        tuple(ScoreEntry("A", n.id, points=(n.max_points or 0) / 2) for n in m.nodes() if n.is_leaf)
    )
    result = parindex.score(m, sheet).unit("A")
    ref = reference_scores(m, sheet, "A")
    assert len(list(_check_unit(result, ref))) == sum(1 for _ in m.nodes()) + 1
    pts, mx = ref["total"]  # type: ignore[misc]
    with pytest.raises(AssertionError):
        _close(result.total.index, (pts + Fraction(1, 100)) / mx * 100)
    # Half-up, not half-even: 0.125 -> 0.13 and 87.825 -> 87.83.
    assert half_up(Fraction("0.125")) == Fraction("0.13")
    assert F(parindex.round_half_up(87.825)) == half_up(Fraction("87.825"))


# ============================================================== no side effects


def _frame_of(sheet: ScoreSheet) -> pd.DataFrame:
    frame = sheet.to_frame()
    return frame.astype({"note": object})


# Smaller trees here: each example makes a dozen pandas-backed calls.
lean_cases = methodologies(max_fields=2, max_depth=2).flatmap(
    lambda m: score_sheets(m, max_units=3, names=unit_names(), groups=True).map(lambda s: (m, s))
)


@pytest.mark.slow
@THOUSAND
@given(lean_cases)
def test_reading_and_scoring_change_nothing_they_are_given(
    case: tuple[Methodology, ScoreSheet],
) -> None:
    m, sheet = case
    records = sheet.to_records()
    frame = _frame_of(sheet)
    assert_no_mutation(parindex.methodology_from_dict, parindex.methodology_to_dict(m))
    assert assert_no_mutation(ScoreSheet.from_records, records) == sheet
    from_frame = assert_no_mutation(ScoreSheet.from_frame, frame)
    assert from_frame == sheet_from_csv(sheet.to_csv())
    by_frame = assert_no_mutation(parindex.score, m, frame, missing="zero")
    direct = assert_no_mutation(parindex.score, m, sheet)
    # Deterministic: the same entries give bit-identical results, by any route.
    again = parindex.score(m, ScoreSheet(tuple(sheet.entries)))
    for name in ("points", "max_points", "index", "na"):
        np.testing.assert_array_equal(getattr(direct.batch, name), getattr(again.batch, name))
        np.testing.assert_array_equal(getattr(direct.batch, name), getattr(by_frame.batch, name))


@pytest.mark.slow
@THOUSAND
@given(lean_cases, st.sampled_from(["min", "dense", "average", "first", "max"]))
def test_ranking_changes_nothing_it_is_given(
    case: tuple[Methodology, ScoreSheet], ties: Any
) -> None:
    m, sheet = case
    scores = parindex.score(m, sheet)
    batch = {name: getattr(scores.batch, name).copy() for name in ("points", "index", "na")}
    ranking = parindex.rank(scores, ties=ties)
    for name, before in batch.items():
        np.testing.assert_array_equal(getattr(scores.batch, name), before)
    table = ranking.to_frame()
    values = dict(zip(table["unit"], table["par_index"], strict=True))
    groups = dict(zip(table["unit"], table["group"], strict=True))
    assert_no_mutation(parindex.analysis.ranking.rank_values, values, ties=ties, groups=groups)
    # What a call returns is the caller's to change: later calls are not affected.
    table.loc[:, "par_index"] = -1.0
    assert not (ranking.to_frame()["par_index"] == -1.0).any()
    totals = scores.totals()
    totals.loc[:, "points"] = -1.0
    assert not (scores.totals()["points"] == -1.0).any()


def test_assert_no_mutation_notices_a_changed_frame() -> None:
    frame = pd.DataFrame({"unit": ["A"], "node": ["1"], "points": [1.0]})

    def sneaky(f: pd.DataFrame) -> None:
        f.loc[0, "points"] = 2.0

    with pytest.raises(AssertionError, match="changed argument 0"):
        assert_no_mutation(sneaky, frame)

    def retype(f: pd.DataFrame) -> None:
        f["points"] = f["points"].astype(object)

    with pytest.raises(AssertionError):
        assert_no_mutation(retype, pd.DataFrame({"points": [1.0]}))
