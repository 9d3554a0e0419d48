"""The JSON contract: every JSON parindex writes validates against the shipped schemas,
the schemas stay in step with the attrs classes, and output is deterministic."""

from __future__ import annotations

import io
import json
from typing import Any

import attrs
import jsonschema
import pytest

import parindex
from parindex import rules
from parindex.cli import main
from parindex.present.documents import result_document

SHEETS = {
    "province-2017": "examples/daklak-2017.csv",
    "binhduong-district-2017": "examples/binhduong-district-2017.csv",
}


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = parindex.json_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("name", ["methodology", "sheet", "result"])
def test_schemas_are_valid_2020_12_with_versioned_ids(name: str) -> None:
    schema = parindex.json_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://parindex.dev/schemas/v1/{name}.schema.json"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(_cli("schema", name)) == schema


def test_unknown_schema_name_is_a_typed_error() -> None:
    with pytest.raises(LookupError, match="no JSON Schema named 'nope'"):
        parindex.json_schema("nope")


@pytest.mark.parametrize("methodology", [m.id for m in parindex.list_methodologies()])
def test_every_shipped_methodology_document_validates(methodology: str) -> None:
    m = parindex.get_methodology(methodology)
    text = _cli("show", methodology, "--format", "json")
    _validator("methodology").validate(json.loads(text))
    # The library's own dict, through JSON (band years become strings in JSON).
    doc = json.loads(json.dumps(parindex.methodology_to_dict(m)))
    _validator("methodology").validate(doc)


def test_methodology_schema_refuses_what_the_loader_refuses() -> None:
    doc = json.loads(_cli("show", "province-2017", "--format", "json"))
    validator = _validator("methodology")
    bad_rule = json.loads(json.dumps(doc))
    bad_rule["tree"][0]["rule"] = {"kind": "lottery"}
    assert not validator.is_valid(bad_rule)
    extra = dict(doc, surprise=1)
    assert not validator.is_valid(extra)
    with pytest.raises(parindex.errors.MethodologyError):
        parindex.methodology_from_dict(extra)


@pytest.mark.parametrize(("methodology", "path"), SHEETS.items())
def test_cli_result_json_validates_against_the_result_schema(methodology: str, path: str) -> None:
    result_schema = json.loads(_cli("schema", "result"))
    text = _cli("score", "-m", methodology, path, "--format", "json")
    jsonschema.Draft202012Validator(result_schema).validate(json.loads(text))


def test_result_with_unknown_na_and_average_ties_validates() -> None:
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "A", "node": "1", "points": 5},
            {"unit": "A", "node": "2", "status": "na"},
            {"unit": "B", "node": "1", "points": 5},
        ]
    )
    scores = parindex.score("province-2017", sheet, missing="unknown", units="free")
    doc = result_document(scores, parindex.rank(scores, ties="average"))
    _validator("result").validate(json.loads(json.dumps(doc, allow_nan=False)))
    statuses = {v["status"] for u in doc["units"] for v in u["nodes"].values()}
    assert statuses == {"scored", "na", "unknown"}


def test_sheet_json_validates() -> None:
    for path in SHEETS.values():
        sheet = parindex.load_sheet(path)
        _validator("sheet").validate(json.loads(sheet.to_json()))
    mixed = parindex.ScoreSheet.from_records(
        [
            {"unit": "A", "node": "1.1", "value": "97%", "group": "g", "self_points": 1},
            {"unit": "A", "node": "1.2", "status": "na", "note": "không phát sinh"},
            {"unit": "A", "node": "1.3", "points": 0.5, "appraised_points": 0.5},
        ]
    )
    _validator("sheet").validate(json.loads(mixed.to_json()))
    assert not _validator("sheet").is_valid({"entries": [{"unit": "A", "node": "1"}]})
    assert not _validator("sheet").is_valid(
        {"entries": [{"unit": "A", "node": "1", "points": 1, "status": "na"}]}
    )


# --------------------------------------------------------------------------- schema <-> attrs

# Where the JSON spells a field differently from the attrs class.
_RENAMED_BOUNDS = {
    "lower": ("min_inclusive", "min_exclusive"),
    "upper": ("max_inclusive", "max_exclusive"),
}
_FOLDED = {"lower_inclusive", "upper_inclusive"}  # carried by which bound key is used


def _json_names(cls: type, renames: dict[str, tuple[str, ...]], dropped: set[str]) -> set[str]:
    out: set[str] = set()
    for f in attrs.fields(cls):
        if f.name.startswith("_") or f.name in dropped:
            continue
        out.update(renames.get(f.name, (f.name,)))
    return out


def _props(schema: dict[str, Any], ref: str | None = None) -> set[str]:
    node = schema if ref is None else schema["$defs"][ref]
    return set(node["properties"])


