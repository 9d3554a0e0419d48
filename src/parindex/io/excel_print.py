"""How an Excel score sheet prints (in phiếu chấm điểm): officials print the form, fill
it in by hand and sign it, so each unit's worksheet prints as a form: landscape A4, one
page wide, the column headings repeated on every page, rows tall enough for the
wrapped criterion names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["print_as_form"]

# Points per line of 11-point Calibri, and characters per unit of column width: what
# Excel and LibreOffice use to lay text out, near enough to size a row.
_LINE_HEIGHT = 15.0
_CHARS_PER_WIDTH = 1.0


def print_as_form(
    ws: Any,
    *,
    heading_row: int,
    first_row: int,
    last_row: int,
    widths: Sequence[float],
    wrapped: Sequence[int],
) -> None:
    """Set ``ws``'s column ``widths`` and make it print as a form; size rows
    ``first_row..last_row`` so that the text of the ``wrapped`` columns (1-based) fits.

    Example:
        >>> import openpyxl
        >>> from parindex.io.excel_print import print_as_form
        >>> ws = openpyxl.Workbook().active
        >>> ws["B3"] = "Công tác chỉ đạo, điều hành cải cách hành chính " * 3
        >>> print_as_form(ws, heading_row=2, first_row=3, last_row=3, widths=(10, 30), wrapped=(2,))
        >>> ws.page_setup.orientation, ws.print_title_rows, ws.row_dimensions[3].height
        ('landscape', '$2:$2', 75.0)
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the criteria need
    ws.print_title_rows = f"{heading_row}:{heading_row}"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    every = tuple(range(1, len(widths) + 1))
    for row in (heading_row, *range(first_row, last_row + 1)):
        lines = 1
        for col in every:
            cell = ws.cell(row=row, column=col)
            wrap = row == heading_row or col in wrapped
            # Top-aligned, so that an id and its maximum sit beside the name's first line.
            cell.alignment = Alignment(
                wrap_text=wrap, vertical="top", indent=cell.alignment.indent or 0
            )
            text = "" if cell.value is None else str(cell.value)
            if wrap and text:
                per_line = max(1, int(widths[col - 1] * _CHARS_PER_WIDTH))
                lines = max(lines, math.ceil(len(text) / per_line))
        ws.row_dimensions[row].height = _LINE_HEIGHT * lines
