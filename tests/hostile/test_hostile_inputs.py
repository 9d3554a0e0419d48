"""The hostile-input suite: every input path, fed what real sheets and files contain.

Each case is one row of ``CASES``: the input path, the input, the exact error class it
must raise and fragments the message must contain (naming the unit, node and value
where there is one). Every case that can reach the command line is also run through
``parindex.cli.main``: exit status 2, exactly one line on stderr with the same
fragments, never a traceback. ``WORKING`` lists inputs that look odd but must work
(a BOM, CRLF line ends, NFD names, stated scales).

Paths covered today: ``csv-text``, ``csv-file``, ``json-text``, ``json-file``,
``excel-file`` (read, then scored; ``parindex read-excel``), ``survey`` (responses and
questionnaire files; ``parindex survey``), ``methodology-file``, ``methodology-dict``,
``api`` (Python calls), ``cli`` (arguments) and ``http`` (requests to one real server on
127.0.0.1: a 4xx with a JSON error, and the server answers the next request). Paths
other branches are adding go in ``PENDING_PATHS``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import http.client
import io
import json
import socket
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import parindex
from parindex import (
    AmbiguousInputError,
    ConflictError,
    DuplicateEntryError,
    InputFormatError,
    MethodologyError,
    MissingDataError,
    NotApplicableError,
    OverlapError,
    ParIndexError,
    PointsOutOfRangeError,
    QuestionnaireError,
    ScoreEntry,
    ScoreSheet,
    ScoreSheetError,
    SurveyResponseError,
    UnknownMethodologyError,
    UnknownNodeError,
    UnknownUnitError,
    cli,
)
from parindex._excel import _FIRST_ROW as XL_FIRST_ROW
from parindex._excel import _KEY_ROW as XL_KEY_ROW
from parindex._excel import EXCEL_COLUMNS
from parindex._io import MAX_DEPTH, MAX_FILE_BYTES
from parindex._service import MAX_BODY_BYTES, MAX_JSON_DEPTH, HttpError, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
M = "illustrative-district"
DAK = "Đắk Lắk"
DAK_NFD = unicodedata.normalize("NFD", DAK)
assert DAK != DAK_NFD
H = "unit,node,points,value,status,group\n"
OVER_LIMIT = MAX_FILE_BYTES + 1


@dataclass(frozen=True)
class Case:
    """One hostile input and what it must raise."""

    id: str
    path: str
    input: Any
    error: type[BaseException]
    fragments: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 bytes, the legacy Vietnamese encoding: a precomposed letter
    where the code page has one, else a base letter and a combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base, mark = unicodedata.normalize("NFC", parts[:-1]), parts[-1]
            out += base.encode("cp1258") + mark.encode("cp1258")
    return out


def mini(tree: str, extra: str = "", total: float = 10) -> str:
    """A small methodology file around a tree written in YAML flow style."""
    return (
        "format: parindex-methodology/1\nid: mini\nname_vi: Thử\nname_en: Test\n"
        f"level: district\nevaluation_years: [2024]\ntotal_max: {total}\n{extra}tree:\n{tree}"
    )


def tiers(*items: str) -> str:
    body = ", ".join(items)
    return f'  - {{id: "1", max_points: 10, rule: {{kind: tiers, tiers: [{body}]}}}}\n'


def _edit(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    """Set ``value`` at ``path`` in the illustrative methodology's plain data."""

    def apply(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return apply


def _node_path(node_id: str) -> list[Any]:
    """Path of a node in methodology_to_dict output, e.g. '1.1.2' -> tree/0/children/0/..."""
    out: list[Any] = ["tree"]
    parts = node_id.split(".")
    for depth in range(1, len(parts) + 1):
        wanted = ".".join(parts[:depth])
        out.append(_POS[wanted])
        if depth < len(parts):
            out.append("children")
    return out


_BASE = parindex.methodology_to_dict(parindex.get_methodology(M))
_POS: dict[str, int] = {}


def _index_positions(nodes: list[dict[str, Any]]) -> None:
    for i, n in enumerate(nodes):
        _POS[n["id"]] = i
        _index_positions(n.get("children", []))


_index_positions(_BASE["tree"])


def _scored(sheet: ScoreSheet, **kw: Any) -> parindex.Scores:
    return parindex.score(M, sheet, missing="zero", **kw)


def _one_unit() -> parindex.Scores:
    return _scored(ScoreSheet.from_records([{"unit": "A", "node": "1.4.2", "points": 1}]))


def _frame(**cols: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(cols)


def _deep_json(levels: int) -> str:
    return '[{"unit": "A", "node": "1.4.2", "points": 1, "note": ' + "[" * levels + "]" * levels


def _deep_yaml_block(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "v: 1\n"


_FIELDS = {"1": 12, "2": 10, "3": 24, "4": 10, "5": 14, "6": 8, "7": 22}
_ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + (
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
)

# ---------------------------------------------------------------- Excel workbooks
# An "excel-file" case's input is the file's bytes (None: no file), or edits applied to
# a template written for M with one unit worksheet "A". Each workbook is built once.
Edit = Callable[[Any], None]
_XL_COL = {key: i + 1 for i, (key, _, _) in enumerate(EXCEL_COLUMNS)}
_XL_ROW = {n.id: XL_FIRST_ROW + i for i, n in enumerate(parindex.get_methodology(M).nodes())}


def _cell(node: str, key: str, value: object, number_format: str | None = None) -> Edit:
    """Type ``value`` into the ``key`` column of ``node``'s row of worksheet A."""

    def edit(wb: Any) -> None:
        cell = wb["A"].cell(row=_XL_ROW[node], column=_XL_COL[key])
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format

    return edit


def _at(sheet: str, ref: str, value: object) -> Edit:
    def edit(wb: Any) -> None:
        wb[sheet][ref].value = value

    return edit


def _copy_unit(unit: str) -> Edit:
    """A copy of worksheet A (as filled in so far) for ``unit``."""

    def edit(wb: Any) -> None:
        wb.copy_worksheet(wb["A"])["B2"].value = unit

    return edit


def _clear_keys_row(wb: Any) -> None:
    for col in _XL_COL.values():
        wb["A"].cell(row=XL_KEY_ROW, column=col).value = None


def _remove_unit_sheet(wb: Any) -> None:
    wb.remove(wb["A"])


def _hide(sheet: str, state: str = "hidden") -> Edit:
    def edit(wb: Any) -> None:
        wb[sheet].sheet_state = state

    return edit


_XL_OK = _cell("1.4.2", "appraised_points", 1)


@functools.cache
def _template() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        m = parindex.get_methodology(M)
        return parindex.write_excel_template(m, Path(tmp) / "t.xlsx", units=["A"]).read_bytes()


@functools.cache
def _workbook(case_id: str, edits: tuple[Edit, ...]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(_template()))
    for edit in edits:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@functools.cache
def _zip_bomb() -> bytes:
    """A small zip whose one member unpacks to 80 MiB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", bytes(80 * 1024 * 1024))
    return out.getvalue()


def _zip(members: Mapping[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


# ---------------------------------------------------------------- survey responses
# A "survey" case's input is the responses CSV; options may give a questionnaire file
# (else the one shipped for M), a methodology, or a policy.
SH = "unit,respondent,group,item,answer\n"
_QUESTIONNAIRE = (ROOT / "src/parindex/data/questionnaires/illustrative-district.yaml").read_text(
    encoding="utf-8"
)


def _questionnaire(old: str, new: str) -> str:
    """The shipped questionnaire with one edit."""
    assert old in _QUESTIONNAIRE, old
    return _QUESTIONNAIRE.replace(old, new, 1)


def _bad_questionnaire(case_id: str, edit: tuple[str, str], fragments: tuple[str, ...]) -> Case:
    """A "survey" case whose one valid response meets the shipped questionnaire with one
    edit (``(old, new)``), refused with a QuestionnaireError."""
    return Case(
        case_id,
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        fragments,
        {"questionnaire": _questionnaire(*edit)},
    )


# ---------------------------------------------------------------- HTTP requests


@dataclass(frozen=True)
class Request:
    """An "http" case's input: a request for the service, or ``raw`` bytes sent as is."""

    method: str = "POST"
    path: str = "/score"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def _post(doc: object, path: str = "/score", **headers: str) -> Request:
    body = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    return Request("POST", path, body, {"Content-Type": "application/json", **headers})


def _score_body(sheet: object, **options: object) -> dict[str, object]:
    return {"methodology": M, "sheet": sheet, "missing": "zero", **options}


_HTTP_OK = [{"unit": "A", "node": "1.4.2", "points": 1}]
_SHIPPED_FILE = ROOT / "src/parindex/data/methodologies" / f"{M}.yaml"
assert _SHIPPED_FILE.is_file()
_LOTTERY = copy.deepcopy(_BASE)
_edit([*_node_path("2.1.1"), "rule"], {"kind": "lottery"})(_LOTTERY)

CASES: list[Case] = [
    # ------------------------------------------------------------ CSV text: nodes, units
    Case("unknown-node", "csv-text", H + "A,9.9,1,,,\n", UnknownNodeError, ("'A'", "'9.9'")),
    Case("unknown-component", "csv-text", H + "A,sipas,1,,,\n", UnknownNodeError, ("'sipas'",)),
    Case("blank-unit", "csv-text", H + ",1.4.2,1,,,\n", InputFormatError, ("line 2", "'unit'")),
    Case("blank-node", "csv-text", H + "A,,1,,,\n", InputFormatError, ("line 2", "'node'")),
    Case(
        "invisible-char-in-unit",
        "csv-text",
        H + f"{DAK}\u200b,1.4.2,1,,,\n",
        InputFormatError,
        ("Đắk Lắk", "U+200B"),
    ),
    Case(
        "lone-surrogate-in-unit",
        "api",
        lambda: ScoreSheet.from_csv_text(H + "Gia Lai\udcff,1.4.2,1,,,\n"),
        InputFormatError,
        ("Gia Lai", "U+DCFF"),
    ),
    # ------------------------------------------------------------ points out of range
    Case(
        "points-above-maximum",
        "csv-text",
        H + "A,1.1.1,1.5,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.1.1'", "1.5", "0-1"),
    ),
    Case(
        "points-above-field-maximum",
        "csv-text",
        H + "A,3,24.01,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'3'", "24.01", "0-24"),
    ),
    Case(
        "points-negative",
        "csv-text",
        H + "A,1.1.2,-1,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.1.2'", "-1", "negative"),
    ),
    Case(
        "component-above-maximum",
        "csv-text",
        H + "A,survey,20.5,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'survey'", "20.5"),
    ),
    Case(
        "self-points-above-maximum",
        "csv-text",
        "unit,node,points,self_points\nA,1.4.2,1,2.5\n",
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "self_points 2.5", "0-2"),
    ),
    Case(
        "appraised-points-above-maximum",
        "json-text",
        '[{"unit": "A", "node": "3", "points": 20, "appraised_points": 99}]',
        PointsOutOfRangeError,
        ("'A'", "'3'", "appraised_points 99", "0-24"),
    ),
    # ------------------------------------------------------------ NaN and infinities
    Case(
        "points-nan",
        "csv-text",
        H + "A,1.4.2,NaN,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "'NaN'", "finite"),
    ),
    Case(
        "points-inf",
        "csv-text",
        H + "A,1.4.2,inf,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "'inf'", "finite"),
    ),
    Case(
        "points-minus-infinity",
        "csv-text",
        H + "A,1.4.2,-Infinity,,,\n",
        PointsOutOfRangeError,
        ("'-Infinity'", "finite"),
    ),
    Case(
        "points-overflow-to-inf",
        "csv-text",
        H + "A,1.4.2,1e999,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "'1e999'"),
    ),
    Case(
        "value-nan-for-count",
        "csv-text",
        H + "A,1.2.1,,nan,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.2.1'", "'nan'"),
    ),
    # ------------------------------------------------------------ blank cells, wrong kinds
    Case(
        "blank-row-cells",
        "csv-text",
        H + "A,1.4.2,,,,\n",
        ScoreSheetError,
        ("'A'", "'1.4.2'", "blank row"),
    ),
    Case(
        "whitespace-cells",
        "csv-text",
        H + "A,1.4.2,  ,  ,  ,\n",
        ScoreSheetError,
        ("'1.4.2'", "blank row"),
    ),
    Case(
        "rate-in-points-column",
        "csv-text",
        H + "A,1.1.2,97%,,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.1.2'", "'97%'", "not a number"),
    ),
    Case(
        "label-in-points-column",
        "csv-text",
        H + "A,1.1.1,đúng hạn,,,\n",
        PointsOutOfRangeError,
        ("'1.1.1'", "'đúng hạn'", "not a number"),
    ),
    Case(
        "value-for-node-without-rule",
        "csv-text",
        H + "A,1,,on time,,\n",
        ScoreSheetError,
        ("'A'", "'1'", "'on time'", "give points instead"),
    ),
    Case(
        "points-and-value-both",
        "csv-text",
        H + "A,1.4.2,1,1,,\n",
        ScoreSheetError,
        ("'A'", "'1.4.2'", "more than one"),
    ),
    Case(
        "underscore-digits",
        "csv-text",
        H + "A,1.4.2,1_0,,,\n",
        PointsOutOfRangeError,
        ("'1_0'", "not a number"),
    ),
    Case(
        "unknown-status", "csv-text", H + "A,1.4.2,,,n/a,\n", InputFormatError, ("'1.4.2'", "'n/a'")
    ),
    Case(
        "label-unknown",
        "csv-text",
        H + "A,1.1.1,,sớm,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.1.1'", "'sớm'", "not one of the levels"),
    ),
    Case(
        "yes-no-unknown",
        "csv-text",
        H + "A,1.3.2,,maybe,,\n",
        PointsOutOfRangeError,
        ("'1.3.2'", "'maybe'", "yes/no"),
    ),
    Case(
        "deduction-fraction",
        "csv-text",
        H + "A,1.2.1,,2.5,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.2.1'", "2.5", "whole number"),
    ),
    Case(
        "deduction-negative",
        "csv-text",
        H + "A,1.2.1,,-1,,\n",
        PointsOutOfRangeError,
        ("'1.2.1'", "-1"),
    ),
    Case(
        "direct-points-over",
        "csv-text",
        H + "A,1.4.2,,2.5,,\n",
        PointsOutOfRangeError,
        ("'1.4.2'", "2.5", "maximum 2"),
    ),
    # ------------------------------------------------------------ rates and scales
    Case(
        "bare-97-for-rate",
        "csv-text",
        H + "A,1.1.2,,97,,\n",
        AmbiguousInputError,
        ("'A'", "'1.1.2'", "97", '"97%"', "rate_scale"),
    ),
    Case(
        "bare-0.97-for-rate",
        "csv-text",
        H + "A,1.1.2,,0.97,,\n",
        AmbiguousInputError,
        ("'1.1.2'", "0.97", "rate_scale"),
    ),
    Case(
        "97-on-fraction-scale",
        "csv-text",
        H + "A,1.1.2,,97,,\n",
        PointsOutOfRangeError,
        ("'A'", "'1.1.2'", "97", "fraction scale", '"97%"'),
        {"rate_scale": "fraction"},
    ),
    Case(
        "150-on-percent-scale",
        "csv-text",
        H + "A,1.1.2,,150,,\n",
        PointsOutOfRangeError,
        ("'1.1.2'", "150", "0-100"),
        {"rate_scale": "percent"},
    ),
    Case(
        "percent-over-100",
        "csv-text",
        H + "A,3.1.1,,120%,,\n",
        PointsOutOfRangeError,
        ("'A'", "'3.1.1'", "120", "0-100"),
    ),
    Case(
        "percent-negative",
        "csv-text",
        H + "A,3.1.1,,-5%,,\n",
        PointsOutOfRangeError,
        ("'3.1.1'", "-5"),
    ),
    Case(
        "rate-nan-percent",
        "csv-text",
        H + "A,3.1.1,,nan%,,\n",
        PointsOutOfRangeError,
        ("'3.1.1'", "nan"),
    ),
    # ------------------------------------------------------------ decimal commas
    Case(
        "decimal-comma-unstated",
        "csv-text",
        H + 'A,1.4.2,"1,5",,,\n',
        AmbiguousInputError,
        ("'A'", "'1.4.2'", "'1,5'", "decimal_comma=True"),
    ),
    Case(
        "thousands-comma",
        "csv-text",
        H + 'A,3,"1,234",,,\n',
        AmbiguousInputError,
        ("'3'", "'1,234'", "thousands"),
    ),
    Case(
        "thousands-dot-in-decimal-comma-sheet",
        "csv-text",
        H + "A,3,1.234,,,\n",
        AmbiguousInputError,
        ("'A'", "'3'", "'1.234'", "thousands"),
        {"decimal_comma": True},
    ),
    Case(
        "mixed-separators",
        "csv-text",
        H + 'A,3,"1.234,5",,,\n',
        AmbiguousInputError,
        ("'3'", "'1.234,5'", "mixes"),
        {"decimal_comma": True},
    ),
    Case(
        "rate-with-comma",
        "csv-text",
        H + 'A,1.1.2,,"97,5%",,\n',
        AmbiguousInputError,
        ("'1.1.2'", "'97,5'", "comma"),
    ),
    # ------------------------------------------------------------ duplicates and spellings
    Case(
        "duplicate-rows",
        "csv-text",
        H + "A,1.4.2,1,,,\nA,1.4.2,1,,,\n",
        DuplicateEntryError,
        ("'A'", "'1.4.2'", "twice"),
    ),
    Case(
        "same-unit-nfc-and-nfd",
        "csv-text",
        H + f"{DAK},1.4.2,1,,,\n{DAK_NFD},1.4.2,2,,,\n",
        DuplicateEntryError,
        (f"'{DAK}'", "'1.4.2'", "twice"),
    ),
    Case(
        "same-unit-extra-spaces",
        "csv-text",
        H + f'{DAK},1.4.2,1,,,\n" Đắk  Lắk ",1.4.2,2,,,\n',
        DuplicateEntryError,
        (f"'{DAK}'", "'1.4.2'", "twice"),
    ),
    Case(
        "same-unit-letter-case",
        "csv-text",
        H + f"{DAK},1.4.2,1,,,\nĐẮK LẮK,1.4.1,2,,,\n",
        DuplicateEntryError,
        (f"'{DAK}'", "'ĐẮK LẮK'", "spelled two ways"),
    ),
    Case(
        "same-unit-old-tone-placement",
        "csv-text",
        H + "Hòa Bình,1.4.2,1,,,\nHoà Bình,1.4.1,2,,,\n",
        DuplicateEntryError,
        ("'Hòa Bình'", "'Hoà Bình'", "tone-mark placement"),
    ),
    Case(
        "wide-frame-same-unit-letter-case",
        "api",
        lambda: parindex.score_frame(
            "ministry-2022",
            _frame(
                unit=["Thanh tra Chính phủ", "THANH TRA CHÍNH PHỦ"],
                appraisal=[60.0, 61.0],
                survey=[30.0, 30.0],
            ),
            wide=True,
        ),
        DuplicateEntryError,
        ("'Thanh tra Chính phủ'", "'THANH TRA CHÍNH PHỦ'", "spelled two ways"),
    ),
    Case(
        "two-groups-for-one-unit",
        "csv-text",
        H + "A,1.4.2,1,,,north\nA,1.4.1,1,,,south\n",
        ScoreSheetError,
        ("'A'", "'north'", "'south'"),
    ),
    # ------------------------------------------------------------ levels, N/A, totals
    Case(
        "overlapping-levels",
        "csv-text",
        H + "A,1.1,3,,,\nA,1.1.1,1,,,\n",
        OverlapError,
        ("'A'", "'1.1.1'", "'1.1'", "one level only"),
    ),
    Case(
        "total-and-field",
        "csv-text",
        H + "A,total,80,,,\nA,1,10,,,\n",
        OverlapError,
        ("'A'", "'1'", "'total'"),
    ),
    Case(
        "total-and-components",
        "csv-text",
        H + "A,total,80,,,\nA,appraisal,60,,,\n",
        OverlapError,
        ("'A'", "'total'", "score components"),
    ),
    Case(
        "na-forbidden",
        "csv-text",
        H + "A,1.1.1,,,na,\n",
        NotApplicableError,
        ("'A'", "'1.1.1'", "not applicable", "does not allow N/A"),
    ),
    Case("na-on-total", "csv-text", H + "A,total,,,na,\n", NotApplicableError, ("'A'", "'total'")),
    Case(
        "partly-given-node",
        "csv-text",
        H + "A,1.1.1,,đúng hạn,,\n",
        MissingDataError,
        ("'A'", "'1.1'", "1.1.2", "missing='zero'"),
        {"missing": "error"},
    ),
    Case(
        "fields-disagree-with-components",
        "csv-text",
        H
        + "".join(f"A,{k},{v},,,\n" for k, v in _FIELDS.items())
        + "A,appraisal,80,,,\nA,survey,10,,,\n",
        ConflictError,
        ("'A'", "100", "90"),
    ),
    # ------------------------------------------------------------ CSV structure
    Case(
        "unknown-column", "csv-text", "unit,node,pionts\nA,1,1\n", InputFormatError, ("'pionts'",)
    ),
    Case("missing-node-column", "csv-text", "unit,points\nA,1\n", InputFormatError, ("'node'",)),
    Case(
        "repeated-column",
        "csv-text",
        "unit,node,points,points\nA,1,1,1\n",
        InputFormatError,
        ("repeats",),
    ),
    Case(
        "more-cells-than-columns",
        "csv-text",
        "unit,node,points\nA,1,1,2\n",
        InputFormatError,
        ("line 2", "more cells"),
    ),
    Case(
        "unclosed-quote",
        "csv-text",
        'unit,node,points\n"A,1,1\n',
        InputFormatError,
        ("malformed CSV",),
    ),
    Case("empty-text", "csv-text", "", InputFormatError, ("empty",)),
    Case("header-only", "csv-text", H, InputFormatError, ("no entries",)),
    # ------------------------------------------------------------ CSV files: bytes
    Case(
        "cp1258-bytes",
        "csv-file",
        cp1258(H + f"{DAK},1.4.2,1,,,\n"),
        InputFormatError,
        ("not UTF-8", "save the file as UTF-8"),
    ),
    Case(
        "latin-1-bytes",
        "csv-file",
        (H + "Bà Rịa,1.4.2,1,,,\n").encode("utf-8").replace("à".encode(), "à".encode("latin-1")),
        InputFormatError,
        ("not UTF-8", "byte"),
    ),
    Case(
        "utf-16-bytes",
        "csv-file",
        (H + "A,1.4.2,1,,,\n").encode("utf-16"),
        InputFormatError,
        ("not UTF-8",),
    ),
    Case("empty-file", "csv-file", b"", InputFormatError, ("empty",)),
    Case("blank-lines-only", "csv-file", b"\r\n\r\n  \n", InputFormatError, ("empty",)),
    Case(
        "huge-csv-file",
        "csv-file",
        b"x" * OVER_LIMIT,
        InputFormatError,
        ("over the limit", str(MAX_FILE_BYTES)),
    ),
    Case(
        "bom-then-bad-points",
        "csv-file",
        b"\xef\xbb\xbf" + (H + "A,1.4.2,abc,,,\r\n").encode(),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "'abc'"),
    ),
    Case("missing-file", "csv-file", None, InputFormatError, ("cannot read file",)),
    # ------------------------------------------------------------ JSON sheets
    Case(
        "json-duplicate-key",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": 1, "points": 2}]',
        InputFormatError,
        ("duplicate key 'points'",),
    ),
    Case(
        "json-nan",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": NaN}]',
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "nan"),
    ),
    Case(
        "json-infinity",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": Infinity}]',
        PointsOutOfRangeError,
        ("'1.4.2'", "inf"),
    ),
    Case(
        "json-bool-points",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": true}]',
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "boolean"),
    ),
    Case(
        "json-node-number",
        "json-text",
        '[{"unit": "A", "node": 3.2, "points": 1}]',
        InputFormatError,
        ("3.2", "text"),
    ),
    Case(
        "json-unit-number",
        "json-text",
        '[{"unit": 66, "node": "1", "points": 1}]',
        InputFormatError,
        ("66", "text"),
    ),
    Case(
        "json-group-number",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": 1, "group": 2}]',
        InputFormatError,
        ("'A'", "group 2"),
    ),
    Case(
        "json-points-string-comma",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": "1,5"}]',
        AmbiguousInputError,
        ("'A'", "'1.4.2'", "'1,5'"),
    ),
    Case(
        "json-points-list",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": [1]}]',
        PointsOutOfRangeError,
        ("'1.4.2'", "[1]"),
    ),
    Case(
        "json-huge-int",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": ' + "9" * 5000 + "}]",
        InputFormatError,
        ("cannot read a value",),
    ),
    Case(
        "json-big-int-points",
        "json-text",
        '[{"unit": "A", "node": "1.4.2", "points": ' + "9" * 400 + "}]",
        PointsOutOfRangeError,
        ("'1.4.2'", "too large"),
    ),
    Case("json-deeply-nested", "json-text", _deep_json(100_000), InputFormatError, ("nested",)),
    Case(
        "json-nested-past-limit",
        "json-text",
        _deep_json(MAX_DEPTH + 1) + "}]",
        InputFormatError,
        (f"deeper than {MAX_DEPTH}",),
    ),
    Case(
        "json-wrong-top", "json-text", '{"rows": []}', InputFormatError, ("unknown keys", "'rows'")
    ),
    Case("json-empty-list", "json-text", "[]", InputFormatError, ("no entries",)),
    Case(
        "json-entry-not-object", "json-text", '["A,1,1"]', InputFormatError, ("entry 1", "object")
    ),
    Case(
        "json-unknown-key",
        "json-text",
        '[{"unit": "A", "node": "1", "pionts": 1}]',
        InputFormatError,
        ("'pionts'",),
    ),
    Case(
        "json-syntax", "json-text", '[{"unit": "A",}]', InputFormatError, ("invalid JSON", "line 1")
    ),
    Case(
        "yaml-as-json-sheet",
        "json-text",
        "- unit: A\n  node: 1\n  points: 1\n",
        InputFormatError,
        ("not JSON",),
    ),
    Case(
        "json-sheet-huge",
        "json-file",
        b"[" + b" " * OVER_LIMIT + b"]",
        InputFormatError,
        ("over the limit",),
    ),
    Case(
        "json-sheet-latin-1",
        "json-file",
        cp1258('[{"unit": "Bà Rịa"}]'),
        InputFormatError,
        ("not UTF-8",),
    ),
    # ------------------------------------------------------------ methodology files
    Case(
        "duplicate-node-ids",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 10, children: [{id: "1.1", max_points: 4}, {id: "1.1", max_points: 4}]}\n'
        ),
        MethodologyError,
        ("'1.1'", "appears twice"),
    ),
    Case(
        "node-under-foreign-parent",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 5, children: [{id: "2.1", max_points: 4}]}\n  - {id: "2", max_points: 5}\n'
        ),
        MethodologyError,
        ("'2.1'", "'1'", "does not continue"),
    ),
    Case(
        "node-under-itself",
        "methodology-file",
        mini('  - {id: "1", max_points: 10, children: [{id: "1", max_points: 4}]}\n'),
        MethodologyError,
        ("'1'", "appears twice"),
    ),
    Case(
        "dotted-top-level-node",
        "methodology-file",
        mini('  - {id: "1.1", max_points: 10}\n'),
        MethodologyError,
        ("'1.1'", "top-level"),
    ),
    Case(
        "children-exceed-parent",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 5, children: [{id: "1.1", max_points: 4}, {id: "1.2", max_points: 2}]}\n'
        ),
        MethodologyError,
        ("node 1", "6", "more than the node's maximum 5"),
    ),
    Case(
        "fields-exceed-total",
        "methodology-file",
        mini('  - {id: "1", max_points: 6}\n  - {id: "2", max_points: 6}\n'),
        MethodologyError,
        ("12", "more than the total 10"),
    ),
    Case(
        "complete-children-fall-short",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 10, children: [{id: "1.1", max_points: 4}]}\n',
            "complete: true\n",
        ),
        MethodologyError,
        ("node 1", "not the node's maximum 10"),
    ),
    Case(
        "unknown-rule-kind",
        "methodology-file",
        mini('  - {id: "1", max_points: 10, rule: {kind: lottery}}\n'),
        MethodologyError,
        ("node 1", "'lottery'"),
    ),
    Case(
        "overlapping-tiers",
        "methodology-file",
        mini(tiers("{min_inclusive: 50, points: 10}", "{max_inclusive: 60, points: 0}")),
        MethodologyError,
        ("node 1", "overlap"),
    ),
    Case(
        "tiers-share-a-boundary",
        "methodology-file",
        mini(tiers("{min_inclusive: 50, points: 10}", "{max_inclusive: 50, points: 0}")),
        MethodologyError,
        ("node 1", "overlap at 50 %"),
    ),
    Case(
        "gapped-tiers",
        "methodology-file",
        mini(tiers("{min_inclusive: 50, points: 10}", "{max_exclusive: 40, points: 0}")),
        MethodologyError,
        ("node 1", "gap between 40 % and 50 %"),
    ),
    Case(
        "tiers-miss-100",
        "methodology-file",
        mini(tiers("{min_inclusive: 0, max_exclusive: 100, points: 10}")),
        MethodologyError,
        ("node 1", "100 %"),
    ),
    Case(
        "tier-points-over-maximum",
        "methodology-file",
        mini(tiers("{min_inclusive: 50, points: 12}", "{max_exclusive: 50, points: 0}")),
        MethodologyError,
        ("node 1", "12", "exceeds the node maximum 10"),
    ),
    Case(
        "rule-on-inner-node",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 10, rule: {kind: yes_no}, children: [{id: "1.1", max_points: 4}]}\n'
        ),
        MethodologyError,
        ("node 1", "only leaves"),
    ),
    Case(
        "allow-na-as-text",
        "methodology-file",
        mini('  - {id: "1", max_points: 10, allow_na: "false"}\n'),
        MethodologyError,
        ("node 1", "allow_na", "'false'"),
    ),
    Case(
        "nan-maximum",
        "methodology-file",
        mini('  - {id: "1", max_points: .nan}\n'),
        MethodologyError,
        ("node 1", "max_points", "nan"),
    ),
    Case(
        "overlapping-bands",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 10}\n',
            "bands:\n  2024:\n    - {label: A, min_inclusive: 80}\n    - {label: B, min_inclusive: 70, max_inclusive: 80}\n",
        ),
        MethodologyError,
        ("'A'", "'B'", "overlap"),
    ),
    Case(
        "categorical-label-twice",
        "methodology-file",
        mini(
            '  - {id: "1", max_points: 10, rule: {kind: categorical, levels: [{label: Đạt, points: 10}, {label: "đạt", points: 0}]}}\n'
        ),
        MethodologyError,
        ("node 1", "'đạt'", "used twice"),
    ),
    Case(
        "wrong-format-tag",
        "methodology-file",
        mini("  []\n").replace("/1", "/9"),
        MethodologyError,
        ("'parindex-methodology/9'",),
    ),
    Case(
        "bad-date",
        "methodology-file",
        mini("  []\n", "decision: {date: 2022-13-45}\n"),
        InputFormatError,
        ("cannot read a value", "month"),
    ),
    Case(
        "yaml-alias-bomb",
        "methodology-file",
        _ALIAS_BOMB,
        InputFormatError,
        ("aliases are not allowed", "line 2"),
    ),
    Case(
        "yaml-duplicate-key",
        "methodology-file",
        mini("  []\n", "id: other\n"),
        InputFormatError,
        ("duplicate key 'id'",),
    ),
    Case(
        "yaml-python-object",
        "methodology-file",
        "!!python/object/apply:os.system [echo pwned]\n",
        InputFormatError,
        ("python/object/apply:os.system",),
    ),
    Case(
        "yaml-python-name",
        "methodology-file",
        "x: !!python/name:os.system\n",
        InputFormatError,
        ("python/name:os.system",),
    ),
    Case(
        "yaml-deeply-nested",
        "methodology-file",
        "a: " + "[" * 50_000 + "]" * 50_000 + "\n",
        InputFormatError,
        ("nested",),
    ),
    Case(
        "yaml-nested-past-limit",
        "methodology-file",
        _deep_yaml_block(MAX_DEPTH + 2),
        InputFormatError,
        (f"deeper than {MAX_DEPTH}",),
    ),
    Case("yaml-syntax", "methodology-file", "a: [1, 2\n", InputFormatError, ("invalid YAML",)),
    Case(
        "methodology-empty",
        "methodology-file",
        "",
        MethodologyError,
        ("must be a dict", "NoneType"),
    ),
    Case(
        "methodology-cp1258",
        "methodology-file",
        cp1258(mini("  []\n")),
        InputFormatError,
        ("not UTF-8",),
    ),
    Case(
        "methodology-huge",
        "methodology-file",
        b"#" * OVER_LIMIT,
        InputFormatError,
        ("over the limit",),
    ),
    Case(
        "methodology-is-a-list",
        "methodology-file",
        "[1, 2]\n",
        MethodologyError,
        ("must be a dict", "list"),
    ),
    # ------------------------------------------------------------ methodology dicts
    Case(
        "nan-tier-bound",
        "methodology-dict",
        _edit([*_node_path("1.1.2"), "rule", "tiers", 0, "min_inclusive"], float("nan")),
        MethodologyError,
        ("node 1.1.2", "tier bound", "nan"),
    ),
    Case(
        "boolean-tier-bound",
        "methodology-dict",
        _edit([*_node_path("1.1.2"), "rule", "tiers", 0, "min_inclusive"], True),
        MethodologyError,
        ("node 1.1.2", "tier bound", "True"),
    ),
    Case(
        "aliases-as-string",
        "methodology-dict",
        _edit([*_node_path("1.1.1"), "rule", "levels", 0, "aliases"], "on time"),
        MethodologyError,
        ("node 1.1.1", "aliases", "'on time'"),
    ),
    Case(
        "children-complete-as-text",
        "methodology-dict",
        _edit([*_node_path("1"), "children_complete"], "no"),
        MethodologyError,
        ("node 1", "children_complete", "'no'"),
    ),
    Case(
        "proportional-rate-as-text",
        "methodology-dict",
        _edit([*_node_path("1.3.1"), "rule", "rate"], "false"),
        MethodologyError,
        ("node 1.3.1", "rate", "'false'"),
    ),
    Case(
        "deduction-floor-over-maximum",
        "methodology-dict",
        _edit([*_node_path("1.2.1"), "rule", "floor"], 3),
        MethodologyError,
        ("node 1.2.1", "deduction floor 3", "maximum 2"),
    ),
    Case(
        "proportional-full-at-zero",
        "methodology-dict",
        _edit([*_node_path("1.3.1"), "rule", "full_at"], 0),
        MethodologyError,
        ("node 1.3.1", "full_at", "0"),
    ),
    Case(
        "node-id-number",
        "methodology-dict",
        _edit([*_node_path("2"), "id"], 2),
        MethodologyError,
        ("node id", "2"),
    ),
    Case(
        "node-id-malformed",
        "methodology-dict",
        _edit([*_node_path("2"), "id"], "2..1"),
        MethodologyError,
        ("'2..1'", "not well formed"),
    ),
    Case(
        "year-not-whole",
        "methodology-dict",
        _edit(["evaluation_years"], [2024.5]),
        MethodologyError,
        ("evaluation_years", "2024.5"),
    ),
    Case(
        "complete-as-text",
        "methodology-dict",
        _edit(["complete"], "false"),
        MethodologyError,
        ("complete", "'false'"),
    ),
    Case(
        "ranking-precision-text",
        "methodology-dict",
        _edit(["ranking", "precision"], "2"),
        MethodologyError,
        ("precision", "'2'"),
    ),
    Case(
        "component-max-as-text",
        "methodology-dict",
        _edit(["components", 0, "max_points"], "80"),
        MethodologyError,
        ("component 0 max_points", "'80'"),
    ),
    Case(
        "components-exceed-total",
        "methodology-dict",
        _edit(["components", 1, "max_points"], 30),
        MethodologyError,
        ("score components", "110"),
    ),
    Case(
        "unknown-top-key",
        "methodology-dict",
        _edit(["weights"], {}),
        MethodologyError,
        ("unknown keys", "'weights'"),
    ),
    Case(
        "unknown-node-key",
        "methodology-dict",
        _edit([*_node_path("2"), "weight"], 1),
        MethodologyError,
        ("node", "'weight'"),
    ),
    # ------------------------------------------------------------ Python API
    Case(
        "entry-points-text",
        "api",
        lambda: ScoreEntry("A", "1", points="abc"),
        PointsOutOfRangeError,
        ("'A'", "'1'", "'abc'"),
    ),
    Case(
        "entry-points-bool",
        "api",
        lambda: ScoreEntry("A", "1", points=True),
        PointsOutOfRangeError,
        ("'A'", "'1'", "boolean True"),
    ),
    Case(
        "entry-points-huge",
        "api",
        lambda: ScoreEntry("A", "1", points=10**400),
        PointsOutOfRangeError,
        ("'A'", "'1'", "too large"),
    ),
    Case(
        "entry-points-nan",
        "api",
        lambda: ScoreEntry("A", "1", points=float("nan")),
        PointsOutOfRangeError,
        ("'A'", "'1'", "nan"),
    ),
    Case(
        "entry-unit-number",
        "api",
        lambda: ScoreEntry(66, "1", points=1),
        InputFormatError,
        ("unit 66",),
    ),
    Case(
        "entry-node-number",
        "api",
        lambda: ScoreEntry("A", 3.2, points=1),
        InputFormatError,
        ("'A'", "node 3.2"),
    ),
    Case(
        "entry-na-text",
        "api",
        lambda: ScoreEntry("A", "1", na="yes"),
        InputFormatError,
        ("'A'", "'1'", "'yes'"),
    ),
    Case(
        "sheet-of-dicts",
        "api",
        lambda: ScoreSheet([{"unit": "A", "node": "1", "points": 1}]),
        InputFormatError,
        ("dict", "from_records"),
    ),
    Case(
        "score-a-list",
        "api",
        lambda: parindex.score(M, [{"unit": "A"}]),
        InputFormatError,
        ("list", "ScoreSheet"),
    ),
    Case(
        "rate-scale-misspelt",
        "api",
        lambda: _scored(
            ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": 0.97}]),
            rate_scale="fractions",
        ),
        InputFormatError,
        ("rate_scale='fractions'",),
    ),
    Case(
        "missing-misspelt",
        "api",
        lambda: parindex.score(
            M, ScoreSheet.from_records([{"unit": "A", "node": "1", "points": 1}]), missing="zeros"
        ),
        InputFormatError,
        ("missing='zeros'",),
    ),
    Case(
        "unknown-methodology",
        "api",
        lambda: parindex.score("province-1999", ScoreSheet([])),
        UnknownMethodologyError,
        ("province-1999",),
    ),
    Case(
        "methodology-key-that-is-a-path",
        "api",
        lambda: parindex.get_methodology(
            str(ROOT / "src/parindex/data/methodologies/province-2017.yaml")
        ),
        UnknownMethodologyError,
        ("province-2017.yaml",),
    ),
    Case(
        "unknown-unit-in-results", "api", lambda: _one_unit().unit("B"), UnknownUnitError, ("'B'",)
    ),
    Case(
        "unknown-unit-in-ranking",
        "api",
        lambda: parindex.rank(_one_unit()).rank_of("B"),
        UnknownUnitError,
        ("'B'",),
    ),
    Case(
        "unknown-unit-unranked",
        "api",
        lambda: parindex.rank(_one_unit(), unranked=["Thanh tra"]),
        UnknownUnitError,
        ("'Thanh tra'", "unranked"),
    ),
    Case(
        "ties-misspelt",
        "api",
        lambda: parindex.rank(_one_unit(), ties="minimum"),
        InputFormatError,
        ("ties='minimum'",),
    ),
    Case(
        "precision-out-of-range",
        "api",
        lambda: parindex.rank(_one_unit(), precision=400),
        InputFormatError,
        ("precision=400",),
    ),
    Case(
        "rank-values-nfc-nfd",
        "api",
        lambda: parindex.rank_values({DAK: 80.0, DAK_NFD: 70.0}),
        DuplicateEntryError,
        (DAK, "twice"),
    ),
    Case(
        "rank-values-letter-case",
        "api",
        lambda: parindex.rank_values({DAK: 80.0, "ĐẮK LẮK": 70.0}),
        DuplicateEntryError,
        (DAK, "'ĐẮK LẮK'", "spelled two ways"),
    ),
    Case(
        "frame-node-floats",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=["A"], node=[3.2], points=[1.0])),
        InputFormatError,
        ("row 1", "node 3.2"),
    ),
    Case(
        "frame-unit-numbers",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=[66], node=["3"], points=[1.0])),
        InputFormatError,
        ("row 1", "unit 66"),
    ),
    Case(
        "frame-points-bool",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=["A"], node=["3"], points=[True])),
        PointsOutOfRangeError,
        ("'A'", "'3'", "boolean"),
    ),
    Case(
        "frame-points-text-comma",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=["A"], node=["3"], points=["8,5"])),
        AmbiguousInputError,
        ("'A'", "'3'", "'8,5'"),
    ),
    Case(
        "frame-points-inf",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=["A"], node=["3"], points=[float("inf")])),
        PointsOutOfRangeError,
        ("'A'", "'3'", "inf"),
    ),
    Case(
        "frame-group-number",
        "api",
        lambda: ScoreSheet.from_frame(_frame(unit=["A"], node=["3"], points=[1.0], group=[1])),
        InputFormatError,
        ("'A'", "group 1"),
    ),
    Case(
        "frame-unknown-column",
        "api",
        lambda: parindex.score(M, _frame(unit=["A"], node=["3"], pts=[1.0])),
        InputFormatError,
        ("'pts'",),
    ),
    # ------------------------------------------------------------ CLI arguments
    Case(
        "cli-missing-sheet",
        "cli",
        ["score", "-m", M, "{tmp}/nope.csv"],
        InputFormatError,
        ("nope.csv", "cannot read file"),
    ),
    Case(
        "cli-sheet-is-a-directory",
        "cli",
        ["score", "-m", M, "{tmp}"],
        InputFormatError,
        ("cannot read file",),
    ),
    Case(
        "cli-unknown-methodology",
        "cli",
        ["score", "-m", "province-1999", "{sheet}"],
        UnknownMethodologyError,
        ("province-1999",),
    ),
    Case(
        "cli-rate-scale-choice",
        "cli",
        ["score", "-m", M, "--rate-scale", "fractions", "{sheet}"],
        cli._UsageError,
        ("'fractions'",),
    ),
    Case(
        "cli-rank-precision-word",
        "cli",
        ["score", "-m", M, "--rank-precision", "two", "{sheet}"],
        cli._UsageError,
        ("'two'",),
    ),
    Case(
        "cli-rank-precision-range",
        "cli",
        ["score", "-m", M, "--missing", "zero", "--rank-precision", "400", "{sheet}"],
        InputFormatError,
        ("precision=400",),
    ),
    Case("cli-no-command", "cli", [], cli._UsageError, ("required",)),
    Case(
        "cli-unknown-option",
        "cli",
        ["score", "-m", M, "--decimal-point", "{sheet}"],
        cli._UsageError,
        ("--decimal-point",),
    ),
    Case(
        "cli-show-unknown",
        "cli",
        ["show", "1294/QĐ-BNV"],
        UnknownMethodologyError,
        ("1294/QĐ-BNV",),
    ),
    Case(
        "cli-validate-missing",
        "cli",
        ["validate", "{tmp}/none.yaml"],
        InputFormatError,
        ("none.yaml",),
    ),
    Case(
        "cli-json-format-for-csv",
        "cli",
        ["score", "-m", M, "--input-format", "json", "{sheet}"],
        InputFormatError,
        ("not JSON",),
    ),
    Case(
        "cli-methodology-file-invalid",
        "cli",
        ["score", "-m", "{bad_methodology}", "{sheet}"],
        MethodologyError,
        ("bad.yaml", "'lottery'"),
    ),
    # ------------------------------------------------------------ Excel: the file itself
    Case(
        "xlsx-old-xls-file",
        "excel-file",
        bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
        InputFormatError,
        ("old.xls", "not a readable .xlsx workbook", ".xls"),
        {"file": "old.xls"},
    ),
    Case(
        "xlsx-xls-bytes-renamed",
        "excel-file",
        bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
        InputFormatError,
        ("sheet.xlsx", "not a readable .xlsx workbook", "not a zip file"),
    ),
    Case(
        "xlsx-random-bytes",
        "excel-file",
        bytes(range(256)) * 8,
        InputFormatError,
        ("not a readable .xlsx workbook",),
    ),
    Case(
        "xlsx-csv-renamed",
        "excel-file",
        (H + "A,1.4.2,1,,,\n").encode(),
        InputFormatError,
        ("not a readable .xlsx workbook",),
    ),
    Case(
        "xlsx-zip-not-a-workbook",
        "excel-file",
        _zip({"word/document.xml": "<w:document/>"}),
        InputFormatError,
        ("not a readable .xlsx workbook", "[Content_Types].xml"),
    ),
    Case("xlsx-empty-file", "excel-file", b"", InputFormatError, ("not a readable",)),
    Case(
        "xlsx-huge-file",
        "excel-file",
        b"PK" + bytes(OVER_LIMIT),
        InputFormatError,
        ("over the limit", str(MAX_FILE_BYTES)),
    ),
    Case("xlsx-missing-file", "excel-file", None, InputFormatError, ("cannot read file",)),
    Case(
        "xlsx-zip-bomb",
        "excel-file",
        _zip_bomb(),
        InputFormatError,
        ("unpacks to", "over the limit"),
    ),
    # ------------------------------------------------------------ Excel: the layout
    Case(
        "xlsx-no-unit-worksheet",
        "excel-file",
        (_remove_unit_sheet,),
        InputFormatError,
        ("no worksheet carries the parindex template marker", "cell A1", "found: 'parindex'"),
    ),
    Case(
        "xlsx-unit-sheet-without-marker",
        "excel-file",
        (_XL_OK, _at("A", "A1", "phiếu chấm điểm")),
        InputFormatError,
        ("no worksheet carries the parindex template marker", "found: 'A', 'parindex'"),
    ),
    Case(
        "xlsx-hidden-unit-worksheet",
        "excel-file",
        (_XL_OK, _copy_unit("B"), _hide("A Copy")),
        InputFormatError,
        ("sheet.xlsx", "worksheet 'A Copy'", "template marker", "is hidden", "unhide it or delete"),
    ),
    Case(
        "xlsx-very-hidden-unit-worksheet",
        "excel-file",
        (_XL_OK, _hide("A", "veryHidden")),
        InputFormatError,
        ("worksheet 'A'", "very hidden", "unhide it or delete"),
    ),
    Case(
        "xlsx-column-keys-removed",
        "excel-file",
        (_XL_OK, _clear_keys_row),
        InputFormatError,
        ("[A]", f"row {XL_KEY_ROW}", "column keys", "'appraised_points'"),
    ),
    Case(
        "xlsx-blank-unit-name",
        "excel-file",
        (_XL_OK, _at("A", "B2", None)),
        InputFormatError,
        ("[A]", "B2", "blank"),
    ),
    Case(
        "xlsx-decimal-comma-setting-unknown",
        "excel-file",
        (_XL_OK, _at("parindex", "B3", "maybe")),
        InputFormatError,
        ("decimal_comma 'maybe'", "yes or no"),
    ),
    # ------------------------------------------------------------ Excel: cells
    Case(
        "xlsx-text-in-points",
        "excel-file",
        (_cell("1.4.2", "appraised_points", "hai"),),
        PointsOutOfRangeError,
        ("[A]", f"row {_XL_ROW['1.4.2']}", "'A'", "'1.4.2'", "'hai'", "not a number"),
    ),
    Case(
        "xlsx-points-negative",
        "excel-file",
        (_cell("1.4.2", "appraised_points", -1),),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "-1", "negative"),
    ),
    Case(
        "xlsx-points-above-maximum",
        "excel-file",
        (_cell("1.4.2", "appraised_points", 2.5),),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "2.5", "0-2"),
        {"scored": True},
    ),
    Case(
        "xlsx-self-points-above-maximum",
        "excel-file",
        (_XL_OK, _cell("1.4.2", "self_points", 3)),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "self_points 3", "0-2"),
        {"scored": True},
    ),
    Case(
        "xlsx-formula-without-result",
        "excel-file",
        (_XL_OK, _cell("1.4.1", "appraised_points", "=1+0.5")),
        InputFormatError,
        ("[A]", f"row {_XL_ROW['1.4.1']}", "appraised_points", "'=1+0.5'", "saved result"),
    ),
    Case(
        "xlsx-date-in-points",
        "excel-file",
        (_cell("1.4.2", "appraised_points", dt.datetime(2024, 1, 5)),),
        InputFormatError,
        ("[A]", f"row {_XL_ROW['1.4.2']}", "2024", "date"),
    ),
    Case(
        "xlsx-excel-error-value",
        "excel-file",
        (_cell("1.4.2", "appraised_points", "#DIV/0!"),),
        InputFormatError,
        ("[A]", "'#DIV/0!'", "Excel error"),
    ),
    Case(
        "xlsx-boolean-points",
        "excel-file",
        (_cell("1.4.2", "appraised_points", True),),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "boolean"),
    ),
    Case(
        "xlsx-decimal-comma-unstated",
        "excel-file",
        (_cell("3", "appraised_points", "17,82"),),
        AmbiguousInputError,
        ("[A]", "'A'", "'3'", "'17,82'", "decimal_comma=True"),
    ),
    Case(
        "xlsx-decimal-comma-declared-then-refused",
        "excel-file",
        (_cell("3", "appraised_points", "17,82"), _at("parindex", "B3", "yes")),
        AmbiguousInputError,
        ("'3'", "'17,82'"),
        {"decimal_comma": False},
    ),
    Case(
        "xlsx-thousands-dot-in-decimal-comma-book",
        "excel-file",
        (_cell("3", "appraised_points", "1.234"), _at("parindex", "B3", "yes")),
        AmbiguousInputError,
        ("'A'", "'3'", "'1.234'", "thousands"),
    ),
    Case(
        "xlsx-not-applicable-unknown-mark",
        "excel-file",
        (_cell("1.4.2", "na", "maybe"),),
        InputFormatError,
        ("[A]", "'1.4.2'", "'maybe'", "write x"),
    ),
    Case(
        "xlsx-not-applicable-forbidden",
        "excel-file",
        (_cell("1.1.1", "na", "x"),),
        NotApplicableError,
        ("'A'", "'1.1.1'", "does not allow N/A"),
        {"scored": True},
    ),
    Case(
        "xlsx-bare-97-for-rate",
        "excel-file",
        (_cell("1.1.2", "value", 97),),
        AmbiguousInputError,
        ("'A'", "'1.1.2'", "97", "rate_scale"),
        {"scored": True},
    ),
    Case(
        "xlsx-percent-cell-over-100",
        "excel-file",
        (_cell("3.1.1", "value", 1.5, "0%"),),
        PointsOutOfRangeError,
        ("'A'", "'3.1.1'", "150", "0-100"),
        {"scored": True},
    ),
    Case(
        "xlsx-unknown-node-row",
        "excel-file",
        (_cell("1.4.2", "id", "9.9"), _cell("1.4.2", "appraised_points", 1)),
        UnknownNodeError,
        ("'A'", "'9.9'", "no such node"),
        {"scored": True},
    ),
    Case(
        "xlsx-numeric-id-drops-a-trailing-zero",
        "excel-file",
        (_cell("1.4.2", "id", 1.1), _cell("1.4.2", "appraised_points", 1)),
        InputFormatError,
        ("[A]", f"row {_XL_ROW['1.4.2']}", "1.1", "is a number", "format the id cell as text"),
    ),
    Case(
        "xlsx-points-formatted-as-percent",
        "excel-file",
        (_cell("1.4.2", "appraised_points", 0.97, "0%"),),
        InputFormatError,
        ("[A]", f"row {_XL_ROW['1.4.2']}", "appraised_points", "97.0%", "0.97"),
    ),
    Case(
        "xlsx-node-row-twice",
        "excel-file",
        (_XL_OK, _cell("1.4.1", "id", "1.4.2"), _cell("1.4.1", "appraised_points", 1)),
        DuplicateEntryError,
        ("'A'", "'1.4.2'", "twice"),
    ),
    Case(
        "xlsx-same-unit-on-two-worksheets",
        "excel-file",
        (_XL_OK, _copy_unit("A")),
        DuplicateEntryError,
        ("'A'", "'1.4.2'", "twice"),
    ),
    Case(
        "xlsx-same-unit-letter-case",
        "excel-file",
        (_XL_OK, _at("A", "B2", DAK), _copy_unit("ĐẮK LẮK")),
        DuplicateEntryError,
        (f"'{DAK}'", "'ĐẮK LẮK'", "spelled two ways"),
    ),
    # ------------------------------------------------------------ survey responses
    Case(
        "survey-answer-outside-scale",
        "survey",
        SH + "A,R1,citizens,Q1,5\n",
        SurveyResponseError,
        ("row 1", "'A'", "'R1'", "'Q1'", "'5'", "'likert4'", "1-4"),
    ),
    Case(
        "survey-answer-zero-on-likert",
        "survey",
        SH + "A,R1,citizens,Q1,3\nA,R2,citizens,Q1,0\n",
        SurveyResponseError,
        ("row 2", "'R2'", "'0'", "outside the scale"),
    ),
    Case(
        "survey-answer-not-whole",
        "survey",
        SH + "A,R1,citizens,Q3a,4.5\n",
        SurveyResponseError,
        ("'Q3a'", "'4.5'", "'likert5'"),
    ),
    Case(
        "survey-answer-a-word",
        "survey",
        SH + "A,R1,citizens,Q1,tốt\n",
        SurveyResponseError,
        ("'A'", "'Q1'", "'tốt'", "outside the scale"),
    ),
    Case(
        "survey-answer-decimal-comma",
        "survey",
        SH + 'A,R1,citizens,Q1,"3,0"\n',
        SurveyResponseError,
        (
            "'Q1'",
            "'3,0'",
        ),
    ),
    Case(
        "survey-answer-nan",
        "survey",
        SH + "A,R1,citizens,Q1,NaN\n",
        SurveyResponseError,
        ("'Q1'", "'NaN'", "outside the scale"),
    ),
    Case(
        "survey-respondent-answers-twice",
        "survey",
        SH + "A,R1,citizens,Q1,3\nA,R2,citizens,Q1,4\nA,R1,citizens,Q1,4\n",
        SurveyResponseError,
        ("'A'", "'R1'", "'Q1'", "twice", "rows 1 and 3"),
    ),
    Case(
        "survey-item-not-in-questionnaire",
        "survey",
        SH + "A,R1,citizens,Q99,3\n",
        SurveyResponseError,
        ("'A'", "'R1'", "unknown item 'Q99'"),
    ),
    Case(
        "survey-item-letter-case",
        "survey",
        SH + "A,R1,citizens,q1,3\n",
        SurveyResponseError,
        ("unknown item 'q1'",),
    ),
    Case(
        "survey-unknown-group",
        "survey",
        SH + "A,R1,students,Q1,3\n",
        SurveyResponseError,
        ("'R1'", "unknown respondent group 'students'"),
    ),
    Case(
        "survey-item-not-asked-of-group",
        "survey",
        SH + "A,R1,deputies,Q1,3\n",
        SurveyResponseError,
        ("'Q1'", "not asked of respondent group 'deputies'"),
    ),
    Case(
        "survey-respondent-in-two-groups",
        "survey",
        SH + "A,R1,citizens,Q1,3\nA,R1,enterprises,Q2a,3\n",
        SurveyResponseError,
        ("'R1'", "'A'", "two groups", "'citizens'", "'enterprises'"),
    ),
    Case(
        "survey-blank-unit",
        "survey",
        SH + "A,R1,citizens,Q1,3\n,R2,citizens,Q1,3\n",
        SurveyResponseError,
        ("row 2", "'R2'", "unit is blank"),
    ),
    Case(
        "survey-unit-letter-case",
        "survey",
        SH + f"{DAK},R1,citizens,Q1,4\nĐẮK LẮK,R2,citizens,Q1,1\n",
        SurveyResponseError,
        ("row 2", f"'{DAK}'", "'ĐẮK LẮK'", "spelled two ways"),
    ),
    Case(
        "survey-unit-old-tone-placement",
        "survey",
        SH + "Hòa Bình,R1,citizens,Q1,4\nHoà Bình,R2,citizens,Q1,1\n",
        SurveyResponseError,
        ("'Hòa Bình'", "'Hoà Bình'", "spelled two ways"),
    ),
    Case(
        "survey-invisible-char-in-unit",
        "survey",
        SH + f"{DAK},R1,citizens,Q1,4\n{DAK}\u200b,R2,citizens,Q1,1\n",
        SurveyResponseError,
        ("row 2", "Đắk Lắk", "U+200B"),
    ),
    Case(
        "survey-invisible-char-in-respondent",
        "survey",
        SH + "A,R1,citizens,Q1,4\nA,R1\u200b,citizens,Q1,1\n",
        SurveyResponseError,
        ("row 2", "'A'", "respondent 'R1\\u200b'", "U+200B", "delete it"),
    ),
    Case(
        "survey-respondent-letter-case",
        "survey",
        SH + "A,r1,citizens,Q1,4\nB,R1,citizens,Q1,1\nA,R1,citizens,Q1,1\n",
        SurveyResponseError,
        ("row 3", "respondents 'r1' and 'R1' of unit 'A'", "letter case"),
    ),
    Case(
        "survey-respondent-old-tone-placement",
        "survey",
        SH + "A,Hòa-01,citizens,Q1,4\nA,Hoà-01,citizens,Q2a,1\n",
        SurveyResponseError,
        ("row 2", "'Hòa-01'", "'Hoà-01'", "tone-mark placement"),
    ),
    Case(
        "survey-respondent-nfc-and-nfd-answers-twice",
        "survey",
        SH + f"A,{DAK},citizens,Q1,4\nA,{DAK_NFD},citizens,Q1,1\n",
        SurveyResponseError,
        (f"respondent '{DAK}'", "'Q1' twice", "rows 1 and 2"),
    ),
    Case(
        "survey-answer-column-twice",
        "survey",
        "unit,respondent,group,item,answer,answer\nA,R1,citizens,Q1,3,4\n",
        InputFormatError,
        ("a column name repeats", "'answer'"),
    ),
    Case(
        "survey-more-cells-than-columns",
        "survey",
        SH + "A,R1,citizens,Q1,3,\nA,R2,citizens,Q1,4,\n",
        InputFormatError,
        ("line 2", "more cells"),
    ),
    Case(
        "survey-missing-column",
        "survey",
        "unit,respondent,item,answer\nA,R1,Q1,3\n",
        InputFormatError,
        ("missing column 'group'",),
    ),
    Case("survey-header-only", "survey", SH, InputFormatError, ("no rows",)),
    Case("survey-empty-file", "survey", "", InputFormatError, ("empty",)),
    Case(
        "survey-cp1258-bytes",
        "survey",
        cp1258(SH + f"{DAK},R1,citizens,Q1,3\n"),
        InputFormatError,
        ("not UTF-8",),
    ),
    Case(
        "survey-unknown-policy",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("'mean'", "linear_mean"),
        {"policy": "mean"},
    ),
    Case(
        "survey-unknown-methodology",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        UnknownMethodologyError,
        ("province-1999",),
        {"methodology": "province-1999"},
    ),
    # ------------------------------------------------------------ survey questionnaires
    Case(
        "questionnaire-unknown-scale-kind",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("q.yaml", "scale 0", "unknown keys", "'kind'"),
        {
            "questionnaire": _questionnaire(
                "  - id: likert4\n", "  - id: likert4\n    kind: ranking\n"
            )
        },
    ),
    Case(
        "questionnaire-undefined-scale",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("item 'Q1'", "'likert7'", "not defined"),
        {"questionnaire": _questionnaire("    scale: likert4\n", "    scale: likert7\n")},
    ),
    Case(
        "questionnaire-official-as-text",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("'official'", "'false'"),
        {"questionnaire": _questionnaire("official: false", 'official: "false"')},
    ),
    Case(
        "questionnaire-dont-know-misspelt",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("dont_know", "'zero'", "must be 'exclude' or 'lowest', got 'zero'"),
        {"questionnaire": _questionnaire("dont_know: exclude", "dont_know: zero")},
    ),
    _bad_questionnaire(
        "questionnaire-weight-boolean",
        ("weight: 0.4", "weight: true"),
        ("q.yaml", "group 'citizens'", "weight must be a number", "True"),
    ),
    _bad_questionnaire(
        "questionnaire-weight-as-text",
        ("weight: 0.4", 'weight: "0.4"'),
        ("q.yaml", "group 'citizens'", "weight must be a number", "'0.4'"),
    ),
    _bad_questionnaire(
        "questionnaire-scale-bound-as-text",
        ("    high: 4\n", '    high: "4"\n'),
        ("q.yaml", "scale 'likert4'", "high must be a whole number, got '4'"),
    ),
    _bad_questionnaire(
        "questionnaire-label-code-not-whole",
        ("{1: Rất kém,", "{1.5: Rất kém,"),
        ("q.yaml", "scale 'likert4'", "label code 1.5", "whole number"),
    ),
    _bad_questionnaire(
        "questionnaire-label-code-boolean",
        ("{0: Không, 1: Có}", "{false: Không, 1: Có}"),
        ("q.yaml", "scale 'yes_no'", "label code False", "whole number"),
    ),
    Case(
        "questionnaire-dont-know-code-on-scale",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("'likert4'", "don't-know code '3'"),
        {"questionnaire": _questionnaire('dont_know: ["9", "DK"]', 'dont_know: ["3"]')},
    ),
    Case(
        "questionnaire-target-not-a-leaf",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        QuestionnaireError,
        ("'1.4'", "not a leaf"),
        {"questionnaire": _questionnaire('target: "1.4.2"', 'target: "1.4"')},
    ),
    Case(
        "questionnaire-python-object",
        "survey",
        SH + "A,R1,citizens,Q1,3\n",
        InputFormatError,
        ("python/object/apply:os.system",),
        {"questionnaire": "!!python/object/apply:os.system [echo pwned]\n"},
    ),
    # ------------------------------------------------------------ HTTP service
    Case(
        "http-malformed-json",
        "http",
        _post(b'{"methodology": "illustrative-district",'),
        InputFormatError,
        ("invalid JSON", "line 1"),
        {"status": 400},
    ),
    Case(
        "http-nan-literal",
        "http",
        _post(b'{"methodology": "x", "sheet": [{"unit": "A", "node": "1", "points": NaN}]}'),
        InputFormatError,
        ("NaN is not valid JSON",),
        {"status": 400},
    ),
    Case(
        "http-infinity-literal",
        "http",
        _post(b'{"values": {"A": -Infinity}}', "/rank"),
        InputFormatError,
        ("-Infinity is not valid JSON",),
        {"status": 400},
    ),
    Case(
        "http-nested-past-limit",
        "http",
        _post(b'{"methodology": ' + b"[" * 40 + b"]" * 40 + b"}"),
        InputFormatError,
        (f"deeper than {MAX_JSON_DEPTH}",),
        {"status": 400},
    ),
    Case(
        "http-deeply-nested",
        "http",
        _post(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        InputFormatError,
        ("recursion",),
        {"status": 400},
    ),
    Case(
        "http-body-over-limit",
        "http",
        _post(b" " * (MAX_BODY_BYTES + 1)),
        HttpError,
        ("over the limit", str(MAX_BODY_BYTES)),
        {"status": 413, "type": "TooLarge"},
    ),
    Case(
        "http-content-length-10gb",
        "http",
        Request(headers={"Content-Length": str(10 * 2**30)}),
        HttpError,
        (str(10 * 2**30), "over the limit"),
        {"status": 413, "type": "TooLarge"},
    ),
    Case(
        "http-chunked-body",
        "http",
        Request(body=b"0\r\n\r\n", headers={"Transfer-Encoding": "chunked"}),
        HttpError,
        ("Content-Length",),
        {"status": 411, "type": "LengthRequired"},
    ),
    Case(
        "http-post-without-length",
        "http",
        Request(),
        HttpError,
        ("Content-Length",),
        {"status": 411, "type": "LengthRequired"},
    ),
    Case(
        "http-content-length-not-a-number",
        "http",
        Request(body=b"{}", headers={"Content-Length": "2 bytes"}),
        HttpError,
        ("bad Content-Length", "'2 bytes'"),
        {"status": 400, "type": "BadRequest"},
    ),
    Case(
        "http-bad-request-line",
        "http",
        Request(raw=b"GARBAGE\r\n\r\n"),
        HttpError,
        ("GARBAGE",),
        {"status": 400, "type": "BadRequest"},
    ),
    Case(
        "http-body-not-utf8",
        "http",
        _post(cp1258('{"methodology": "Đắk Lắk"}')),
        InputFormatError,
        ("not UTF-8",),
        {"status": 400},
    ),
    Case(
        "http-form-encoded-body",
        "http",
        Request(
            body=b"methodology=illustrative-district&sheet=A",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        InputFormatError,
        ("invalid JSON",),
        {"status": 400},
    ),
    Case(
        "http-body-an-array",
        "http",
        _post(_HTTP_OK),
        InputFormatError,
        ("must be a JSON object", "array"),
        {"status": 400},
    ),
    Case(
        "http-duplicate-key-in-entry",
        "http",
        _post(
            b'{"methodology": "illustrative-district", "missing": "zero", '
            b'"sheet": [{"unit": "A", "node": "1.4.2", "points": 1, "points": 2}]}'
        ),
        InputFormatError,
        ("duplicate key 'points'",),
        {"status": 400},
    ),
    Case(
        "http-duplicate-methodology-key",
        "http",
        _post(
            b'{"methodology": "illustrative-district", "methodology": "province-2017", '
            b'"sheet": [{"unit": "A", "node": "1", "points": 1}]}'
        ),
        InputFormatError,
        ("duplicate key 'methodology'",),
        {"status": 400},
    ),
    Case(
        "http-methodology-key-dot-dot",
        "http",
        _post(_score_body(_HTTP_OK, methodology="../../etc/passwd")),
        UnknownMethodologyError,
        ("'../../etc/passwd'",),
        {"status": 422},
    ),
    Case(
        "http-methodology-key-a-real-file",
        "http",
        _post(_score_body(_HTTP_OK, methodology=str(_SHIPPED_FILE))),
        UnknownMethodologyError,
        (f"{M}.yaml",),
        {"status": 422},
    ),
    Case(
        "http-get-methodology-dot-dot",
        "http",
        Request("GET", "/methodologies/..%2F..%2Fetc%2Fpasswd"),
        UnknownMethodologyError,
        ("'../../etc/passwd'",),
        {"status": 404},
    ),
    Case(
        "http-unknown-methodology",
        "http",
        _post(_score_body(_HTTP_OK, methodology="province-1999")),
        UnknownMethodologyError,
        ("province-1999",),
        {"status": 422},
    ),
    Case(
        "http-points-above-maximum",
        "http",
        _post(_score_body([{"unit": "A", "node": "1.4.2", "points": 2.5}])),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "2.5", "0-2"),
        {"status": 422, "fields": {"unit": "A", "node": "1.4.2", "value": 2.5}},
    ),
    Case(
        "http-points-nan-text",
        "http",
        _post(_score_body([{"unit": "A", "node": "1.4.2", "points": "NaN"}])),
        PointsOutOfRangeError,
        ("'A'", "'1.4.2'", "'NaN'", "finite"),
        {"status": 422, "fields": {"unit": "A", "node": "1.4.2"}},
    ),
    Case(
        "http-unknown-node",
        "http",
        _post(_score_body([{"unit": "A", "node": "9.9", "points": 1}])),
        UnknownNodeError,
        ("'A'", "'9.9'", "no such node"),
        {"status": 422, "fields": {"unit": "A", "node": "9.9"}},
    ),
    Case(
        "http-decimal-comma-unstated",
        "http",
        _post(_score_body([{"unit": "A", "node": "1.4.2", "points": "1,5"}])),
        AmbiguousInputError,
        ("'A'", "'1.4.2'", "'1,5'"),
        {"status": 422, "fields": {"unit": "A", "node": "1.4.2", "value": "1,5"}},
    ),
    Case(
        "http-unknown-body-key",
        "http",
        _post(_score_body(_HTTP_OK, weights={"1": 2})),
        InputFormatError,
        ("unknown keys", "'weights'"),
        {"status": 400},
    ),
    Case(
        "http-ties-misspelt",
        "http",
        _post(_score_body(_HTTP_OK, ties="minimum")),
        InputFormatError,
        ("'ties'", "'minimum'"),
        {"status": 400, "fields": {"value": "minimum"}},
    ),
    Case(
        "http-decimal-comma-as-text",
        "http",
        _post(_score_body(_HTTP_OK, decimal_comma="yes")),
        InputFormatError,
        ("'decimal_comma'", "'yes'"),
        {"status": 400},
    ),
    Case(
        "http-huge-integer",
        "http",
        _post(b'{"values": {"A": ' + b"9" * 5000 + b"}}", "/rank"),
        InputFormatError,
        ("invalid JSON", "digits"),
        {"status": 400},
    ),
    Case(
        "http-rank-value-as-text",
        "http",
        _post({"values": {"A": "80,5"}}, "/rank"),
        InputFormatError,
        ("'A'", "'80,5'"),
        {"status": 400, "fields": {"unit": "A"}},
    ),
    Case(
        "http-rank-same-unit-letter-case",
        "http",
        _post({"values": {DAK: 80, "ĐẮK LẮK": 70}}, "/rank"),
        DuplicateEntryError,
        (f"'{DAK}'", "'ĐẮK LẮK'", "spelled two ways"),
        {"status": 422},
    ),
    Case(
        "http-validate-unknown-rule",
        "http",
        _post(_LOTTERY, "/validate"),
        MethodologyError,
        ("2.1.1", "'lottery'"),
        {"status": 422},
    ),
    Case(
        "http-delete",
        "http",
        Request("DELETE", "/score"),
        HttpError,
        ("DELETE",),
        {"status": 405, "type": "MethodNotAllowed"},
    ),
    Case(
        "http-no-such-endpoint",
        "http",
        _post(_HTTP_OK, "/admin"),
        HttpError,
        ("/admin",),
        {"status": 404, "type": "NotFound"},
    ),
]

