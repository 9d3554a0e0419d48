"""The schemas and the handlers agree: a handler reads exactly the properties its
request schema describes, a body the schema accepts is never refused as malformed
(400), a body it refuses always is, the compiled validator gives jsonschema's answers,
and the OpenAPI document says what the routes do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.service import dispatch
from parindex.service.openapi import component_name
from parindex.service.routes import ENDPOINTS, Call, endpoint
from parindex.service.schemas import (
    ALL_SCHEMAS,
    check_request,
    fast_accepts,
    schema_id,
    shipped_schema,
)

SCORE = shipped_schema("score-request")
VALUES = shipped_schema("rank-request")["$defs"]["values"]
ENTRY = {"unit": "Huyện A", "node": "1.4.2", "points": 1.5}


class Reading(dict[str, Any]):
    """A body that remembers which keys were read."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def _full_score_body() -> dict[str, Any]:
    """Every property of the score request, each with a value the schema accepts."""
    return {
        "methodology": "illustrative-district",
        "sheet": {"entries": [ENTRY]},
        "ties": "dense",
        "missing": "zero",
        "rate_scale": "percent",
        "decimal_comma": False,
        "year": 2024,
        "rank_precision": 2,
        "collect_all": False,
        "units": "free",
    }


def test_the_score_handler_reads_exactly_the_properties_of_its_schema() -> None:
    body = Reading(_full_score_body())
    assert set(body) == set(SCORE["properties"])  # the body above is complete
    check_request("score-request", dict(body))
    endpoint("POST", "/score").handler(Call(body=body))
    assert body.read == set(SCORE["properties"])


def test_the_rank_handler_reads_exactly_the_properties_of_its_two_forms() -> None:
    values = Reading({"values": {"A": 1.0, "B": None}, "groups": {"A": "g"}, "ties": "max"})
    values["rank_precision"] = 1
    check_request("rank-request", dict(values))
    endpoint("POST", "/rank").handler(Call(body=values))
    assert values.read == set(VALUES["properties"])
    scored = Reading(_full_score_body())
    check_request("rank-request", dict(scored))
    endpoint("POST", "/rank").handler(Call(body=scored))
    # "values" is looked for to tell the forms apart, as the schema's "if" does.
    assert scored.read == set(SCORE["properties"]) | {"values"}
    assert shipped_schema("rank-request")["if"]["required"] == ["values"]


