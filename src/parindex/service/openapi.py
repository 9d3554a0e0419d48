"""The OpenAPI 3.1 document of the service, built from the routes
(:data:`parindex.service.routes.ENDPOINTS`) and the shipped JSON Schemas, so that it
cannot drift from either: nothing in it is written by hand but the words.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the shipped schemas go in whole, under
``components/schemas`` (``score-request`` as ``ScoreRequest``), their references
rewritten to point there: a client generator or a tester needs no network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from parindex._version import __version__
from parindex.limits import MAX_SHEET_ROWS, MAX_UNITS
from parindex.service.calls import Endpoint, Param
from parindex.service.protocol import BODY_TIMEOUT, MAX_BODY_BYTES, MAX_JSON_DEPTH
from parindex.service.schemas import ALL_SCHEMAS, schema_id, shipped_schema

__all__ = ["component_name", "openapi_document"]

_BASE = schema_id("x").removesuffix("x.schema.json")  # https://parindex.dev/schemas/v1/

_WHEN = {
    400: "A malformed request: a body that is not UTF-8 JSON (or repeats a key), a body "
    "or query parameter its schema refuses (the message gives the JSON path).",
    404: "No such resource.",
    408: "The body did not arrive within the body timeout.",
    411: "A POST without Content-Length (nor chunked Transfer-Encoding).",
    413: f"Over a bound, named in the message: MAX_BODY_BYTES ({MAX_BODY_BYTES} bytes), "
    f"MAX_JSON_DEPTH ({MAX_JSON_DEPTH} levels), MAX_SHEET_ROWS ({MAX_SHEET_ROWS:,} "
    f"entries), MAX_UNITS ({MAX_UNITS:,} units).",
    422: "A request its schema accepts that parindex refuses: an unknown methodology, "
    "points above a maximum, an unknown node, a duplicate entry, a control character "
    "in a text, a CSV sheet that is not one, an unknown province, a roster a level has "
    "none of for that year; for /validate, a document that is not a valid methodology.",
    501: "The roster of communes, wards and special zones comes from an optional package "
    'this server does not have: pip install "parindex[units]" on the server (the error\'s '
    "value says so).",
    500: "A bug: please report it.",
}

_DESCRIPTION = f"""\
Score and rank units under a versioned PAR INDEX methodology; started with `parindex \
serve` or mounted in another ASGI application. Every answer is JSON, compact unless \
`?pretty=1` (then indented as the CLI prints it, byte for byte). A refused request \
gets {{"error": {{"type", "message", "unit", "node", "value"}}}} (components/schemas/Error) \
with the status saying why: {", ".join(str(s) for s in _WHEN)}. Bodies are validated \
against the schemas below, the same files `parindex schema NAME` prints. Bounds (the \
defaults of parindex.service.create_app): {MAX_BODY_BYTES} bytes of body, {MAX_JSON_DEPTH} \
levels of JSON, {MAX_SHEET_ROWS:,} sheet entries, {MAX_UNITS:,} units, {BODY_TIMEOUT:g} s \
for a body to arrive. No authentication: bind to localhost or put it behind a gateway."""


def component_name(name: str) -> str:
    """The name of a shipped schema under ``components/schemas``.

    Example:
        >>> from parindex.service.openapi import component_name
        >>> component_name("score-request"), component_name("result")
        ('ScoreRequest', 'Result')
    """
    return "".join(part.capitalize() for part in name.split("-"))


def openapi_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``endpoints``, with every shipped schema inlined.

    Example:
        >>> from parindex.service.openapi import openapi_document
        >>> from parindex.service.routes import ENDPOINTS
        >>> doc = openapi_document(ENDPOINTS)
        >>> doc["openapi"], doc["paths"]["/score"]["post"]["operationId"]
        ('3.1.0', 'score')
        >>> doc["components"]["schemas"]["ScoreRequest"]["properties"]["sheet"]["oneOf"][0]
        {'$ref': '#/components/schemas/Sheet'}
    """
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "parindex calculation service",
            "summary": "Score and rank units under a versioned PAR INDEX (Chỉ số CCHC) methodology.",
            "description": _DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
            "version": __version__,
        },
        "paths": paths,
        "components": {"schemas": {component_name(n): _component(n) for n in ALL_SCHEMAS}},
    }


def _operation(ep: Endpoint) -> dict[str, Any]:
    pretty = {
        "name": "pretty",
        "in": "query",
        "description": "Indent the answer as the CLI prints it (default: compact).",
        "schema": {"type": "boolean"},
    }
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "parameters": [*(_parameter(p) for p in ep.params), pretty],
    }
    if ep.body is not None:
        content: dict[str, Any] = {"application/json": {"schema": _schema_ref(ep.body)}}
        if ep.csv:
            content["text/csv"] = {
                "schema": {
                    "type": "string",
                    "description": "A tidy CSV sheet (unit,node,points|value|status,...), "
                    "as `parindex score` reads; the methodology goes in the query.",
                }
            }
        op["requestBody"] = {"required": True, "content": content}
    answer = _schema_ref(ep.answer) if isinstance(ep.answer, str) else dict(ep.answer)
    responses: dict[str, Any] = {
        "200": {"description": "The answer.", "content": {"application/json": {"schema": answer}}}
    }
    for status in sorted({400, *ep.errors, 500}):
        responses[str(status)] = {
            "description": _WHEN.get(status, HTTPStatus(status).phrase),
            "content": {"application/json": {"schema": _schema_ref("error")}},
        }
    op["responses"] = responses
    return op


def _parameter(p: Param) -> dict[str, Any]:
    schema = _schema_ref(p.schema) if isinstance(p.schema, str) else dict(p.schema)
    return {
        "name": p.name,
        "in": p.where,
        "required": p.required,
        "description": p.description,
        "schema": schema,
    }


def _schema_ref(ref: str) -> dict[str, Any]:
    """``"result"`` or ``"score-request#/$defs/ties"`` as a reference into components."""
    name, _, fragment = ref.partition("#")
    return {"$ref": f"#/components/schemas/{component_name(name)}{fragment}"}


def _component(name: str) -> dict[str, Any]:
    # Inline without $id, so that every tool resolves the references the same way
    # (an embedded $id would move the base of "#/..." references in some tools).
    schema = shipped_schema(name)
    schema.pop("$schema", None)
    schema["$comment"] = f"inlined from {schema.pop('$id')}"
    rebased: dict[str, Any] = _rebase(schema, component_name(name))
    return rebased


def _rebase(obj: Any, home: str) -> Any:
    """Point the references of a schema inlined as ``home`` into components."""
    if isinstance(obj, Mapping):
        out = {k: _rebase(v, home) for k, v in obj.items()}
        ref = out.get("$ref")
        if isinstance(ref, str):
            target, _, fragment = ref.removeprefix(_BASE).partition("#")
            name = target.removesuffix(".schema.json") if target else None
            out["$ref"] = f"#/components/schemas/{component_name(name) if name else home}{fragment}"
        return out
    if isinstance(obj, list):
        return [_rebase(v, home) for v in obj]
    return obj
