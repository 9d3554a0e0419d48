"""The service as an ASGI application on Starlette: :func:`create_app`.

Starlette, not FastAPI: FastAPI validates bodies against pydantic models and writes
the OpenAPI document from them, which would be a second description of the requests
beside the JSON Schemas the package ships; here the shipped schemas validate the
bodies and make the document, and Starlette does the HTTP (routing, 404/405 with an
``Allow`` header, HEAD, streaming bodies).

Every request runs the same way: the body is read in the event loop, bounded in bytes
and in time; parsing, validation, the handler and the JSON text run in a worker
thread, so the event loop keeps accepting connections and timing out slow clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import threading
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from parindex.io.catalogue import list_methodologies
from parindex.io.methodology import methodology_to_dict
from parindex.limits import MAX_SHEET_ROWS, MAX_UNITS
from parindex.service import units
from parindex.service.protocol import (
    BODY_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    HttpError,
    decode_body,
    encode,
    error_answer,
    parse_json_body,
)
from parindex.service.routes import ENDPOINTS, Call, CsvSheet, Endpoint, Settings, endpoint
from parindex.service.schemas import check_request, query_value

__all__ = ["INLINE_BODY_BYTES", "call_app", "create_app", "default_app", "dispatch"]

_DRAIN_BYTES = 8 * 1024 * 1024  # a body over the bound but under this is read and dropped

# One request computes at a time in a process: the GIL runs one anyway, and threads
# taking turns every few milliseconds would finish every request late instead of each
# in its turn. The others wait on this lock, their bodies already read.
_COMPUTE = threading.Lock()

INLINE_BODY_BYTES = 64 * 1024
"""A request whose body is at most this long (a sheet of ~1,000 entries, answered in
a few milliseconds) is answered on the event loop's own thread when no other request
is computing: handing it to a worker thread and back cost a tenth of its time. A
longer one is computed in a worker thread, so that the loop, which gets the GIL every
few milliseconds, keeps reading other requests and answering ``/health``."""


def create_app(
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_json_depth: int = MAX_JSON_DEPTH,
    max_sheet_rows: int = MAX_SHEET_ROWS,
    max_units: int = MAX_UNITS,
    body_timeout: float = BODY_TIMEOUT,
) -> Starlette:
    """The service as an ASGI application, with its bounds.

    ``max_body_bytes`` bounds a request body (413), ``max_json_depth`` its nesting
    (413), ``max_sheet_rows`` the entries of one sheet and ``max_units`` its units
    (413, naming ``MAX_SHEET_ROWS`` / ``MAX_UNITS``); a body must arrive within
    ``body_timeout`` seconds (else 408). Everything the requests need is loaded here,
    before any request arrives, so that no request thread finds a module half
    imported: build the application at startup, not in a request.

    Mount it in your own application (Starlette, FastAPI, any ASGI framework), or
    serve it with any ASGI server (``uvicorn parindex.service:app``).

    Example:
        >>> import json
        >>> from parindex.service import create_app, dispatch
        >>> app = create_app(max_body_bytes=1000)
        >>> dispatch("GET", "/health", app=app)[0]
        200
        >>> status, text = dispatch("POST", "/score", b" " * 1001, app=app)
        >>> status, json.loads(text)["error"]["message"]
        (413, 'the body is 1001 bytes, over the limit MAX_BODY_BYTES = 1000')
    """
    _warm_up()
    settings = Settings(max_sheet_rows=max_sheet_rows, max_units=max_units)
    limits = _Limits(max_body_bytes, max_json_depth, body_timeout)
    routes = [
        Route(_route_path(ep.path), _endpoint(ep, settings, limits), methods=[ep.method])
        for ep in ENDPOINTS
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_exception, 500: _internal_error},
    )


@functools.cache
def default_app() -> Starlette:
    """The application with the default bounds (``parindex.service.app``), built once.

    Example:
        >>> from parindex.service.asgi import default_app
        >>> default_app() is default_app()
        True
    """
    return create_app()


@dataclass(frozen=True)
class _Limits:
    max_body_bytes: int
    max_json_depth: int
    body_timeout: float


@dataclass(frozen=True)
class _Incoming:
    """What the event loop read of a request, for a worker thread to answer."""

    raw: bytes
    content_type: str
    query: list[tuple[str, str]]
    path_params: dict[str, str]
    root_path: str
    pretty: bool | None


def _warm_up() -> None:
    """Load now what requests would otherwise load on first use, each in its own
    thread: every shipped methodology, pandas (ranking by values needs it), the roster
    package (when installed), the validators with their references resolved. An import
    half done by one request thread must not be what another finds (a freshly started
    server once answered some of its first requests with a 500)."""
    shipped = list_methodologies()
    importlib.import_module("pandas")
    units.warm_up()
    entries = [{"unit": "A", "node": "1", "points": 1}]
    check_request("score-request", {"methodology": "x", "sheet": {"entries": entries}})
    check_request("rank-request", {"values": {"A": 1.0}, "groups": {"A": "g"}})
    check_request("resolve-request", {"names": ["A"]})
    check_request("methodology", methodology_to_dict(shipped[0]))
    for ep in ENDPOINTS:  # the query parameters read by a shipped schema's definitions
        for p in ep.params:
            if isinstance(p.schema, str) and not p.schema.startswith("score-request#"):
                with contextlib.suppress(HttpError):
                    query_value(p.name, "1", p.schema)
    endpoint("GET", "/openapi.json").handler(Call())


class _Digits(Convertor[str]):
    """A path segment of digits, kept as text (a code's leading zero is part of it)."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("parindex_digits", _Digits())


def _route_path(path: str) -> str:
    """Starlette's path for an OpenAPI one: a methodology key may hold a ``/`` (a
    decision number, URL-encoded as ``%2F``, arrives decoded), and so may a name; a
    code is digits, so that ``/units/resolve`` is never taken for a unit's code (a GET
    there is a 405 naming POST, not a unit not found)."""
    return (
        path.replace("{id}", "{id:path}")
        .replace("{unit}", "{unit:path}")
        .replace("{code}", "{code:parindex_digits}")
    )


def _endpoint(
    ep: Endpoint, settings: Settings, limits: _Limits
) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        pretty = _pretty(request.query_params.getlist("pretty"))
        try:
            incoming = _Incoming(
                raw=await _read_body(request, limits) if ep.body is not None else b"",
                content_type=request.headers.get("content-type", ""),
                query=list(request.query_params.multi_items()),
                path_params=dict(request.path_params),
                root_path=str(request.scope.get("root_path", "")),
                pretty=pretty,
            )
            if len(incoming.raw) <= INLINE_BODY_BYTES and _COMPUTE.acquire(blocking=False):
                try:
                    status, data = _answer(ep, incoming, settings, limits)
                finally:
                    _COMPUTE.release()
            else:
                status, data = await anyio.to_thread.run_sync(
                    _handle, ep, incoming, settings, limits
                )
        except Exception as err:  # a bound on the body: the one error document
            status, doc = error_answer(err)
            data = encode(doc, pretty=pretty is True)
        return _json(status, data)

    answer.__name__ = ep.operation_id
    return answer


def _handle(
    ep: Endpoint, incoming: _Incoming, settings: Settings, limits: _Limits
) -> tuple[int, bytes]:
    """Parse, validate and answer one request, in a worker thread: never raises."""
    with _COMPUTE:
        return _answer(ep, incoming, settings, limits)


def _answer(
    ep: Endpoint, incoming: _Incoming, settings: Settings, limits: _Limits
) -> tuple[int, bytes]:
    """Parse, validate and answer one request, ``_COMPUTE`` held: never raises."""
    pretty = incoming.pretty is True
    try:
        if incoming.pretty is None:
            raise HttpError(
                400,
                "query parameter 'pretty' must be 1, 0, true or false",
                type="InputFormatError",
            )
        body, params = _request(ep, incoming, limits)
        call = Call(body=body, params=params, settings=settings, root_path=incoming.root_path)
        return 200, encode(ep.handler(call), pretty=pretty, finite=ep.finite_answer)
    except Exception as err:  # never die on a request: answer it and keep serving
        status, doc = error_answer(err)
        return status, encode(doc, pretty=pretty)


def _request(
    ep: Endpoint, incoming: _Incoming, limits: _Limits
) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """The body (validated against its schema, the query options merged in) and the
    path and other query parameters of a request."""
    declared = {p.name: p for p in ep.params if p.where == "query"}
    options: dict[str, Any] = {}
    params: dict[str, Any] = dict(incoming.path_params)
    seen: set[str] = set()
    for name, text in incoming.query:
        if name == "pretty":
            continue
        if name not in declared:
            allowed = ", ".join([*declared, "pretty"])
            raise HttpError(
                400,
                f"unknown query parameter {name!r} (allowed: {allowed})",
                type="InputFormatError",
                value=name,
            )
        if name in seen:
            raise HttpError(
                400, f"query parameter {name!r} is given twice", type="InputFormatError", value=name
            )
        seen.add(name)
        schema = declared[name].schema
        if isinstance(schema, str) and schema.startswith("score-request#"):
            options[name] = query_value(name, text)
        elif isinstance(schema, str):  # defined in a shipped schema: read as it says
            params[name] = query_value(name, text, schema)
        else:
            params[name] = text
    if ep.body is None:
        return {}, params
    raw = incoming.raw
    media = incoming.content_type.partition(";")[0].strip().lower()
    if ep.csv and media == "text/csv":
        if "methodology" not in options:  # what OpenAPI cannot say: 422, not 400
            raise HttpError(
                422,
                "a text/csv body needs the methodology in the query (?methodology=...)",
                type="InputFormatError",
            )
        return {**options, "sheet": CsvSheet(decode_body(raw))}, params
    # Any other Content-Type is read as JSON (as it always was): a client that forgot
    # the header gets the answer, or a message about the JSON it sent.
    data = parse_json_body(raw, max_depth=limits.max_json_depth)
    if ep.judges_body:
        return data, params
    collect_all = options.get("collect_all") or (
        isinstance(data, dict) and data.get("collect_all") is True
    )
    check_request(ep.body, data, collect_all=bool(collect_all))
    return {**data, **options}, params  # a query option overrides the body's


async def _read_body(request: Request, limits: _Limits) -> bytes:
    """The whole body, at most ``max_body_bytes`` (413) and within ``body_timeout``
    seconds (408); a POST says how long it is (Content-Length) or that it is chunked."""
    limit = limits.max_body_bytes
    declared = request.headers.get("content-length")
    chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
    if declared is None and not chunked:
        raise HttpError(
            411, "a POST needs a Content-Length (or a chunked body)", type="LengthRequired"
        )
    if declared is not None:
        size = int(declared) if declared.isdecimal() else -1
        if size < 0:  # the HTTP server has checked it already; a mounting one might not
            raise HttpError(400, f"bad Content-Length {declared!r}", value=declared)
        if size > limit:
            if size <= _DRAIN_BYTES:
                await _drain(request, limits.body_timeout)
            raise HttpError(
                413,
                f"the body is {size} bytes, over the limit MAX_BODY_BYTES = {limit}",
                type="TooLarge",
                value=size,
            )
    chunks: list[bytes] = []
    received = 0
    try:
        with anyio.fail_after(limits.body_timeout):
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    break
                chunks.append(chunk)
        if received > limit:
            await _drain(request, limits.body_timeout)
            raise HttpError(
                413,
                f"the body is over the limit MAX_BODY_BYTES = {limit} bytes",
                type="TooLarge",
                value=received,
            )
    except TimeoutError:
        raise HttpError(
            408,
            f"the body did not arrive within {limits.body_timeout:g} seconds (the body timeout)",
            type="RequestTimeout",
        ) from None
    except ClientDisconnect:
        raise HttpError(400, "the client went away before sending the whole body") from None
    return b"".join(chunks)


async def _drain(request: Request, timeout: float) -> None:
    """Read and drop what is left of a body refused for its size (up to the drain
    bound), so that the client reads the 413 instead of a reset connection."""
    read = 0
    try:
        with anyio.move_on_after(timeout):
            async for chunk in request.stream():
                read += len(chunk)
                if read > _DRAIN_BYTES:
                    break
    except (ClientDisconnect, RuntimeError):  # gone, or the stream was already consumed
        pass


def _pretty(values: list[str]) -> bool | None:
    """``?pretty=1`` (or true): indented answers; None for a value that means nothing."""
    if not values:
        return False
    return {"1": True, "true": True, "0": False, "false": False}.get(values[-1].lower())


def _json(status: int, data: bytes, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        data,
        status_code=status,
        media_type="application/json",
        headers={"X-Content-Type-Options": "nosniff", **(headers or {})},
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no route, wrong method) in the one error shape; a 405
    keeps its ``Allow`` header."""
    assert isinstance(exc, HTTPException)
    status, method, path = exc.status_code, request.method, request.url.path
    headers = dict(exc.headers or {})
    if status == 405:
        # In a stable order (Starlette keeps the methods in a set).
        allowed = ", ".join(sorted(m.strip() for m in headers.get("Allow", "").split(",")))
        headers["Allow"] = allowed
        err = HttpError(
            405,
            f"method {method} is not allowed for {path} (allowed: {allowed})",
            type="MethodNotAllowed",
            value=method,
        )
    elif status == 404:
        err = HttpError(404, f"no such endpoint: {method} {path}", type="NotFound")
    else:
        err = HttpError(status, str(exc.detail), type="HttpError")
    pretty = _pretty(request.query_params.getlist("pretty")) is True
    return _json(status, encode(err.document(), pretty=pretty), headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    status, doc = error_answer(exc)
    return _json(status, encode(doc, pretty=False))


def dispatch(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    headers: Mapping[str, str] | None = None,
    app: Any = None,
) -> tuple[int, str]:
    """Call the application in this process, without a socket: ``(status, text)``.
    For tests, scripts and serverless functions; it runs its own event loop, so call
    it from synchronous code (in a notebook, use ``await`` on the app or an HTTP
    client instead).

    Example:
        >>> from parindex.service import dispatch
        >>> status, text = dispatch("GET", "/methodologies/province-2017?pretty=1")
        >>> status, text.splitlines()[2]
        (200, '  "id": "province-2017",')
        >>> dispatch("DELETE", "/score")[0]
        405
    """
    app = default_app() if app is None else app
    status, answer = asyncio.run(call_app(app, method, target, body, headers=headers))
    return status, answer.decode("utf-8")


async def call_app(
    app: Any,
    method: str,
    target: str,
    body: bytes = b"",
    *,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request to an ASGI application on the running event loop, without a
    socket: ``(status, body bytes)``. :func:`dispatch` runs it on a loop of its own;
    a caller that keeps a loop (a benchmark, an async test) awaits it.

    Example:
        >>> import asyncio
        >>> from parindex.service.asgi import call_app, default_app
        >>> asyncio.run(call_app(default_app(), "GET", "/health"))[0]
        200
    """
    parts = urllib.parse.urlsplit(target)
    sent = {"content-length": str(len(body))} if method.upper() != "GET" else {}
    sent.update({k.lower(): v for k, v in (headers or {}).items()})
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": urllib.parse.unquote(parts.path),
        "raw_path": parts.path.encode("ascii", "replace"),
        "query_string": parts.query.encode("ascii", "replace"),
        "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in sent.items()],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"status": 500, "body": b""}

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # nothing more: as a connection left open
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return int(answer["status"]), bytes(answer["body"])