def test_methodology_schema_matches_the_attrs_classes() -> None:
    s = parindex.json_schema("methodology")
    assert _props(s) == _json_names(parindex.Methodology, {}, set()) | {"format"}
    assert _props(s, "node") == _json_names(parindex.Node, {}, set())
    assert _props(s, "decision") == _json_names(parindex.model.methodology.Decision, {}, set())
    assert _props(s, "source") == _json_names(parindex.model.methodology.Source, {}, set())
    assert _props(s, "component") == _json_names(
        parindex.model.methodology.ScoreComponent, {}, set()
    )
    assert _props(s, "ranking") == _json_names(parindex.model.methodology.RankingPolicy, {}, set())
    assert _props(s, "band") == _json_names(parindex.Band, _RENAMED_BOUNDS, _FOLDED)
    assert _props(s, "tier") == _json_names(rules.Tier, _RENAMED_BOUNDS, _FOLDED)
    assert _props(s, "level_of_rule") == _json_names(rules.Level, {}, set())
    by_kind = {b["properties"]["kind"]["const"]: b for b in s["$defs"]["rule"]["oneOf"]}
    assert set(by_kind) == set(rules.RULE_KINDS)
    for kind, cls in rules.RULE_KINDS.items():
        renames = {"tiers": ("tiers",), "levels": ("levels",)}
        assert set(by_kind[kind]["properties"]) - {"kind"} == _json_names(cls, renames, set()), kind


def test_sheet_schema_matches_score_entry() -> None:
    s = parindex.json_schema("sheet")
    # ScoreEntry.na is written as status "na".
    expected = _json_names(parindex.ScoreEntry, {"na": ("status",)}, set())
    assert _props(s, "entry") == expected
    assert set(parindex.model.sheet.SHEET_COLUMNS) == expected


def test_result_schema_matches_result_document() -> None:
    s = parindex.json_schema("result")
    # The result document carries the total flat on the unit, and rank/band from Ranking;
    # per-node scores omit the key (it is the mapping's key) and the self/appraised
    # points, which ride along in Scores.to_frame() only.
    node_fields = _json_names(
        parindex.engine.scores.NodeScore, {}, {"node", "self_points", "appraised_points"}
    )
    assert _props(s, "node_score") == node_fields
    unit_fields = _json_names(
        parindex.engine.scores.UnitResult, {"total": tuple(sorted(node_fields - {"status"}))}, set()
    )
    assert _props(s, "unit") == unit_fields | {"rank", "band", "unit_code", "given_name"}
    scores = parindex.score(
        "province-2017", parindex.load_sheet(SHEETS["province-2017"]), units="free"
    )
    doc = result_document(scores, parindex.rank(scores))
    assert set(doc) == _props(s)
    assert set(doc["units"][0]) == _props(s, "unit")
    assert set(doc["units"][0]["nodes"]["1"]) == _props(s, "node_score")


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize(("methodology", "path"), SHEETS.items())
def test_same_input_gives_byte_identical_json(methodology: str, path: str) -> None:
    first = _cli("score", "-m", methodology, path, "--format", "json")
    second = _cli("score", "-m", methodology, path, "--format", "json")
    assert first.encode() == second.encode()
    sheet = parindex.load_sheet(path)
    assert sheet.to_json() == parindex.sheet_from_json(sheet.to_json()).to_json()
    show1 = _cli("show", methodology, "--format", "json")
    assert show1 == _cli("show", methodology, "--format", "json")


def test_average_ties_keep_their_fractional_rank_in_the_result_document() -> None:
    # Core fix: result_document used int(rank), turning the average rank 1.5 into 1.
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": u, "node": c, "points": p}
            for u, a, s in [("A", 60, 15), ("B", 60, 15), ("C", 50, 10)]
            for c, p in (("appraisal", a), ("survey", s))
        ]
    )
    scores = parindex.score("illustrative-district", sheet)
    doc = result_document(scores, parindex.rank(scores, ties="average"))
    assert [u["rank"] for u in doc["units"]] == [1.5, 1.5, 3]
    assert type(doc["units"][2]["rank"]) is int
    _validator("result").validate(doc)
    doc = result_document(scores, parindex.rank(scores))
    assert [u["rank"] for u in doc["units"]] == [1, 1, 3]


def test_every_shipped_schema_file_has_a_name() -> None:
    # A schema the service reads from the folder must also be printable with
    # `parindex schema NAME`.
    from importlib import resources

    from parindex.io.schema import SCHEMA_NAMES

    folder = resources.files("parindex") / "data" / "schemas"
    files = {
        p.name.removesuffix(".schema.json")
        for p in folder.iterdir()
        if p.name.endswith(".schema.json")
    }
    assert set(SCHEMA_NAMES) == files
