"""JSON's usual score sheet read in one pass: rows of a ``unit``, a ``node`` and
``points``, as the service and ``sheet_from_json`` receive them by the thousand. Any
other row is read by :func:`parindex.model.entries.entries_from_rows`, which gives the
same entries for these rows and words every refusal."""

from __future__ import annotations

import math
from collections.abc import Sequence

from parindex.model.entries import (
    ScoreEntry,
    _checked_entry,
    _clean,
)

__all__ = ["plain_entries"]


def plain_entries(records: Sequence[object]) -> list[ScoreEntry] | None:
    """The entries of ``records`` when every one is the commonest row, a dict of a
    ``unit`` and a ``node`` (text) and ``points`` (a finite float or an integer, not
    negative), as a JSON sheet gives them; else None, and the rows are read one by one
    (:func:`entries_from_rows`), which gives the same entries for these rows, and words
    the refusal of any other. The same checks, made once per distinct name.

    Example:
        >>> from parindex.model.plain import plain_entries
        >>> plain_entries([{"unit": " A ", "node": "1", "points": 9.5}])[0].unit
        'A'
        >>> plain_entries([{"unit": "A", "node": "1", "points": -1.0}]) is None
        True
    """
    memo: dict[str, str | None] = {}
    out: list[ScoreEntry] = []
    for rec in records:
        if type(rec) is not dict or len(rec) != 3:
            return None
        unit, node, points = rec.get("unit"), rec.get("node"), rec.get("points")
        if type(unit) is not str or type(node) is not str:
            return None
        if type(points) is not float:
            if type(points) is not int or not 0 <= points < 2**53:
                return None
            points = float(points)
        elif not 0.0 <= points < math.inf:
            return None
        clean_unit = memo[unit] if unit in memo else _clean(memo, unit)
        clean_node = memo[node] if node in memo else _clean(memo, node)
        if not clean_unit or not clean_node:
            return None
        out.append(
            _checked_entry(clean_unit, clean_node, points, None, False, None, None, None, "")
        )
    return out
