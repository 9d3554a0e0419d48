"""The HTTP service, tested with a real client against a real server process
(``parindex serve``, uvicorn) on 127.0.0.1: the same endpoints and answers as the CLI,
and every refused request answered in the one error shape."""

from __future__ import annotations

import io
import json
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import parindex
from parindex.cli import main
from parindex.service import MAX_BODY_BYTES, dispatch

from ..conftest import DAKLAK_2023_CSV
from .conftest import call, post_json, raw

DAKLAK = "examples/daklak-2017.csv"
BINHDUONG = "examples/binhduong-district-2017.csv"


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
    status, _, text = call(port, method, path, body)
    return status, text


def cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), stdout=out, stderr=err) == 0, err.getvalue()
    return out.getvalue()


def sheet_doc(path: str) -> Any:
    return json.loads(parindex.load_sheet(path).to_json())


@pytest.mark.parametrize(
    ("methodology", "path"), [("province-2017", DAKLAK), ("binhduong-district-2017", BINHDUONG)]
)
def test_score_over_http_gives_the_same_json_as_the_cli(
    port: int, methodology: str, path: str
) -> None:
    body = json.dumps({"methodology": methodology, "sheet": sheet_doc(path)}).encode()
    expected = cli("score", "-m", methodology, path, "--format", "json")
    # Compact by default, the same document; with ?pretty=1 the same bytes.
    status, text = request(port, "POST", "/score", body)
    assert status == 200, text
    assert "\n" not in text
    assert json.loads(text) == json.loads(expected)
    assert request(port, "POST", "/score?pretty=1", body) == (200, expected)
    jsonschema.Draft202012Validator(parindex.json_schema("result")).validate(json.loads(text))


def test_score_options_reach_the_engine(port: int) -> None:
    # A JSON sheet holds numbers as numbers (the sheet schema); text numbers with a
    # decimal comma come in a CSV sheet, with the options in the query.
    body = {
        "methodology": "province-2017",
        "sheet": [
            {"unit": "A", "node": "1", "points": 5.5},
            {"unit": "B", "node": "1", "points": 5.5},
        ],
        "missing": "unknown",
        "ties": "dense",
        "units": "free",  # A and B are no provinces
    }
    csv = b'unit,node,points\nA,1,"5,5"\nB,1,5.5\n'
    query = "?methodology=province-2017&decimal_comma=1&missing=unknown&ties=dense&units=free"
    for status, text in (
        post_json(port, "/score", body),
        call(port, "POST", "/score" + query, csv, {"Content-Type": "text/csv"})[::2],
    ):
        assert status == 200, text
        doc = json.loads(text)
        assert doc["ties"] == "dense"
        assert [u["nodes"]["1"]["points"] for u in doc["units"]] == [5.5, 5.5]
        assert doc["units"][0]["index"] is None  # the other fields are unknown


def test_a_level_year_key_bands_with_its_year() -> None:
    sheet = json.loads(parindex.sheet_from_csv(DAKLAK_2023_CSV).to_json())
    body = {"methodology": "province-2023", "sheet": sheet}
    for path in ("/score", "/rank"):
        status, text = dispatch("POST", path, json.dumps(body).encode())
        assert status == 200, text
        doc = json.loads(text)
        assert doc["year"] == 2023
        assert (doc.get("units") or doc.get("ranking"))[0]["band"] == "B"
    status, text = dispatch("POST", "/score", json.dumps(body | {"year": 2024}).encode())
    assert status == 422
    assert "names 2023, not 2024" in json.loads(text)["error"]["message"]
    body = {"methodology": "province-2022", "sheet": sheet, "year": 2021}
    status, text = dispatch("POST", "/score", json.dumps(body).encode())
    assert status == 422
    assert "covers 2022, 2023, 2024, not 2021" in json.loads(text)["error"]["message"]


def test_listing_and_showing_match_the_cli(port: int) -> None:
    assert request(port, "GET", "/methodologies?pretty=1") == (
        200,
        cli("methodologies", "--format", "json"),
    )
    status, text = request(port, "GET", "/methodologies/province-2017?pretty=true")
    assert (status, text) == (200, cli("show", "province-2017", "--format", "json"))
    status, text = request(port, "GET", "/methodologies/province-2017")
    assert json.loads(text) == json.loads(cli("show", "province-2017", "--format", "json"))
    status, text = request(
        port, "GET", "/methodologies/2948%2FQ%C4%90-BNV?level=province"
    )  # by decision number
    assert status == 200
    assert json.loads(text)["id"] == "province-2017"
    status, text = request(port, "GET", "/methodologies/2948%2FQ%C4%90-BNV")
    assert status == 404
    assert "pass level" in json.loads(text)["error"]["message"]


