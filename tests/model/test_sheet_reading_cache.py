"""Reading a sheet checks each distinct unit, node and group text once (issue #16): the
entries and the errors are exactly those of reading every row afresh, as before. The
caches of name matchers, name readings and rosters stay bounded."""

from __future__ import annotations

import concurrent.futures
import math
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex._text import normalize_key
from parindex.analysis import names as names_module
from parindex.analysis.names import resolve_units
from parindex.errors import AmbiguousInputError, InputFormatError, ScoreSheetError, ScoreSheetErrors
from parindex.io import rosters as rosters_module
from parindex.io.rosters import roster_for, roster_from_names
from parindex.model import entries as entries_module
from parindex.model.entries import ScoreEntry, check_text, entries_from_rows


def _fresh_entry(rec: Mapping[str, Any], *, line: str, decimal_comma: bool) -> ScoreEntry:
    """A row read as before the memo: every check and message made for the row."""
    unit, node = rec.get("unit"), rec.get("node")
    if unit is not None and not isinstance(unit, str):
        raise InputFormatError(
            f"{line}: unit {unit!r} ({type(unit).__name__}) must be text (the unit's name)"
        )
    if not isinstance(unit, str) or not unit.strip():
        raise InputFormatError(f"{line}: 'unit' is blank")
    if isinstance(node, int) and not isinstance(node, bool) and node >= 0:
        node = str(node)
    if not isinstance(node, str) or not node.strip():
        if isinstance(node, int | float) and not isinstance(node, bool):
            raise InputFormatError(
                f'{line}: node {node!r} must be text like "3.2" (a number loses the '
                "decimal structure)"
            )
        raise InputFormatError(f"{line}: 'node' is blank")
    where = f"{line}, unit {normalize_key(unit)!r}, node {normalize_key(node)!r}"
    fields: dict[str, Any] = {}
    for name in ("points", "self_points", "appraised_points"):
        cell = rec.get(name)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if isinstance(cell, str):
            try:
                fields[name] = entries_module._parse_cell_number(
                    cell, decimal_comma=decimal_comma, where=where, column=name
                )
            except ScoreSheetError as err:
                raise type(err)(
                    str(err), unit=normalize_key(unit), node=normalize_key(node), value=err.value
                ) from None
            continue
        try:
            fields[name] = entries_module._as_points(cell, name)
        except ScoreSheetError as err:
            raise type(err)(
                f"{where}: {err}", unit=normalize_key(unit), node=normalize_key(node), value=cell
            ) from None
    value = rec.get("value")
    if isinstance(value, str):
        check_text(value, f"{where}: value")
        value = value.strip() or None
        if value is not None and decimal_comma:
            if entries_module._GROUPED.fullmatch(value.removesuffix("%").strip()):
                raise AmbiguousInputError(
                    f"{where}: value {value!r}: in a sheet read with decimal commas a '.' "
                    "followed by three digits may separate thousands; write the decimal "
                    "with a comma or the number without separators",
                    value=value,
                )
            if "," in value and "." not in value:
                value = value.replace(",", ".")
    status = rec.get("status")
    status = status.strip().casefold() if isinstance(status, str) else status
    if status not in (None, "", "na"):
        raise InputFormatError(
            f"{where}: status {status!r} is not understood (use 'na' or leave blank)"
        )
    group = rec.get("group")
    if group is not None and not isinstance(group, str):
        raise InputFormatError(
            f"{where}: group {group!r} ({type(group).__name__}) must be text; write the "
            "peer group's name (a number would be read differently by different tools)"
        )
    if isinstance(group, str):
        check_text(group, f"{where}: group")
    group = normalize_key(group) if isinstance(group, str) and group.strip() else None
    try:
        return ScoreEntry(
            unit=unit,
            node=node,
            points=fields.get("points"),
            value=value,
            na=status == "na",
            group=group,
            self_points=fields.get("self_points"),
            appraised_points=fields.get("appraised_points"),
            note=str(rec.get("note") or ""),
        )
    except ScoreSheetError as err:
        if "none given" in str(err):
            raise ScoreSheetError(
                f"{where}: blank row: no points, value or status", unit=err.unit, node=err.node
            ) from None
        raise type(err)(f"{line}: {err}", unit=err.unit, node=err.node, value=err.value) from None


