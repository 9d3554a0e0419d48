"""Write an Excel score sheet (phiếu chấm điểm) for a methodology: one worksheet per
unit, laid out as :mod:`parindex.io.excel_layout` says, printed as a form
(:func:`~parindex.io.excel_print.print_as_form`); :mod:`parindex.io.excel` reads it
back filled in. Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from parindex._text import neutralize_cell
from parindex.errors import InputFormatError
from parindex.io.excel_layout import (
    EXCEL_COLUMNS,
    FIRST_ROW,
    FORMAT,
    INPUT_KEYS,
    KEY_ROW,
    NOT_OFFICIAL,
    SETTINGS_SHEET,
    openpyxl_module,
)
from parindex.io.excel_print import print_as_form
from parindex.limits import MAX_WORKSHEETS, check_limit
from parindex.model.methodology import Methodology

__all__ = ["write_excel_template"]

_KEY_ROW, _FIRST_ROW, _INPUT_KEYS, _NOT_OFFICIAL = KEY_ROW, FIRST_ROW, INPUT_KEYS, NOT_OFFICIAL
_openpyxl = openpyxl_module


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

    # One worksheet a unit: no more than the reader reads back.
    check_limit("units (one worksheet each)", len(units), "MAX_WORKSHEETS", MAX_WORKSHEETS)
    wb = openpyxl.Workbook()
    first = wb.active
    names = list(units) or [""]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for i, unit in enumerate(names):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = _sheet_title(unit, i, {w.title for w in wb.worksheets if w is not ws})
        for ref, value in (
            ("A1", FORMAT),
            ("B1", f"{methodology.name_vi} / {methodology.name_en}"),
            ("A2", "Đơn vị / Unit"),
            ("B2", unit or None),
            ("A3", "Nhóm / Group"),
            ("A4", "Bộ chỉ số / Methodology"),
            ("B4", methodology.id),
            ("C4", None if methodology.official else _NOT_OFFICIAL),
        ):
            _put(ws[ref], value)
        for cell in ("A2", "A3", "A4"):
            ws[cell].font = bold
        ws["B2"].fill = ws["B3"].fill = fill
        for col, (key, vi, en) in enumerate(EXCEL_COLUMNS, start=1):
            _put(ws.cell(row=_KEY_ROW - 1, column=col), f"{vi} / {en}").font = bold
            ws.cell(row=_KEY_ROW - 1, column=col).fill = head_fill
            ws.cell(row=_KEY_ROW - 1, column=col).alignment = Alignment(wrap_text=True)
            _put(ws.cell(row=_KEY_ROW, column=col), key)
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
            _put(ws.cell(row=row, column=2), "Điểm thành phần / Score components").font = bold
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
        print_as_form(ws, heading_row=_KEY_ROW - 1, first_row=_FIRST_ROW,
                      last_row=max(row - 1, _FIRST_ROW), widths=widths, wrapped=(2, 3, 5))  # fmt: skip
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
            _put(settings.cell(row=r, column=c), v)
    out = Path(path)
    wb.save(out)
    return out


def _put(cell: Any, value: object) -> Any:
    """Write ``value`` into ``cell``; text always as a string cell (never a formula or
    an error code), neutralised so that no spreadsheet runs it (OWASP CSV injection)."""
    if not isinstance(value, str) or not value:
        cell.value = None if value == "" else value  # no empty text cell
        return cell
    try:
        cell.value = neutralize_cell(value)
    except Exception:  # openpyxl's IllegalCharacterError
        raise InputFormatError(f"{value!r}: a workbook cannot hold control characters") from None
    cell.data_type = "s"
    return cell


def _letter(columns: Sequence[tuple[str, str, str]], key: str) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter([c[0] for c in columns].index(key) + 1))


def _write_row(
    ws: Any, row: int, cells: Mapping[str, object], *, bold: bool, indent: int, fill: Any
) -> None:
    from openpyxl.styles import Alignment, Font

    for col, (key, _, _) in enumerate(EXCEL_COLUMNS, start=1):
        cell = _put(ws.cell(row=row, column=col), cells.get(key))
        if key in _INPUT_KEYS:
            cell.fill = fill
        if key == "name_vi":
            cell.alignment = Alignment(indent=indent, wrap_text=True)
        if bold:
            cell.font = Font(bold=True)
    ws.cell(row=row, column=1).number_format = "@"


def _sheet_title(unit: str, i: int, taken: set[str]) -> str:
    bad = set("[]:*?/\\")
    # Excel refuses a title with an apostrophe first or last, or a control character.
    base = "".join("_" if ch in bad or not ch.isprintable() else ch for ch in unit)
    base = base.strip().strip("'").strip()[:28] or f"Phiếu {i + 1}"
    title, n = base, 2
    while title in taken or title == SETTINGS_SHEET:
        title, n = f"{base[:26]} {n}", n + 1
    return title


# --------------------------------------------------------------------------- reading
