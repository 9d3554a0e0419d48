"""The terminal score table: field and component names in full, in Vietnamese by
default or in English, under a table that stays within 100 columns; a header that says
what is known of the decision and why there is no band column."""

from __future__ import annotations

import io

import pytest

import parindex
from parindex.present.tables import score_table

# Đắk Lắk's 2023 components (index 87.33) and two fields, to show both tables.
_SHEET_2023 = (
    "unit,node,points\nĐắk Lắk,appraisal,57.92\nĐắk Lắk,impact,2.97\n"
    "Đắk Lắk,leader_survey,18.29\nĐắk Lắk,sipas,8.15\n"
)


def _table(mid: str, sheet: parindex.ScoreSheet, **options: object) -> str:
    language = options.pop("language", "vi")
    year = options.pop("year", None)
    m = parindex.get_methodology(mid)
    scores = parindex.score(m, sheet, year=year, **options)  # type: ignore[arg-type]
    out = io.StringIO()
    score_table(out, m, scores, parindex.rank(scores, year=year), language=language)  # type: ignore[arg-type]
    return out.getvalue()


def _daklak_2017(language: str = "vi") -> str:
    sheet = parindex.load_sheet("examples/daklak-2017.csv")
    return _table("province-2017", sheet, language=language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_fields_are_named_in_full_in_the_chosen_language(language: str) -> None:
    text = _daklak_2017(language)
    m = parindex.get_methodology("province-2017")
    legend = " ".join(text.split())  # a wrapped name, read as one line
    for node in m.tree:
        name = node.name_vi if language == "vi" else node.name_en
        assert f"{node.id} {name}" in legend
    assert "field 1" not in text
    other = "Cải cách thủ tục hành chính" if language == "en" else "Administrative procedure reform"
    assert other not in text


def test_columns_are_headed_by_ids_above_aligned_numbers() -> None:
    lines = _daklak_2017().splitlines()
    start = lines.index("field indices (%):")
    assert lines[start + 1].split() == ["unit", *"12345678"]
    assert lines[start + 2].split() == [
        "Đắk", "Lắk", "55.00", "81.60", "100.00", "74.82", "69.50", "72.00", "55.38", "90.06",
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_line_fits_100_columns_and_long_names_wrap_under_themselves(language: str) -> None:
    sheet = parindex.sheet_from_csv(_SHEET_2023)
    text = _table("province-2022", sheet, language=language, missing="unknown", year=2023)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    # 8's English name is 98 characters: it continues on a line indented past "8  ".
    if language == "en":
        at = next(i for i, line in enumerate(lines) if line.startswith("8  Impact"))
        assert lines[at + 1].startswith("   ")
        assert lines[at + 1].strip()
    assert "appraisal      Điểm thẩm định (Bộ Nội vụ)" in lines or language == "en"


def test_score_components_have_their_own_table_and_names() -> None:
    sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
    lines = _table("binhduong-district-2017", sheet).splitlines()
    start = lines.index("score component indices (%):")
    assert lines[start + 1].split() == ["unit", "appraisal", "survey"]
    assert "appraisal  Điểm thẩm định" in lines
    assert "survey     Điểm điều tra xã hội học" in lines
    assert "field indices (%):" not in lines  # no tree: no empty field table


def test_an_unknown_decision_number_says_what_is_known_not_decision_unknown() -> None:
    sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
    lines = _table("binhduong-district-2017", sheet).splitlines()
    assert lines[0] == (
        "binhduong-district-2017: Chỉ số CCHC của UBND các huyện, thị xã, thành phố tỉnh "
        "Bình Dương (2017)"
    )
    assert lines[1] == "decision: number not identified in the sources (UBND tỉnh Bình Dương)"
    assert "decision unknown" not in "\n".join(lines)
    assert _daklak_2017().splitlines()[1] == "decision: 2948/QĐ-BNV of 2017-12-28 (Bộ Nội vụ)"


def test_an_illustrative_methodology_says_so() -> None:
    sheet = parindex.load_sheet("examples/illustrative-district-2024.csv")
    lines = _table("illustrative-district", sheet).splitlines()
    assert lines[1] == "NOT OFFICIAL: an illustration, not a published methodology"
    assert lines[2].startswith("ties: min; bands of 2024; ")


def test_no_band_column_when_there_are_no_bands_and_the_header_says_why() -> None:
    sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
    lines = _table("binhduong-district-2017", sheet).splitlines()
    assert lines[2].startswith("ties: min; no bands in this methodology; ")
    assert lines[4].split() == ["rank", "unit", "group", "points", "max", "index"]
    scored = parindex.sheet_from_csv(_SHEET_2023)
    with pytest.warns(parindex.errors.NoBandsWarning):
        no_year = _table("province-2022", scored, missing="unknown")
    assert "no bands without an evaluation year (known for 2022, 2023, 2024)" in " ".join(
        no_year.split()
    )
    assert " band" not in no_year.split("\n\n")[1].splitlines()[0]
    banded = _table("province-2022", scored, missing="unknown", year=2023).splitlines()
    assert banded[4].split()[-1] == "band"
    assert banded[5].split()[-1] == "B"


def test_a_language_other_than_vi_or_en_is_refused() -> None:
    with pytest.raises(parindex.errors.InputFormatError, match="language"):
        _daklak_2017("fr")