def _shown(x: object) -> object:
    """What must be equal: an entry field by field with its type (``-0.0``, ``nan``), an
    error by its type, message and attributes."""
    if isinstance(x, ScoreEntry):
        return [
            (f.name, type(v), repr(v))
            for f in attrs.fields(ScoreEntry)
            for v in [getattr(x, f.name)]
        ]
    if isinstance(x, ScoreSheetErrors):
        entries, rows = x.partial
        return (str(x), [_shown(e) for e in x.exceptions], [_shown(e) for e in entries], rows)
    if isinstance(x, BaseException):
        attrs_of = [repr(getattr(x, a, None)) for a in ("unit", "node", "value", "row")]
        return (type(x), str(x), attrs_of)
    return x


def _read(rows: list[tuple[str, dict[str, Any]]], fresh: bool, **how: bool) -> object:
    try:
        if not fresh:
            return [_shown(e) for e in entries_from_rows(rows, **how)]
        entries, places, problems = [], [], []
        for row, (line, rec) in enumerate(rows, 1):
            try:
                entries.append(_fresh_entry(rec, line=line, decimal_comma=how["decimal_comma"]))
                places.append(row)
            except ScoreSheetError as err:
                err.row = row
                if not how["collect_all"]:
                    raise
                problems.append(err)
        if problems:
            group = ScoreSheetErrors(
                f"{len(problems)} problem{'' if len(problems) == 1 else 's'} in the score sheet",
                problems,
            )
            group.partial = (entries, places)
            raise group
        return [_shown(e) for e in entries]
    except Exception as err:  # whatever escapes must escape both ways
        return _shown(err)


_NFD = unicodedata.normalize("NFD", "Đắk Lắk")


def _mostly(good: list[object], bad: list[object], odds: int = 2) -> st.SearchStrategy[object]:
    """A good cell ``odds`` times to one bad, so that many rows are read through."""
    return st.one_of(*[st.sampled_from(good)] * odds, st.sampled_from(bad))


_NAMES = _mostly(
    ["Đắk Lắk", " Đắk  Lắk ", _NFD, "Gia Lai"],
    ["A\u200b", "A\x1b[2J", "\x0b", "A\x0bB", "", " ", None, 7],
    8,  # a bad name ends the reading (InputFormatError): rarely, so that rows follow
)
_NODES = _mostly(["1", " 1 ", "3.2", 1, 2], ["x\u200b", "\x85", "", -1, 1.0, True, None], 8)
_POINTS = _mostly(
    [None, 5.5, -0.0, 0.0, "8,5", "8.5", " 9 ", 3, True],
    [-1.0, math.nan, math.inf, "", "x", "1.234", "nan", 10**400, "-2", None],
)
_MAYBE_POINTS = _mostly([None], [5.5, -1.0, math.nan, "8,5", "x", 10**400, -0.0], 6)
_VALUES = _mostly(
    [None],
    ["97%", " 97% ", "1.234", "1,5", "a\x0b", "a\u200b", "", " ", 3, 2.5, math.nan, 10**400,
     False, [1]],
    4,
)  # fmt: skip
_STATUS = _mostly([None, ""], ["na", " NA ", "x", 1], 4)
_GROUPS = _mostly([None, "city", " city ", _NFD], ["\x0b", "", " ", "g\u200b", 5], 4)
_NOTES = _mostly([None, "", "ok", "x\u200by"], ["x\x1b", 0, 1.5], 6)
_ROW = st.fixed_dictionaries(
    {
        "unit": _NAMES,
        "node": _NODES,
        "points": _POINTS,
        "value": _VALUES,
        "status": _STATUS,
        "group": _GROUPS,
        "self_points": _MAYBE_POINTS,
        "appraised_points": _MAYBE_POINTS,
        "note": _NOTES,
    }
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_ROW, max_size=8), st.booleans(), st.booleans())
def test_reading_with_the_memo_is_reading_afresh(
    recs: list[dict[str, Any]], decimal_comma: bool, collect_all: bool
) -> None:
    # The names repeat (a few of each): the memo's second look must agree with its first.
    rows = [(f"line {i + 2}", rec) for i, rec in enumerate(recs + recs)]
    how = {"decimal_comma": decimal_comma, "collect_all": collect_all}
    assert _read(rows, False, **how) == _read(rows, True, **how)


