"""Bounds on the work one input may ask for (giới hạn), in one place.

Every bound is a named constant, enforced where input enters (readers, the CLI, the
HTTP service) with :class:`~parindex.errors.LimitExceededError` naming the constant.
Where a caller can sensibly need more, the reader takes a keyword argument to raise
it; the message says which. The docs page "Limits and guarantees" lists them all.

Example:
    >>> from parindex import limits
    >>> limits.MAX_SHEET_ROWS >= 1_000_000
    True
"""

from __future__ import annotations

from parindex.errors import LimitExceededError

__all__ = ["MAX_SHEET_ROWS", "check_limit"]

#: Rows of one score sheet (CSV, JSON, Excel, frames): 3,321 units x ~150 leaves fits
#: with room to spare.
MAX_SHEET_ROWS = 5_000_000


def check_limit(what: str, value: int, limit: str, maximum: int, *, override: str = "") -> None:
    """Raise :class:`~parindex.errors.LimitExceededError` when ``value > maximum``.

    ``what`` says what was counted, ``limit`` names the constant, ``override`` the
    argument or flag that raises it (if any).

    Example:
        >>> from parindex.limits import check_limit
        >>> check_limit("rows", 10, "MAX_SHEET_ROWS", 100)
        >>> check_limit("rows", 101, "MAX_SHEET_ROWS", 100, override="max_rows=")
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: 101 rows is more than the limit MAX_SHEET_ROWS = 100; pass max_rows= to raise it
    """
    if value > maximum:
        hint = f"; pass {override} to raise it" if override else ""
        raise LimitExceededError(
            f"{value} {what} is more than the limit {limit} = {maximum}{hint}",
            limit=limit,
            value=value,
            maximum=maximum,
        )