# Input paths that other branches are adding. When one lands, add a runner to
# ``_python_call``/``_cli_argv`` and cases to ``CASES``;
# ``test_the_suite_is_big_enough_and_covers_every_path`` then insists on cases for it.
PENDING_PATHS: dict[str, str] = {}

_SHEET_OK = H + "A,1.4.2,1,,,\n"
_BAD_METHODOLOGY = mini('  - {id: "1", max_points: 10, rule: {kind: lottery}}\n')


def _write(tmp: Path, name: str, data: str | bytes) -> Path:
    path = tmp / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _excel_file(case: Case, tmp: Path) -> Path:
    name = case.options.get("file", "sheet.xlsx")
    if case.input is None:
        return tmp / name
    data = case.input if isinstance(case.input, bytes) else _workbook(case.id, case.input)
    return _write(tmp, name, data)


def _survey_files(case: Case, tmp: Path) -> tuple[Path, Path | None]:
    """The responses file and the questionnaire file (None: the one shipped for M)."""
    questionnaire = case.options.get("questionnaire")
    return _write(tmp, "responses.csv", case.input), (
        None if questionnaire is None else _write(tmp, "q.yaml", questionnaire)
    )


def _python_call(case: Case, tmp: Path) -> Callable[[], object]:
    opts = dict(case.options)
    read = {"decimal_comma": opts.pop("decimal_comma", False)}
    score_kw = {"missing": opts.pop("missing", "zero"), "rate_scale": opts.pop("rate_scale", None)}
    if case.path == "csv-text":
        return lambda: parindex.score(M, ScoreSheet.from_csv_text(case.input, **read), **score_kw)
    if case.path == "json-text":
        return lambda: parindex.score(M, ScoreSheet.from_json_text(case.input, **read), **score_kw)
    if case.path in ("csv-file", "json-file"):
        name = "sheet.csv" if case.path == "csv-file" else "sheet.json"
        path = tmp / name if case.input is None else _write(tmp, name, case.input)
        return lambda: parindex.score(M, ScoreSheet.read(path, **read), **score_kw)
    if case.path == "excel-file":
        path = _excel_file(case, tmp)
        # None: as the workbook's settings sheet declares.
        comma = case.options.get("decimal_comma")
        return lambda: parindex.score(
            M, parindex.read_excel_sheet(path, decimal_comma=comma), **score_kw
        )
    if case.path == "survey":
        responses, questionnaire = _survey_files(case, tmp)

        def survey() -> object:
            q = (
                parindex.get_questionnaire(M)
                if questionnaire is None
                else parindex.load_questionnaire(questionnaire)
            )
            result = parindex.aggregate_survey(
                parindex.read_responses(responses),
                q,
                methodology=case.options.get("methodology", M),
                policy=case.options.get("policy"),
            )
            return result.to_sheet()  # as `parindex survey` does

        return survey
    if case.path == "methodology-file":
        path = _write(tmp, "m.yaml", case.input)
        return lambda: parindex.load_methodology(path)
    if case.path == "methodology-dict":
        data = copy.deepcopy(_BASE)
        case.input(data)
        return lambda: parindex.methodology_from_dict(data)
    if case.path == "api":
        return case.input  # type: ignore[no-any-return]
    if case.path == "cli":
        argv = _cli_argv(case, tmp)

        def direct() -> object:
            args = cli.build_parser().parse_args(argv)
            return args.func(args, io.StringIO())

        return direct
    raise AssertionError(f"no runner for path {case.path!r}")


