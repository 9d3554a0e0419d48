"""Bounded reading and safe writing at the I/O edges: every workbook read is checked
(unpacked size, rows, columns) and a broken part is a typed error naming the part; text
written to a workbook never becomes a formula and reads back equal; survey files are
bounded in rows before a frame is built."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import parindex
from parindex.analysis.responses import prepare_responses
from parindex.authoring import complete
from parindex.cli import main
from parindex.errors import InputFormatError, LimitExceededError
from parindex.io.excel import EXCEL_COLUMNS, load_excel_sheet
from parindex.io.excel_template import write_excel_template
from parindex.io.survey import get_questionnaire, load_responses, responses_from_csv_text
from parindex.limits import MAX_UNPACKED_BYTES, MAX_WORKSHEET_COLUMNS, MAX_WORKSHEETS

SHEET_PART = "xl/worksheets/sheet1.xml"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
COL = {key: i + 1 for i, (key, _, _) in enumerate(EXCEL_COLUMNS)}
FORMULAS = ['=HYPERLINK("http://example.com","x")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]


def _table_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["id", "max_points"])
    wb.active.append(["1", 10])
    wb.save(path)
    return path


def _replace_part(path: Path, part: str, body: bytes) -> Path:
    """The workbook at ``path`` with one part's bytes replaced (deflated)."""
    with zipfile.ZipFile(path) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    members[part] = body
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


# --------------------------------------------------------------------------- workbooks


def test_every_workbook_read_checks_the_unpacked_size(tmp_path: Path) -> None:
    bomb = b"<a>" + b" " * (MAX_UNPACKED_BYTES + 1) + b"</a>"  # deflates to ~65 kB
    path = _replace_part(_table_workbook(tmp_path / "table.xlsx"), SHEET_PART, bomb)
    assert path.stat().st_size < 1_000_000
    # The authoring table reader (`parindex complete`) ...
    with pytest.raises(LimitExceededError) as caught:
        complete.load_methodology_table(path)
    assert caught.value.limit == "MAX_UNPACKED_BYTES"
    assert str(path) in str(caught.value)
    # ... and the score sheet reader, whose bound the caller may lower or raise.
    template = write_excel_template(parindex.get_methodology("province-2017"), tmp_path / "t.xlsx")
    with pytest.raises(LimitExceededError, match="max_unpacked_bytes="):
        load_excel_sheet(template, max_unpacked_bytes=1000)


def test_malformed_worksheet_xml_is_an_input_error_naming_file_and_part(tmp_path: Path) -> None:
    rows = '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
    broken = (HEAD + rows + '<row r="2"><c r="A2"><v>1</v></row></sheetData></worksheet>').encode()
    # Without a <dimension>, openpyxl parses the sheet as it opens the workbook; with
    # one, as the rows are read: both are told the same way, by either reader.
    dimensioned = broken.replace(b"<sheetData>", b'<dimension ref="A1:A2"/><sheetData>')
    template = write_excel_template(parindex.get_methodology("province-2017"), tmp_path / "t.xlsx")
    with zipfile.ZipFile(template) as src:
        good = src.read(SHEET_PART)
    assert b"<dimension" in good  # the template's rows are parsed only as they are read
    late = good.replace(b"</sheetData>", b'<row r="999"><c r="A999"><v>1</v></row></sheetData>')
    cases = [
        (_table_workbook(tmp_path / "a.xlsx"), broken, complete.load_methodology_table),
        (_table_workbook(tmp_path / "b.xlsx"), dimensioned, complete.load_methodology_table),
        (_table_workbook(tmp_path / "c.xlsx"), broken, load_excel_sheet),
        (template, late, load_excel_sheet),
    ]
    for path, body, read in cases:
        _replace_part(path, SHEET_PART, body)
        with pytest.raises(InputFormatError) as caught:
            read(path)
        message = str(caught.value)
        assert str(path) in message
        assert f"part {SHEET_PART} is not well-formed XML" in message
    assert main(["read-excel", str(template)]) == 2


def _bounded(args: list[str], megabytes: int = 1024) -> subprocess.CompletedProcess[str]:
    """``parindex ARGS`` in a child whose address space is capped."""
    limit = megabytes * 2**20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    src = str(Path(parindex.__file__).resolve().parents[1])  # the parindex under test
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "parindex", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
        preexec_fn=cap,
        timeout=120,
    )


def test_a_far_away_cell_does_not_pad_every_row_in_bounded_memory(tmp_path: Path) -> None:
    # One cell in column XFD and 20,000 rows: read by padding every row out to column
    # 16,384 this is 300 million cells; only MAX_WORKSHEET_COLUMNS columns are read.
    far = '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c>'
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 20_002))
    body = f'{HEAD}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>{far}</row>'
    body += f"{cells}</sheetData></worksheet>"
    path = _replace_part(_table_workbook(tmp_path / "far.xlsx"), SHEET_PART, body.encode())
    done = _bounded(["complete", "province-2022", str(path)])
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "the table disagrees with province-2022" in done.stderr  # read, then compared
    assert MAX_WORKSHEET_COLUMNS < 16_384


