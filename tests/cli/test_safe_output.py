"""Safe output: CSV the CLI writes (``read-excel``, ``survey``, ``diff --format csv``)
cannot run as a spreadsheet formula, and reads back as it was; text printed for a
terminal cannot carry its escape codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

import parindex
from parindex.cli import main
from parindex.io.excel import EXCEL_COLUMNS
from parindex.model.sheet import TEXT_COLUMNS

M = "illustrative-district"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    return out.getvalue()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _assert_no_formula(rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    for row in rows:
        for column in columns:
            assert not row[column].startswith(FORMULA_STARTS), (column, row[column])


def test_read_excel_writes_names_a_spreadsheet_would_run_quoted(tmp_path: Path) -> None:
    col = {key: i + 1 for i, (key, _, _) in enumerate(EXCEL_COLUMNS)}
    m = parindex.get_methodology(M)
    path = parindex.write_excel_template(m, tmp_path / "s.xlsx", units=["@cmd", "-2+3"])
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[:2]:
        for r in range(7, ws.max_row + 1):
            if ws.cell(row=r, column=col["id"]).value == "1.4.2":
                ws.cell(row=r, column=col["appraised_points"], value=1.5)
                ws.cell(row=r, column=col["evidence"], value="+cmd|calc")
    wb.save(path)
    text = _cli("read-excel", str(path))
    rows = _rows(text)
    assert [r["unit"] for r in rows] == ["'@cmd", "'-2+3"]
    assert {r["points"] for r in rows} == {"1.5"}  # numbers stay numbers
    _assert_no_formula(rows, TEXT_COLUMNS)
    # CSV has no place for the declared methodology; the entries are the same.
    assert parindex.sheet_from_csv(text).entries == parindex.load_excel_sheet(path).entries


def test_survey_csv_quotes_a_unit_named_like_a_formula(tmp_path: Path) -> None:
    source = (ROOT / "examples" / "survey-illustrative-district.csv").read_text(encoding="utf-8")
    responses = tmp_path / "responses.csv"
    responses.write_text(source.replace("Huyện A,", '"=HYPERLINK(""x"")",'), encoding="utf-8")
    text = _cli("survey", "-m", M, str(responses))
    rows = _rows(text)
    _assert_no_formula(rows, ("unit", "node"))
    assert '\'=HYPERLINK("x")' in {r["unit"] for r in rows}
    assert all(float(r["points"]) >= 0 for r in rows)
    # What `parindex score` reads back is the unit's own name.
    assert '=HYPERLINK("x")' in parindex.sheet_from_csv(text).units


def _renamed(tmp_path: Path, name: str, file: str = "renamed.yaml") -> Path:
    text = _cli("show", M, "--format", "yaml")
    assert "    name_vi: Báo cáo CCHC\n" in text
    text = text.replace("id: illustrative-district\n", "id: renamed\n", 1)
    text = text.replace("    name_vi: Báo cáo CCHC\n", f"    name_vi: {name}\n", 1)
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_csv_quotes_text_cells_and_keeps_numbers(tmp_path: Path) -> None:
    path = _renamed(tmp_path, '"=cmd|calc"')
    rows = _rows(_cli("diff", M, str(path), "--format", "csv"))
    assert [r["after"] for r in rows if r["kind"] == "renamed"] == ["'=cmd|calc"]
    _assert_no_formula(rows, ("kind", "node", "detail", "before", "after"))
    numbers = _rows(_cli("diff", M, "province-2017", "--format", "csv"))
    assert {
        "kind": "survey_share",
        "node": "",
        "detail": "survey points",
        "before": "20.0",
        "after": "",
    } in numbers


@pytest.mark.parametrize(
    "argv",
    [["diff", M, "{path}"], ["validate", "{path}"]],
    ids=["diff", "validate"],
)
def test_text_output_shows_terminal_escapes_escaped(tmp_path: Path, argv: list[str]) -> None:
    # A name in the file holding an escape code is refused where it is read; the message
    # (which also echoes the file's own name, an escape code in it too) shows it escaped.
    path = _renamed(tmp_path, '"\\x1b[2J\\x1b[31mX"', file="m\x1b[31m.yaml")
    out, err = io.StringIO(), io.StringIO()
    assert main([a.format(path=path) for a in argv], stdout=out, stderr=err) == 2
    text = out.getvalue() + err.getvalue()
    assert "\x1b" not in text
    assert "\\x1b[31m" in text


def test_show_escapes_terminal_codes_in_a_methodology_file(tmp_path: Path) -> None:
    import yaml

    doc = parindex.methodology_to_dict(parindex.get_methodology("illustrative-district"))
    doc["name_vi"] = "Bộ chỉ số \x1b[2J\x1b[31mgiả"
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    # Refused where it is read (a label holding a control character), and the message
    # shows the escape code rather than sending it to the terminal.
    out, err = io.StringIO(), io.StringIO()
    assert main(["show", str(path)], stdout=out, stderr=err) == 2
    assert "\x1b" not in err.getvalue()
    assert "U+001B" in err.getvalue()
