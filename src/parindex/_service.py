"""A small HTTP service: parindex as a calculation backend for other applications.

Standard library only (:mod:`http.server`, one thread per request). Endpoints:

=======================  ==============================================================
``GET /methodologies``   the shipped methodologies (as ``parindex methodologies --format json``)
``GET /methodologies/ID``  one methodology document (``parindex show ID --format json``)
``POST /score``          ``{"methodology": ID, "sheet": {...}, ...}`` -> the result document
``POST /rank``           the same body -> the ranking only; or ``{"values": {...}}``
``POST /validate``       a methodology document -> ``{"valid": true, ...}`` or a 422
``GET /schemas/NAME``    a JSON Schema (``methodology``, ``sheet``, ``result``)
``GET /openapi.json``    the OpenAPI 3.1 description of all of the above
=======================  ==============================================================

Every answer is JSON. Bad requests get a 4xx with
``{"error": {"type", "message", "unit", "node", "value"}}``; the service never dies on
bad input. Bodies are bounded (:data:`MAX_BODY_BYTES`, else 413) and so is JSON nesting
(:data:`MAX_JSON_DEPTH`). The service has no authentication: bind it to localhost (the
default) or put it behind your application's own gateway.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from parindex import __version__
from parindex._io import _depth, _json_object, methodology_from_dict, methodology_to_dict
from parindex._model import Methodology
from parindex._ranking import rank, rank_values
from parindex._registry import default_registry, get_methodology, list_methodologies
from parindex._schema import SCHEMA_NAMES, json_schema
from parindex._scoring import score
from parindex._sheet import ScoreSheet
from parindex.errors import (
    InputFormatError,
    MethodologyError,
    ParIndexError,
    ScoreSheetError,
    UnknownMethodologyError,
)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "dispatch",
    "make_server",
    "openapi_document",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
"""Request bodies larger than this get 413 (2 MiB holds a sheet of ~20,000 entries)."""
MAX_JSON_DEPTH = 32
"""JSON nested deeper than this gets 400 (a real request is 4-5 levels; a methodology
document about 12)."""
_DRAIN_BYTES = 8 * 1024 * 1024
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


class HttpError(Exception):
    """An answer other than 200, with the JSON error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "BadRequest",
        unit: str | None = None,
        node: str | None = None,
        value: object = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.unit = unit
        self.node = node
        self.value = value
        self.details = details

    def document(self) -> dict[str, Any]:
        """The JSON error body."""
        err: dict[str, Any] = {
            "type": self.type,
            "message": self.message,
            "unit": self.unit,
            "node": self.node,
            "value": _jsonable(self.value),
        }
        if self.details:
            err["errors"] = self.details
        return {"error": err}


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    return repr(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _from_parindex_error(err: ParIndexError, *, status: int) -> HttpError:
    if isinstance(err, ExceptionGroup):
        subs = [
            _from_parindex_error(e, status=status).document()["error"]
            for e in err.exceptions
            if isinstance(e, ParIndexError)
        ]
        return HttpError(status, _one_line(str(err)), type=type(err).__name__, details=subs)
    if isinstance(err, ScoreSheetError):
        return HttpError(
            status,
            _one_line(str(err)),
            type=type(err).__name__,
            unit=err.unit,
            node=err.node,
            value=err.value,
        )
    node = err.node if isinstance(err, MethodologyError) else None
    if isinstance(err, UnknownMethodologyError):
        message = str(err.args[0]) if err.args else str(err)
    else:
        message = str(err)
    return HttpError(status, _one_line(message), type=type(err).__name__, node=node)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(body: bytes) -> Any:
    """Decode a request body: UTF-8 JSON, no NaN/Infinity, no repeated keys, bounded
    nesting."""
    if len(body) > MAX_BODY_BYTES:
        raise HttpError(
            413, f"the body is over the limit of {MAX_BODY_BYTES} bytes", type="TooLarge"
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HttpError(
            400, f"the body is not UTF-8 (byte {err.start})", type="InputFormatError"
        ) from None
    # The C parser stops runaway nesting with RecursionError; _depth bounds the rest.
    # A repeated key is refused, as in sheet files: json.loads would keep the last one.
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_json_object)
    except json.JSONDecodeError as err:
        raise HttpError(
            400,
            f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}",
            type="InputFormatError",
        ) from None
    except (ValueError, RecursionError) as err:
        raise HttpError(400, f"invalid JSON: {err}", type="InputFormatError") from None
    try:
        _depth(data, MAX_JSON_DEPTH)
    except InputFormatError as err:
        raise HttpError(400, str(err), type="InputFormatError") from None
    return data


def _dumps(doc: object) -> str:
    """The same JSON text as the CLI prints."""
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --------------------------------------------------------------------------- handlers


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
    return ScoreSheet.from_json_text(
        json.dumps(data, ensure_ascii=False),
        decimal_comma=decimal_comma,
        collect_all=collect_all,
        name="sheet",
    )


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
    from parindex.cli import result_document

    scores, ranking = _scored(body)
    return result_document(scores, ranking)


