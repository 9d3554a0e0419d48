"""Bounds on the work one input may ask for (giới hạn), in one place.

Every bound is a named constant, enforced where input enters (readers, the CLI, the
HTTP service) with :class:`~parindex.errors.LimitExceededError` naming the constant.
Where a caller can sensibly need more, the reader takes a keyword argument to raise
it; the message says which. The docs page "Limits and guarantees" lists them all.

The sizes follow the country: 34 provinces, 3,321 commune-level units nationwide
(10,599 before the 2025 merger), a province scoring some 100-170 communes, a
methodology of a few hundred nodes and a handful of bands.

Example:
    >>> from parindex import limits
    >>> limits.MAX_SHEET_ROWS >= 1_000_000
    True
    >>> limits.MAX_DRAW_CELLS >= 3_321 * 10_000  # 10,000 draws for every commune
    True
"""

from __future__ import annotations

from parindex.errors import LimitExceededError

__all__ = [
    "MAX_BANDS",
    "MAX_DRAW_CELLS",
    "MAX_SHEET_ROWS",
    "MAX_SURVEY_BYTES",
    "MAX_SURVEY_ROWS",
    "MAX_UNITS",
    "MAX_UNPACKED_BYTES",
    "MAX_WORKSHEETS",
    "MAX_WORKSHEET_COLUMNS",
    "MAX_WORKSHEET_ROWS",
    "MAX_YEAR",
    "MIN_YEAR",
    "check_limit",
]

#: Rows of one score sheet (CSV, JSON, Excel, frames): 3,321 units x ~150 leaves fits
#: with room to spare.
MAX_SHEET_ROWS = 5_000_000

#: Units in one sheet or survey: every commune-level unit of the country, even before
#: the 2025 merger (10,599), fits; a province scores some 100-170 communes.
MAX_UNITS = 20_000

#: Bands of one evaluation year: the decisions use two to five (A/B; Xuất sắc ... Yếu).
#: The bound keeps a hostile file from asking for millions of comparisons.
MAX_BANDS = 100

#: Monte Carlo draws x units: 10,000 draws for each of the 3,321 communes fit. A
#: simulation keeps three numbers a cell (index, rank, band): 24 bytes, so about
#: 1 GB at the bound; the draws themselves are scored in blocks of bounded size.
MAX_DRAW_CELLS = 40_000_000

#: What the parts of one .xlsx workbook may unpack to (a zip bomb stops here): a
#: province's workbook of ~170 unit worksheets unpacks to about 10 MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

#: Worksheets of one workbook (one per unit): a province's ~170 communes fit.
MAX_WORKSHEETS = 500

#: Rows read from one worksheet: a methodology has a few hundred nodes.
MAX_WORKSHEET_ROWS = 50_000

#: Columns read from one worksheet (the template has 12; a table, 6): cells further
#: right are not read, so a cell placed at column XFD cannot pad every row to 16,384.
MAX_WORKSHEET_COLUMNS = 256

#: Size of one survey response file: room for MAX_SURVEY_ROWS rows with long
#: Vietnamese unit names (~60-120 bytes a row).
MAX_SURVEY_BYTES = 256 * 1024 * 1024

#: Rows of one survey response file or frame (one row per respondent and item): a
#: national round of tens of thousands of respondents x a few dozen items is one to
#: two million rows. Counted before the rows are parsed into a frame.
MAX_SURVEY_ROWS = 3_000_000

#: Evaluation years taken (``year=``, ``--year``), inclusive: PAR INDEX began in 2012
#: and its decisions cover a few years each, so a year outside 1900-2200 is a typo
#: (20233) or garbage (10**20), refused before it reaches a lookup or a table.
MIN_YEAR = 1900
MAX_YEAR = 2200


def check_limit(
    what: str, value: int, limit: str, maximum: int, *, override: str = "", where: str = ""
) -> None:
    """Raise :class:`~parindex.errors.LimitExceededError` when ``value > maximum``.

    ``what`` says what was counted, ``limit`` names the constant, ``override`` the
    argument or flag that raises it (if any), ``where`` the file or part it was
    counted in (the message starts with it).

    Example:
        >>> from parindex.limits import check_limit
        >>> check_limit("rows", 10, "MAX_SHEET_ROWS", 100)
        >>> check_limit("rows", 101, "MAX_SHEET_ROWS", 100, override="max_rows=")
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: 101 rows is more than the limit MAX_SHEET_ROWS = 100; pass max_rows= to raise it
        >>> check_limit("worksheets", 501, "MAX_WORKSHEETS", 500, where="s.xlsx")
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: s.xlsx: 501 worksheets is more than the limit MAX_WORKSHEETS = 500
    """
    if value > maximum:
        hint = f"; pass {override} to raise it" if override else ""
        prefix = f"{where}: " if where else ""
        raise LimitExceededError(
            f"{prefix}{value} {what} is more than the limit {limit} = {maximum}{hint}",
            limit=limit,
            value=value,
            maximum=maximum,
        )