def _strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a simple definition of score-request.schema.json accepts."""
    if "$ref" in schema:
        return _strategy(SCORE["$defs"][schema["$ref"].removeprefix("#/$defs/")])
    if "anyOf" in schema:
        return st.one_of([_strategy(s) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
    raise AssertionError(f"no strategy for {schema}")


OPTIONS = {
    name: _strategy(SCORE["properties"][name])
    for name in SCORE["properties"]
    if name not in ("methodology", "sheet")
}
# Text without the characters refused before any schema (422, tested elsewhere).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=4)
NAMES = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1)
ENTRIES = st.lists(
    st.fixed_dictionaries(
        {"unit": NAMES, "node": st.sampled_from(["1.4.2", "1.1.1", "2", "9.9", "total"])},
        optional={"group": NAMES, "note": TEXT},
    ).flatmap(
        lambda e: st.one_of(
            st.fixed_dictionaries(
                {**{k: st.just(v) for k, v in e.items()}, "points": st.floats(0, 50)}
            ),
            st.fixed_dictionaries(
                {**{k: st.just(v) for k, v in e.items()}, "value": st.sampled_from(["97%", 3])}
            ),
            st.just({**e, "status": "na"}),
        )
    ),
    min_size=1,
    max_size=6,
)
VALID_BODIES = st.fixed_dictionaries(
    {
        "methodology": st.sampled_from(["illustrative-district", "province-2023", "nope"]),
        "sheet": st.one_of(ENTRIES, ENTRIES.map(lambda e: {"entries": e})),
    },
    optional=OPTIONS,
)


@settings(max_examples=60)
@given(body=VALID_BODIES)
def test_a_body_the_schema_accepts_is_never_refused_as_malformed(body: dict[str, Any]) -> None:
    assert jsonschema.Draft202012Validator(SCORE, registry=_registry()).is_valid(body)
    status, text = dispatch("POST", "/score", json.dumps(body).encode())
    assert status in (200, 422), text  # 422: what a schema cannot know (nodes, maxima)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=120)
@given(body=VALID_BODIES, key=st.sampled_from(sorted(SCORE["properties"])), value=JSON)
def test_a_body_the_schema_refuses_is_refused_with_400(
    body: dict[str, Any], key: str, value: Any
) -> None:
    body = {**body, key: value}
    valid = jsonschema.Draft202012Validator(SCORE, registry=_registry()).is_valid(body)
    status, text = dispatch("POST", "/score", json.dumps(body).encode())
    if valid:
        assert status in (200, 422), text
    else:
        assert status == 400, text
        assert json.loads(text)["error"]["type"] == "InputFormatError"


@settings(max_examples=150)
@given(
    body=VALID_BODIES,
    key=st.sampled_from([*sorted(SCORE["properties"]), "extra"]),
    value=JSON,
    values=st.dictionaries(TEXT, JSON, max_size=3),
)
def test_the_compiled_validator_gives_jsonschemas_answers(
    body: dict[str, Any], key: str, value: Any, values: dict[str, Any]
) -> None:
    cases = [
        ("score-request", body),
        ("score-request", {**body, key: value}),
        ("rank-request", {"values": values}),
        ("rank-request", {**body, key: value}),
        ("sheet", {"entries": body["sheet"]} if isinstance(body["sheet"], list) else value),
    ]
    for name, data in cases:
        expected = jsonschema.Draft202012Validator(
            {"$ref": schema_id(name)}, registry=_registry()
        ).is_valid(data)
        assert fast_accepts(schema_id(name), data) == expected, (name, data)


def _registry() -> Any:
    from parindex.service.schemas import _registry as registry

    return registry()


# ------------------------------------------------------------------ the document


def _walk_refs(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        if isinstance(obj.get("$ref"), str):
            yield obj["$ref"]
        for v in obj.values():
            yield from _walk_refs(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_refs(v)


def test_the_openapi_document_says_what_the_routes_do() -> None:
    doc = json.loads(dispatch("GET", "/openapi.json")[1])
    operations = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert operations == {(ep.method, ep.path) for ep in ENDPOINTS}
    assert set(doc["components"]["schemas"]) == {component_name(n) for n in ALL_SCHEMAS}
    for ep in ENDPOINTS:
        op = doc["paths"][ep.path][ep.method.lower()]
        if ep.body is not None:
            content = op["requestBody"]["content"]
            ref = f"#/components/schemas/{component_name(ep.body)}"
            assert content["application/json"]["schema"] == {"$ref": ref}
            assert ("text/csv" in content) == ep.csv
        declared = {p["name"] for p in op["parameters"]}
        assert declared == {p.name for p in ep.params} | {"pretty"}
        for p in op["parameters"]:
            ref = p["schema"].get("$ref", "")
            if ref.startswith("#/components/schemas/ScoreRequest/$defs/"):
                # A query option stands for the body property of the same name.
                assert p["name"] in SCORE["properties"]
                assert ref.rsplit("/", 1)[1] == p["name"]
        assert set(op["responses"]) >= {"200", "400", "500"}
    for ref in _walk_refs(doc):
        assert ref.startswith("#/"), ref  # no network needed
        node: Any = doc
        for part in ref[2:].split("/"):
            node = node[part]
    jsonschema.Draft202012Validator.check_schema(doc["components"]["schemas"]["ScoreRequest"])


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_every_shipped_schema_is_valid_2020_12_with_a_versioned_id(name: str) -> None:
    schema = shipped_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schema_id(name)
    jsonschema.Draft202012Validator.check_schema(schema)
