"""Every problem of a sheet at once (``collect_all=True``), whichever step finds it.

Reading a sheet and scoring it are separate steps, and each stops at its own first
problem unless asked to collect. In collect-all mode the rows that cannot be read are
set aside and the rest are scored with every check, so one unreadable cell does not
hide an unknown node or points above a maximum elsewhere; the problems of both steps
are raised together, each with its row (:attr:`~parindex.errors.ScoreSheetError.row`),
in sheet order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from parindex._text import plural
from parindex.errors import MissingDataError, ScoreSheetError, ScoreSheetErrors
from parindex.model.sheet import ScoreSheet

__all__ = ["collecting"]

T = TypeVar("T")


def collecting(
    read: Callable[[bool], ScoreSheet], collect_all: bool, then: Callable[[ScoreSheet], T]
) -> T:
    """``then(read(collect_all))``; with ``collect_all``, the problems of reading the
    sheet and of ``then`` raised together (one problem alone is raised as itself).
    ``read`` reads the sheet, collecting its problems when passed ``True``.

    Example:
        >>> import pandas as pd
        >>> import parindex
        >>> from parindex.engine.collect import collecting
        >>> from parindex.model.sheet import as_sheet
        >>> frame = pd.DataFrame({"unit": ["A", "A"], "node": ["1", "9"], "points": ["x", "1"]})
        >>> m = parindex.get_methodology("province-2017")
        >>> try:
        ...     collecting(lambda collect: as_sheet(frame, collect_all=collect), True,
        ...                lambda s: parindex.engine.scores.score(m, s, collect_all=True))
        ... except parindex.errors.ScoreSheetErrors as group:
        ...     found = [(type(e).__name__, e.row) for e in group.exceptions]
        >>> found
        [('InvalidValueError', 1), ('UnknownNodeError', 2)]
    """
    if not collect_all:
        return then(read(False))
    unreadable: list[ScoreSheetError] = []
    places: Sequence[int] | None = None
    try:
        readable = read(True)
    except ScoreSheetErrors as group:
        if group.partial is None:
            raise
        readable, places = group.partial
        unreadable = leaves(group)
    try:
        result = then(readable)
    except ScoreSheetErrors as group:
        found = leaves(group)
    except ScoreSheetError as err:
        found = [err]
    else:
        found = []
    _place(found, readable, places)
    # A unit whose cell could not be read is partly given because of that cell: saying
    # so again as missing data would report one problem twice.
    unreadable_units = {e.unit for e in unreadable}
    found = [
        e for e in found if not (isinstance(e, MissingDataError) and e.unit in unreadable_units)
    ]
    problems = unreadable + found
    if not problems:
        return result
    problems.sort(key=lambda e: (e.row is None, e.row or 0))
    if len(problems) == 1:
        raise problems[0]
    raise ScoreSheetErrors(f"{plural(len(problems), 'problem')} in the score sheet", problems)


def leaves(group: BaseExceptionGroup[Any]) -> list[ScoreSheetError]:
    """The errors of a group, nested groups flattened."""
    out: list[ScoreSheetError] = []
    for e in group.exceptions:
        out.extend(leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out


def _place(found: list[ScoreSheetError], sheet: ScoreSheet, places: Sequence[int] | None) -> None:
    """Give each problem of one entry its row in the sheet as given (``places``: the
    row of each entry of ``sheet``, when some rows were set aside)."""
    position: dict[tuple[str, str], int] | None = None
    for err in found:
        if err.row is not None:  # its place among the rows of ``sheet``
            if places is not None and 0 < err.row <= len(places):
                err.row = places[err.row - 1]
            continue
        if err.unit is None or err.node is None:
            continue
        if position is None:
            position = {(e.unit, e.node): i for i, e in enumerate(sheet.entries)}
        i = position.get((err.unit, err.node))
        if i is not None:
            err.row = i + 1 if places is None else places[i]
