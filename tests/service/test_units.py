"""The roster endpoints (#17), against the real server process: pages of a roster,
one unit by code, names resolved with what an unknown one could have meant, the
successor of a province merged on 1 July 2025; every answer valid against its shipped
schema; and, on a server without the ``units`` extra, a 501 naming it."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

import parindex
from parindex.service.routes import Call, endpoint
from parindex.service.schemas import _registry, schema_id, shipped_schema
from parindex.service.units import MAX_NAMES, MAX_PAGE

from .conftest import call, post_json
from .load import ROOT, process_announcing

pytest.importorskip("vietnam_provinces")


def get(port: int, path: str) -> tuple[int, Any]:
    status, _, text = call(port, "GET", path)
    return status, json.loads(text)


def valid(name: str, doc: Any) -> Any:
    """``doc``, once its shipped schema has accepted it."""
    jsonschema.Draft202012Validator({"$ref": schema_id(name)}, registry=_registry()).validate(doc)
    return doc


def q(text: str) -> str:
    return urllib.parse.quote(text)


# ------------------------------------------------------------------ GET /units


def test_the_provinces_of_today_and_of_before_the_merger(port: int) -> None:
    status, now = get(port, "/units")
    assert status == 200, now
    valid("units", now)
    assert (now["level"], now["total"], len(now["units"])) == ("province", 34, 34)
    assert now["year"] >= 2025
    assert now["next_offset"] is None
    status, before = get(port, "/units?year=2024")
    assert (status, before["total"], before["year"]) == (200, 63, 2024)
    assert {u["code"] for u in now["units"]} < {u["code"] for u in before["units"]}


def test_pages_of_a_provinces_wards_add_up_to_the_roster(port: int) -> None:
    path = f"/units?level=ward&province={q('Hải Phòng')}&limit=20"
    seen: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        status, page = get(port, f"{path}&offset={offset}")
        assert status == 200, page
        valid("units", page)
        assert page["province"] == "Hải Phòng"
        assert len(page["units"]) <= 20
        seen += page["units"]
        offset = page["next_offset"]
    whole = parindex.io.rosters.commune_roster(2025, level="ward", province="Hải Phòng")
    assert [u["code"] for u in seen] == [u.code for u in whole.units]
    assert len(seen) == page["total"] == 45
    assert {u["level"] for u in seen} == {"ward"}
    assert {u["province_code"] for u in seen} == {"31"}


def test_a_search_ignores_case_diacritics_and_prefix_or_reads_a_code(port: int) -> None:
    status, found = get(port, f"/units?level=commune&province=31&q={q('phuong HONG bang')}")
    assert status == 200, found
    assert [u["name"] for u in found["units"]] == ["Phường Hồng Bàng"]
    assert found["units"][0]["code"] == "11311"
    status, by_code = get(port, "/units?level=commune&q=11311")
    assert [u["name"] for u in by_code["units"]] == ["Phường Hồng Bàng"]
    status, none = get(port, "/units?q=Atlantis")
    assert (status, none["total"], none["units"]) == (200, 0, [])


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        (f"limit={MAX_PAGE + 1}", 400, f"maximum of {MAX_PAGE}"),
        ("limit=0", 400, "minimum of 1"),
        ("offset=-1", 400, "minimum of 0"),
        ("level=department", 400, "must be one of"),
        ("year=twenty", 400, "'year' must be a whole number"),
        ("page=2", 400, "unknown query parameter 'page'"),
        ("level=commune&year=2024", 422, "from 2025-07-01"),
        ("level=commune&province=Atlantis", 422, "Atlantis"),
        ("province=Hanoi", 422, "not divided by province"),
    ],
)
def test_a_query_it_cannot_answer_is_refused_in_words(
    port: int, query: str, status: int, words: str
) -> None:
    got, doc = get(port, f"/units?{query}")
    assert got == status, doc
    valid("error", doc)
    assert words in doc["error"]["message"]


# ------------------------------------------------------------------ GET /units/{code}


def test_a_unit_by_code_with_what_it_was_formed_from(port: int) -> None:
    status, unit = get(port, "/units/19")
    assert status == 200, unit
    valid("unit", unit)
    assert unit["name"] == "Thái Nguyên"
    assert [(u["name"], u["code"]) for u in unit["predecessors"]] == [
        ("Bắc Kạn", "06"),
        ("Thái Nguyên", "19"),
    ]
    status, ward = get(port, "/units/11311?level=ward")
    assert (status, ward["name"], ward["province"], ward["predecessors"]) == (
        200,
        "Phường Hồng Bàng",
        "Hải Phòng",
        [],
    )
    assert get(port, "/units/06?year=2024")[1]["name"] == "Bắc Kạn"


def test_a_code_no_longer_in_force_is_a_404_naming_what_it_became(port: int) -> None:
    status, doc = get(port, "/units/06")
    assert status == 404
    valid("error", doc)
    message = doc["error"]["message"]
    assert "Bắc Kạn (code 06) became part of Thái Nguyên (code 19)" in message
    assert "/units/06/successor" in message
    assert get(port, "/units/99")[0] == 404


# ------------------------------------------------------------------ POST /units/resolve


def test_names_resolve_as_scoring_resolves_them_and_say_why_not(port: int) -> None:
    names = ["ĐẮK LẮK", "tp hồ chí minh", "Ha Noi", "Hà Nội", "Bắc Kạn", "Dak Lakk", " "]
    status, text = post_json(port, "/units/resolve", {"names": names})
    assert status == 200, text
    doc = valid("resolution", json.loads(text))
    results = doc["results"]
    assert [r["given_name"] for r in results] == names
    assert [r["status"] for r in results] == [
        *["resolved"] * 4,
        "merged",
        "unknown",
        "unknown",
    ]
    assert doc["resolved"] == 4
    assert [r["unit"]["code"] for r in results[:4]] == ["66", "79", "01", "01"]
    assert results[3]["same_unit_as"] == "Ha Noi"  # scoring would refuse the pair
    assert (results[4]["predecessor"]["code"], results[4]["successor"]["code"]) == ("06", "19")
    assert [u["name"] for u in results[5]["candidates"]] == ["Đắk Lắk"]  # did you mean
    assert "closest: 'Đắk Lắk'" in results[5]["message"]
    # The codes are those a score of the same names gives.
    sheet = parindex.ScoreSheet.from_records(
        [{"unit": n, "node": "total", "points": 70} for n in names[:3]]
    )
    scores = parindex.score("province-2025", sheet, year=2025)
    assert [scores.unit_code(n) for n in names[:3]] == ["66", "79", "01"]


def test_a_commune_name_of_two_provinces_resolves_once_the_province_is_given(port: int) -> None:
    body: dict[str, Any] = {"names": ["Xã An Khánh", "P. Hồng Bàng"], "level": "commune"}
    everywhere = valid("resolution", json.loads(post_json(port, "/units/resolve", body)[1]))
    first = everywhere["results"][0]
    assert first["status"] == "ambiguous"
    assert {u["province"] for u in first["candidates"]} >= {"Hà Nội", "Hải Phòng"}
    assert "give the province" in first["message"]
    body["province"] = "hai phong"
    status, text = post_json(port, "/units/resolve", body)
    narrowed = valid("resolution", json.loads(text))
    assert status == 200
    assert narrowed["province"] == "Hải Phòng"
    assert [r["unit"]["code"] for r in narrowed["results"]] == ["11668", "11311"]


def test_a_resolve_request_is_bounded_and_checked_by_its_schema(port: int) -> None:
    status, text = post_json(port, "/units/resolve", {"names": ["x"] * (MAX_NAMES + 1)})
    assert status == 400, text
    assert "too long" in json.loads(text)["error"]["message"]
    for bad in ({"names": []}, {"names": "Hà Nội"}, {"names": ["A"], "level": "district"}):
        assert post_json(port, "/units/resolve", bad)[0] == 400


def test_the_resolve_handler_reads_exactly_the_properties_of_its_schema() -> None:
    class Reading(dict[str, Any]):
        read: set[str]

        def __getitem__(self, key: str) -> Any:
            self.read.add(key)
            return super().__getitem__(key)

        def get(self, key: str, default: Any = None) -> Any:
            self.read.add(key)
            return super().get(key, default)

    body = Reading({"names": ["Hải Phòng"], "level": "province", "year": 2025, "province": None})
    body.read = set()
    assert set(body) == set(shipped_schema("resolve-request")["properties"])
    endpoint("POST", "/units/resolve").handler(Call(body=body))
    assert body.read == set(body)


# ------------------------------------------------------------------ successor


@pytest.mark.parametrize("given", ["Đắk Nông", "dak nong", "67"])
def test_the_successor_of_a_merged_province(port: int, given: str) -> None:
    status, doc = get(port, f"/units/{q(given)}/successor")
    assert status == 200, doc
    valid("succession", doc)
    assert (doc["predecessor"]["code"], doc["successor"]["name"]) == ("67", "Lâm Đồng")
    assert [u["name"] for u in doc["joined"]] == ["Bình Thuận", "Đắk Nông", "Lâm Đồng"]
    assert doc["effective"] == "2025-07-01"


def test_no_successor_for_a_name_of_no_former_province(port: int) -> None:
    status, doc = get(port, f"/units/{q('Dak Nongg')}/successor")
    assert status == 404
    valid("error", doc)
    assert "closest: 'Đắk Nông'" in doc["error"]["message"]


# ------------------------------------------------------------------ without the extra


@pytest.fixture(scope="module")
def bare_port() -> Iterator[int]:
    """A server on which the roster package cannot be imported (as if not installed)."""
    code = (
        "import sys\n"
        "sys.modules['vietnam_provinces'] = None\n"
        "from parindex.cli import main\n"
        "sys.exit(main(['serve', '--port', '0', '--quiet']))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-c", code]
    with process_announcing(argv, "serving on http://127.0.0.1:", env=env, cwd=ROOT) as (_, p):
        yield p


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/units?level=commune", None),
        ("GET", "/units/11311?level=ward", None),
        ("POST", "/units/resolve", {"names": ["Phú Quốc"], "level": "special_zone"}),
    ],
)
def test_without_the_units_extra_the_communes_are_a_501_naming_it(
    bare_port: int, method: str, path: str, body: Any
) -> None:
    data = None if body is None else json.dumps(body).encode()
    status, headers, text = call(bare_port, method, path, data)
    assert status == 501, text
    assert headers["content-type"] == "application/json"
    doc = valid("error", json.loads(text))["error"]
    assert doc["type"] == "RosterUnavailableError"
    assert doc["value"] == 'pip install "parindex[units]"'
    assert "parindex[units]" in doc["message"]
    assert "vietnam-provinces" in doc["message"]
    # The shipped rosters still answer.
    assert get(bare_port, "/units")[0] == 200


def test_a_year_written_as_a_whole_float_is_that_year(port: int) -> None:
    # JSON Schema's "integer" accepts 2024.0 (found by Schemathesis: it was a 500).
    status, text = post_json(port, "/units/resolve", {"names": ["Bắc Kạn"], "year": 2024.0})
    assert status == 200, text
    doc = valid("resolution", json.loads(text))
    assert (doc["year"], doc["results"][0]["unit"]["code"]) == (2024, "06")
