"""The service's endpoints as data, and their handlers.

:data:`ENDPOINTS` is the one table both the ASGI application
(:func:`parindex.service.asgi.create_app`) and the OpenAPI document
(:func:`parindex.service.openapi.openapi_document`) are built from: path, method, the
shipped schema of the body and of the answer, the query parameters. A handler is a
pure function of a :class:`Call` (a body the schema has accepted, the parameters, the
bounds); it reads nothing the schema does not describe (a test holds it to that).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from parindex._version import __version__
from parindex.analysis.identity import score_units
from parindex.analysis.ranking import rank, rank_values
from parindex.errors import UnknownMethodologyError
from parindex.io.catalogue import default_registry, get_methodology, list_methodologies
from parindex.io.methodology import methodology_from_dict, methodology_to_dict
from parindex.io.sheet import sheet_from_csv, sheet_from_dict
from parindex.limits import check_limit
from parindex.model.bands import TiePolicy
from parindex.present.documents import methodology_summary, ranking_document, result_document
from parindex.present.errors import error_document
from parindex.service.calls import Call, CsvSheet, Endpoint, Param, Settings
from parindex.service.openapi import openapi_document
from parindex.service.protocol import HttpError
from parindex.service.schemas import ALL_SCHEMAS, check_request, shipped_schema
from parindex.service.units import MAX_PAGE, get_unit, list_units, resolve_names, successor

__all__ = ["ENDPOINTS", "Call", "CsvSheet", "Endpoint", "Param", "Settings", "endpoint"]


# ------------------------------------------------------------------ the handlers


def _list(call: Call) -> object:
    return [methodology_summary(m) for m in list_methodologies()]


def _show(call: Call) -> object:
    try:
        m = get_methodology(call.params["id"], level=call.params.get("level"))
    except UnknownMethodologyError as err:  # the resource of the path: 404, not 422
        doc = error_document(err)["error"]
        raise HttpError(404, doc["message"], type=doc["type"]) from None
    return methodology_to_dict(m)


def _scored(call: Call) -> tuple[Any, Any]:
    """Score and rank the sheet of a score request (a JSON or CSV sheet)."""
    body, bounds = call.body, call.settings
    ref = body["methodology"]
    year = body.get("year")
    if isinstance(ref, str):
        m, year = default_registry.lookup(ref, year=year)
    else:
        m = methodology_from_dict(ref, name="methodology")
    decimal_comma = bool(body.get("decimal_comma", False))
    collect_all = bool(body.get("collect_all", False))
    data = body["sheet"]
    read = functools.partial(
        sheet_from_csv if isinstance(data, CsvSheet) else sheet_from_dict,
        decimal_comma=decimal_comma,
        collect_all=collect_all,
        name="sheet",
        max_rows=bounds.max_sheet_rows,
    )
    sheet = read(data.text if isinstance(data, CsvSheet) else data)
    # Scoring holds a units x nodes array: bound the units before it is built.
    check_limit("units", len(sheet.units), "MAX_UNITS", bounds.max_units, where="sheet")
    # As `parindex score` does: units resolved against the level's roster (a roster
    # file, the CLI's --roster, is not offered: a request names no server file).
    scores = score_units(
        m,
        sheet,
        year=year,
        units=body.get("units") or "resolve",
        missing=body.get("missing") or "error",
        rate_scale=body.get("rate_scale"),
        collect_all=collect_all,
    )
    return scores, rank(
        scores, ties=body.get("ties"), precision=body.get("rank_precision"), year=year
    )


def _score(call: Call) -> object:
    return result_document(*_scored(call))


def _rank(call: Call) -> object:
    if "values" in call.body:
        return _rank_values(call)
    return ranking_document(_scored(call)[1])


def _rank_values(call: Call) -> object:
    body = call.body
    values: Mapping[str, float | None] = body["values"]
    check_limit("units", len(values), "MAX_UNITS", call.settings.max_units, where="values")
    ties: TiePolicy = body.get("ties") or "min"
    ranks = rank_values(
        {u: math.nan if v is None else float(v) for u, v in values.items()},
        ties=ties,
        precision=body.get("rank_precision"),
        groups=body.get("groups"),
    )
    return {
        "ties": ties,
        "ranks": {
            str(u): (
                None if r is None or r != r else (int(r) if float(r).is_integer() else float(r))
            )
            for u, r in ranks.astype("object").where(ranks.notna(), None).items()
        },
    }


def _validate(call: Call) -> object:
    # Refusing the document is this endpoint's answer (422), not a malformed request:
    # the library's message first (it names the node), then what only the schema sees.
    m = methodology_from_dict(call.body, name="methodology")
    check_request("methodology", call.body, status=422, type="MethodologyError")
    return {
        "valid": True,
        "id": m.id,
        "official": m.official,
        "completeness": m.describe_completeness(),
    }


def _schema(call: Call) -> object:
    name = call.params["name"].removesuffix(".json").removesuffix(".schema")
    if name not in ALL_SCHEMAS:
        raise HttpError(
            404,
            f"no JSON Schema named {name!r} (known: {', '.join(ALL_SCHEMAS)})",
            type="NotFound",
            value=name,
        )
    return shipped_schema(name)


def _health(call: Call) -> object:
    return {"status": "ok", "version": __version__}


@functools.cache
def _openapi_document() -> dict[str, Any]:
    return openapi_document(ENDPOINTS)


def _openapi(call: Call) -> object:
    doc = _openapi_document()  # the same for every request: built once
    # Mounted at a prefix, the paths are relative to it; said so for clients.
    return {**doc, "servers": [{"url": call.root_path}]} if call.root_path else doc


# ------------------------------------------------------------------ the table

_OPTIONS = ("ties", "missing", "rate_scale", "decimal_comma", "year", "rank_precision")
_SCORE_PARAMS = (
    Param(
        "methodology",
        "With a text/csv body: the methodology id (required). With a JSON body it "
        "overrides the body's.",
        "score-request#/$defs/methodology",
    ),
    *(
        Param(
            name,
            f"The option {name} of the body; given here, it overrides the body's.",
            f"score-request#/$defs/{name}",
        )
        for name in (*_OPTIONS, "collect_all", "units")
    ),
)
_SHEET_ERRORS = (400, 408, 411, 413, 422)
_LEVEL = Param("level", "The roster's level (default: province).", "units#/$defs/level")
_YEAR = Param("year", "The evaluation year (default: the latest).", "units#/$defs/year")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/methodologies",
        "listMethodologies",
        "The shipped methodologies in brief (as `parindex methodologies --format json`).",
        _list,
        answer="methodologies",
    ),
    Endpoint(
        "GET",
        "/methodologies/{id}",
        "getMethodology",
        "One methodology document: the tree with maxima (null where unknown), rules, "
        "bands and sources (as `parindex show ID --format json`).",
        _show,
        answer="methodology",
        params=(
            Param(
                "id",
                "An id, alias, decision number (URL-encoded: 2948%2FQĐ-BNV) or level-year key.",
                {"type": "string"},
                where="path",
                required=True,
            ),
            Param(
                "level",
                "The level, for a decision number that several levels share.",
                {"type": "string"},
            ),
        ),
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/score",
        "score",
        "Score and rank every unit of a sheet: the result document of "
        "`parindex score --format json`. The body is JSON, or the sheet as CSV "
        "(Content-Type: text/csv) with the methodology and options in the query.",
        _score,
        answer="result",
        finite_answer=True,
        body="score-request",
        csv=True,
        params=_SCORE_PARAMS,
        errors=_SHEET_ERRORS,
    ),
    Endpoint(
        "POST",
        "/rank",
        "rank",
        "Rank the units of a sheet (the body of /score), or rank index values as given "
        '({"values": {unit: index}}).',
        _rank,
        answer="ranking",
        body="rank-request",
        errors=_SHEET_ERRORS,
    ),
    Endpoint(
        "POST",
        "/validate",
        "validateMethodology",
        "Validate a methodology document: what its schema says, and what a schema "
        "cannot (maxima adding up, rules within their node's maximum, cited sources).",
        _validate,
        answer="validation",
        body="methodology",
        judges_body=True,
        errors=_SHEET_ERRORS,
    ),
    Endpoint(
        "GET",
        "/units",
        "listUnits",
        "A page of a roster (danh mục đơn vị), in roster order: the provinces of an "
        "evaluation year (63 before 2025, 34 from 2025 on), the ministries, or the "
        "communes, wards and special zones in force from 1 July 2025 (needs the `units` "
        "extra on the server: else 501), narrowed to a province, searched by name or code.",
        list_units,
        answer="units",
        params=(
            _LEVEL,
            _YEAR,
            Param(
                "province",
                "Narrow a commune, ward or special-zone roster to one province: its name "
                "in any spelling, or its code.",
                {"type": "string"},
            ),
            Param(
                "q",
                "Find the units whose name or alias holds this text (case, diacritics, "
                'spacing and a leading "xã", "phường", "tỉnh" ignored), or whose code '
                "starts with these digits.",
                {"type": "string"},
            ),
            Param("limit", f"Units on the page (at most {MAX_PAGE}).", "units#/$defs/limit"),
            Param("offset", "Units found to skip.", "units#/$defs/offset"),
        ),
        errors=(422, 501),
    ),
    Endpoint(
        "GET",
        "/units/{code}",
        "getUnit",
        "One unit by its official code (two digits for a province, five for a commune, "
        "ward or special zone), with the units of before 1 July 2025 it was formed from.",
        get_unit,
        answer="unit",
        params=(
            Param(
                "code",
                "The official code (digits).",
                {"type": "string", "pattern": "^[0-9]+$", "examples": ["19", "11311"]},
                where="path",
                required=True,
            ),
            _LEVEL,
            _YEAR,
        ),
        errors=(404, 422, 501),
    ),
    Endpoint(
        "POST",
        "/units/resolve",
        "resolveUnits",
        "Resolve names as they arrive (any case, diacritics, prefix) against the roster "
        "of a level and year, as scoring resolves them: each name's unit and code, or "
        "what it could be (ambiguous, did you mean), or what a merged unit became.",
        resolve_names,
        answer="resolution",
        body="resolve-request",
        errors=(408, 411, 413, 422, 501),
    ),
    Endpoint(
        "GET",
        "/units/{unit}/successor",
        "getSuccessor",
        "The province that a province of before 1 July 2025 became part of (Nghị quyết "
        "202/2025/QH15), and every province that joined it.",
        successor,
        answer="succession",
        params=(
            Param(
                "unit",
                "The old province: its code before 1 July 2025, or its name in any spelling.",
                {"type": "string", "examples": ["06", "Bắc Kạn", "dak nong"]},
                where="path",
                required=True,
            ),
        ),
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/schemas/{name}",
        "getSchema",
        "A JSON Schema (draft 2020-12) of the contract, as `parindex schema NAME` prints it.",
        _schema,
        answer={"type": "object", "description": "A JSON Schema."},
        params=(
            Param(
                "name",
                "The schema's name.",
                {"enum": list(ALL_SCHEMAS)},
                where="path",
                required=True,
            ),
        ),
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/openapi.json",
        "openapi",
        "This document (OpenAPI 3.1), built from the routes and the shipped schemas.",
        _openapi,
        answer={"type": "object", "description": "An OpenAPI 3.1 document."},
    ),
    Endpoint(
        "GET",
        "/health",
        "health",
        "The service is up and ready to score.",
        _health,
        answer="health",
    ),
)
"""Every operation of the service."""


def endpoint(method: str, path: str) -> Endpoint:
    """The operation with this method and path template.

    Example:
        >>> from parindex.service.routes import endpoint
        >>> endpoint("POST", "/score").body
        'score-request'
    """
    for ep in ENDPOINTS:
        if (ep.method, ep.path) == (method, path):
            return ep
    raise KeyError(f"{method} {path}")
