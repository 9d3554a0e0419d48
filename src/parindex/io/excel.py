"""Excel score sheets (phiếu chấm điểm dạng Excel): write a template for a methodology,
read it back filled in. Needs the ``excel`` extra (openpyxl), imported only here.

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
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from parindex.errors import InputFormatError
from parindex.io.safe import MAX_FILE_BYTES
from parindex.model.methodology import Methodology
from parindex.model.sheet import ScoreEntry, ScoreSheet, entries_from_rows

__all__ = ["EXCEL_COLUMNS", "load_excel_sheet", "write_excel_template"]

FORMAT = "parindex-sheet/1"
SETTINGS_SHEET = "parindex"
_KEY_ROW, _FIRST_ROW = 6, 7
_MAX_ROWS, _MAX_SHEETS = 50_000, 500

EXCEL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "Mã", "ID"),
    ("name_vi", "Tiêu chí", "Criterion (Vietnamese)"),
    ("name_en", "Tên tiếng Anh", "Criterion (English)"),
    ("max_points", "Điểm tối đa", "Maximum"),
    ("rule", "Cách tính điểm", "Scoring rule"),
    ("method", "Phương pháp", "Method"),
    ("self_points", "Tự đánh giá", "Self-assessment"),
    ("appraised_points", "Thẩm định", "Appraisal"),
    ("value", "Giá trị", "Value"),
    ("na", "Không phát sinh", "Not applicable"),
    ("evidence", "Tài liệu kiểm chứng", "Evidence"),
    ("note", "Ghi chú", "Notes"),
)
"""Columns of a unit worksheet: (key, Vietnamese header, English header)."""

_INPUT_KEYS = ("self_points", "appraised_points", "value", "na", "evidence", "note")
_POINTS_KEYS = ("self_points", "appraised_points")
_MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""A workbook's parts may unpack to this much at most (the file itself: MAX_FILE_BYTES)."""
_STATES = {"hidden": "hidden", "veryHidden": "very hidden (only the VBA editor unhides it)"}
_NA_WORDS = frozenset({"x", "na", "n/a", "kps", "không phát sinh", "khong phat sinh"})
_YES_WORDS = frozenset({"yes", "có", "co", "true", "1", "x"})
_NO_WORDS = frozenset({"no", "không", "khong", "false", "0", ""})


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputFormatError("Excel files need openpyxl: pip install 'parindex[excel]'") from None
    return openpyxl