def test_a_good_sheet_is_the_same_sheet() -> None:
    recs = [
        {"unit": u, "node": n, "points": float(i), "group": " big  city "}
        for i, u in enumerate(["Đắk Lắk", _NFD, "Gia Lai"])
        for n in ("1", 2, " 3 ")
        if u != _NFD
    ]
    rows = [(f"entry {i + 1}", r) for i, r in enumerate(recs)]
    fast = entries_from_rows(rows, decimal_comma=False, collect_all=False)
    fresh = [_fresh_entry(r, line=line, decimal_comma=False) for line, r in rows]
    assert fast == fresh
    assert [_shown(e) for e in fast] == [_shown(e) for e in fresh]
    assert parindex.ScoreSheet.from_records(recs) == parindex.ScoreSheet(fresh)


def test_the_matcher_cache_is_bounded_and_keyed_by_the_units() -> None:
    for i in range(names_module._MATCHERS_MAX + 5):
        roster = roster_from_names([f"Sở số {i}", "Sở Nội vụ"])
        assert resolve_units(["so noi vu"], roster).records[0].unit == "Sở Nội vụ"
        assert len(names_module._matchers) <= names_module._MATCHERS_MAX
    # An equal roster built anew meets its matcher; a changed one gets its own.
    again = roster_from_names([f"Sở số {i}", "Sở Nội vụ"])
    assert names_module._matcher(again.units) is names_module._matcher(roster.units)
    with pytest.raises(parindex.errors.UnknownUnitError):
        resolve_units(["so noi vu"], roster_from_names([f"Sở số {i}", "Sở Tư pháp"]))
    assert names_module._cached_parses.cache_info().maxsize == 2048


def test_threads_resolve_as_one() -> None:
    roster = roster_for("province", year=2023)
    given_names = [n.upper() for n in roster.names()]
    expected = resolve_units(given_names, roster).to_records()
    names_module._matchers.clear()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: resolve_units(given_names, roster).to_records(), range(16)))
    assert all(f == expected for f in found)


def test_shipped_rosters_are_kept_and_bounded_files_are_read_anew(tmp_path: Path) -> None:
    first = roster_for("province", year=2023)
    assert roster_for("province", year=2023) is first
    assert first == rosters_module.province_roster(2023)
    for year in range(1990, 1990 + rosters_module._ROSTERS_MAX + 5):
        roster_for("province", year=year)
        assert len(rosters_module._rosters) <= rosters_module._ROSTERS_MAX
    path = tmp_path / "departments.csv"
    path.write_text("name\nSở Nội vụ\n", encoding="utf-8")
    assert roster_for("department", year=2025, path=path).names() == ("Sở Nội vụ",)
    path.write_text("name\nSở Tài chính\n", encoding="utf-8")
    assert roster_for("department", year=2025, path=path).names() == ("Sở Tài chính",)
    # Errors are not kept: each call says them again.
    for _ in range(2):
        with pytest.raises(parindex.errors.RosterUnavailableError, match="no shipped roster"):
            roster_for("department", year=2025)


_GOOD = {"unit": "Đắk Lắk", "node": "1", "points": 5.5}
_ONE_CELL = [
    *({"value": v, "points": None} for v in
      [math.nan, math.inf, 10**400, 2**1023, "a\x0b", "a\u200b", " 9,5 ", "1.234", [1], False]),
    *({"points": p} for p in [-1.0, -0.0, math.nan, 10**400, "1.234", "8,5", True, 3]),
    *({"self_points": p} for p in [-1.0, math.nan, math.inf, "x"]),
    *({"group": g} for g in ["\x0b", " ", "g\u200b", " big  city ", _NFD, 5]),
    *({"note": n} for n in ["x\x1b", "x\u200by", 0, 2.5]),
    *({"status": s} for s in ["na", " NA ", "x"]),
    *({"unit": u} for u in ["A\u200b", "\x0b", " ", _NFD, "A\x0bB"]),
    *({"node": n} for n in ["x\u200b", "\x85", 0, -1, 1.5, True]),
]  # fmt: skip


@pytest.mark.parametrize("cells", _ONE_CELL, ids=repr)
@pytest.mark.parametrize("decimal_comma", [False, True])
def test_each_tricky_cell_reads_as_afresh(cells: dict[str, Any], decimal_comma: bool) -> None:
    rows = [(f"line {i}", _GOOD | cells) for i in (2, 3)]  # the second meets the memo
    for collect_all in (False, True):
        how = {"decimal_comma": decimal_comma, "collect_all": collect_all}
        assert _read(rows, False, **how) == _read(rows, True, **how)
