"""Excel score sheets (phiếu chấm điểm dạng Excel): read back a template filled in
(:mod:`parindex.io.excel_template` writes it). Needs the ``excel`` extra (openpyxl), imported only here.

Layout (one worksheet per unit; copy a worksheet in Excel to add a unit):

* cell ``B2``: the unit's name (tên đơn vị), ``B3``: its peer group (optional);
* from row 7, one row per node in the decision's order, then one per score
  component: id, Vietnamese and English names, maximum (``unknown`` where the public
  documents do not give it), the rule in words, the method, and the columns to fill:
  self-assessment (tự đánh giá), appraisal (thẩm định), value (giá trị, read by the
  node's rule: ``97%``, ``đúng hạn``, ``2``), not applicable (không phát sinh: ``x``),
  evidence (tài liệu kiểm chứng) and notes (ghi chú);
* row 6 holds the column keys the reader looks for (so columns may be moved).

A worksheet named ``parindex`` holds the settings: the methodology's id and whether
text numbers use a decimal comma (``decimal_comma: yes`` reads ``"87,82"`` as 87.82).
Numbers typed as numbers are read as they are; a percentage-formatted cell (``97%``)
is read as the rate 97 %.

Text is written as string cells, never formulas, with a leading ``'`` where a spreadsheet
would run it (stripped again when read). Every workbook read passes :func:`check_workbook`
and the bounds of :mod:`parindex.limits`; a malformed part is an error naming the part.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from parindex._text import unneutralize_cell
from parindex.errors import InputFormatError, LimitExceededError, ParIndexError
from parindex.io.excel_layout import (
    EXCEL_COLUMNS,
    FIRST_ROW,
    FORMAT,
    INPUT_KEYS,
    KEY_ROW,
    SETTINGS_SHEET,
    openpyxl_module,
)
from parindex.io.safe import MAX_FILE_BYTES
from parindex.limits import (
    MAX_UNPACKED_BYTES,
    MAX_WORKSHEET_COLUMNS,
    MAX_WORKSHEET_ROWS,
    MAX_WORKSHEETS,
    check_limit,
)
from parindex.model.sheet import ScoreSheet, sheet_from_rows

__all__ = [
    "EXCEL_COLUMNS",
    "check_workbook",
    "load_excel_sheet",
    "read_worksheet_values",
]

_KEY_ROW, _FIRST_ROW = KEY_ROW, FIRST_ROW
_INPUT_KEYS = INPUT_KEYS
_openpyxl = openpyxl_module
# What a broken part raises as openpyxl reads it: malformed XML (SyntaxError: the
# ParseError of ElementTree or lxml), a corrupt member, content openpyxl cannot read.
_CORRUPT = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError)
_BROKEN = (*_CORRUPT, KeyError, ValueError, TypeError, IndexError, AttributeError)
_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_POINTS_KEYS = ("self_points", "appraised_points")
_STATES = {"hidden": "hidden", "veryHidden": "very hidden (only the VBA editor unhides it)"}
_NA_WORDS = frozenset({"x", "na", "n/a", "kps", "không phát sinh", "khong phat sinh"})
_YES_WORDS = frozenset({"yes", "có", "co", "true", "1", "x"})
_NO_WORDS = frozenset({"no", "không", "khong", "false", "0", ""})


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = (unneutralize_cell(v) if isinstance(v, str) else str(v)).strip()
    return s or None


def _settings(wb: Any, formulas: Any, where: str) -> dict[str, str]:
    if SETTINGS_SHEET not in wb.sheetnames:
        return {}
    out: dict[str, str] = {}
    sheets = (wb[SETTINGS_SHEET], formulas[SETTINGS_SHEET])  # formulas: to refuse unsaved ones
    rows = zip(*(s.iter_rows(min_row=1, max_row=50, max_col=2) for s in sheets), strict=True)
    for r, (row, formula_row) in enumerate(rows, start=1):
        key, value = (*(c.value for c in row), None, None)[:2]
        for i, (cell, formula) in enumerate(zip(row, formula_row, strict=True)):
            what = f"the setting {_text(key)!r}" if i else "a setting's name"
            _no_unsaved_formula(cell, formula, where, f"{'AB'[i]}{r} of worksheet 'parindex'", what)
        if isinstance(key, str) and key.strip():
            out[key.strip().casefold()] = _text(value) or ""
    return out


def _no_unsaved_formula(cell: Any, formula: Any, where: str, ref: str, what: str) -> None:
    """Refuse a settings cell (B2: the unit's name; a setting) holding a formula whose
    result was never saved: it reads blank, so it is refused for the wrong reason or skipped."""
    if cell.value is None and getattr(formula, "data_type", "n") == "f":
        raise InputFormatError(
            f"{where}: cell {ref} ({what}) holds the formula {str(formula.value)[:60]!r}, whose "
            f"result was never saved; type {what} in the cell as a value, not a formula"
        )


def _declared_decimal_comma(settings: Mapping[str, str], where: str) -> bool:
    raw = settings.get("decimal_comma", "").casefold()
    if raw in _YES_WORDS:
        return True
    if raw in _NO_WORDS:
        return False
    raise InputFormatError(f"{where}: decimal_comma {raw!r} is not understood (use yes or no)")


def _cell_value(cell: Any, where: str, key: str) -> object:
    v = cell.value
    if isinstance(v, str):
        v = unneutralize_cell(v)
    if isinstance(v, dt.datetime | dt.date | dt.time | dt.timedelta):
        raise InputFormatError(
            f"{where}: {key} {v!r} is a date or time; Excel may have turned a number such as "
            "1.5 into a date: format the cell as text or number and type it again"
        )
    if isinstance(v, str) and v.startswith("#"):
        raise InputFormatError(f"{where}: {key} holds the Excel error {v!r}")
    if isinstance(v, int | float) and not isinstance(v, bool):
        fmt = str(getattr(cell, "number_format", "") or "")
        if "%" in fmt and math.isfinite(v):
            if key == "value":
                return f"{round(v * 100.0, 10)!r}%"
            if key in _POINTS_KEYS:
                # 97% is stored as 0.97: reading it as 0.97 points would be silently wrong.
                raise InputFormatError(
                    f"{where}: {key} is formatted as a percentage ({round(v * 100.0, 10)!r}% "
                    f"is stored as {v!r}); points are numbers of points: format the cell "
                    "as a number, or give a rate in the value column"
                )
    return v


def check_workbook(path: str | Path, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> Path:
    """Check an .xlsx file before any of it is parsed (every workbook read passes here):
    it exists, is at most ``MAX_FILE_BYTES`` long, and its parts unpack to at most
    ``max_unpacked_bytes`` (:class:`~parindex.errors.LimitExceededError` naming
    ``MAX_UNPACKED_BYTES`` otherwise: a zip bomb stops here). Returns the path.

    Example:
        >>> import parindex, tempfile, pathlib
        >>> from parindex.io.excel import check_workbook
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = parindex.write_excel_template(
        ...         parindex.get_methodology("province-2017"), pathlib.Path(tmp) / "s.xlsx")
        ...     check_workbook(path, max_unpacked_bytes=1000)
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: .../s.xlsx: the workbook unpacks to ... bytes, over the limit MAX_UNPACKED_BYTES = 1000; pass max_unpacked_bytes= to raise it
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as err:
        raise InputFormatError(f"{p}: cannot read file ({err.strerror or err})") from err
    if size > MAX_FILE_BYTES:
        raise InputFormatError(f"{p}: file is {size} bytes, over the limit of {MAX_FILE_BYTES}")
    try:
        with zipfile.ZipFile(p) as archive:
            # The declared sizes bound what is read: zipfile stops each member there.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):  # not a zip: openpyxl's own error names it
        return p
    if unpacked > max_unpacked_bytes:
        raise LimitExceededError(
            f"{p}: the workbook unpacks to {unpacked} bytes, over the limit "
            f"MAX_UNPACKED_BYTES = {max_unpacked_bytes}; pass max_unpacked_bytes= to raise it",
            limit="MAX_UNPACKED_BYTES",
            value=unpacked,
            maximum=max_unpacked_bytes,
        )
    return p


def _broken(path: Path, err: BaseException, where: str) -> InputFormatError:
    """The error for a workbook that cannot be read, naming the file and, for malformed
    XML, the first part expat refuses (no tree is built, so memory stays small)."""
    detail = " ".join(f"{type(err).__name__}: {err}".split())
    with contextlib.suppress(*_CORRUPT, OSError), zipfile.ZipFile(path) as archive:
        for info in archive.infolist() if isinstance(err, SyntaxError) else ():
            try:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as member:
                        xml.parsers.expat.ParserCreate().ParseFile(member)
            except xml.parsers.expat.ExpatError as bad:
                detail = f"part {info.filename} is not well-formed XML: {bad}"
                break
    return InputFormatError(f"{path}: not a readable .xlsx workbook ({where}{detail})")


def _is_marker(cell: object) -> bool:
    """Whether A1 holds the template marker; spaces around it (a retyped cell) are
    allowed, any other change is not."""
    return isinstance(cell, str) and cell.strip() == FORMAT


def load_excel_sheet(
    path: str | Path,
    *,
    decimal_comma: bool | None = None,
    points_from: Literal["appraisal", "self"] = "appraisal",
    collect_all: bool = False,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> ScoreSheet:
    """Read a filled-in Excel score sheet (written by :func:`write_excel_template`).

    Every worksheet carrying the template's marker is one unit. A row becomes an entry
    when it gives points (the appraisal column; the self-assessment column with
    ``points_from="self"``), a value, or ``x`` under not applicable; both points
    columns are also kept as given, as ``self_points`` and ``appraised_points``;
    evidence and notes go into the entry's note. Rows with nothing to score are skipped.

    ``decimal_comma``: ``True`` reads text numbers such as ``"87,82"`` as 87.82;
    ``False`` refuses them as ambiguous; ``None`` (default) follows the workbook's
    ``decimal_comma`` setting. ``max_unpacked_bytes`` raises the bound on what the
    workbook may unpack to (see :func:`check_workbook`).

    Example:
        >>> import parindex, tempfile, pathlib, openpyxl
        >>> m = parindex.get_methodology("province-2017")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = parindex.write_excel_template(m, pathlib.Path(tmp) / "s.xlsx",
        ...                                          units=["Đắk Lắk"], decimal_comma=True)
        ...     wb = openpyxl.load_workbook(path)
        ...     wb["Đắk Lắk"]["H7"] = "5,5"      # appraisal of field 1, typed as text
        ...     wb.save(path)
        ...     parindex.load_excel_sheet(path).to_records()
        [{'unit': 'Đắk Lắk', 'node': '1', 'points': 5.5, 'appraised_points': 5.5}]
    """
    p = check_workbook(path, max_unpacked_bytes=max_unpacked_bytes)
    # Read twice, the second time with the formulas: a formula without a saved result (a
    # sheet filled in by a program, never opened in Excel) would read as blank.
    wb, formulas = _open(p, data_only=True), _open(p, data_only=False)
    where = "the settings worksheet"
    try:
        settings = _settings(wb, formulas, str(p))
        if decimal_comma is None:
            decimal_comma = _declared_decimal_comma(settings, str(p))
        records: list[tuple[str, dict[str, Any]]] = []
        sheets = [ws for ws in wb.worksheets if ws.title != SETTINGS_SHEET]
        check_limit("worksheets", len(sheets), "MAX_WORKSHEETS", MAX_WORKSHEETS, where=str(p))
        where = "cell A1 of a worksheet"
        unit_sheets = [ws for ws in sheets if _is_marker(ws["A1"].value)]
        for ws in unit_sheets:
            where = f"worksheet {ws.title!r}"
            if ws.sheet_state != "visible":
                # Read, a hidden unit is easy to miss when the workbook is checked by
                # eye; skipped, its points would be lost without a word.
                raise InputFormatError(
                    f"{p}: worksheet {ws.title!r} is a unit score sheet (it carries the "
                    f"parindex template marker) but is {_STATES.get(ws.sheet_state, 'hidden')}; "
                    "unhide it or delete it"
                )
            records.extend(_worksheet_records(ws, formulas[ws.title], p, points_from))
        found = list(wb.sheetnames)
    except ParIndexError:
        raise
    except _BROKEN as err:
        raise _broken(p, err, f"{where}: ") from None
    finally:
        wb.close()
        formulas.close()
    if not unit_sheets:
        shown = ", ".join(repr(n) for n in found[:10]) + (", ..." if len(found) > 10 else "")
        raise InputFormatError(
            f"{p}: no worksheet carries the parindex template marker ({FORMAT!r} in cell "
            f"A1), so no worksheet is read as a unit; worksheets found: {shown}. Write a "
            "template with 'parindex template' and copy its unit worksheet"
        )
    if not records:
        raise InputFormatError(
            f"{p}: no entries: fill the appraisal (thẩm định) column, a value, or x under "
            "not applicable"
            + (" (or read with points_from='self')" if points_from == "appraisal" else "")
        )
    # The template records its methodology: scoring the sheet under another is refused.
    return sheet_from_rows(
        records,
        decimal_comma=decimal_comma,
        collect_all=collect_all,
        methodology=settings.get("methodology") or None,
    )


def _open(path: Path, *, data_only: bool) -> Any:
    """The workbook, read only (rows are parsed as they are read)."""
    try:
        return _openpyxl().load_workbook(path, read_only=True, data_only=data_only)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        raise _broken(path, err, "") from None


def read_worksheet_values(
    path: str | Path, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
) -> list[tuple[object, ...]]:
    """The first worksheet's cell values, row by row, read within the bounds
    (:func:`check_workbook`, ``MAX_WORKSHEET_ROWS``, ``MAX_WORKSHEET_COLUMNS``); text has
    the ``'`` added against formulas stripped, an Excel error (``#N/A``) is ``None``.

    Example:
        >>> import openpyxl, tempfile, pathlib
        >>> from parindex.io.excel import read_worksheet_values
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     wb, path = openpyxl.Workbook(), pathlib.Path(tmp) / "t.xlsx"
        ...     wb.active.append(["id", "max_points"]); wb.active.append(["'=1", 9.5]); wb.save(path)
        ...     read_worksheet_values(path)
        [('id', 'max_points'), ('=1', 9.5)]
    """
    p = check_workbook(path, max_unpacked_bytes=max_unpacked_bytes)
    wb = _open(p, data_only=True)
    ws: Any = wb.worksheets[0] if wb.worksheets else None
    where = f"{p} [{getattr(ws, 'title', '')}]"
    out: list[tuple[object, ...]] = []
    try:
        # One row past the bound tells a longer sheet; nothing further is parsed.
        bounds = {"max_row": MAX_WORKSHEET_ROWS + 1, "max_col": MAX_WORKSHEET_COLUMNS}
        for row in () if ws is None else ws.iter_rows(**bounds, values_only=True):
            check_limit("rows", len(out) + 1, "MAX_WORKSHEET_ROWS", MAX_WORKSHEET_ROWS, where=where)
            cells = [_plain(v) for v in row]
            while cells and cells[-1] is None:  # kept short, padded once at the end
                cells.pop()
            out.append(tuple(cells))
    except ParIndexError:
        raise
    except _BROKEN as err:
        raise _broken(p, err, f"worksheet {ws.title!r}: " if ws else "") from None
    finally:
        wb.close()
    width = max(map(len, out), default=0)
    return [row + (None,) * (width - len(row)) for row in out]


def _plain(value: object) -> object:
    if not isinstance(value, str):
        return value
    return None if value in _ERROR_CODES else unneutralize_cell(value)


def _worksheet_records(
    ws: Any, formulas: Any, path: Path, points_from: Literal["appraisal", "self"]
) -> Iterable[tuple[str, dict[str, Any]]]:
    name = f"{path.name} [{ws.title}]"
    for ref, what in (("B2", "the unit's name"), ("B3", "the unit's peer group")):
        _no_unsaved_formula(ws[ref], formulas[ref], name, ref, what)
    unit = _text(ws["B2"].value)
    group = _text(ws["B3"].value)
    keys_row = next(
        ws.iter_rows(
            min_row=_KEY_ROW, max_row=_KEY_ROW, max_col=MAX_WORKSHEET_COLUMNS, values_only=True
        ),
        (),
    )
    columns = {str(k).strip(): i for i, k in enumerate(keys_row) if isinstance(k, str)}
    missing = [k for k in ("id", "appraised_points", "value", "na") if k not in columns]
    if missing:
        raise InputFormatError(f"{name}: row {_KEY_ROW} lacks the column keys {missing}")
    out: list[tuple[str, dict[str, Any]]] = []
    # Only the keyed columns, and one row past the bound: a cell far right or far down
    # (a declared size of XFD1048576) is never padded out or parsed to.
    lo, hi, width = _FIRST_ROW, _FIRST_ROW + MAX_WORKSHEET_ROWS + 1, max(columns.values()) + 1
    rows = zip(
        ws.iter_rows(min_row=lo, max_row=hi, max_col=width),
        formulas.iter_rows(min_row=lo, max_row=hi, max_col=width),
        strict=True,
    )
    for r, (row, formula_row) in enumerate(rows, start=_FIRST_ROW):
        check_limit("rows", r - _FIRST_ROW, "MAX_WORKSHEET_ROWS", MAX_WORKSHEET_ROWS, where=name)
        where = f"{name} row {r}"
        cells = {k: (row[i] if i < len(row) else None) for k, i in columns.items()}
        for k, i in columns.items():
            # data type "str" with no value: a formula whose saved result is "" (blank).
            if k in _INPUT_KEYS and i < len(row) and row[i].value is None:
                f = formula_row[i]
                if f.data_type == "f" and getattr(row[i], "data_type", "n") != "str":
                    raise InputFormatError(
                        f"{where}: {k} holds the formula {f.value!r} without a saved result; "
                        "open the file in Excel or LibreOffice and save it, or type the value"
                    )
        id_cell = cells.get("id")
        if (
            id_cell is not None
            and isinstance(id_cell.value, float)
            and not id_cell.value.is_integer()
        ):
            # Excel keeps 1.10 as the number 1.1: criterion 10 would become criterion 1.
            raise InputFormatError(
                f"{where}: the node id {id_cell.value!r} is a number, and a number drops "
                "trailing zeros (1.10 reads as 1.1); format the id cell as text"
            )
        node = None if id_cell is None else _text(id_cell.value)
        got = {
            k: _cell_value(c, where, k)
            for k, c in cells.items()
            if k in _INPUT_KEYS and c is not None and c.value is not None
        }
        got = {k: v for k, v in got.items() if not (isinstance(v, str) and not v.strip())}
        if node is None or not got:
            continue
        scoring = got.get("appraised_points" if points_from == "appraisal" else "self_points")
        na = got.get("na")
        if na is not None and _text(na) is not None and str(na).strip().casefold() not in _NA_WORDS:
            raise InputFormatError(
                f"{where}, node {node!r}: not applicable {na!r} is not understood (write x or leave blank)"
            )
        if scoring is None and "value" not in got and na is None:
            continue  # nothing to score yet (e.g. only a self-assessment)
        if unit is None:
            raise InputFormatError(f"{name}: the unit's name (cell B2) is blank")
        notes = [str(got["note"]).strip()] if "note" in got else []
        if "evidence" in got:
            notes.append(f"evidence: {str(got['evidence']).strip()}")
        rec: dict[str, Any] = {
            "unit": unit,
            "node": node,
            "points": scoring,
            "value": got.get("value"),
            "status": "na" if na is not None else None,
            "group": group,
            "note": "; ".join(notes),
            # Both columns side by side, whichever one is scored, as the engine keeps them.
            "self_points": got.get("self_points"),
            "appraised_points": got.get("appraised_points"),
        }
        out.append((where, rec))
    return out
