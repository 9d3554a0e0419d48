"""The roster endpoints of the service (#17): the units of the two-level government
(34 provinces; 3,321 communes, wards and special zones from 1 July 2025) and of the
years before, for clients that need codes before they score.

- ``GET /units``: a page of a roster (``level``, ``year``, ``province``, ``q``,
  ``limit`` at most :data:`MAX_PAGE`, ``offset``);
- ``GET /units/{code}``: one unit by its official code;
- ``POST /units/resolve``: names as they arrive, each resolved as scoring resolves it,
  with what an unknown one could have meant (did you mean);
- ``GET /units/{unit}/successor``: the province a province of before 1 July 2025
  became part of.

Communes, wards and special zones come from the optional package of the ``units``
extra; without it these levels are answered 501 Not Implemented, naming the extra:
not 503, which says "try again later", when nothing changes until someone installs it.
Rosters are read once and kept (they are the same for every request).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from parindex.analysis.identity import NameLookup, RosterLookup
from parindex.analysis.names import find_successor
from parindex.errors import RosterUnavailableError, UnknownUnitError
from parindex.io.rosters import roster_for, units_package_version
from parindex.limits import check_limit
from parindex.model.units import RosterUnit
from parindex.present.errors import error_document
from parindex.service.calls import Call
from parindex.service.protocol import HttpError

__all__ = [
    "DEFAULT_PAGE",
    "MAX_NAMES",
    "MAX_PAGE",
    "SUGGESTIONS",
    "get_unit",
    "list_units",
    "resolve_names",
    "successor",
    "unit_document",
    "warm_up",
]

MAX_PAGE = 1000
"""Units on one page of ``GET /units`` at most (``limit``); page with ``offset``."""
DEFAULT_PAGE = 100
"""Units on a page when ``limit`` is not given."""
MAX_NAMES = 5000
"""Names in one ``POST /units/resolve`` at most: every commune, ward and special zone
of the country (3,321) fits in one request."""
SUGGESTIONS = 50
"""Unknown names of one request for which the closest units are sought (each search
compares the name with every unit's name: some 25 ms among 3,321 communes)."""


def unit_document(unit: RosterUnit) -> dict[str, Any]:
    """A roster unit as plain data (schema ``unit``).

    Example:
        >>> import parindex
        >>> from parindex.service.units import unit_document
        >>> unit_document(parindex.io.rosters.province_roster(2025).by_code("66"))
        {'name': 'Đắk Lắk', 'code': '66', 'level': 'province', 'province': None, 'province_code': None, 'aliases': []}
    """
    return {
        "name": unit.name,
        "code": unit.code,
        "level": unit.level,
        "province": unit.province,
        "province_code": unit.province_code,
        "aliases": list(unit.aliases),
    }


def warm_up() -> None:
    """Import the roster package now, if it is installed, rather than in a request.

    Example:
        >>> from parindex.service.units import warm_up
        >>> warm_up()
    """
    units_package_version()


# ------------------------------------------------------------------ rosters, kept


@functools.lru_cache(maxsize=16)
def _lookup(level: str, year: int) -> RosterLookup:
    # A look-up of the 3,321 communes takes a third of a second to build: built once.
    return RosterLookup.of(roster_for(level, year=year))


@functools.lru_cache(maxsize=256)
def _narrowed(level: str, year: int, province: str) -> RosterLookup:
    return RosterLookup.of(_lookup(level, year).roster, province=province)


@functools.lru_cache(maxsize=16)
def _latest_year(level: str, this_year: int) -> int:
    """The latest evaluation year, up to this one, that the level has a roster for."""
    for year in range(this_year, 1989, -1):
        try:
            _lookup(level, year)
        except RosterUnavailableError as err:
            if err.install:
                raise
        except UnknownUnitError:  # a ministry year no list covers
            pass
        else:
            return year
    raise RosterUnavailableError(f"no roster of level {level!r} is known", level=level)


def _roster(params: Any, *, province: str | None = None) -> tuple[RosterLookup, int]:
    """The look-up a request asks for (``level``, ``year``, ``province``), and its year;
    an optional package that is missing is answered 501, naming the extra."""
    level = params.get("level") or "province"
    year = params.get("year")
    if year is not None:
        year = int(year)  # JSON Schema's integers include 2025.0
    try:
        if year is None:
            year = _latest_year(level, dt.date.today().year)
        if province is not None:
            return _narrowed(level, year, province), year
        return _lookup(level, year), year
    except RosterUnavailableError as err:
        if not err.install:
            raise
        doc = error_document(err)["error"]
        raise HttpError(
            501, doc["message"], type="RosterUnavailableError", value=err.install
        ) from None


# ------------------------------------------------------------------ the handlers


def list_units(call: Call) -> object:
    """``GET /units``: a page of the units of a roster, narrowed and searched.

    Example:
        >>> from parindex.service.routes import Call
        >>> from parindex.service.units import list_units
        >>> page = list_units(Call(params={"year": 2024, "q": "dak", "limit": 1}))
        >>> page["total"], page["next_offset"], [u["name"] for u in page["units"]]
        (2, 1, ['Đắk Lắk'])
    """
    params = call.params
    lookup, year = _roster(params, province=params.get("province"))
    q = params.get("q")
    found = lookup.search(q) if q is not None else lookup.roster.units
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or DEFAULT_PAGE)
    page = found[offset : offset + limit]
    source = lookup.roster.source
    return {
        "level": lookup.roster.level,
        "year": year,
        "province": lookup.province,
        "q": q,
        "total": len(found),
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if offset + limit < len(found) else None,
        "source": None
        if source is None
        else {"url": source.url, "confidence": source.confidence, "note": source.note},
        "origin": lookup.roster.origin,
        "units": [unit_document(u) for u in page],
    }


