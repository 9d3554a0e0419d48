"""The Excel template prints as a form (checked by rendering it with LibreOffice when
the developer has it; here, the settings that make it so)."""

from __future__ import annotations

from pathlib import Path

import pytest

import parindex

openpyxl = pytest.importorskip("openpyxl")


def test_the_template_prints_landscape_one_page_wide_with_headings_repeated(
    tmp_path: Path,
) -> None:
    m = parindex.get_methodology("illustrative-district")
    path = parindex.write_excel_template(m, tmp_path / "s.xlsx", units=["Huyện A"])
    ws = openpyxl.load_workbook(path)["Huyện A"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$5:$5"  # the column headings, on every page
    assert ws.freeze_panes == "C7"
    # A row is as tall as its longest wrapped name needs (no text over the next row).
    for row in range(7, ws.max_row + 1):
        name = ws.cell(row=row, column=2).value or ""
        lines = -(-len(str(name)) // 48) or 1
        assert ws.row_dimensions[row].height >= 15 * lines, (row, name)
        assert ws.cell(row=row, column=2).alignment.wrap_text
