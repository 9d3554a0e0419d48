"""The layout of parindex's Excel score sheets, shared by the writer
(:mod:`parindex.io.excel_template`) and the reader (:mod:`parindex.io.excel`): where
the keys and the first node row are, the columns, the settings worksheet.

Example:
    >>> from parindex.io.excel_layout import EXCEL_COLUMNS, FIRST_ROW, KEY_ROW
    >>> KEY_ROW, FIRST_ROW, EXCEL_COLUMNS[0]
    (6, 7, ('id', 'Mã', 'ID'))
"""

from __future__ import annotations

from typing import Any

from parindex.errors import InputFormatError

__all__ = [
    "EXCEL_COLUMNS",
    "FIRST_ROW",
    "FORMAT",
    "INPUT_KEYS",
    "KEY_ROW",
    "NOT_OFFICIAL",
    "SETTINGS_SHEET",
    "openpyxl_module",
]

FORMAT = "parindex-sheet/1"
"""The format stamp of the settings worksheet."""

SETTINGS_SHEET = "parindex"
"""The worksheet holding the settings (methodology, decimal comma)."""

KEY_ROW, FIRST_ROW = 6, 7
"""Row 6 holds the column keys the reader looks for; nodes start on row 7."""

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

INPUT_KEYS = ("self_points", "appraised_points", "value", "na", "evidence", "note")
"""The columns an official fills in."""

NOT_OFFICIAL = "KHÔNG CHÍNH THỨC / NOT OFFICIAL: illustration only"
"""The banner of a workbook for a methodology that is not official."""


def openpyxl_module() -> Any:
    """openpyxl, or an error saying which extra installs it.

    Example:
        >>> from parindex.io.excel_layout import openpyxl_module
        >>> openpyxl_module().__name__
        'openpyxl'
    """
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputFormatError("Excel files need openpyxl: pip install 'parindex[excel]'") from None
    return openpyxl