def write_excel_template(
    methodology: Methodology,
    path: str | Path,
    *,
    units: Sequence[str] = (),
    decimal_comma: bool = False,
) -> Path:
    """Write an Excel score sheet for a methodology (one worksheet per unit, or one
    blank worksheet when no units are given). Returns the path.

    Example:
        >>> import parindex, tempfile, pathlib
        >>> m = parindex.get_methodology("province-2017")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = parindex.write_excel_template(m, pathlib.Path(tmp) / "sheet.xlsx", units=["Đắk Lắk"])
        ...     path.stat().st_size > 0
        True
    """
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    first = wb.active
    names = list(units) or [""]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for i, unit in enumerate(names):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = _sheet_title(unit, i, {w.title for w in wb.worksheets if w is not ws})
        ws["A1"] = FORMAT
        ws["B1"] = f"{methodology.name_vi} / {methodology.name_en}"
        ws["A2"], ws["B2"] = "Đơn vị / Unit", unit or None
        ws["A3"], ws["B3"] = "Nhóm / Group", None
        ws["A4"], ws["B4"] = "Bộ chỉ số / Methodology", methodology.id
        if not methodology.official:
            ws["C4"] = "KHÔNG CHÍNH THỨC / NOT OFFICIAL: illustration only"
        for cell in ("A2", "A3", "A4"):
            ws[cell].font = bold
        ws["B2"].fill = ws["B3"].fill = fill
        for col, (key, vi, en) in enumerate(EXCEL_COLUMNS, start=1):
            ws.cell(row=_KEY_ROW - 1, column=col, value=f"{vi} / {en}").font = bold
            ws.cell(row=_KEY_ROW - 1, column=col).fill = head_fill
            ws.cell(row=_KEY_ROW - 1, column=col).alignment = Alignment(wrap_text=True)
            ws.cell(row=_KEY_ROW, column=col, value=key)
        ws.row_dimensions[_KEY_ROW].hidden = True
        row = _FIRST_ROW
        for node in methodology.nodes():
            depth = node.id.count(".")
            mx = methodology.max_points_of(node.id)
            cells = {
                "id": node.id,
                "name_vi": node.name_vi,
                "name_en": node.name_en,
                "max_points": "unknown" if mx is None else mx,
                "rule": None if node.rule is None else node.rule.describe(),
                "method": node.method,
            }
            _write_row(ws, row, cells, bold=depth == 0, indent=depth, fill=fill)
            row += 1
        if methodology.components:
            ws.cell(row=row, column=2, value="Điểm thành phần / Score components").font = bold
            row += 1
            for comp in methodology.components:
                cells = {
                    "id": comp.id,
                    "name_vi": comp.name_vi,
                    "name_en": comp.name_en,
                    "max_points": "unknown" if comp.max_points is None else comp.max_points,
                    "method": comp.method,
                }
                _write_row(ws, row, cells, bold=False, indent=0, fill=fill)
                row += 1
        na_col = _letter(EXCEL_COLUMNS, "na")
        check = DataValidation(type="list", formula1='"x"', allow_blank=True)
        check.add(f"{na_col}{_FIRST_ROW}:{na_col}{max(row - 1, _FIRST_ROW)}")
        ws.add_data_validation(check)
        ws.freeze_panes = f"C{_FIRST_ROW}"
        widths = (10, 48, 40, 12, 36, 12, 14, 14, 14, 12, 30, 30)
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    settings = wb.create_sheet(SETTINGS_SHEET)
    rows = [
        ("format", FORMAT, ""),
        ("methodology", methodology.id, methodology.decision.number or ""),
        (
            "decimal_comma",
            "yes" if decimal_comma else "no",
            "yes: text numbers use a decimal comma (87,82) / có: số dạng chữ dùng dấu phẩy thập phân",
        ),
    ]
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            settings.cell(row=r, column=c, value=v)
    out = Path(path)
    wb.save(out)
    return out


def _letter(columns: Sequence[tuple[str, str, str]], key: str) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter([c[0] for c in columns].index(key) + 1))


def _write_row(
    ws: Any, row: int, cells: Mapping[str, object], *, bold: bool, indent: int, fill: Any
) -> None:
    from openpyxl.styles import Alignment, Font

    for col, (key, _, _) in enumerate(EXCEL_COLUMNS, start=1):
        cell = ws.cell(row=row, column=col, value=cells.get(key))
        if key in _INPUT_KEYS:
            cell.fill = fill
        if key == "name_vi":
            cell.alignment = Alignment(indent=indent, wrap_text=True)
        if bold:
            cell.font = Font(bold=True)
    ws.cell(row=row, column=1).number_format = "@"


def _sheet_title(unit: str, i: int, taken: set[str]) -> str:
    bad = set("[]:*?/\\")
    base = "".join("_" if ch in bad else ch for ch in unit).strip()[:28] or f"Phiếu {i + 1}"
    title, n = base, 2
    while title in taken or title == SETTINGS_SHEET:
        title, n = f"{base[:26]} {n}", n + 1
    return title


