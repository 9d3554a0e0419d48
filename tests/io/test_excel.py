"""Excel score sheets: a template written for a methodology, filled in, reads back and
scores."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import parindex
from parindex.cli import main
from parindex.io.excel import EXCEL_COLUMNS

COL = {key: i + 1 for i, (key, _, _) in enumerate(EXCEL_COLUMNS)}
FIRST_ROW = 7

# Đắk Lắk 2017 field points, as in examples/daklak-2017.csv (published PAR INDEX 2017
# report of the Ministry of Home Affairs; sources per row in that file).
DAKLAK = {"1": 5.5, "2": 8.16, "3": 14.5, "4": 8.23, "5": 11.12, "6": 5.04, "7": 8.86, "8": 13.96}


def _rows(ws: Any) -> dict[str, int]:
    out = {}
    for r in range(FIRST_ROW, ws.max_row + 1):
        node = ws.cell(row=r, column=COL["id"]).value
        if node is not None:
            out[str(node)] = r
    return out


def test_template_lists_the_tree_with_maxima_and_rules(tmp_path: Path) -> None:
    m = parindex.get_methodology("illustrative-district")
    path = parindex.write_excel_template(m, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = _rows(ws)
    assert list(rows)[: len(list(m.nodes()))] == [n.id for n in m.nodes()]
    assert set(rows) == {n.id for n in m.nodes()} | {c.id for c in m.components}
    r = rows["1.1.2"]
    assert ws.cell(row=r, column=COL["max_points"]).value == 3
    assert ws.cell(row=r, column=COL["rule"]).value == m.node("1.1.2").rule.describe()
    assert ws.cell(row=r, column=COL["name_en"]).value == "Share of planned tasks carried out"
    assert "NOT OFFICIAL" in ws["C4"].value
    settings = wb["parindex"]
    assert (settings["B2"].value, settings["B3"].value) == ("illustrative-district", "no")


def test_unknown_maxima_are_marked(tmp_path: Path) -> None:
    m = parindex.get_methodology("ministry-2022")
    unknown = [n.id for n in m.nodes() if m.max_points_of(n.id) is None]
    assert unknown, "ministry-2022 should have nodes without a known maximum"
    ws = openpyxl.load_workbook(parindex.write_excel_template(m, tmp_path / "t.xlsx")).worksheets[0]
    rows = _rows(ws)
    assert {ws.cell(row=rows[i], column=COL["max_points"]).value for i in unknown} == {"unknown"}


def test_province_2017_template_filled_in_reads_back_and_scores(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(
        m, tmp_path / "p.xlsx", units=["Đắk Lắk"], decimal_comma=True
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Đắk Lắk"]
    rows = _rows(ws)
    for node, points in DAKLAK.items():
        # Half typed as numbers, half as Vietnamese text with a decimal comma.
        cell = points if int(node) % 2 else f"{points}".replace(".", ",")
        ws.cell(row=rows[node], column=COL["appraised_points"], value=cell)
        ws.cell(row=rows[node], column=COL["self_points"], value=points)
    ws.cell(row=rows["1"], column=COL["evidence"], value="Báo cáo số 12/BC-UBND")
    wb.save(path)
    sheet = parindex.load_excel_sheet(path)
    assert sheet.units == ("Đắk Lắk",)
    assert {e.node: e.points for e in sheet.entries} == DAKLAK
    assert sheet.entries[0].self_points == 5.5
    assert sheet.entries[0].note == "evidence: Báo cáo số 12/BC-UBND"
    result = parindex.score("province-2017", sheet)
    # Published PAR INDEX 2017, Đắk Lắk: 75.37 (examples/daklak-2017.csv gives the source).
    assert parindex.round_half_up(result.unit("Đắk Lắk").total.index) == 75.37
    # The caller can override the workbook's declaration: then "8,16" is ambiguous.
    with pytest.raises(parindex.errors.AmbiguousInputError, match="8,16"):
        parindex.load_excel_sheet(path, decimal_comma=False)


def test_a_comma_is_refused_unless_declared(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "p.xlsx", units=["A"])
    wb = openpyxl.load_workbook(path)
    wb["A"].cell(row=_rows(wb["A"])["1"], column=COL["appraised_points"], value="5,5")
    wb.save(path)
    with pytest.raises(parindex.errors.AmbiguousInputError) as info:
        parindex.load_excel_sheet(path)
    assert (info.value.unit, info.value.node, info.value.value) == ("A", "1", "5,5")
    assert parindex.load_excel_sheet(path, decimal_comma=True).entries[0].points == 5.5


def _fill_value(rule: Any, mx: float) -> tuple[str, object]:
    kind = rule.kind
    if kind == "categorical":
        return "value", rule.levels[1].label
    if kind == "tiers":
        return "value", "85%"
    if kind == "deduction":
        return "value", 1
    if kind == "proportional":
        return "value", "15%"
    if kind == "yes_no":
        return "value", "có"
    return "appraised_points", mx / 2


def test_illustrative_district_template_with_rule_values_scores_like_records(
    tmp_path: Path,
) -> None:
    m = parindex.get_methodology("illustrative-district")
    path = parindex.write_excel_template(m, tmp_path / "d.xlsx", units=["Huyện A", "Huyện B"])
    wb = openpyxl.load_workbook(path)
    records: list[dict[str, Any]] = []
    for unit in ("Huyện A", "Huyện B"):
        ws = wb[unit]
        ws["B3"] = "đồng bằng"
        rows = _rows(ws)
        for node in m.nodes():
            if not node.is_leaf:
                continue
            key, value = _fill_value(node.rule, node.max_points)
            if unit == "Huyện B" and node.id == "7.2":
                # A percentage-formatted number, as Excel stores 97 %.
                cell = ws.cell(row=rows[node.id], column=COL["value"], value=0.97)
                cell.number_format = "0%"
                value = "97%"
            elif unit == "Huyện B" and node.id == "4.1":
                ws.cell(row=rows[node.id], column=COL["na"], value="x")
                records.append(
                    {"unit": unit, "node": node.id, "status": "na", "group": "đồng bằng"}
                )
                continue
            else:
                ws.cell(row=rows[node.id], column=COL[key], value=value)
            row: dict[str, Any] = {"unit": unit, "node": node.id, "group": "đồng bằng"}
            if key == "appraised_points":  # scored, and kept as the appraisal
                row |= {"points": value, "appraised_points": value}
            else:
                row["value"] = value
            records.append(row)
    wb.save(path)
    sheet = parindex.load_excel_sheet(path)
    expected = parindex.ScoreSheet.from_records(records)
    got = parindex.score(m, sheet).to_frame()
    want = parindex.score(m, expected).to_frame()
    assert got.equals(want)
    assert sheet.group_of("Huyện A") == "đồng bằng"
    assert got.loc[(got["unit"] == "Huyện B") & (got["node"] == "7.2"), "points"].item() == 4.0
    assert got.loc[(got["unit"] == "Huyện B") & (got["node"] == "4.1"), "status"].item() == "na"


def test_self_assessment_only_rows_and_points_from_self(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "s.xlsx", units=["A"])
    wb = openpyxl.load_workbook(path)
    rows = _rows(wb["A"])
    wb["A"].cell(row=rows["1"], column=COL["self_points"], value=6)
    wb["A"].cell(row=rows["2"], column=COL["self_points"], value=7)
    wb["A"].cell(row=rows["2"], column=COL["appraised_points"], value=6.5)
    wb.save(path)
    sheet = parindex.load_excel_sheet(path)
    assert [(e.node, e.points, e.self_points) for e in sheet.entries] == [("2", 6.5, 7.0)]
    own = parindex.load_excel_sheet(path, points_from="self")
    assert [(e.node, e.points, e.appraised_points) for e in own.entries] == [
        ("1", 6.0, None),
        ("2", 7.0, 6.5),
    ]


def test_self_and_appraised_points_are_both_kept(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "both.xlsx", units=["Đắk Lắk"])
    wb = openpyxl.load_workbook(path)
    ws = wb["Đắk Lắk"]
    rows = _rows(ws)
    ws.cell(row=rows["1"], column=COL["self_points"], value=6)
    ws.cell(row=rows["1"], column=COL["appraised_points"], value=5.5)
    ws.cell(row=rows["2"], column=COL["appraised_points"], value=8.16)  # no self-assessment
    wb.save(path)
    pairs = {
        e.node: (e.points, e.self_points, e.appraised_points)
        for e in parindex.load_excel_sheet(path).entries
    }
    assert pairs == {"1": (5.5, 6.0, 5.5), "2": (8.16, None, 8.16)}
    own = parindex.load_excel_sheet(path, points_from="self").entries
    assert [(e.node, e.points, e.self_points, e.appraised_points) for e in own] == [
        ("1", 6.0, 6.0, 5.5)
    ]
    # Side by side in the results too.
    result = parindex.score(m, parindex.load_excel_sheet(path), missing="unknown")
    node = result.unit("Đắk Lắk").nodes["1"]
    assert (node.points, node.self_points, node.appraised_points) == (5.5, 6.0, 5.5)
    out, err = io.StringIO(), io.StringIO()
    assert main(["read-excel", str(path)], stdout=out, stderr=err) == 0, err.getvalue()
    assert out.getvalue().splitlines()[1:3] == [
        "Đắk Lắk,1,5.5,,,,6.0,5.5,",
        "Đắk Lắk,2,8.16,,,,,8.16,",
    ]


@pytest.mark.parametrize(
    ("cell", "value", "error", "match"),
    [
        ("appraised_points", dt.datetime(2024, 1, 5), parindex.errors.InputFormatError, "date"),
        ("appraised_points", 11, parindex.errors.PointsOutOfRangeError, "11"),
        ("na", "maybe", parindex.errors.InputFormatError, "not applicable"),
        ("appraised_points", "abc", parindex.errors.InvalidValueError, "abc"),
    ],
)
def test_bad_cells_raise_typed_errors(
    tmp_path: Path, cell: str, value: object, error: type[Exception], match: str
) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "b.xlsx", units=["A"])
    wb = openpyxl.load_workbook(path)
    wb["A"].cell(row=_rows(wb["A"])["1"], column=COL[cell], value=value)
    wb.save(path)
    with pytest.raises(error, match=match):
        parindex.score(m, parindex.load_excel_sheet(path), units="free")


def test_blank_unit_empty_sheet_and_broken_file(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "u.xlsx")
    with pytest.raises(parindex.errors.InputFormatError, match="no entries"):
        parindex.load_excel_sheet(path)
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0].cell(row=FIRST_ROW, column=COL["appraised_points"], value=5)
    wb.save(path)
    with pytest.raises(parindex.errors.InputFormatError, match="B2"):
        parindex.load_excel_sheet(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(parindex.errors.InputFormatError, match="not a readable"):
        parindex.load_excel_sheet(broken)
    with pytest.raises(parindex.errors.InputFormatError, match="cannot read"):
        parindex.load_excel_sheet(tmp_path / "missing.xlsx")


def test_hidden_unit_worksheet_is_refused_other_hidden_sheets_are_not(tmp_path: Path) -> None:
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "h.xlsx", units=["A", "B"])
    wb = openpyxl.load_workbook(path)
    for unit in ("A", "B"):
        wb[unit].cell(row=_rows(wb[unit])["1"], column=COL["appraised_points"], value=5)
    wb.create_sheet("lists")["A1"] = "x"  # a helper sheet without the marker
    wb["lists"].sheet_state = "hidden"
    wb["parindex"].sheet_state = "hidden"  # the settings sheet is not a unit
    wb.save(path)
    assert {e.unit for e in parindex.load_excel_sheet(path).entries} == {"A", "B"}
    wb["B"].sheet_state = "hidden"
    wb.save(path)
    with pytest.raises(
        parindex.errors.InputFormatError, match=r"worksheet 'B' .* is hidden; unhide"
    ):
        parindex.load_excel_sheet(path)
    err = io.StringIO()
    assert main(["read-excel", str(path)], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().count("\n") == 1
    assert "worksheet 'B'" in err.getvalue()


def test_a_workbook_without_a_template_worksheet_names_the_sheets_found(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Điểm"
    wb.create_sheet("Ghi chú")
    wb.save(tmp_path / "plain.xlsx")
    with pytest.raises(parindex.errors.InputFormatError) as err:
        parindex.load_excel_sheet(tmp_path / "plain.xlsx")
    message = str(err.value)
    assert "no entries" not in message
    assert "no worksheet carries the parindex template marker" in message
    assert "cell A1" in message
    assert "worksheets found: 'Điểm', 'Ghi chú'" in message


def test_cli_template_and_read_excel(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "cli.xlsx"
    assert (
        main(
            ["template", "province-2017", "-o", str(target), "--unit", "Đắk Lắk"],
            stdout=out,
            stderr=err,
        )
        == 0
    )
    wb = openpyxl.load_workbook(target)
    rows = _rows(wb["Đắk Lắk"])
    for node, points in DAKLAK.items():
        wb["Đắk Lắk"].cell(row=rows[node], column=COL["appraised_points"], value=points)
    wb.save(target)
    out = io.StringIO()
    assert main(["read-excel", str(target), "--format", "json"], stdout=out, stderr=err) == 0, (
        err.getvalue()
    )
    sheet = parindex.sheet_from_json(out.getvalue())
    assert (
        parindex.round_half_up(parindex.score("province-2017", sheet).unit("Đắk Lắk").total.index)
        == 75.37
    )
    assert json.loads(out.getvalue())["entries"][0] == {
        "unit": "Đắk Lắk",
        "node": "1",
        "points": 5.5,
        "appraised_points": 5.5,
    }
    err = io.StringIO()
    assert main(["read-excel", str(tmp_path / "nope.xlsx")], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith("parindex: error:")


@pytest.mark.parametrize("points", ["5,5", "abc", True])
def test_sheet_number_errors_carry_unit_and_node(points: object) -> None:
    # Core fix: the parse errors of a cell keep unit and node as attributes.
    with pytest.raises(parindex.errors.ScoreSheetError) as info:
        parindex.ScoreSheet.from_records([{"unit": "A", "node": "1", "points": points}])
    assert (info.value.unit, info.value.node, info.value.value) == ("A", "1", points)


def test_a_template_marker_with_spaces_around_it_is_still_the_marker(tmp_path: Path) -> None:
    # Retyping A1 by hand easily leaves a trailing space; the sheet must still be read.
    m = parindex.get_methodology("province-2017")
    path = parindex.write_excel_template(m, tmp_path / "s.xlsx", units=["A"])
    wb = openpyxl.load_workbook(path)
    wb["A"]["A1"] = wb["A"]["A1"].value + " "
    wb["A"].cell(row=_rows(wb["A"])["1"], column=COL["appraised_points"], value=5)
    wb.save(path)
    assert [e.points for e in parindex.load_excel_sheet(path).entries] == [5.0]
    wb["A"]["A1"] = "parindex-sheet/2"  # another format is not this one
    wb.save(path)
    with pytest.raises(parindex.errors.InputFormatError, match="no worksheet carries"):
        parindex.load_excel_sheet(path)
