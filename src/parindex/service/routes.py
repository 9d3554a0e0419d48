"""The service's endpoints as one pure function, :func:`dispatch` (no sockets): it
routes a request to its handler and turns every error into a JSON answer.
:mod:`parindex.service.server` puts it behind a standard-library HTTP server."""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from parindex._version import __version__
from parindex.analysis.ranking import rank, rank_values
from parindex.engine.scores import score
from parindex.errors import InputFormatError, ParIndexError, UnknownMethodologyError
from parindex.io.catalogue import default_registry, get_methodology, list_methodologies
from parindex.io.methodology import methodology_from_dict, methodology_to_dict
from parindex.io.schema import SCHEMA_NAMES, json_schema
from parindex.io.sheet import sheet_from_dict
from parindex.model.methodology import Methodology
from parindex.model.sheet import ScoreSheet
from parindex.present.documents import methodology_summary, ranking_document, result_document
from parindex.service.protocol import (
    HttpError,
    dumps,
    from_parindex_error,
    one_line,
    parse_json_body,
)

__all__ = ["dispatch", "openapi_document"]

_SCORE_KEYS = {
    "methodology",
    "sheet",
    "ties",
    "missing",
    "rate_scale",
    "decimal_comma",
    "year",
    "rank_precision",
    "collect_all",
}
_RANK_VALUE_KEYS = {"values", "groups", "ties", "rank_precision"}


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HttpError(
            400, f"{what} must be a JSON object, got {_json_type(data)}", type="InputFormatError"
        )
    return data


def _json_type(data: object) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "a boolean"
    if isinstance(data, int | float):
        return "a number"
    if isinstance(data, str):
        return "a string"
    if isinstance(data, list):
        return "an array"
    return "an object"


def _option(body: Mapping[str, Any], key: str, allowed: tuple[object, ...]) -> Any:
    value = body.get(key)
    if value is not None and value not in allowed:
        shown = ", ".join(json.dumps(a) for a in allowed if a is not None)
        raise HttpError(
            400,
            f"{key!r} must be one of {shown}, got {value!r}",
            type="InputFormatError",
            value=value,
        )
    return value


