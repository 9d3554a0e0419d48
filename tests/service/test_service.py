"""The HTTP service, tested with a real client against a real server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

import parindex
from parindex.cli import main
from parindex.service.app import MAX_BODY_BYTES, dispatch, serve_in_thread

from ..conftest import DAKLAK_2023_CSV

DAKLAK = "examples/daklak-2017.csv"
BINHDUONG = "examples/binhduong-district-2017.csv"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server, thread = serve_in_thread("127.0.0.1", 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def request(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode("utf-8")


def raw(base: str, data: bytes) -> tuple[int, str]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8")


def cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), stdout=out, stderr=err) == 0, err.getvalue()
    return out.getvalue()


def post_json(base: str, path: str, doc: Any) -> tuple[int, str]:
    return request(base, "POST", path, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def sheet_doc(path: str) -> Any:
    return json.loads(parindex.load_sheet(path).to_json())


@pytest.mark.parametrize(
    ("methodology", "path"), [("province-2017", DAKLAK), ("binhduong-district-2017", BINHDUONG)]
)
def test_score_over_http_gives_the_same_json_as_the_cli(
    base_url: str, methodology: str, path: str
) -> None:
    status, text = post_json(
        base_url, "/score", {"methodology": methodology, "sheet": sheet_doc(path)}
    )
    assert status == 200, text
    assert text == cli("score", "-m", methodology, path, "--format", "json")
    jsonschema.Draft202012Validator(parindex.json_schema("result")).validate(json.loads(text))


def test_score_options_reach_the_engine(base_url: str) -> None:
    body = {
        "methodology": "province-2017",
        "sheet": [
            {"unit": "A", "node": "1", "points": "5,5"},
            {"unit": "B", "node": "1", "points": 5.5},
        ],
        "decimal_comma": True,
        "missing": "unknown",
        "ties": "dense",
    }
    status, text = post_json(base_url, "/score", body)
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


def test_listing_and_showing_match_the_cli(base_url: str) -> None:
    assert request(base_url, "GET", "/methodologies") == (
        200,
        cli("methodologies", "--format", "json"),
    )
    status, text = request(base_url, "GET", "/methodologies/province-2017")
    assert (status, text) == (200, cli("show", "province-2017", "--format", "json"))
    status, text = request(
        base_url, "GET", "/methodologies/2948%2FQ%C4%90-BNV?level=province"
    )  # by decision number
    assert status == 200
    assert json.loads(text)["id"] == "province-2017"
    status, text = request(base_url, "GET", "/methodologies/2948%2FQ%C4%90-BNV")
    assert status == 404
    assert "pass level" in json.loads(text)["error"]["message"]


def test_schemas_and_openapi(base_url: str) -> None:
    status, text = request(base_url, "GET", "/schemas/result")
    assert status == 200
    assert json.loads(text) == parindex.json_schema("result")
    status, text = request(base_url, "GET", "/openapi.json")
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


def test_rank_and_validate(base_url: str) -> None:
    status, text = post_json(
        base_url, "/rank", {"methodology": "binhduong-district-2017", "sheet": sheet_doc(BINHDUONG)}
    )
    assert status == 200, text
    rows = json.loads(text)["ranking"]
    assert rows[0]["unit"] == "Thành phố Thủ Dầu Một"
    assert rows[0]["rank"] == 1
    status, text = post_json(
        base_url, "/rank", {"values": {"a": 85.0, "b": 85.0, "c": 80.0}, "ties": "dense"}
    )
    assert (status, json.loads(text)["ranks"]) == (200, {"a": 1, "b": 1, "c": 2})
    doc = json.loads(cli("show", "province-2017", "--format", "json"))
    status, text = post_json(base_url, "/validate", doc)
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

RAW: list[bytes] = [
    b"POST /score HTTP/1.0\r\nHost: x\r\n\r\n",  # no Content-Length
    b"HELLO\r\n\r\n",
    b"FOO /score HTTP/1.0\r\nHost: x\r\n\r\n",
    b"POST /score HTTP/1.0\r\nContent-Length: abc\r\n\r\n{}",
    b"POST /score HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"POST /score HTTP/1.0\r\nContent-Length: 10\r\n\r\n{}",  # shorter than declared
    b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n",
]


def test_fifty_malformed_requests_each_get_a_4xx_and_the_server_keeps_answering(
    base_url: str,
) -> None:
    assert len(MALFORMED) + len(RAW) >= 50
    seen: set[int] = set()
    for method, path, body in MALFORMED:
        status, text = request(base_url, method, path, body)
        assert 400 <= status < 500, (method, path, body[:80] if body else body, status, text)
        error = json.loads(text)["error"]
        assert set(error) >= {"type", "message", "unit", "node", "value"}
        assert error["message"]
        seen.add(status)
        assert request(base_url, "GET", "/health")[0] == 200
    for data in RAW:
        status, text = raw(base_url, data)
        assert 400 <= status < 500, (data[:60], status, text)
        assert "error" in json.loads(text)
        seen.add(status)
    assert {400, 404, 405, 411, 413, 422} <= seen
    status, text = post_json(
        base_url, "/score", {"methodology": "province-2017", "sheet": sheet_doc(DAKLAK)}
    )
    assert status == 200
    assert json.loads(text)["units"][0]["index"] == 75.37


def test_errors_name_the_unit_node_and_value(base_url: str) -> None:
    status, text = request(
        base_url, "POST", "/score", _entries({"unit": "Đắk Lắk", "node": "1", "points": 11})
    )
    assert status == 422
    error = json.loads(text)["error"]
    assert (error["type"], error["unit"], error["node"], error["value"]) == (
        "PointsOutOfRangeError",
        "Đắk Lắk",
        "1",
        11.0,
    )
    status, text = request(
        base_url,
        "POST",
        "/score",
        _score(
            collect_all=True,
            sheet=[
                {"unit": "A", "node": "1", "points": -1},
                {"unit": "B", "node": "1", "points": -2},
            ],
        ),
    )
    assert status == 422
    assert [e["unit"] for e in json.loads(text)["error"]["errors"]] == ["A", "B"]


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


def test_openapi_request_and_response_schemas_accept_real_traffic(base_url: str) -> None:
    doc = json.loads(request(base_url, "GET", "/openapi.json")[1])

    def validator(name: str) -> jsonschema.protocols.Validator:
        root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        return jsonschema.Draft202012Validator(root)

    body = {"methodology": "province-2017", "sheet": sheet_doc(DAKLAK), "ties": "dense"}
    validator("ScoreRequest").validate(body)
    assert not validator("ScoreRequest").is_valid({"methodology": "province-2017"})
    status, text = post_json(base_url, "/score", body)
    validator("Result").validate(json.loads(text))
    status, text = post_json(base_url, "/score", {"methodology": "nope", "sheet": []})
    assert status == 422
    validator("Error").validate(json.loads(text))
    validator("RankValuesRequest").validate({"values": {"a": 1.0}, "ties": "dense"})


def test_the_serve_command_answers_on_localhost() -> None:
    import os
    import selectors
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parindex",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--quiet",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stderr, selectors.EVENT_READ)
        assert sel.select(timeout=30), "the server did not start"
        line = proc.stderr.readline()
        assert line.startswith("parindex: serving on http://127.0.0.1:"), line
        url = line.split()[3]
        assert request(url, "GET", "/health")[0] == 200
        status, text = post_json(
            url, "/score", {"methodology": "province-2017", "sheet": sheet_doc(DAKLAK)}
        )
        assert status == 200
        assert text == cli("score", "-m", "province-2017", DAKLAK, "--format", "json")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