def test_schemas_and_openapi(port: int) -> None:
    status, text = request(port, "GET", "/schemas/result")
    assert status == 200
    assert json.loads(text) == parindex.json_schema("result")
    status, text = request(port, "GET", "/openapi.json")
    assert status == 200
    doc = json.loads(text)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["version"] == parindex.__version__
    assert set(doc["paths"]) >= {
        "/methodologies",
        "/methodologies/{id}",
        "/score",
        "/rank",
        "/validate",
    }
    assert doc["components"]["schemas"]["Result"]["$comment"].endswith("/v1/result.schema.json")
    # Every local $ref resolves.
    refs = [r for r in _walk_refs(doc) if r.startswith("#/")]
    assert refs
    for ref in refs:
        node: Any = doc
        for part in ref[2:].split("/"):
            node = node[part]


def _walk_refs(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        if isinstance(obj.get("$ref"), str):
            yield obj["$ref"]
        for v in obj.values():
            yield from _walk_refs(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_refs(v)


def test_rank_and_validate(port: int) -> None:
    status, text = post_json(
        port, "/rank", {"methodology": "binhduong-district-2017", "sheet": sheet_doc(BINHDUONG)}
    )
    assert status == 200, text
    rows = json.loads(text)["ranking"]
    assert rows[0]["unit"] == "Thành phố Thủ Dầu Một"
    assert rows[0]["rank"] == 1
    status, text = post_json(
        port, "/rank", {"values": {"a": 85.0, "b": 85.0, "c": 80.0}, "ties": "dense"}
    )
    assert (status, json.loads(text)["ranks"]) == (200, {"a": 1, "b": 1, "c": 2})
    doc = json.loads(cli("show", "province-2017", "--format", "json"))
    status, text = post_json(port, "/validate", doc)
    assert status == 200
    assert json.loads(text)["valid"] is True


def _good_sheet() -> list[dict[str, Any]]:
    return [{"unit": "A", "node": "1", "points": 5.5}]


def _score(**overrides: Any) -> bytes:
    body: dict[str, Any] = {"methodology": "province-2017", "sheet": _good_sheet()}
    body.update(overrides)
    return json.dumps(body).encode()


def _entries(*entries: dict[str, Any]) -> bytes:
    return _score(sheet={"entries": list(entries)})


_BAD_METHODOLOGY = json.loads(
    json.dumps(parindex.methodology_to_dict(parindex.get_methodology("province-2017")))
)
_BAD_METHODOLOGY["tree"][0]["max_points"] = 50.0


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


MALFORMED: list[tuple[str, str, bytes | None]] = [
    ("POST", "/score", b"{"),
    ("POST", "/score", b"[]"),
    ("POST", "/score", b"null"),
    ("POST", "/score", b'"text"'),
    ("POST", "/score", b"{}"),
    ("POST", "/score", b""),
    ("POST", "/score", _score(methodology="province-1999")),
    ("POST", "/score", _score(methodology=5)),
    ("POST", "/score", _score(methodology={"format": "nope"})),
    ("POST", "/score", _score(sheet="x")),
    ("POST", "/score", _score(sheet=[])),
    ("POST", "/score", _score(sheet={"entries": []})),
    ("POST", "/score", _entries({"unit": "A", "node": "9.9", "points": 1})),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": -1})),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": "abc"})),
    (
        "POST",
        "/score",
        b'{"methodology": "province-2017", "sheet": [{"unit": "A", "node": "1", "points": NaN}]}',
    ),
    (
        "POST",
        "/score",
        b'{"methodology": "province-2017", "sheet": [{"unit": "A", "node": "1", "points": Infinity}]}',
    ),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": 11})),
    ("POST", "/score", _entries({"unit": "A", "node": 1, "points": 1})),
    (
        "POST",
        "/score",
        _entries({"unit": "A", "node": "1", "points": 1}, {"unit": "A", "node": "1", "points": 2}),
    ),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": 1, "colour": "red"})),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": "1,5"})),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": True})),
    ("POST", "/score", _entries({"unit": "", "node": "1", "points": 1})),
    ("POST", "/score", _entries({"unit": "A", "node": "1"})),
    ("POST", "/score", _entries({"unit": "A", "node": "1", "points": 1, "status": "na"})),
    ("POST", "/score", _score(foo=1)),
    ("POST", "/score", _score(ties="sideways")),
    ("POST", "/score", _score(missing="maybe")),
    ("POST", "/score", _score(rate_scale="x")),
    ("POST", "/score", _score(year="2017")),
    ("POST", "/score", _score(rank_precision=-1)),
    ("POST", "/score", _score(decimal_comma="yes")),
    ("POST", "/score", _score(sheet={"entries": _good_sheet(), "extra": 1})),
    (
        "POST",
        "/score",
        _score(
            collect_all=True,
            sheet=[
                {"unit": "A", "node": "1", "points": -1},
                {"unit": "A", "node": "8", "points": 99},
            ],
        ),
    ),
    ("POST", "/score", b"\xff\xfe{}"),
    ("POST", "/score", b"[" * 5000 + b"]" * 5000),
    (
        "POST",
        "/score",
        json.dumps(
            {"methodology": "province-2017", "sheet": _good_sheet(), "x": _nested(40)}
        ).encode(),
    ),
    ("POST", "/score", b" " * (MAX_BODY_BYTES + 1024)),
    ("GET", "/nope", None),
    ("POST", "/nope", b"{}"),
    ("PUT", "/score", b"{}"),
    ("DELETE", "/methodologies", None),
    ("PATCH", "/score", b"{}"),
    ("GET", "/score", None),
    ("POST", "/methodologies", b"{}"),
    ("GET", "/methodologies/province-1999", None),
    ("GET", "/schemas/invoice", None),
    ("POST", "/validate", b"{}"),
    ("POST", "/validate", json.dumps(_BAD_METHODOLOGY).encode()),
    ("POST", "/validate", b"{'single': 'quotes'}"),
    ("POST", "/rank", b'{"values": {"A": "x"}}'),
    ("POST", "/rank", b'{"values": [1, 2]}'),
    ("POST", "/rank", b'{"values": {"A": 1}, "ties": "x"}'),
    ("POST", "/rank", b'{"values": {"A": 1}, "groups": {"A": 5}}'),
    ("POST", "/rank", b'{"values": {"A": 1}, "sheet": []}'),
    ("POST", "/rank", _score(sheet=[{"unit": "A", "node": "x", "points": 1}])),
]