def _cli_argv(case: Case, tmp: Path) -> list[str] | None:
    """The command line that feeds this case's input to the CLI (None: no CLI form)."""
    opts = case.options
    flags = ["--missing", opts.get("missing", "zero")]
    if opts.get("decimal_comma"):
        flags.append("--decimal-comma")
    if opts.get("rate_scale"):
        flags += ["--rate-scale", opts["rate_scale"]]
    if case.path in ("csv-text", "json-text"):
        name = "sheet.csv" if case.path == "csv-text" else "sheet.json"
        return ["score", "-m", M, *flags, str(_write(tmp, name, case.input))]
    if case.path in ("csv-file", "json-file"):
        name = "sheet.csv" if case.path == "csv-file" else "sheet.json"
        path = tmp / name if case.input is None else _write(tmp, name, case.input)
        return ["score", "-m", M, *flags, str(path)]
    if case.path == "excel-file":
        if opts.get("scored"):
            return None  # read-excel converts without a methodology; scoring finds it
        comma = {True: ["--decimal-comma"], False: ["--no-decimal-comma"], None: []}
        return ["read-excel", str(_excel_file(case, tmp)), *comma[opts.get("decimal_comma")]]
    if case.path == "survey":
        responses, questionnaire = _survey_files(case, tmp)
        argv = ["survey", "-m", opts.get("methodology", M)]
        if questionnaire is not None:
            argv += ["-q", str(questionnaire)]
        if opts.get("policy"):
            argv += ["--policy", opts["policy"]]
        return [*argv, str(responses)]
    if case.path == "methodology-file":
        return ["validate", str(_write(tmp, "m.yaml", case.input))]
    if case.path == "methodology-dict":
        data = copy.deepcopy(_BASE)
        case.input(data)
        return ["validate", str(_write(tmp, "m.json", json.dumps(data, ensure_ascii=False)))]
    if case.path == "cli":
        values = {
            "tmp": str(tmp),
            "sheet": str(_write(tmp, "ok.csv", _SHEET_OK)),
            "bad_methodology": str(_write(tmp, "bad.yaml", _BAD_METHODOLOGY)),
        }
        return [arg.format(**values) for arg in case.input]
    return None


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- the HTTP service


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, int]]:
    """One server for the module, on the loopback interface only."""
    server, thread = serve_in_thread("127.0.0.1", 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    try:
        yield str(host), int(port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _send(service: tuple[str, int], req: Request) -> tuple[int, str, str]:
    """``(status, Content-Type, body)`` of the answer; every socket call is bounded."""
    if req.raw is not None:
        with socket.create_connection(service, timeout=10) as sock:
            sock.sendall(req.raw)
            sock.shutdown(socket.SHUT_WR)
            data = b"".join(iter(lambda: sock.recv(65536), b""))
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        return int(lines[0].split()[1]), headers.get("Content-Type", ""), body.decode("utf-8")
    conn = http.client.HTTPConnection(*service, timeout=10)
    try:
        conn.putrequest(req.method, req.path, skip_accept_encoding=True)
        headers = dict(req.headers)
        if req.body is not None and not {"Content-Length", "Transfer-Encoding"} & set(headers):
            headers["Content-Length"] = str(len(req.body))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(req.body)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read().decode("utf-8")
    finally:
        conn.close()


def _http_problem(service: tuple[str, int], case: Case) -> str:
    """Send the case; check the status and the JSON error; return the whole answer."""
    status, ctype, text = _send(service, case.input)
    assert status == case.options["status"], (status, text)
    assert ctype.startswith("application/json"), ctype
    err = json.loads(text)["error"]
    assert err["type"] == case.options.get("type", case.error.__name__), err
    for fragment in case.fragments:
        assert fragment in err["message"], f"{fragment!r} not in {err['message']!r}"
    for key, value in case.options.get("fields", {}).items():
        assert err[key] == value, (key, err)
    return text


PY_CASES = [c for c in CASES if c.path != "http"]
CLI_CASES = [c for c in PY_CASES if c.path != "api" and not c.options.get("scored")]
HTTP_CASES = [c for c in CASES if c.path == "http"]


@pytest.mark.parametrize("case", PY_CASES, ids=[c.id for c in PY_CASES])
def test_python_raises_the_typed_error(case: Case, tmp_path: Path) -> None:
    call = _python_call(case, tmp_path)
    try:
        call()
    except BaseException as caught:
        err = caught
    else:
        raise AssertionError(f"{case.id}: no error raised")
    assert type(err) is case.error, f"{type(err).__name__}: {err}"
    if case.error is not cli._UsageError:
        assert isinstance(err, ParIndexError)
    message = str(err)
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_exits_2_with_one_line(case: Case, tmp_path: Path) -> None:
    argv = _cli_argv(case, tmp_path)
    assert argv is not None
    status, out, err = _run_cli(argv)
    assert status == 2, (status, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("parindex: error: ")
    for fragment in case.fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.id for c in HTTP_CASES])
def test_http_answers_4xx_with_a_json_error(case: Case, service: tuple[str, int]) -> None:
    text = _http_problem(service, case)
    assert "Traceback" not in text
    assert 'File "' not in text
    # ... and the server keeps answering.
    status, _, health = _send(service, Request("GET", "/health"))
    assert (status, json.loads(health)["status"]) == (200, "ok")


def test_no_case_prints_a_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], service: tuple[str, int]
) -> None:
    printed = []
    for i, case in enumerate(CASES):
        if case.path == "http":  # the server's own stderr is in capfd too
            printed.append(_http_problem(service, case))
            continue
        folder = tmp_path / str(i)
        folder.mkdir()
        try:
            _python_call(case, folder)()
        except BaseException as err:
            printed.append(str(err))
        argv = _cli_argv(case, folder)
        if argv is not None:
            status, out, err = _run_cli(argv)
            assert status == 2, (case.id, err)
            printed += [out, err]
    captured = capfd.readouterr()
    printed += [captured.out, captured.err]
    assert len(printed) > len(CASES)
    for text in printed:
        assert "Traceback" not in text
        assert 'File "' not in text