def _int_option(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise HttpError(
            400,
            f"{key!r} must be a whole number, got {value!r}",
            type="InputFormatError",
            value=value,
        )
    return value


def _bool_option(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise HttpError(
            400,
            f"{key!r} must be true or false, got {value!r}",
            type="InputFormatError",
            value=value,
        )
    return value


def _methodology(ref: object, year: int | None) -> tuple[Methodology, int | None]:
    """The methodology and the evaluation year (a ``level-year`` key's, else ``year``)."""
    if isinstance(ref, str) and ref.strip():
        return default_registry.lookup(ref, year=year)
    if isinstance(ref, dict):
        return methodology_from_dict(ref, name="methodology"), year
    raise HttpError(
        400,
        "'methodology' must be an id such as \"province-2017\" or a methodology document, "
        f"got {_json_type(ref)}",
        type="InputFormatError",
    )


def _sheet(data: object, *, decimal_comma: bool, collect_all: bool) -> ScoreSheet:
    if not isinstance(data, dict | list):
        raise HttpError(
            400,
            f"'sheet' must be {{\"entries\": [...]}} or a list of entries, got {_json_type(data)}",
            type="InputFormatError",
        )
    return sheet_from_dict(data, decimal_comma=decimal_comma, collect_all=collect_all, name="sheet")


def _scored(body: dict[str, Any]) -> tuple[Any, Any]:
    unknown = set(body) - _SCORE_KEYS
    if unknown:
        raise HttpError(
            400,
            f"unknown keys {sorted(unknown)} (allowed: {', '.join(sorted(_SCORE_KEYS))})",
            type="InputFormatError",
        )
    for key in ("methodology", "sheet"):
        if key not in body:
            raise HttpError(400, f"the body needs {key!r}", type="InputFormatError")
    ties = _option(body, "ties", ("min", "dense", "average", "first", "max", None))
    missing: Any = _option(body, "missing", ("error", "zero", "unknown", None)) or "error"
    rate_scale = _option(body, "rate_scale", ("percent", "fraction", None))
    year = _int_option(body, "year")
    precision = _int_option(body, "rank_precision")
    decimal_comma = _bool_option(body, "decimal_comma")
    collect_all = _bool_option(body, "collect_all")
    m, year = _methodology(body["methodology"], year)
    sheet = _sheet(body["sheet"], decimal_comma=decimal_comma, collect_all=collect_all)
    scores = score(m, sheet, missing=missing, rate_scale=rate_scale, collect_all=collect_all)
    ranking = rank(scores, ties=ties, precision=precision, year=year)
    return scores, ranking


def _post_score(body: dict[str, Any]) -> object:
    scores, ranking = _scored(body)
    return result_document(scores, ranking)


def _post_rank(body: dict[str, Any]) -> object:
    if "values" in body:
        return _rank_values(body)
    _, ranking = _scored(body)
    return ranking_document(ranking)


def _rank_values(body: dict[str, Any]) -> object:
    unknown = set(body) - _RANK_VALUE_KEYS
    if unknown:
        raise HttpError(
            400,
            f"unknown keys {sorted(unknown)} (allowed with 'values': "
            f"{', '.join(sorted(_RANK_VALUE_KEYS))})",
            type="InputFormatError",
        )
    values = _object(body["values"], "'values'")
    for unit, v in values.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise HttpError(
                400,
                f"unit {unit!r}: the value must be a number or null, got {v!r}",
                type="InputFormatError",
                unit=unit,
                value=v,
            )
    groups = body.get("groups")
    if groups is not None:
        groups = _object(groups, "'groups'")
        for unit, g in groups.items():
            if g is not None and not isinstance(g, str):
                raise HttpError(
                    400,
                    f"unit {unit!r}: the group must be text, got {g!r}",
                    type="InputFormatError",
                    unit=unit,
                    value=g,
                )
    ties: Any = _option(body, "ties", ("min", "dense", "average", "first", "max", None)) or "min"
    ranks = rank_values(
        {u: math.nan if v is None else float(v) for u, v in values.items()},
        ties=ties,
        precision=_int_option(body, "rank_precision"),
        groups=groups,
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


def _post_validate(body: dict[str, Any]) -> object:
    m = methodology_from_dict(body, name="methodology")
    return {
        "valid": True,
        "id": m.id,
        "official": m.official,
        "completeness": m.describe_completeness(),
    }


def _summary(m: Methodology) -> dict[str, Any]:
    return methodology_summary(m)


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI 3.1 description, with the JSON Schemas inlined.

    Example:
        >>> from parindex.service.app import openapi_document
        >>> doc = openapi_document()
        >>> doc["openapi"], sorted(doc["paths"])[:2]
        ('3.1.0', ['/methodologies', '/methodologies/{id}'])
    """
    text = (resources.files("parindex") / "data" / "openapi.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    doc["info"]["version"] = __version__
    schemas = doc["components"]["schemas"]
    for name in SCHEMA_NAMES:
        # Inline without $id, so that every tool resolves the references the same way
        # (an embedded $id would move the base of "#/..." references in some tools).
        key = name.capitalize()
        schema = json_schema(name)
        schema_id = schema.pop("$id")
        schema.pop("$schema", None)
        schema["$comment"] = f"inlined from {schema_id}"
        schemas[key] = _rebase_refs(schema, f"#/components/schemas/{key}/$defs/")
    return doc


def _rebase_refs(obj: Any, prefix: str) -> Any:
    if isinstance(obj, dict):
        out = {k: _rebase_refs(v, prefix) for k, v in obj.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = prefix + ref.removeprefix("#/$defs/")
        return out
    if isinstance(obj, list):
        return [_rebase_refs(v, prefix) for v in obj]
    return obj


_GET_ROUTES: dict[str, Callable[[], object]] = {
    "/methodologies": lambda: [_summary(m) for m in list_methodologies()],
    "/openapi.json": openapi_document,
    "/health": lambda: {"status": "ok", "version": __version__},
}
_POST_ROUTES: dict[str, Callable[[dict[str, Any]], object]] = {
    "/score": _post_score,
    "/rank": _post_rank,
    "/validate": _post_validate,
}


def _get(path: str, query: Mapping[str, list[str]]) -> object:
    if path in _GET_ROUTES:
        return _GET_ROUTES[path]()
    if path.startswith("/methodologies/"):
        key = urllib.parse.unquote(path.removeprefix("/methodologies/"))
        try:
            levels = query.get("level")
            level = levels[-1] if levels else None
            return methodology_to_dict(get_methodology(key, level=level))
        except UnknownMethodologyError as err:
            raise from_parindex_error(err, status=404) from None
    if path.startswith("/schemas/"):
        name = path.removeprefix("/schemas/").removesuffix(".schema.json").removesuffix(".json")
        if name in SCHEMA_NAMES:
            return json_schema(name)
    if path in _POST_ROUTES:
        raise HttpError(405, f"use POST for {path}", type="MethodNotAllowed")
    raise HttpError(404, f"no such endpoint: GET {path}", type="NotFound")


def dispatch(method: str, target: str, body: bytes = b"") -> tuple[int, str]:
    """Answer one request: ``(status, JSON text)``. Pure (no sockets), so it is easy to
    test and to embed in another server (WSGI, ASGI, a serverless function).

    Example:
        >>> from parindex.service.app import dispatch
        >>> status, text = dispatch("GET", "/methodologies/province-2017")
        >>> status, text.splitlines()[2]
        (200, '  "id": "province-2017",')
        >>> dispatch("DELETE", "/score")[0]
        405
    """
    parts = urllib.parse.urlsplit(target)
    path = parts.path
    query = urllib.parse.parse_qs(parts.query)
    if len(path) > 1:
        path = path.rstrip("/")
    try:
        try:
            if method == "GET":
                return 200, dumps(_get(path, query))
            if method == "POST":
                if path not in _POST_ROUTES:
                    if path in _GET_ROUTES or path.startswith(("/methodologies/", "/schemas/")):
                        raise HttpError(405, f"use GET for {path}", type="MethodNotAllowed")
                    raise HttpError(404, f"no such endpoint: POST {path}", type="NotFound")
                data = _object(parse_json_body(body), "the body")
                return 200, dumps(_POST_ROUTES[path](data))
            raise HttpError(
                405, f"method {method} is not allowed (use GET or POST)", type="MethodNotAllowed"
            )
        except UnknownMethodologyError as err:
            raise from_parindex_error(err, status=422) from None
        except InputFormatError as err:
            raise from_parindex_error(err, status=400) from None
        except ParIndexError as err:
            raise from_parindex_error(err, status=422) from None
        except RecursionError:
            raise HttpError(
                400, "the request is nested too deeply", type="InputFormatError"
            ) from None
    except HttpError as err:
        return err.status, dumps(err.document())
    except Exception as err:  # never die on a request: report it and keep serving
        internal = HttpError(
            500,
            f"internal error ({type(err).__name__}): {one_line(str(err))}; please report it",
            type="InternalError",
        )
        return 500, dumps(internal.document())
