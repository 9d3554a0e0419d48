"""Unit identity when scoring (định danh đơn vị): every unit of a sheet resolved to its
official name and code before it is scored, so that one unit written two ways is one
unit or an error, never two ranks.

:func:`score_units` is what :func:`parindex.score` runs: it finds the roster of the
methodology's level (provinces and ministries are shipped; communes, wards and special
zones come with ``parindex[units]``; departments from the caller's roster file),
resolves the sheet's names with :func:`parindex.analysis.names.resolve_units`, scores
the sheet under the official names and keeps the names as given on the result
(:attr:`parindex.Scores.resolution`). A level without a roster is scored as given.

:class:`RosterLookup` answers questions about names without scoring anything (the
service's ``/units`` endpoints): which unit each of many names is, with what it could
have meant when it is none; which units a text finds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from parindex.analysis.names import (
    _check_name,
    _merged,
    _parses,
    _RosterMatcher,
    _scope,
    resolve_units,
)
from parindex.engine.collect import collecting
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
from parindex.model.units import Roster, RosterUnit, UnitResolution

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LookupStatus",
    "NameLookup",
    "RosterLookup",
    "UnitsPolicy",
    "UnresolvedUnitsWarning",
    "resolve_names",
    "resolve_sheet",
    "score_units",
]

UnitsPolicy = Literal["resolve", "free"]
LookupStatus = Literal["resolved", "unknown", "ambiguous", "merged"]


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
    resolution = _resolve(
        methodology,
        lambda: sheet.units,
        lambda: [e.unit for e in sheet.entries],
        year=year,
        units=units,
        roster=roster,
        stacklevel=3,
    )
    return (sheet, None) if resolution is None else (_renamed(sheet, resolution), resolution)


def _renamed(sheet: ScoreSheet, resolution: UnitResolution) -> ScoreSheet:
    """The sheet under the official names: what ``resolution.rename(sheet)`` gives,
    without rebuilding the entries already under their official name (rebuilding an
    entry re-checks every field: most of a service request's time, for nothing)."""
    mapping = {u: resolution.record(u).unit for u in sheet.units}
    if all(official == given for given, official in mapping.items()):
        return sheet  # the sheet was checked when built; a copy would be equal
    entries = tuple(
        e if mapping[e.unit] == e.unit else attrs.evolve(e, unit=mapping[e.unit])
        for e in sheet.entries
    )
    return ScoreSheet(entries, methodology=sheet.methodology)


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
    return _resolve(
        methodology,
        lambda: list(dict.fromkeys(names)),
        lambda: names,
        year=year,
        units=units,
        roster=roster,
        stacklevel=4,
    )


def _resolve(
    methodology: Methodology,
    distinct: Callable[[], Sequence[str]],
    rows: Callable[[], Sequence[str]],
    *,
    year: int | None,
    units: UnitsPolicy,
    roster: Roster | str | Path | None,
    stacklevel: int,
) -> UnitResolution | None:
    """:func:`resolve_names`, given the distinct names (in order of first appearance)
    and the name of every row as calls: the rows are listed only for an error to name
    where a spelling first appears (a sheet need not list its 500 rows' names).
    ``stacklevel``: the frame a warning points to, as it did before this helper."""
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
                warnings.warn(
                    UnresolvedUnitsWarning(f"units scored as given: {err}"), stacklevel=stacklevel
                )
            return None
    try:
        return resolve_units(
            distinct(),
            chosen,
            province=m.issuer_region if chosen.provinces() else None,
            free=units == "free",
        )
    except DuplicateEntryError as err:
        raise _with_rows(err, rows()) from None
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

    def run(given: ScoreSheet) -> Scores:
        renamed, resolution = resolve_sheet(m, given, year=year, units=units, roster=roster)
        scores = score(m, renamed, year=year, **options)
        return scores if resolution is None else attrs.evolve(scores, resolution=resolution)

    collect_all = bool(options.get("collect_all", False))
    return collecting(lambda collect: as_sheet(sheet, collect_all=collect), collect_all, run)


# --------------------------------------------------------------------------- look-ups


@attrs.frozen
class NameLookup:
    """What one given name is in a roster (:meth:`RosterLookup.look_up`).

    ``status`` is ``resolved`` (``unit`` is the unit; ``same_unit_as`` an earlier name
    of the list that is the same unit, if any), ``ambiguous`` (``candidates``: the
    units it could be), ``merged`` (a unit of the previous structure: ``predecessor``,
    and ``successor``, the unit it became part of) or ``unknown`` (``candidates``: the
    closest units, did you mean). ``message`` words any status but ``resolved`` as
    scoring would.

    Example:
        >>> import parindex
        >>> from parindex.analysis.identity import RosterLookup
        >>> found = RosterLookup.of(parindex.io.rosters.province_roster(2025)).look_up(["Bac Kan"])[0]
        >>> found.status, found.predecessor.name, found.successor.name
        ('merged', 'Bắc Kạn', 'Thái Nguyên')
    """

    given_name: str
    status: LookupStatus
    unit: RosterUnit | None = None
    candidates: tuple[RosterUnit, ...] = ()
    predecessor: RosterUnit | None = None
    successor: RosterUnit | None = None
    same_unit_as: str | None = None
    message: str | None = None


@attrs.frozen
class RosterLookup:
    """A roster made ready for look-ups by name: built once (for the 3,321 communes,
    wards and special zones, about a third of a second), then each name takes
    microseconds. Build it with :meth:`of`.

    Example:
        >>> import parindex
        >>> from parindex.analysis.identity import RosterLookup
        >>> provinces = RosterLookup.of(parindex.io.rosters.province_roster(2025))
        >>> [u.name for u in provinces.search("lam")]
        ['Lâm Đồng']
        >>> [(f.status, f.unit and f.unit.code) for f in provinces.look_up(["tp hồ chí minh", "HCM"])]
        [('resolved', '79'), ('unknown', None)]
    """

    roster: Roster
    province: str | None = None
    """The official name of the province the roster was narrowed to, or None."""
    description: str = ""
    """The units searched, in words ("the 34 units of the province roster")."""
    _matcher: _RosterMatcher = attrs.field(init=False, repr=False, eq=False)
    _former: _RosterMatcher | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_matcher", _RosterMatcher(self.roster.units))
        previous = [m.predecessor for m in self.roster.former]
        object.__setattr__(self, "_former", _RosterMatcher(previous) if previous else None)

    @classmethod
    def of(cls, roster: Roster, *, province: str | None = None) -> RosterLookup:
        """The look-up of ``roster``, narrowed to one province (any spelling, or its
        code) when ``province`` is given, as :func:`resolve_units` narrows it.

        Raises:
            UnknownUnitError: no province has that name.
            RosterUnavailableError: the roster is not divided by province.

        Example:
            >>> import parindex
            >>> from parindex.analysis.identity import RosterLookup
            >>> RosterLookup.of(parindex.io.rosters.province_roster(2025)).description
            'the 34 units of the province roster'
        """
        scoped, what = _scope(roster, province)
        official = scoped.units[0].province if province is not None and scoped.units else None
        return cls(scoped, province=official, description=what)

    def search(self, text: str) -> tuple[RosterUnit, ...]:
        """The units whose name or alias holds ``text`` (ignoring case, diacritics,
        spacing, punctuation and a leading "xã", "phường", "tỉnh", ...), or, for
        digits, whose code starts with them; in roster order. Blank text finds every
        unit.

        Example:
            >>> import parindex
            >>> from parindex.analysis.identity import RosterLookup
            >>> provinces = RosterLookup.of(parindex.io.rosters.province_roster(2024))
            >>> [u.name for u in provinces.search("tỉnh Đắk")], [u.name for u in provinces.search("79")]
            (['Đắk Lắk', 'Đắk Nông'], ['TP. Hồ Chí Minh'])
        """
        units = self.roster.units
        wanted = " ".join(text.split())
        if not wanted:
            return units
        if wanted.isdigit():
            return tuple(u for u in units if u.code is not None and u.code.startswith(wanted))
        key = _parses(wanted)[0].plain
        owner = self._matcher.owner
        found = {owner[i] for i, k in enumerate(self._matcher.index.keys) if key in k.plain}
        return tuple(units[i] for i in sorted(found))

    def look_up(self, names: Sequence[str], *, suggestions: int = 50) -> tuple[NameLookup, ...]:
        """What each name is (one :class:`NameLookup` per name, in order): the unit it
        resolves to as scoring would resolve it, or why none, never an error. The
        closest units are sought for the first ``suggestions`` unknown names only
        (each search compares the name with every unit's).

        Example:
            >>> import parindex
            >>> from parindex.analysis.identity import RosterLookup
            >>> provinces = RosterLookup.of(parindex.io.rosters.province_roster(2024))
            >>> a, b, c = provinces.look_up(["Ha Noi", "Hà Nội", "Dak Lakk"])
            >>> b.status, b.same_unit_as, [u.name for u in c.candidates]
            ('resolved', 'Ha Noi', ['Đắk Lắk'])
        """
        units = self.roster.units
        out: list[NameLookup] = []
        first: dict[int, str] = {}  # a unit's position -> the first name given for it
        unknown = 0
        for name in names:
            try:
                _check_name(name)
            except UnknownUnitError as blank:
                out.append(NameLookup(str(name), "unknown", message=str(blank)))
                continue
            hits = self._matcher.find(name)
            if len(hits) > 1:
                err = self._matcher.ambiguous(name, hits, ask_province=self.province is None)
                candidates = tuple(units[i] for i in hits)
                out.append(NameLookup(name, "ambiguous", candidates=candidates, message=str(err)))
            elif hits:
                out.append(
                    NameLookup(name, "resolved", units[hits[0]], same_unit_as=first.get(hits[0]))
                )
                first.setdefault(hits[0], name)
            else:
                merged = _merged(name, self.roster)
                if merged is not None and self._former is not None:
                    merger = self.roster.former[self._former.find(name)[0]]
                    out.append(
                        NameLookup(
                            name,
                            "merged",
                            predecessor=merger.predecessor,
                            successor=self.roster.by_code(merger.successor_code),
                            message=str(merged),
                        )
                    )
                    continue
                unknown += 1
                if unknown > suggestions:
                    message = f"unit {name!r} matches none of {self.description}"
                    out.append(NameLookup(name, "unknown", message=message))
                    continue
                err = self._matcher.unknown(name, self.description)
                close = self._matcher.index.closest(name)
                near = tuple(units[i] for i in dict.fromkeys(self._matcher.owner[i] for i in close))
                out.append(NameLookup(name, "unknown", candidates=near, message=str(err)))
        return tuple(out)