def get_unit(call: Call) -> object:
    """``GET /units/{code}``: one unit by its official code, with the units it was
    formed from; a code no longer in force is a 404 naming what it became.

    Example:
        >>> from parindex.service.routes import Call
        >>> from parindex.service.units import get_unit
        >>> unit = get_unit(Call(params={"code": "19"}))
        >>> unit["name"], [u["name"] for u in unit["predecessors"]]
        ('Thái Nguyên', ['Bắc Kạn', 'Thái Nguyên'])
    """
    lookup, year = _roster(call.params)
    roster, code = lookup.roster, call.params["code"]
    try:
        unit = roster.by_code(code)
    except UnknownUnitError:
        hint = ""
        if roster.former:
            try:
                became = find_successor(code, roster)
                hint = (
                    f": {became.predecessor.name} (code {became.predecessor.code}) became part "
                    f"of {became.successor.name} (code {became.successor.code}) on "
                    f"{became.effective.isoformat()}; see /units/{code}/successor"
                )
            except UnknownUnitError:
                pass
        raise HttpError(
            404,
            f"no {roster.level} has the code {code!r} in {year}{hint}",
            type="UnknownUnitError",
            unit=code,
            value=code,
        ) from None
    assert unit.code is not None  # found by it
    return {
        **unit_document(unit),
        "predecessors": [unit_document(u) for u in roster.predecessors(unit.code)],
    }


def resolve_names(call: Call) -> object:
    """``POST /units/resolve``: each name resolved as scoring resolves it, or why not.

    Example:
        >>> from parindex.service.routes import Call
        >>> from parindex.service.units import resolve_names
        >>> answer = resolve_names(Call(body={"names": ["Dak Lak", "Bắc Kạn", "Dak Lakk"]}))
        >>> [r["status"] for r in answer["results"]], answer["results"][1]["successor"]["name"]
        (['resolved', 'merged', 'unknown'], 'Thái Nguyên')
    """
    body = call.body
    names = body["names"]
    check_limit("names", len(names), "MAX_NAMES", MAX_NAMES, where="names")
    lookup, year = _roster(body, province=body.get("province"))
    results = [_result(found) for found in lookup.look_up(names, suggestions=SUGGESTIONS)]
    return {
        "level": lookup.roster.level,
        "year": year,
        "province": lookup.province,
        "resolved": sum(r["status"] == "resolved" for r in results),
        "results": results,
    }


def _result(found: NameLookup) -> dict[str, Any]:
    def one(unit: RosterUnit | None) -> dict[str, Any] | None:
        return None if unit is None else unit_document(unit)

    return {
        "given_name": found.given_name,
        "status": found.status,
        "unit": one(found.unit),
        "candidates": [unit_document(u) for u in found.candidates],
        "predecessor": one(found.predecessor),
        "successor": one(found.successor),
        "same_unit_as": found.same_unit_as,
        "message": found.message,
    }


def successor(call: Call) -> object:
    """``GET /units/{unit}/successor``: the province that a province of before 1 July
    2025 (its old code, or its name in any spelling) became part of.

    Example:
        >>> from parindex.service.routes import Call
        >>> from parindex.service.units import successor
        >>> s = successor(Call(params={"unit": "Dak Nong"}))
        >>> s["successor"]["name"], [u["name"] for u in s["joined"]], s["effective"]
        ('Lâm Đồng', ['Bình Thuận', 'Đắk Nông', 'Lâm Đồng'], '2025-07-01')
    """
    lookup, _ = _roster({"level": "province"})
    try:
        found = find_successor(call.params["unit"], lookup.roster)
    except UnknownUnitError as err:  # the resource of the path: 404, with the closest
        doc = error_document(err)["error"]
        raise HttpError(
            404, doc["message"], type=doc["type"], unit=doc["unit"], value=doc["value"]
        ) from None
    return {
        "given_name": found.given_name,
        "predecessor": unit_document(found.predecessor),
        "successor": unit_document(found.successor),
        "joined": [unit_document(u) for u in found.joined],
        "effective": found.effective.isoformat(),
    }
