"""Results across the 1 July 2025 merger (sáp nhập đơn vị hành chính): what became of
each unit of the previous structure.

A rank change (``rank_change``) compares a unit with itself. After the merger the
63 provinces of 2024 are 34, so a 2024 unit has no 2025 rank of its own: it is part of a
successor that may have joined others. :func:`change_across_merger` puts each former
unit beside its successor, says how many units the successor joined, and gives the
change of index from the former unit to its successor. It gives no change of rank: a
rank among 63 and a rank among 34 are not on one scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parindex.analysis.names import find_successor
from parindex.analysis.ranking import Ranking
from parindex.errors import InputFormatError
from parindex.io.rosters import roster_for
from parindex.model.units import Roster

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["change_across_merger"]

_FIRST_YEAR_AFTER = 2025  # the evaluation year of the first results after the merger


def change_across_merger(
    current: Ranking, previous: Ranking, *, roster: Roster | None = None
) -> pd.DataFrame:
    """One row per unit of ``previous`` (before the merger): its rank and index, the
    unit of ``current`` it became part of, that unit's rank and index, how many former
    units it joined, and ``index_change`` (the successor's index minus the former
    unit's).

    Columns: ``previous_unit, previous_rank, previous_index, unit, unit_code, joined,
    rank, par_index, index_change``. ``rank`` and ``par_index`` are ``<NA>`` where the
    successor is not in ``current``. ``roster`` is the roster after the merger (by
    default that of ``current``'s level for its evaluation year, 2025 or later).

    Raises:
        UnknownUnitError: a unit of ``previous`` is not a unit of the previous
            structure.
        RosterUnavailableError: the roster follows no merger.

    Example:
        >>> import pandas as pd
        >>> import parindex
        >>> from parindex.analysis.merger import change_across_merger
        >>> m = parindex.get_methodology("province-2022")
        >>> def ranked(totals):  # illustrative totals, not published results
        ...     wide = pd.DataFrame({"unit": list(totals), "total": list(totals.values())})
        ...     return parindex.rank(parindex.score_frame(m, wide, wide=True, year=2024))
        >>> before = ranked({"Bắc Kạn": 80.0, "Thái Nguyên": 86.0, "Đắk Lắk": 84.0})
        >>> after = ranked({"Thái Nguyên": 85.0, "Đắk Lắk": 83.0})
        >>> provinces_2025 = parindex.io.rosters.province_roster(2025)
        >>> table = change_across_merger(after, before, roster=provinces_2025)
        >>> print(table[["previous_unit", "previous_rank", "unit", "joined", "rank", "index_change"]])
          previous_unit  previous_rank         unit  joined  rank  index_change
        0   Thái Nguyên              1  Thái Nguyên       2     1          -1.0
        1       Đắk Lắk              2      Đắk Lắk       2     2          -1.0
        2       Bắc Kạn              3  Thái Nguyên       2     1           5.0
    """
    import pandas as pd

    from parindex.engine.tables import INDEX_COLUMN, ResultFrame, label_column

    if roster is None:
        year = current.year if current.year is not None else _FIRST_YEAR_AFTER
        if year < _FIRST_YEAR_AFTER:
            raise InputFormatError(
                f"current is a ranking of {year}, before the merger of 1 July 2025: pass "
                "the ranking after it first, or roster= the roster after the merger"
            )
        roster = roster_for(current.methodology.level, year=year)
    now = {r.unit: r for r in current.rows()}
    rows = []
    for before in previous.rows():
        s = find_successor(before.unit, roster)
        after = now.get(s.successor.name)
        index = None if after is None else after.index
        rows.append(
            {
                "previous_unit": before.unit,
                "previous_rank": before.rank,
                "previous_index": before.index,
                "unit": s.successor.name,
                "unit_code": s.successor.code,
                "joined": len(s.joined),
                "rank": None if after is None else after.rank,
                INDEX_COLUMN: index,
                "index_change": None
                if index is None or before.index is None
                else round(index - before.index, 9),
            }
        )
    table = ResultFrame(rows, columns=None if rows else _COLUMNS)
    for name in ("previous_unit", "unit", "unit_code"):
        table[name] = label_column(table[name].to_numpy(dtype=object))
    for name in ("previous_rank", "rank"):
        table[name] = pd.array(table[name].to_numpy(dtype=object), dtype=_rank_dtype(current))
    for name in ("previous_index", INDEX_COLUMN, "index_change"):
        table[name] = pd.to_numeric(table[name], errors="coerce").astype("float64")
    return table


_COLUMNS = [
    "previous_unit",
    "previous_rank",
    "previous_index",
    "unit",
    "unit_code",
    "joined",
    "rank",
    "par_index",
    "index_change",
]


def _rank_dtype(ranking: Ranking) -> str:
    # Average ties give half ranks; every other policy whole ones.
    return "Float64" if ranking.ties == "average" else "Int64"
