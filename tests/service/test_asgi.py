"""The ASGI application served by uvicorn's own command line: the importable app, the
bounds (each answered 413 naming it, or 408 for a body that does not arrive), a
CSV sheet, query options, the application mounted in another one."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import parindex

from .conftest import call, post_json, raw, uvicorn_serving

M = "illustrative-district"
SHEET = "examples/illustrative-districts.csv"


def _sheet(path: str = SHEET) -> Any:
    return json.loads(parindex.load_sheet(path).to_json())


@pytest.fixture(scope="module")
def small() -> Iterator[int]:
    """The service with small bounds (tests/service/apps.py), served by uvicorn."""
    with uvicorn_serving("--factory", "tests.service.apps:small") as port:
        yield port


def _error(text: str) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(text)["error"]
    assert set(error) >= {"type", "message", "unit", "node", "value"}
    return error


def test_uvicorn_serves_the_importable_app() -> None:
    with uvicorn_serving("parindex.service:app") as port:
        assert call(port, "GET", "/health")[0] == 200
        status, text = post_json(port, "/score", {"methodology": M, "sheet": _sheet()})
        assert status == 200, text
        assert [u["unit"] for u in json.loads(text)["units"]][:1] == ["Huyện Minh Họa A"]


def _entries(n_units: int, per_unit: int = 1) -> list[dict[str, Any]]:
    nodes = ["1.4.2", "1.1.1", "1.2.1"][:per_unit]
    return [
        {"unit": f"Huyện {u}", "node": node, "points": 1} for u in range(n_units) for node in nodes
    ]


def test_each_bound_is_answered_413_naming_it(small: int) -> None:
    def nested(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth - 1):
            value = [value]
        return value

    cases: list[tuple[bytes, dict[str, str], str, str]] = [
        (b" " * 4097, {}, "TooLarge", "MAX_BODY_BYTES = 4096"),
        (
            json.dumps({"methodology": M, "sheet": _entries(1), "x": nested(9)}).encode(),
            {},
            "LimitExceededError",
            "MAX_JSON_DEPTH",
        ),
        (
            json.dumps({"methodology": M, "sheet": _entries(2, 3), "missing": "zero"}).encode(),
            {},
            "LimitExceededError",
            "MAX_SHEET_ROWS = 5",
        ),
        (
            json.dumps({"methodology": M, "sheet": _entries(3), "missing": "zero"}).encode(),
            {},
            "LimitExceededError",
            "MAX_UNITS = 2",
        ),
        (b'{"values": {"a": 1, "b": 2, "c": 3}}', {}, "LimitExceededError", "MAX_UNITS = 2"),
    ]
    for body, headers, kind, named in cases:
        path = "/rank" if body.startswith(b'{"values"') else "/score"
        status, _, text = call(small, "POST", path, body, headers)
        error = _error(text)
        assert (status, error["type"]) == (413, kind), text
        assert named in error["message"]
        assert call(small, "GET", "/health")[0] == 200
    csv = "unit,node,points\n" + "".join(f"A,1.4.2,{i}\n" for i in range(6))
    status, _, text = call(
        small,
        "POST",
        f"/score?methodology={M}",
        csv.encode(),
        {"Content-Type": "text/csv"},
    )
    assert (status, _error(text)["type"]) == (413, "LimitExceededError"), text
    assert "MAX_SHEET_ROWS" in _error(text)["message"]


def test_a_body_over_the_bound_is_refused_before_it_is_read(small: int) -> None:
    # A 10 GB Content-Length: answered at once, nothing read.
    status, _, body = raw(small, b"POST /score HTTP/1.0\r\nContent-Length: 10737418240\r\n\r\n")
    assert (status, _error(body.decode())["value"]) == (413, 10737418240)
    # A chunked body says nothing of its length: refused once past the bound.
    chunk = b"1000\r\n" + b" " * 4096 + b"\r\n"
    data = (
        b"POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + chunk * 3 + b"0\r\n\r\n"
    )
    status, _, body = raw(small, data)
    assert (status, _error(body.decode())["type"]) == (413, "TooLarge")


def test_a_body_that_does_not_arrive_gets_408_and_others_are_served_meanwhile(
    small: int,
) -> None:
    with socket.create_connection(("127.0.0.1", small), timeout=30) as slow:
        slow.sendall(b"POST /score HTTP/1.0\r\nContent-Length: 100\r\n\r\n{")  # then nothing
        assert call(small, "GET", "/health")[0] == 200
        chunks = []
        while chunk := slow.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    error = _error(body.decode())
    assert error["type"] == "RequestTimeout"
    assert "1 seconds" in error["message"]


def test_an_idle_keep_alive_connection_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b'"ok"' not in answer:
            answer += conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        # Kept open for the next request, then closed when none comes (not forever:
        # the socket's own 60 s timeout would fail this test).
        assert conn.recv(65536) == b""


def test_a_csv_sheet_scores_as_the_json_one(port: int) -> None:
    with open(SHEET, "rb") as f:
        csv = f.read()
    status, json_text = post_json(port, "/score", {"methodology": M, "sheet": _sheet()})
    assert status == 200
    status, headers, csv_text = call(
        port, "POST", f"/score?methodology={M}", csv, {"Content-Type": "text/csv; charset=utf-8"}
    )
    assert (status, headers["content-type"]) == (200, "application/json"), csv_text
    assert json.loads(csv_text) == json.loads(json_text)
    status, _, text = call(port, "POST", "/score", csv, {"Content-Type": "text/csv"})
    assert (status, _error(text)["type"]) == (422, "InputFormatError"), text
    assert "?methodology=" in _error(text)["message"]
    for query, named in [
        (f"?methodology={M}&ties=sideways", "'ties'"),
        (f"?methodology={M}&year=soon", "'year'"),
        (f"?methodology={M}&collect_all=maybe", "'collect_all'"),
        (f"?methodology={M}&methodology={M}", "twice"),
        (f"?methodology={M}&weights=1", "unknown query parameter 'weights'"),
    ]:
        status, _, text = call(port, "POST", "/score" + query, csv, {"Content-Type": "text/csv"})
        assert (status, _error(text)["type"]) == (400, "InputFormatError"), (query, text)
        assert named in _error(text)["message"]
    status, _, text = call(
        port, "POST", f"/score?methodology={M}", b"\xff\xfe", {"Content-Type": "text/csv"}
    )
    assert (status, "not UTF-8" in _error(text)["message"]) == (400, True)


def test_a_query_option_overrides_the_body(port: int) -> None:
    body = json.dumps({"methodology": M, "sheet": _sheet(), "ties": "min"}).encode()
    status, _, text = call(port, "POST", "/score?ties=dense", body)
    assert (status, json.loads(text)["ties"]) == (200, "dense")
    status, _, text = call(port, "POST", "/score?methodology=province-1999", body)
    assert (status, _error(text)["type"]) == (422, "UnknownMethodologyError")


def test_answers_are_compact_unless_pretty(port: int) -> None:
    for path in ["/health", "/methodologies", "/schemas/sheet", "/openapi.json"]:
        status, _, compact = call(port, "GET", path)
        status, _, pretty = call(port, "GET", path + "?pretty=1")
        assert "\n" not in compact
        assert pretty.endswith(("}\n", "]\n"))
        assert json.loads(compact) == json.loads(pretty)
    status, _, text = call(port, "GET", "/health?pretty=maybe")
    assert (status, _error(text)["type"]) == (400, "InputFormatError")
    status, headers, text = call(port, "HEAD", "/health")
    assert (status, text, headers["content-type"]) == (200, "", "application/json")


def test_every_schema_is_served_as_parindex_ships_it(port: int) -> None:
    from parindex.service.schemas import ALL_SCHEMAS, shipped_schema

    for name in ALL_SCHEMAS:
        for path in (f"/schemas/{name}", f"/schemas/{name}.schema.json"):
            status, _, text = call(port, "GET", path)
            assert (status, json.loads(text)) == (200, shipped_schema(name))
    status, _, text = call(port, "GET", "/schemas/invoice")
    assert (status, _error(text)["type"]) == (404, "NotFound")


def test_the_service_mounted_in_another_application() -> None:
    with uvicorn_serving("--factory", "tests.service.apps:mounted") as port:
        assert call(port, "GET", "/")[::2] == (200, "the host application")
        assert call(port, "GET", "/parindex/health")[0] == 200
        status, text = post_json(port, "/parindex/score", {"methodology": M, "sheet": _sheet()})
        assert status == 200, text
        doc = json.loads(call(port, "GET", "/parindex/openapi.json")[2])
        assert doc["servers"] == [{"url": "/parindex"}]
        status, _, text = call(port, "GET", "/parindex/nope")
        assert (status, _error(text)["type"]) == (404, "NotFound")


def test_a_bug_is_answered_500_in_the_error_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    from parindex.service import dispatch, routes

    def broken() -> dict[str, Any]:
        raise KeyError("a bug")

    assert dispatch("GET", "/health")[0] == 200  # the application built (and warmed) first
    monkeypatch.setattr(routes, "_openapi_document", broken)
    status, text = dispatch("GET", "/openapi.json")
    error = _error(text)
    assert (status, error["type"]) == (500, "InternalError")
    assert "KeyError" in error["message"]
    assert dispatch("GET", "/health")[0] == 200
