"""Unit identity when scoring (định danh đơn vị): every unit of a sheet resolved to its
official name and code before it is scored, so that one unit written two ways is one
unit or an error, never two ranks.

:func:`score_units` is what :func:`parindex.score` runs: it finds the roster of the
methodology's level (provinces and ministries are shipped; communes, wards and special
zones come with ``parindex[units]``; departments from the caller's roster file),
resolves the sheet's names with :func:`parindex.analysis.names.resolve_units`, scores
the sheet under the official names and keeps the names as given on the result
(:attr:`parindex.Scores.resolution`). A level without a roster is scored as given.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from parindex.analysis.names import resolve_units
from parindex.engine.scores import Scores, score
from parindex.errors import (
    DuplicateEntryError,
    InputFormatError,
    ParIndexWarning,
    RosterUnavailableError,
    UnknownUnitError,
)
from parindex.io.rosters import roster_for
from parindex.model.methodology import Methodology, ensure_methodology
from parindex.model.sheet import ScoreSheet, as_sheet
from parindex.model.units import Roster, UnitResolution

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "UnitsPolicy",
    "UnresolvedUnitsWarning",
    "resolve_names",
    "resolve_sheet",
    "score_units",
]

UnitsPolicy = Literal["resolve", "free"]


class UnresolvedUnitsWarning(ParIndexWarning):
    """The units could not be checked against a roster (its optional package is not
    installed): they are scored under the names given.

    Example:
        >>> from parindex.analysis.identity import UnresolvedUnitsWarning
        >>> issubclass(UnresolvedUnitsWarning, UserWarning)
        True
    """


def resolve_sheet(
    methodology: Methodology,
    sheet: ScoreSheet,
    *,
    year: int | None = None,
    units: UnitsPolicy = "resolve",
    roster: Roster | str | Path | None = None,
) -> tuple[ScoreSheet, UnitResolution | None]:
    """The sheet under its units' official names, and how each name was resolved
    (``None`` when the level has no roster and none was given).

    ``units="free"`` keeps a name that matches no roster unit as given (a unit outside
    the roster); two spellings of one unit are an error either way. ``roster``: a
    :class:`~parindex.model.units.Roster` or a roster file (departments).

    Example:
        >>> import parindex
        >>> from parindex.analysis.identity import resolve_sheet
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "ĐẮK LẮK", "node": "total", "points": 70}])
        >>> renamed, how = resolve_sheet(parindex.get_methodology("province-2018"), sheet)
        >>> renamed.units, how.code_of("ĐẮK LẮK")
        (('Đắk Lắk',), '66')
    """
    rows = [e.unit for e in sheet.entries]
    resolution = resolve_names(methodology, rows, year=year, units=units, roster=roster)
    return (sheet, None) if resolution is None else (resolution.rename(sheet), resolution)


def resolve_names(
    methodology: Methodology,
    names: Sequence[str],
    *,
    year: int | None = None,
    units: UnitsPolicy = "resolve",
    roster: Roster | str | Path | None = None,
) -> UnitResolution | None:
    """How each distinct name of ``names`` (one per row, in row order) resolves against
    the roster of the methodology's level, or ``None`` when there is no roster.

    Example:
        >>> import parindex
        >>> from parindex.analysis.identity import resolve_names
        >>> how = resolve_names(parindex.get_methodology("province-2018"), ["Dak Lak", "Dak Lak"])
        >>> how.mapping
        {'Dak Lak': 'Đắk Lắk'}
    """
    if units not in ("resolve", "free"):
        raise InputFormatError(f"units={units!r} is not one of resolve, free")
    m = ensure_methodology(methodology)
    when = year if year is not None else max(m.evaluation_years, default=None)
    if isinstance(roster, Roster):
        chosen = roster
    elif when is None and roster is None:
        return None  # no evaluation year: no roster to choose
    else:
        try:
            chosen = roster_for(m.level, year=when or 0, province=m.issuer_region, path=roster)
        except RosterUnavailableError as err:
            if err.install:
                warnings.warn(UnresolvedUnitsWarning(f"units scored as given: {err}"), stacklevel=3)
            return None
    try:
        return resolve_units(
            list(dict.fromkeys(names)),
            chosen,
            province=m.issuer_region if chosen.provinces() else None,
            free=units == "free",
        )
    except DuplicateEntryError as err:
        raise _with_rows(err, names) from None
    except UnknownUnitError as err:
        # Said in the words of this function: units="free" (the CLI: --units free).
        message = str(err).replace("free=True", 'units="free"')
        raise UnknownUnitError(message, unit=err.unit, node=err.node, value=err.value) from None


def _with_rows(err: DuplicateEntryError, rows: Sequence[str]) -> DuplicateEntryError:
    """The error naming the rows (entries) where each spelling first appears."""
    names = err.value if isinstance(err.value, tuple | list) else ()
    first = {u: i + 1 for i, u in reversed(list(enumerate(rows)))}
    found = [f"{n!r} in entry {first[n]}" for n in names if n in first]
    where = f" ({', '.join(found)})" if found else ""
    return DuplicateEntryError(f"{err}{where}", unit=err.unit, node=err.node, value=err.value)


def score_units(
    methodology: Methodology,
    /,
    sheet: ScoreSheet | pd.DataFrame,
    *,
    year: int | None = None,
    units: UnitsPolicy = "resolve",
    roster: Roster | str | Path | None = None,
    **options: Any,
) -> Scores:
    """Score every unit of a sheet under a methodology, each unit first resolved to its
    official name and code (``parindex.score``). Pure and deterministic.

    Args:
        methodology: a :class:`~parindex.Methodology` (``parindex.score`` also takes an
            id, alias, decision number or ``level-year`` key).
        sheet: a :class:`~parindex.ScoreSheet`, or a tidy DataFrame (not modified).
        year: the evaluation year (bands; which roster: before or after 1 July 2025).
        units: ``"resolve"`` (default): a name matching no unit of the level's roster
            is an error naming the closest; ``"free"``: such names are kept as given.
            Two spellings of one unit are an error either way. Levels without a
            roster (districts, departments without ``roster``) are scored as given.
        roster: a roster, or a roster file (CSV/YAML), e.g. a province's departments.
        options: ``missing``, ``rate_scale``, ``collect_all`` of
            :func:`parindex.engine.scores.score`.

    The result keeps each unit's name as given and its code
    (:meth:`~parindex.Scores.given_name`, :meth:`~parindex.Scores.unit_code`).

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([
        ...     {"unit": u, "node": "total", "points": p}
        ...     for u, p in [("Hà Nội", 80), ("Ha Noi", 70)]])
        >>> parindex.score("province-2018", sheet)
        Traceback (most recent call last):
        ...
        parindex.errors.DuplicateEntryError: 'Hà Nội' and 'Ha Noi' are one unit, 'Hà Nội' (code 01): give each unit once, under one name ('Hà Nội' in entry 1, 'Ha Noi' in entry 2)
    """
    m = ensure_methodology(methodology)
    given = as_sheet(sheet, collect_all=bool(options.get("collect_all", False)))
    renamed, resolution = resolve_sheet(m, given, year=year, units=units, roster=roster)
    scores = score(m, renamed, year=year, **options)
    return scores if resolution is None else attrs.evolve(scores, resolution=resolution)