def test_the_suite_is_big_enough_and_covers_every_path() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    paths = {c.path for c in CASES}
    assert paths == {
        "csv-text",
        "csv-file",
        "json-text",
        "json-file",
        "excel-file",
        "survey",
        "methodology-file",
        "methodology-dict",
        "api",
        "cli",
        "http",
    }
    assert not paths & set(PENDING_PATHS)
    for path in ("excel-file", "survey", "http"):
        assert sum(c.path == path for c in CASES) >= 5, path


# ---------------------------------------------------------------- through a real process

_SUBPROCESS = [
    "points-nan",
    "cp1258-bytes",
    "yaml-alias-bomb",
    "json-deeply-nested",
    "yaml-python-object",
    "cli-rate-scale-choice",
    "xlsx-formula-without-result",
    "survey-unit-letter-case",
]


@pytest.mark.parametrize("case_id", _SUBPROCESS)
def test_no_traceback_reaches_stderr_of_a_real_process(case_id: str, tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.id == case_id]
    argv = _cli_argv(case, tmp_path)
    assert argv is not None
    proc = subprocess.run(
        [sys.executable, "-m", "parindex", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "", "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    for fragment in case.fragments:
        assert fragment in proc.stderr


# ---------------------------------------------------------------- odd but valid input

_DAKLAK = (ROOT / "examples" / "daklak-2017.csv").read_text(encoding="utf-8")
# Published: Đắk Lắk PAR INDEX 2017 = 75.37 (see examples/daklak-2017.csv and
# shared/reference/results beside the project for the source URL).
WORKING: list[tuple[str, bytes, dict[str, Any], float]] = [
    ("bom", b"\xef\xbb\xbf" + _DAKLAK.encode(), {}, 75.37),
    ("crlf", _DAKLAK.replace("\n", "\r\n").encode(), {}, 75.37),
    ("bom-and-crlf", b"\xef\xbb\xbf" + _DAKLAK.replace("\n", "\r\n").encode(), {}, 75.37),
    ("nfd-names", unicodedata.normalize("NFD", _DAKLAK).encode(), {}, 75.37),
    (
        "decimal-comma-stated",
        _DAKLAK.replace("5.5,", '"5,5",').replace("8.16,", '"8,16",').encode(),
        {"decimal_comma": True},
        75.37,
    ),
]


@pytest.mark.parametrize(("name", "data", "opts", "index"), WORKING, ids=[w[0] for w in WORKING])
def test_odd_but_valid_input_works(
    name: str, data: bytes, opts: dict[str, Any], index: float, tmp_path: Path
) -> None:
    path = _write(tmp_path, "sheet.csv", data)
    result = parindex.score("province-2017", ScoreSheet.read(path, **opts))
    assert parindex.round_half_up(result.unit(DAK).total.index) == index
    assert parindex.round_half_up(result.unit(DAK_NFD).total.index) == index
    flags = ["--decimal-comma"] if opts.get("decimal_comma") else []
    status, out, err = _run_cli(
        ["score", "-m", "province-2017", "--format", "json", *flags, str(path)]
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["units"][0]["index"] == pytest.approx(index, abs=1e-9)


def test_rates_work_once_the_scale_is_stated() -> None:
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": 97}])
    node = _scored(sheet, rate_scale="percent").unit("A").nodes["1.1.2"]
    assert node.points == 2.0  # 80 % <= 97 % < 100 %: 2 points
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": 0.97}])
    assert _scored(sheet, rate_scale="fraction").unit("A").nodes["1.1.2"].points == 2.0
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": "97%"}])
    assert _scored(sheet).unit("A").nodes["1.1.2"].points == 2.0


def test_methodology_file_with_bom_and_crlf_loads(tmp_path: Path) -> None:
    m = parindex.get_methodology(M)
    text = parindex.dump_methodology(m).replace("\n", "\r\n")
    path = _write(tmp_path, "m.yaml", b"\xef\xbb\xbf" + text.encode())
    assert parindex.load_methodology(path) == m
    status, _, err = _run_cli(["validate", str(path)])
    assert (status, err) == (0, "")