# Requests the application answers in the error shape, sent as raw bytes.
RAW: list[tuple[bytes, int]] = [
    (b"POST /score HTTP/1.0\r\nHost: x\r\n\r\n", 411),  # no Content-Length
    (
        b"POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        400,  # a chunked body is read (and this one lacks methodology and sheet)
    ),
    (b"OPTIONS /score HTTP/1.0\r\n\r\n", 405),
    (b"POST /score HTTP/1.0\r\nContent-Length: 10737418240\r\n\r\n", 413),
]
# What does not parse as HTTP at all is refused by uvicorn itself, before the
# application: 400, in plain text.
NOT_HTTP: list[bytes] = [
    b"HELLO\r\n\r\n",
    b"POST /score HTTP/1.0\r\nContent-Length: abc\r\n\r\n{}",
    b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n",
]


def test_fifty_malformed_requests_each_get_a_4xx_and_the_server_keeps_answering(
    port: int,
) -> None:
    assert len(MALFORMED) + len(RAW) + len(NOT_HTTP) >= 50
    seen: set[int] = set()
    for method, path, body in MALFORMED:
        status, headers, text = call(port, method, path, body)
        assert 400 <= status < 500, (method, path, body[:80] if body else body, status, text)
        assert headers["content-type"] == "application/json"
        error = json.loads(text)["error"]
        assert set(error) >= {"type", "message", "unit", "node", "value"}
        assert error["message"]
        seen.add(status)
        assert request(port, "GET", "/health")[0] == 200
    for data, expected in RAW:
        status, headers, answer = raw(port, data)
        assert status == expected, (data[:60], status, answer)
        assert "error" in json.loads(answer)
        seen.add(status)
    for data in NOT_HTTP:
        status, headers, answer = raw(port, data)
        assert status == 400, (data[:60], status, answer)
    assert {400, 404, 405, 411, 413, 422} <= seen
    status, text = post_json(
        port, "/score", {"methodology": "province-2017", "sheet": sheet_doc(DAKLAK)}
    )
    assert status == 200
    assert json.loads(text)["units"][0]["index"] == 75.37


