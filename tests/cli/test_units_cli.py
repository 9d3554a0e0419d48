"""``parindex units``: list a roster, resolve names to official names and codes (exit 2
with one line on stderr when a name is unknown or ambiguous), find a merged unit's
successor."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from parindex.cli import main
from parindex.io import rosters


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_list_the_34_provinces_of_2025() -> None:
    code, out, err = run("units", "list", "--level", "province", "--year", "2025")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["unit_code", "unit", "level", "province"]
    assert len(lines) == 1 + 34
    assert any(line.split()[:3] == ["66", "Đắk", "Lắk"] for line in lines)
    code, out, _ = run("units", "list", "--level", "province", "--year", "2024", "--format", "json")
    assert code == 0
    assert len(json.loads(out)) == 63


def test_resolve_provinces_as_json_keeps_the_spelling_given() -> None:
    code, out, err = run(
        "units", "resolve", "--level", "province", "--year", "2017", "--format", "json",
        "Dak Lak", "TP. Hà Nội",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == [
        {"given_name": "Dak Lak", "unit": "Đắk Lắk", "unit_code": "66"},
        {"given_name": "TP. Hà Nội", "unit": "Hà Nội", "unit_code": "01"},
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["Hà Nội", "Ha Noi"], "'Hà Nội' and 'Ha Noi' are one unit"),
        (["Atlantis"], "unit 'Atlantis' matches none of the 34 units"),
        (["Bắc Kạn"], "Bắc Kạn became part of Thái Nguyên (code 19)"),
    ],
)
def test_a_bad_name_exits_2_with_one_line(names: list[str], message: str) -> None:
    code, out, err = run("units", "resolve", "--level", "province", "--year", "2025", *names)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("parindex: error: ")
    assert message in err


def test_free_and_a_roster_file_of_departments(tmp_path: Path) -> None:
    path = tmp_path / "haiphong-departments.csv"
    path.write_text(
        "name,aliases\nSở Nội vụ,\nThanh tra thành phố,Thanh tra TP\n", encoding="utf-8"
    )
    args = ["units", "resolve", "--level", "department", "--year", "2025", "--format", "csv"]
    code, out, err = run(*args, "--roster", str(path), "thanh tra tp", "SO NOI VU")
    assert code == 0, err
    assert out.splitlines() == [
        "given_name,unit,unit_code",
        "thanh tra tp,Thanh tra thành phố,",
        "SO NOI VU,Sở Nội vụ,",
    ]
    code, _, err = run(*args, "--roster", str(path), "Sở Ngoại vụ")
    assert code == 2
    assert "closest: 'Sở Nội vụ'" in err
    code, out, _ = run(*args, "--roster", str(path), "--free", "Sở Ngoại vụ")
    assert (code, out.splitlines()[1]) == (0, "Sở Ngoại vụ,Sở Ngoại vụ,")
    # No roster at all: --free keeps every name as given; without it, where to put one.
    code, out, _ = run(*args, "--free", "Sở Ngoại vụ", "=cmd")
    assert (code, out.splitlines()[2]) == (0, "'=cmd,'=cmd,")  # no formula in a CSV cell
    code, _, err = run(*args, "Sở Ngoại vụ")
    assert code == 2
    assert "supplied by you, as a roster file" in err


def test_successor_of_merged_provinces() -> None:
    code, out, err = run("units", "successor", "--format", "json", "Bac Kan", "Phú Yên")
    assert code == 0, err
    doc = json.loads(out)
    assert [(d["unit"], d["unit_code"], d["joined"]) for d in doc] == [
        ("Thái Nguyên", "19", ["Bắc Kạn", "Thái Nguyên"]),
        ("Đắk Lắk", "66", ["Phú Yên", "Đắk Lắk"]),
    ]
    assert doc[0]["predecessor_code"] == "06"
    assert doc[0]["effective"] == "2025-07-01"
    code, _, err = run("units", "successor", "Huế")
    assert code == 2
    assert "none of the 63 units before the merger" in err


def test_the_missing_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)
    rosters._package_units.cache_clear()
    try:
        code, out, err = run(
            "units", "resolve", "--level", "ward", "--province", "Hải Phòng", "--year", "2025",
            "--free", "Hồng Bàng",
        )  # fmt: skip
    finally:
        rosters._package_units.cache_clear()
    assert (code, out) == (2, "")
    assert 'pip install "parindex[units]"' in err
    assert err.count("\n") == 1


# --------------------------------------------------------------------------- the package


@pytest.fixture
def package() -> None:
    pytest.importorskip("vietnam_provinces")


@pytest.mark.usefixtures("package")
def test_resolve_hai_phong_wards_as_the_issue_asks() -> None:
    code, out, err = run(
        "units", "resolve", "--level", "ward", "--province", "Hải Phòng", "--year", "2025",
        "--format", "json", "P. Hồng Bàng", "phường hải an", "Hong An",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == [
        {"given_name": "P. Hồng Bàng", "unit": "Phường Hồng Bàng", "unit_code": "11311"},
        {"given_name": "phường hải an", "unit": "Phường Hải An", "unit_code": "11413"},
        {"given_name": "Hong An", "unit": "Phường Hồng An", "unit_code": "11602"},
    ]


@pytest.mark.usefixtures("package")
def test_unknown_and_ambiguous_communes_exit_2() -> None:
    code, _, err = run(
        "units",
        "resolve",
        "--level",
        "ward",
        "--province",
        "Hải Phòng",
        "--year",
        "2025",
        "Hồng Bàngg",
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "closest: 'Phường Hồng Bàng' (Hải Phòng, code 11311)" in err
    code, _, err = run("units", "resolve", "--level", "commune", "--year", "2025", "Tân Lập")
    assert code == 2
    assert "is ambiguous" in err
    assert "give the province" in err
    code, _, err = run("units", "resolve", "--level", "commune", "--year", "2024", "Tân Lập")
    assert code == 2
    assert "no roster of communes for 2024" in err


@pytest.mark.usefixtures("package")
def test_list_the_wards_of_a_province_written_any_way() -> None:
    code, out, err = run(
        "units", "list", "--level", "ward", "--year", "2025", "--province", "tp hai phong",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc) == 45
    assert {d["level"] for d in doc} == {"ward"}
    assert {
        "unit_code": "11311",
        "unit": "Phường Hồng Bàng",
        "level": "ward",
        "province": "Hải Phòng",
    } in doc
    code, _, err = run("units", "list", "--level", "province", "--year", "2025", "--province", "X")
    assert code == 2
    assert "not divided by province" in err
