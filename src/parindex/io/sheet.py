"""Score-sheet files and texts: tidy CSV or JSON to a :class:`ScoreSheet`.

Every reader checks size, encoding, shape and the number of rows (at most
:data:`~parindex.limits.MAX_SHEET_ROWS`; ``max_rows=`` raises it), then hands plain rows
to the model's :meth:`ScoreSheet.from_records` checks, so that each input path refuses
the same things.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from parindex._text import unneutralize_cell
from parindex.errors import InputFormatError
from parindex.io.safe import MAX_FILE_BYTES, csv_delimiter, read_text_file, safe_parse
from parindex.limits import MAX_SHEET_ROWS
from parindex.model.sheet import (
    TEXT_COLUMNS,
    ScoreSheet,
    check_columns,
    check_rows,
    sheet_from_rows,
)

__all__ = ["load_sheet", "sheet_from_csv", "sheet_from_dict", "sheet_from_json"]


def sheet_from_csv(
    text: str,
    *,
    decimal_comma: bool = False,
    collect_all: bool = False,
    name: str = "<csv>",
    max_rows: int = MAX_SHEET_ROWS,
) -> ScoreSheet:
    """Parse tidy CSV text (header row required; CRLF and a BOM are fine; cells
    separated by semicolons, as Excel saves CSV where the decimal mark is a comma, are
    read with that decimal comma). A text cell
    written with a leading ``'`` to keep a spreadsheet from running it (``'=x``, see
    :meth:`ScoreSheet.to_csv`) is read without it.

    Example:
        >>> import parindex
        >>> parindex.sheet_from_csv("unit,node,points\\r\\nA,1,9.5\\r\\n").to_records()
        [{'unit': 'A', 'node': '1', 'points': 9.5}]
        >>> parindex.sheet_from_csv("unit,node,points\\n'=A,1,9.5\\n").units
        ('=A',)
        >>> parindex.sheet_from_csv("unit;node;points\\nA;1;9,5\\n").to_records()  # Excel, vi-VN
        [{'unit': 'A', 'node': '1', 'points': 9.5}]
    """
    check_rows(0, max_rows)  # a bound that is not a row count is refused up front
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
        raise InputFormatError(f"{name}: over the size limit of {MAX_FILE_BYTES} bytes")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputFormatError(f"{name}: the file is empty")
    delimiter = csv_delimiter(text)
    if delimiter == ";":
        # Excel in a locale whose decimal mark is a comma (Vietnamese among them) saves
        # "CSV" with semicolons between cells; there a comma in a number is the decimal
        # mark, never a thousands separator.
        decimal_comma = True
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
        header = reader.fieldnames or []
        check_columns([h.strip() for h in header], name)
        text_columns = [h for h in header if h.strip() in TEXT_COLUMNS]
        rows: list[tuple[str, Mapping[str, Any]]] = []
        for row in reader:
            if None in row:
                raise InputFormatError(f"{name} line {reader.line_num}: more cells than columns")
            for k in text_columns:
                if row[k]:
                    row[k] = unneutralize_cell(row[k])
            rec = {(k or "").strip(): v for k, v in row.items()}
            if not any((v or "").strip() for v in rec.values()):
                continue  # a fully blank line
            if len(rows) == max_rows:  # count the rest only to say how many there are
                check_rows(max_rows + 1 + sum(1 for _ in reader), max_rows)
            rows.append((f"{name} line {reader.line_num}", rec))
    except csv.Error as err:
        raise InputFormatError(f"{name}: malformed CSV: {err}") from None
    if not rows:
        raise InputFormatError(f"{name}: no entries (only a header)")
    return sheet_from_rows(rows, decimal_comma=decimal_comma, collect_all=collect_all)


def sheet_from_json(
    text: str,
    *,
    decimal_comma: bool = False,
    collect_all: bool = False,
    name: str = "<json>",
    max_rows: int = MAX_SHEET_ROWS,
) -> ScoreSheet:
    """Parse JSON: a list of entries, or ``{"entries": [...]}``.

    Example:
        >>> import parindex
        >>> parindex.sheet_from_json('[{"unit": "A", "node": "1", "points": 9.5}]').to_records()
        [{'unit': 'A', 'node': '1', 'points': 9.5}]
    """
    if not text.lstrip().removeprefix("\ufeff").lstrip().startswith(("[", "{")):
        raise InputFormatError(
            f'{name}: not JSON (a JSON sheet starts with "[" or "{{"); for CSV use '
            "sheet_from_csv or a .csv file"
        )
    data = safe_parse(text.lstrip().removeprefix("\ufeff"), name=name)
    return sheet_from_dict(
        data, decimal_comma=decimal_comma, collect_all=collect_all, name=name, max_rows=max_rows
    )


def sheet_from_dict(
    data: object,
    *,
    decimal_comma: bool = False,
    collect_all: bool = False,
    name: str = "sheet",
    max_rows: int = MAX_SHEET_ROWS,
) -> ScoreSheet:
    """A sheet from parsed JSON: a list of entries, or ``{"entries": [...]}`` with an
    optional ``"methodology"``: the id the sheet was written for, which scoring then
    checks (:attr:`ScoreSheet.methodology`).

    Example:
        >>> from parindex.io.sheet import sheet_from_dict
        >>> sheet_from_dict({"entries": [{"unit": "A", "node": "1", "points": 9.5}]}).units
        ('A',)
    """
    declared = None
    if isinstance(data, Mapping):
        unknown = set(data) - {"entries", "methodology"}
        if unknown:
            raise InputFormatError(f"{name}: unknown keys {sorted(map(str, unknown))}")
        declared = data.get("methodology")
        if declared is not None and (not isinstance(declared, str) or not declared.strip()):
            raise InputFormatError(
                f"{name}: 'methodology' must be a methodology id (text), got {declared!r}"
            )
        data = data.get("entries")
    if not isinstance(data, list):
        raise InputFormatError(f'{name}: expected a list of entries or {{"entries": [...]}}')
    if not data:
        raise InputFormatError(f"{name}: no entries")
    sheet = ScoreSheet.from_records(
        data, decimal_comma=decimal_comma, collect_all=collect_all, max_rows=max_rows
    )
    return sheet if declared is None else attrs.evolve(sheet, methodology=declared.strip())


def load_sheet(
    path: str | Path,
    *,
    decimal_comma: bool = False,
    collect_all: bool = False,
    format: Literal["csv", "json"] | None = None,
    max_rows: int = MAX_SHEET_ROWS,
) -> ScoreSheet:
    """Read a sheet file: CSV, JSON when the name ends in ``.json``, or a filled-in
    Excel template (``.xlsx``, :func:`~parindex.io.excel.load_excel_sheet`).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/daklak-2017.csv")
        >>> sheet.units
        ('Đắk Lắk',)
    """
    if format is None and Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        from parindex.io.excel import load_excel_sheet  # openpyxl only when needed

        return load_excel_sheet(path, decimal_comma=decimal_comma or None, collect_all=collect_all)
    text = read_text_file(path)
    fmt = format or ("json" if str(path).lower().endswith(".json") else "csv")
    if fmt == "json":
        return sheet_from_json(
            text,
            decimal_comma=decimal_comma,
            collect_all=collect_all,
            name=str(path),
            max_rows=max_rows,
        )
    return sheet_from_csv(
        text,
        decimal_comma=decimal_comma,
        collect_all=collect_all,
        name=str(path),
        max_rows=max_rows,
    )