def test_a_405_says_which_methods_are_allowed(port: int) -> None:
    for method, path, allowed in [
        ("DELETE", "/score", "POST"),
        ("PUT", "/validate", "POST"),
        ("POST", "/methodologies", "GET, HEAD"),
        ("PATCH", "/health", "GET, HEAD"),
    ]:
        status, headers, text = call(port, method, path, b"{}")
        assert (status, headers["allow"]) == (405, allowed), text
        assert json.loads(text)["error"]["type"] == "MethodNotAllowed"
        assert method in json.loads(text)["error"]["message"]


def test_errors_name_the_unit_node_and_value(port: int) -> None:
    status, text = request(
        port, "POST", "/score", _entries({"unit": "Đắk Lắk", "node": "1", "points": 11})
    )
    assert status == 422
    error = json.loads(text)["error"]
    assert (error["type"], error["unit"], error["node"], error["value"]) == (
        "PointsOutOfRangeError",
        "Đắk Lắk",
        "1",
        11.0,
    )
    # Every problem with collect_all: those the engine finds (422, points above the
    # maximum) and those the schema finds (400, negative points).
    for points, expected in (((11, 12), 422), ((-1, -2), 400)):
        status, text = request(
            port,
            "POST",
            "/score",
            _score(
                collect_all=True,
                units="free",
                sheet=[
                    {"unit": "A", "node": "1", "points": points[0]},
                    {"unit": "B", "node": "1", "points": points[1]},
                ],
            ),
        )
        assert status == expected, text
        assert [e["unit"] for e in json.loads(text)["error"]["errors"]] == ["A", "B"]
        assert [e["node"] for e in json.loads(text)["error"]["errors"]] == ["1", "1"]


def test_dispatch_without_sockets_answers_json_for_anything() -> None:
    for method, path in [
        ("GET", "/"),
        ("TRACE", "/score"),
        ("GET", "/methodologies/%FF"),
        ("POST", "/score?x=1"),
    ]:
        status, text = dispatch(method, path, b"{}")
        assert 400 <= status < 500
        assert "error" in json.loads(text)


def test_openapi_request_and_response_schemas_accept_real_traffic(port: int) -> None:
    doc = json.loads(request(port, "GET", "/openapi.json")[1])

    def validator(name: str) -> jsonschema.protocols.Validator:
        root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        return jsonschema.Draft202012Validator(root)

    body = {"methodology": "province-2017", "sheet": sheet_doc(DAKLAK), "ties": "dense"}
    validator("ScoreRequest").validate(body)
    assert not validator("ScoreRequest").is_valid({"methodology": "province-2017"})
    status, text = post_json(port, "/score", body)
    validator("Result").validate(json.loads(text))
    status, text = post_json(port, "/score", {"methodology": "nope", "sheet": _good_sheet()})
    assert status == 422
    validator("Error").validate(json.loads(text))
    validator("RankRequest").validate({"values": {"a": 1.0}, "ties": "dense"})
    status, text = post_json(port, "/rank", {"values": {"a": 1.0}, "ties": "dense"})
    validator("Ranking").validate(json.loads(text))
    validator("Methodologies").validate(json.loads(request(port, "GET", "/methodologies")[1]))
    validator("Health").validate(json.loads(request(port, "GET", "/health")[1]))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_serve_command_answers_on_localhost(workers: int) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    )
    argv = ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet", "--workers", str(workers)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "parindex", *argv],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stderr, selectors.EVENT_READ)
        assert sel.select(timeout=60), "the server did not start"
        line = proc.stderr.readline()
        assert line.startswith("parindex: serving on http://127.0.0.1:"), line
        port = int(line.split()[3].rsplit(":", 1)[1])
        assert _health(port) == 200  # with workers, they may still be starting
        body = json.dumps({"methodology": "province-2017", "sheet": sheet_doc(DAKLAK)}).encode()
        status, text = request(port, "POST", "/score?pretty=1", body)
        assert status == 200
        assert text == cli("score", "-m", "province-2017", DAKLAK, "--format", "json")
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) is not None


def _health(port: int, wait: float = 60) -> int:
    import time

    deadline = time.monotonic() + wait
    while True:
        try:
            return request(port, "GET", "/health")[0]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