def test_too_many_unit_worksheets_are_refused_before_writing(tmp_path: Path) -> None:
    units = [f"Xã {i}" for i in range(MAX_WORKSHEETS + 1)]
    m = parindex.get_methodology("province-2017")
    with pytest.raises(LimitExceededError) as caught:
        write_excel_template(m, tmp_path / "t.xlsx", units=units)
    assert caught.value.limit == "MAX_WORKSHEETS"
    assert not (tmp_path / "t.xlsx").exists()


# --------------------------------------------------------------------------- output safety


def test_text_that_looks_like_a_formula_is_written_as_a_string_and_reads_back_equal(
    tmp_path: Path,
) -> None:
    base = parindex.get_methodology("illustrative-district")
    data = parindex.io.methodology.methodology_to_dict(base)
    data["tree"][0]["name_vi"] = FORMULAS[1]
    data["tree"][0]["name_en"] = "#N/A"
    m = parindex.methodology_from_dict(data)
    path = write_excel_template(m, tmp_path / "t.xlsx", units=FORMULAS)
    wb = openpyxl.load_workbook(path)  # every cell, as a spreadsheet would see it
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type != "n" and c.data_type != "s"] == []
    ws = wb.worksheets[0]
    assert ws["B2"].value == "'" + FORMULAS[0]
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, COL["id"]).value == "1")
    assert ws.cell(row, COL["name_vi"]).value == "'" + FORMULAS[1]
    assert ws.cell(row, COL["name_en"]).value == "#N/A"
    # Filled in and read back: the unit names are the ones written.
    for sheet in wb.worksheets[: len(FORMULAS)]:
        sheet.cell(row, COL["appraised_points"], 1)
    wb.save(path)
    assert set(load_excel_sheet(path).units) == set(FORMULAS)


def test_cli_template_writes_a_formula_like_unit_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.xlsx"
    assert main(["template", "province-2017", "-o", str(path), "--unit", FORMULAS[0]]) == 0
    cell = openpyxl.load_workbook(path).worksheets[0]["B2"]
    assert (cell.data_type, cell.value) == ("s", "'" + FORMULAS[0])


# --------------------------------------------------------------------------- surveys

HEADER = "unit,respondent,group,item,answer\n"


def test_survey_rows_are_bounded_before_a_frame_is_built(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "".join(f"A,r{i},citizens,Q1,4\n" for i in range(11)), "utf-8")
    with pytest.raises(LimitExceededError) as caught:
        load_responses(path, max_rows=10)
    assert (caught.value.limit, caught.value.value, caught.value.maximum) == (
        "MAX_SURVEY_ROWS",
        11,
        10,
    )
    assert "max_rows=" in str(caught.value)
    assert len(load_responses(path, max_rows=11)) == 11
    with pytest.raises(LimitExceededError, match="MAX_SURVEY_ROWS"):
        responses_from_csv_text(path.read_text("utf-8"), max_rows=10)


def test_line_ends_inside_quotes_and_blank_lines_are_not_rows(tmp_path: Path) -> None:
    text = HEADER + 'A,r1,citizens,Q1,"4\n\n\n\n"\n\n\n\nA,r2,citizens,Q1,"3\r\n\r\r"\r\n'
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode())
    assert len(load_responses(path, max_rows=2)) == 2
    assert len(responses_from_csv_text(text, max_rows=2)) == 2
    with pytest.raises(LimitExceededError):
        responses_from_csv_text(text, max_rows=1)


def test_a_frame_of_responses_is_bounded_too() -> None:
    rows = pd.DataFrame(
        {"unit": ["A"] * 3, "respondent": ["r1", "r2", "r3"], "group": ["citizens"] * 3}
        | {"item": ["Q1"] * 3, "answer": ["4"] * 3}
    )
    q = get_questionnaire("illustrative-district")
    with pytest.raises(LimitExceededError, match="MAX_SURVEY_ROWS"):
        prepare_responses(rows, q, "exclude", max_rows=2)
    m = parindex.get_methodology("illustrative-district")
    with pytest.raises(LimitExceededError, match="MAX_SURVEY_ROWS"):
        parindex.analysis.survey.aggregate_survey(rows, q, methodology=m, max_rows=2)


def test_a_neutralised_cell_reads_back_as_written() -> None:
    frame = responses_from_csv_text(HEADER + "'=A,r1,citizens,Q1,4\n'-B,r2,citizens,Q1,4\n")
    assert frame["unit"].tolist() == ["=A", "-B"]


def test_bootstrap_arguments_are_typed_errors() -> None:
    r = parindex.aggregate_survey(
        load_responses("examples/survey-illustrative-district.csv"),
        get_questionnaire("illustrative-district"),
    )
    for kwargs in ({"replicates": 1}, {"replicates": 10, "seed": -1}, {"confidence": 1.0}):
        with pytest.raises(InputFormatError):
            r.bootstrap(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(LimitExceededError, match="MAX_DRAW_CELLS"):
        r.bootstrap(10**9)