# --------------------------------------------------------------------------- reading


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _settings(wb: Any) -> dict[str, str]:
    if SETTINGS_SHEET not in wb.sheetnames:
        return {}
    out: dict[str, str] = {}
    for row in wb[SETTINGS_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        key, value = (*row, None, None)[:2]
        if isinstance(key, str) and key.strip():
            out[key.strip().casefold()] = "" if value is None else str(value).strip()
    return out


def _declared_decimal_comma(settings: Mapping[str, str], where: str) -> bool:
    raw = settings.get("decimal_comma", "").casefold()
    if raw in _YES_WORDS:
        return True
    if raw in _NO_WORDS:
        return False
    raise InputFormatError(f"{where}: decimal_comma {raw!r} is not understood (use yes or no)")


def _cell_value(cell: Any, where: str, key: str) -> object:
    v = cell.value
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


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than the limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl's own error names the problem
    if unpacked > _MAX_UNPACKED_BYTES:
        raise InputFormatError(
            f"{path}: the workbook unpacks to {unpacked} bytes, over the limit of "
            f"{_MAX_UNPACKED_BYTES}"
        )


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
) -> ScoreSheet:
    """Read a filled-in Excel score sheet (written by :func:`write_excel_template`).

    Every worksheet carrying the template's marker is one unit. A row becomes an entry
    when it gives points (the appraisal column; the self-assessment column with
    ``points_from="self"``), a value, or ``x`` under not applicable; both points
    columns are also kept as given, as ``self_points`` and ``appraised_points``;
    evidence and notes go into the entry's note. Rows with nothing to score are skipped.

    ``decimal_comma``: ``True`` reads text numbers such as ``"87,82"`` as 87.82;
    ``False`` refuses them as ambiguous; ``None`` (default) follows the workbook's
    ``decimal_comma`` setting.

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
    openpyxl = _openpyxl()
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as err:
        raise InputFormatError(f"{p}: cannot read file ({err.strerror or err})") from err
    if size > MAX_FILE_BYTES:
        raise InputFormatError(f"{p}: file is {size} bytes, over the limit of {MAX_FILE_BYTES}")
    _check_unpacked_size(p)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        # Read again with the formulas: a formula without a saved result (a sheet filled
        # in by a program, never opened in Excel) has no value and would read as blank.
        formulas = openpyxl.load_workbook(p, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        raise InputFormatError(
            f"{p}: not a readable .xlsx workbook ({type(err).__name__}: {err})"
        ) from None
    try:
        settings = _settings(wb)
        if decimal_comma is None:
            decimal_comma = _declared_decimal_comma(settings, str(p))
        records: list[tuple[str, dict[str, Any]]] = []
        sheets = [ws for ws in wb.worksheets if ws.title != SETTINGS_SHEET]
        if len(sheets) > _MAX_SHEETS:
            raise InputFormatError(f"{p}: more than {_MAX_SHEETS} worksheets")
        unit_sheets = [ws for ws in sheets if _is_marker(ws["A1"].value)]
        for ws in unit_sheets:
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
    entries: list[ScoreEntry] = entries_from_rows(
        records, decimal_comma=decimal_comma, collect_all=collect_all
    )
    return ScoreSheet(entries)


def _worksheet_records(
    ws: Any, formulas: Any, path: Path, points_from: Literal["appraisal", "self"]
) -> Iterable[tuple[str, dict[str, Any]]]:
    name = f"{path.name} [{ws.title}]"
    unit = _text(ws["B2"].value)
    group = _text(ws["B3"].value)
    keys_row = next(ws.iter_rows(min_row=_KEY_ROW, max_row=_KEY_ROW, values_only=True), ())
    columns = {str(k).strip(): i for i, k in enumerate(keys_row) if isinstance(k, str)}
    missing = [k for k in ("id", "appraised_points", "value", "na") if k not in columns]
    if missing:
        raise InputFormatError(f"{name}: row {_KEY_ROW} lacks the column keys {missing}")
    out: list[tuple[str, dict[str, Any]]] = []
    rows = zip(
        ws.iter_rows(min_row=_FIRST_ROW), formulas.iter_rows(min_row=_FIRST_ROW), strict=True
    )
    for r, (row, formula_row) in enumerate(rows, start=_FIRST_ROW):
        if r - _FIRST_ROW > _MAX_ROWS:
            raise InputFormatError(f"{name}: more than {_MAX_ROWS} rows")
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
