"""What a newcomer feeds the CLI: Excel workbooks, CSVs saved by Excel in a Vietnamese
locale (semicolons, decimal commas, UTF-16), sheets that name their methodology; and
messages in the command line's words."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import parindex
from parindex.cli import main

ROWS = "unit;node;points\r\nĐắk Lắk;1;5,5\r\nĐắk Lắk;2;8,16\r\n"


def _run(
    argv: list[str], stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out, err = io.StringIO(), io.StringIO()
    return main(argv, stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_semicolon_csv_from_excel_is_read_in_any_of_its_encodings(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(ROWS.encode(encoding))
    status, out, err = _run(["score", "-m", "province-2017", "--missing", "zero", str(path)])
    assert (status, err) == (0, "")
    assert "13.66" in out  # 5.5 + 8.16


def test_stdin_is_decoded_like_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = _run(
        ["score", "-m", "province-2017", "--missing", "zero", "-"],
        stdin=ROWS.encode("utf-16"),
        monkeypatch=monkeypatch,
    )
    assert (status, err) == (0, "")
    assert "13.66" in out


def test_a_legacy_encoding_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("unit,node,points\nĐà Nẵng,1,5\n".encode("cp1258", errors="ignore"))
    status, _, err = _run(["score", "-m", "province-2017", str(path)])
    assert status == 2
    assert "CSV UTF-8" in err


def _filled_template(tmp_path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "sheet.xlsx"
    assert main(["template", "province-2017", "--unit", "Đắk Lắk", "-o", str(path)],
                stdout=io.StringIO()) == 0  # fmt: skip
    wb = openpyxl.load_workbook(path)
    wb["Đắk Lắk"]["H7"] = 5.5
    wb.save(path)
    return path


def test_score_reads_a_workbook_directly(tmp_path: Path) -> None:
    path = _filled_template(tmp_path)
    status, out, err = _run(["score", "-m", "province-2017", "--missing", "zero", str(path)])
    assert (status, err) == (0, "")
    assert "5.50" in out


def test_a_workbook_scored_under_another_methodology_is_refused(tmp_path: Path) -> None:
    path = _filled_template(tmp_path)
    status, _, err = _run(["score", "-m", "illustrative-district", str(path)])
    assert status == 2
    assert "declares methodology province-2017, not illustrative-district" in err
    assert parindex.load_sheet(path).methodology == "province-2017"


def test_a_json_sheet_names_its_methodology(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    doc = {"methodology": "province-2017", "entries": [{"unit": "A", "node": "1", "points": 5}]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    status, _, err = _run(["score", "-m", "illustrative-district", str(path)])
    assert (status, err.count("\n")) == (2, 1)
    assert "declares methodology province-2017" in err
    sheet = parindex.load_sheet(path)
    assert json.loads(sheet.to_json())["methodology"] == "province-2017"
    assert parindex.sheet_from_json(sheet.to_json()) == sheet
    assert (
        parindex.score("province-2017", sheet, missing="zero", units="free").unit("A").total.points
        == 5
    )


def test_messages_name_flags_not_python_arguments(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("unit,node,points\nĐắk Lắk,1,5\n", encoding="utf-8")
    status, _, err = _run(["score", "-m", "province-2017", str(path)])
    assert status == 2
    assert "--missing zero or --missing unknown" in err
    assert "missing=" not in err
    status, _, err = _run(["show", "876/QĐ-BNV"])
    assert status == 2
    assert "level=" not in err
    assert "province-2022" in err