def _post_rank(body: dict[str, Any]) -> object:
    if "values" in body:
        return _rank_values(body)
    _, ranking = _scored(body)
    records = json.loads(ranking.table.to_json(orient="records", double_precision=15))
    return {
        "methodology": ranking.methodology.id,
        "ties": ranking.ties,
        "year": ranking.year,
        "ranking": records,
    }


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
    from parindex.cli import _methodology_summary

    return _methodology_summary(m)


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI 3.1 description, with the JSON Schemas inlined.

    Example:
        >>> from parindex._service import openapi_document
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
            raise _from_parindex_error(err, status=404) from None
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
        >>> from parindex._service import dispatch
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
                return 200, _dumps(_get(path, query))
            if method == "POST":
                if path not in _POST_ROUTES:
                    if path in _GET_ROUTES or path.startswith(("/methodologies/", "/schemas/")):
                        raise HttpError(405, f"use GET for {path}", type="MethodNotAllowed")
                    raise HttpError(404, f"no such endpoint: POST {path}", type="NotFound")
                data = _object(parse_json_body(body), "the body")
                return 200, _dumps(_POST_ROUTES[path](data))
            raise HttpError(
                405, f"method {method} is not allowed (use GET or POST)", type="MethodNotAllowed"
            )
        except UnknownMethodologyError as err:
            raise _from_parindex_error(err, status=422) from None
        except InputFormatError as err:
            raise _from_parindex_error(err, status=400) from None
        except ParIndexError as err:
            raise _from_parindex_error(err, status=422) from None
        except RecursionError:
            raise HttpError(
                400, "the request is nested too deeply", type="InputFormatError"
            ) from None
    except HttpError as err:
        return err.status, _dumps(err.document())
    except Exception as err:  # never die on a request: report it and keep serving
        internal = HttpError(
            500,
            f"internal error ({type(err).__name__}): {_one_line(str(err))}; please report it",
            type="InternalError",
        )
        return 500, _dumps(internal.document())


# --------------------------------------------------------------------------- the server


class _Handler(BaseHTTPRequestHandler):
    server_version = f"parindex/{__version__}"
    protocol_version = "HTTP/1.0"
    timeout = 10  # seconds a client may stall mid-request
    quiet = True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method) as JSON too."""
        self.request_version = "HTTP/1.0"  # always send a status line, even to HTTP/0.9
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code = HTTPStatus.METHOD_NOT_ALLOWED
        err = HttpError(
            code, message or HTTPStatus(code).phrase, type=HTTPStatus(code).phrase.replace(" ", "")
        )
        self._send(code, _dumps(err.document()))

    def _send(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            pass  # the client went away; nothing to answer
        self.close_connection = True

    def _read_body(self) -> bytes | None:
        """The body, or None after answering an error."""
        if self.headers.get("Transfer-Encoding"):
            self._send(
                411,
                _dumps(
                    HttpError(
                        411, "send a Content-Length (no chunked bodies)", type="LengthRequired"
                    ).document()
                ),
            )
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            if self.command == "POST":
                self._send(
                    411,
                    _dumps(
                        HttpError(
                            411, "a POST needs a Content-Length", type="LengthRequired"
                        ).document()
                    ),
                )
                return None
            return b""
        try:
            length = int(raw)
            if length < 0:
                raise ValueError
        except ValueError:
            self._send(
                400,
                _dumps(HttpError(400, f"bad Content-Length {raw!r}", type="BadRequest").document()),
            )
            return None
        if length > MAX_BODY_BYTES:
            # Read and drop a moderately large body so the client sees the answer
            # instead of a reset connection; beyond that, just answer and close.
            if length <= _DRAIN_BYTES:
                remaining = length
                try:
                    while remaining > 0:
                        chunk = self.rfile.read(min(remaining, 65536))
                        if not chunk:
                            break
                        remaining -= len(chunk)
                except OSError:
                    pass
            err = HttpError(
                413,
                f"the body is {length} bytes, over the limit of {MAX_BODY_BYTES}",
                type="TooLarge",
            )
            self._send(413, _dumps(err.document()))
            return None
        try:
            data = self.rfile.read(length)
        except OSError:
            self.close_connection = True
            return None
        if len(data) < length:
            self._send(
                400,
                _dumps(
                    HttpError(
                        400, "the body is shorter than its Content-Length", type="BadRequest"
                    ).document()
                ),
            )
            return None
        return data

    def _answer(self) -> None:
        body = self._read_body()
        if body is None:
            return
        status, text = dispatch(self.command, self.path, body)
        self._send(status, text)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def do_HEAD(self) -> None:
        status, text = dispatch("GET", self.path)  # same headers as GET, no body
        self._send(status, text)


def make_server(
    host: str = "127.0.0.1", port: int = 8000, *, quiet: bool = True
) -> ThreadingHTTPServer:
    """A ready (not yet serving) HTTP server; call ``serve_forever()`` on it, and
    ``shutdown()`` from another thread to stop it. ``port=0`` picks a free port
    (``server.server_address[1]``).

    Example:
        >>> from parindex._service import make_server
        >>> server = make_server("127.0.0.1", 0)
        >>> server.server_address[1] > 0
        True
        >>> server.server_close()
    """
    list_methodologies()  # load the registry now, not racing in the first requests' threads
    handler = type("Handler", (_Handler,), {"quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start a server in a background thread (for tests and notebooks); stop it with
    ``server.shutdown(); server.server_close()``."""
    server = make_server(host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server, thread
