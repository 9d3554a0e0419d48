"""The service's one source of truth for what a request may hold: the JSON Schemas the
package ships (``parindex schema NAME`` prints them), validated with :mod:`jsonschema`.

A body the schema refuses is answered 400 with the JSON path of the problem (and the
unit and node of a sheet entry); the handlers behind read only what the schema lets
through. Query parameters that stand for body properties (the options of a CSV score
request) are validated against the same definitions.

:mod:`jsonschema` is pure Python and spends some 40-130 microseconds on each sheet
entry, more than scoring it takes; so, when ``jsonschema_rs`` (the same schemas,
compiled; in the ``service`` extra) is installed, it answers first whether a body is
valid, in well under a millisecond for a province's sheet. Only a body it refuses (or
cannot read, as a number too large for it) goes to :mod:`jsonschema`, which has the
last word and words the refusal; a test holds the two to the same answers.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # (no types-jsonschema in lint)
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema.exceptions import (  # type: ignore[import-untyped]
    ValidationError,
    best_match,
)

from parindex.io.schema import SCHEMA_NAMES, UnknownSchemaError, json_schema
from parindex.service.protocol import HttpError

try:
    import jsonschema_rs
except ImportError:  # optional: jsonschema alone gives the same answers, slower
    jsonschema_rs = None  # type: ignore[assignment]

__all__ = [
    "ALL_SCHEMAS",
    "SERVICE_SCHEMAS",
    "check_request",
    "fast_accepts",
    "query_value",
    "schema_id",
    "shipped_schema",
]

SERVICE_SCHEMAS = (
    "error",
    "health",
    "methodologies",
    "rank-request",
    "ranking",
    "resolution",
    "resolve-request",
    "score-request",
    "succession",
    "unit",
    "units",
    "validation",
)
"""The service's own documents (requests and answers), beside the library's."""
ALL_SCHEMAS = tuple(sorted({*SCHEMA_NAMES, *SERVICE_SCHEMAS}))
"""Every shipped schema: ``GET /schemas/{name}`` serves each."""

_MAX_REPORTED = 100  # problems listed under "errors" with collect_all


def schema_id(name: str) -> str:
    """The ``$id`` of a shipped schema.

    Example:
        >>> from parindex.service.schemas import schema_id
        >>> schema_id("score-request")
        'https://parindex.dev/schemas/v1/score-request.schema.json'
    """
    return f"https://parindex.dev/schemas/v1/{name}.schema.json"


def shipped_schema(name: str) -> dict[str, Any]:
    """A shipped JSON Schema by name (a fresh dict each time).

    Example:
        >>> from parindex.service.schemas import shipped_schema
        >>> shipped_schema("score-request")["required"]
        ['methodology', 'sheet']
        >>> shipped_schema("invoice")
        Traceback (most recent call last):
        ...
        parindex.io.schema.UnknownSchemaError: no JSON Schema named 'invoice' (known: error, health, methodologies, methodology, rank-request, ranking, resolution, resolve-request, result, score-request, sheet, succession, unit, units, validation)
    """
    if name in SCHEMA_NAMES:
        return json_schema(name)
    if name not in SERVICE_SCHEMAS:
        raise UnknownSchemaError(f"no JSON Schema named {name!r} (known: {', '.join(ALL_SCHEMAS)})")
    # Read beside the others, in the same folder, until parindex.io.schema lists them.
    path = resources.files("parindex") / "data" / "schemas" / f"{name}.schema.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def _registry() -> referencing.Registry[Any]:
    """Every shipped schema under its ``$id``, so that references between them
    (``"sheet.schema.json#/$defs/entry"``) resolve without any network."""
    spec = referencing.jsonschema.DRAFT202012
    registry: referencing.Registry[Any] = referencing.Registry().with_resources(
        (schema_id(n), spec.create_resource(shipped_schema(n))) for n in ALL_SCHEMAS
    )
    return registry.crawl()


@functools.cache
def _validator(ref: str) -> jsonschema.protocols.Validator:
    """A validator for the schema at ``ref`` (an ``$id``, with a fragment or without)."""
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(
        {"$ref": ref}, registry=_registry()
    )
    return validator


@functools.cache
def _fast_validator(ref: str) -> Any:
    """The compiled validator for ``ref``, or None without ``jsonschema_rs``."""
    if jsonschema_rs is None:
        return None
    registry = jsonschema_rs.Registry([(schema_id(n), shipped_schema(n)) for n in ALL_SCHEMAS])
    return jsonschema_rs.Draft202012Validator({"$ref": ref}, registry=registry)


def fast_accepts(ref: str, data: Any) -> bool:
    """True if the compiled validator accepts ``data``; False if it refuses it, cannot
    read it (a number beyond 64 bits, an infinite float) or is not installed: then
    :mod:`jsonschema` decides.

    Example:
        >>> from parindex.service.schemas import fast_accepts, schema_id
        >>> fast_accepts(schema_id("health"), {"status": "down", "version": "1"})
        False
    """
    validator = _fast_validator(ref)
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(data))
    except (ValueError, TypeError, OverflowError):  # a value JSON Schema tools cannot hold
        return False


def check_request(
    name: str,
    data: Any,
    *,
    collect_all: bool = False,
    status: int = 400,
    type: str = "InputFormatError",
) -> None:
    """Refuse ``data`` with an :class:`HttpError` (400, an InputFormatError, unless
    told otherwise) if the shipped schema ``name`` does not accept it: the message
    names the JSON path and what was expected; with ``collect_all``, ``errors`` lists
    every problem (the first hundred).

    Example:
        >>> from parindex.service.schemas import check_request
        >>> check_request("score-request", {"methodology": "province-2017", "sheet": []})
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: 'sheet': [] should be non-empty
        >>> check_request("score-request", {"methodology": "x", "sheet": [{"unit": "A",
        ...     "node": "1", "points": 1}], "ties": "minimum"})
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: 'ties' must be one of "min", "dense", "average", "first", "max" (or null), got 'minimum'
    """
    if fast_accepts(schema_id(name), data):
        return
    validator = _validator(schema_id(name))
    errors = validator.iter_errors(data)
    first = next(errors, None)
    if first is None:
        return
    found = [first, *itertools.islice(errors, _MAX_REPORTED - 1)]
    err = _as_http_error(best_match(found) or first, data, base=schema_id(name))
    err.status, err.type = status, type
    if collect_all:
        problems = [p for e in found for p in _leaves(e)][:_MAX_REPORTED]
        details = [_as_http_error(p, data, base=schema_id(name)).document() for p in problems]
        # One "required" error per missing key, each naming them all: list it once.
        unique = {json.dumps(d, sort_keys=True): d["error"] for d in details}
        if len(unique) > 1:
            err.details = list(unique.values())
    raise err


def _leaves(err: ValidationError) -> list[ValidationError]:
    """The problems inside a failed oneOf/anyOf, in the alternative that came closest
    (the one whose problems lie deepest in the instance: a list of entries with bad
    points, rather than "not an object"), so that each bad entry is listed."""
    if err.validator not in ("oneOf", "anyOf") or not err.context:
        return [err]
    closest = max(err.context, key=lambda e: len(e.absolute_path))
    branch = closest.relative_schema_path[0] if closest.relative_schema_path else None
    chosen = [
        e for e in err.context if e.relative_schema_path and e.relative_schema_path[0] == branch
    ]
    return [leaf for e in chosen for leaf in _leaves(e)]


def query_value(name: str, text: str, ref: str | None = None) -> Any:
    """A query parameter read as the definition ``ref`` of a shipped schema says (whole
    numbers, ``true``/``false`` or ``1``/``0``, text) and validated against it; by
    default the score request's property ``name`` (``score-request#/$defs/NAME``).

    Example:
        >>> from parindex.service.schemas import query_value
        >>> query_value("year", "2023"), query_value("decimal_comma", "1")
        (2023, True)
        >>> query_value("limit", "50", "units#/$defs/limit")
        50
        >>> query_value("ties", "sideways")
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: query parameter 'ties' must be one of "min", "dense", "average", "first", "max", got 'sideways'
        >>> query_value("limit", "5000", "units#/$defs/limit")
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: query parameter 'limit': 5000 is greater than the maximum of 1000
    """
    document, _, fragment = (ref or f"score-request#/$defs/{name}").partition("#")
    full = f"{schema_id(document)}#{fragment}"
    definition: Any = shipped_schema(document)
    for part in fragment.strip("/").split("/"):
        definition = definition[part] if part else definition
    kind = definition.get("type")
    value: Any = text
    if kind == "boolean":
        value = {"true": True, "1": True, "false": False, "0": False}.get(text.lower(), text)
    elif kind == "integer" and text.strip().lstrip("-").isdecimal() and len(text) < 20:
        value = int(text)
    problem = None if fast_accepts(full, value) else next(_validator(full).iter_errors(value), None)
    if problem is not None:
        if problem.validator in _IN_WORDS:
            message = f"must be {_expected(problem, base=full)}, got {text!r}"
        else:
            message = f"{problem.message}"
        raise HttpError(
            400,
            f"query parameter {name!r} {message}"
            if message.startswith("must")
            else f"query parameter {name!r}: {message}",
            type="InputFormatError",
            value=text,
        )
    return value


def _as_http_error(err: ValidationError, data: Any, *, base: str) -> HttpError:
    path = list(err.absolute_path)
    where, unit, node = _where(path, data)
    instance = err.instance
    got = repr(instance) if _scalar(instance) else _json_type(instance)
    kind = err.validator
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(str(k) for k in instance if k not in allowed)
        message = f"{where}: unknown keys {extra} (allowed: {', '.join(allowed)})"
    elif kind == "required" and isinstance(instance, dict):
        needed = [k for k in err.validator_value if k not in instance]
        message = f"{where} needs {', '.join(map(repr, needed))}"
    elif kind in ("anyOf", "oneOf") and _only_required(err.validator_value):
        names = [k for alt in err.validator_value for k in alt["required"]]
        message = f"{where} needs exactly one of {', '.join(map(repr, names))}"
    elif kind in _IN_WORDS:
        message = f"{where} must be {_expected(err, base=base)}, got {got}"
    else:
        message = f"{where}: {err.message}"
    return HttpError(
        400,
        message,
        type="InputFormatError",
        unit=unit,
        node=node,
        value=instance if _scalar(instance) else None,
    )


def _only_required(alternatives: Any) -> bool:
    """Alternatives that only require a property each: "exactly one of these"."""
    return isinstance(alternatives, list) and all(
        isinstance(a, dict) and set(a) == {"required"} for a in alternatives
    )


_IN_WORDS = ("type", "enum", "const", "anyOf", "oneOf")


def _where(path: Sequence[Any], data: Any) -> tuple[str, str | None, str | None]:
    """How the message names the place of a problem, and the unit and node there."""
    if not path:
        return "the body", None, None
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    if path[0] in ("values", "groups") and len(path) > 1 and isinstance(data, dict):
        return f"{path[0]} of unit {path[1]!r}", str(path[1]), None
    entry: Any = None
    if path[0] == "sheet" and isinstance(data, dict):
        at = 2 if len(path) > 2 and path[1] == "entries" else 1
        try:
            entry = functools.reduce(lambda d, k: d[k], path[: at + 1], data)
        except (KeyError, IndexError, TypeError):
            entry = None
    if isinstance(entry, dict):
        unit = entry.get("unit") if isinstance(entry.get("unit"), str) else None
        node = entry.get("node") if isinstance(entry.get("node"), str) else None
        named = ", ".join(f"{k} {v!r}" for k, v in (("unit", unit), ("node", node)) if v)
        return (f"{dotted!r} ({named})" if named else repr(dotted)), unit, node
    return repr(dotted), None, None


def _expected(err: ValidationError, *, base: str) -> str:
    """What the schema asked for, in words (``base``: the URI relative references of
    the schema that was validated against resolve against)."""
    kind, want = err.validator, err.validator_value
    if kind == "type":
        kinds = [want] if isinstance(want, str) else list(want)
        return " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
    if kind == "enum":
        return "one of " + ", ".join(json.dumps(v) for v in want)
    if kind == "const":
        return json.dumps(want)
    if kind in ("anyOf", "oneOf"):
        forms = [_expected_of(s, base) for s in want]
        nulls = [f for f in forms if f == "null"]
        rest = [f for f in forms if f != "null"] or forms
        return " or ".join(rest) + (" (or null)" if nulls and rest is not forms else "")
    return str(err.message)


def _expected_of(schema: Any, base: str) -> str:
    """One alternative of an anyOf/oneOf, in words."""
    if not isinstance(schema, dict):
        return "anything"
    if "$ref" in schema:
        try:
            resolved = _registry().resolver(base_uri=base).lookup(schema["$ref"])
        except referencing.exceptions.Unresolvable:  # relative to a nested document
            return "a document"
        target = resolved.contents
        title = target.get("title", "") if isinstance(target, dict) else ""
        if title:  # another shipped document: name it
            return "a " + title.removeprefix("parindex ")
        return _expected_of(target, base)
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, str):
        return _TYPE_WORDS.get(kind, kind)
    return "a value"


_TYPE_WORDS = {
    "object": "a JSON object",
    "array": "an array",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
