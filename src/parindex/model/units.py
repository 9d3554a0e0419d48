"""Rosters (danh mục đơn vị): the official units of one level, with their names and
codes, and what a resolution of given names against one found.

A :class:`Roster` holds :class:`RosterUnit` objects (official name, official code as
text, level, province) and, for a roster that follows a merger, the units that ceased
and the unit that took each over (:class:`Merger`). Resolving names against a roster
(:func:`parindex.analysis.names.resolve_units`) gives a :class:`UnitResolution`: one
:class:`ResolvedUnit` per given name. Rosters are read by :mod:`parindex.io.rosters`;
nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from parindex._text import normalize_key
from parindex.errors import DuplicateEntryError, RosterUnavailableError, UnknownUnitError
from parindex.model.parts import Source
from parindex.model.sheet import ScoreSheet

__all__ = [
    "Merger",
    "ResolvedUnit",
    "Roster",
    "RosterUnavailableError",
    "RosterUnit",
    "Succession",
    "UnitResolution",
]

_LEVEL = re.compile(r"[a-z][a-z0-9_]*")


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UnknownUnitError(f"a unit name must be non-blank text, got {value!r}", value=value)
    return normalize_key(value)


def _opt_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise UnknownUnitError(f"a unit code must be text, got {value!r}", value=value)
    text = normalize_key(str(value))
    # An empty cell means "no code", not a code that is blank.
    return text or None


def _names(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(_name(v) for v in values)


@attrs.frozen
class RosterUnit:
    """One unit of a roster: its official name, its official code (as text, ``None``
    when the roster gives none), its level (``province``, ``commune`` for a xã,
    ``ward`` for a phường, ``special_zone`` for a đặc khu, ``department`` for a sở, ...)
    and, below the province level, its province.

    ``aliases`` are other names the roster's author accepts for the unit
    ("VP UBND thành phố" for "Văn phòng UBND thành phố").

    Example:
        >>> from parindex.model.units import RosterUnit
        >>> u = RosterUnit("Phường Hồng Bàng", "11311", "ward", province="Hải Phòng", province_code="31")
        >>> u.label()
        "'Phường Hồng Bàng' (Hải Phòng, code 11311)"
    """

    name: str = attrs.field(converter=_name)
    code: str | None = attrs.field(default=None, converter=_opt_text)
    level: str = attrs.field(default="unit", validator=attrs.validators.matches_re(_LEVEL))
    province: str | None = attrs.field(default=None, converter=attrs.converters.optional(_name))
    province_code: str | None = attrs.field(default=None, converter=_opt_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)

    def label(self) -> str:
        """The name with what tells it apart: province and code.

        Example:
            >>> from parindex.model.units import RosterUnit
            >>> RosterUnit("Sở Nội vụ", level="department").label()
            "'Sở Nội vụ'"
        """
        parts = [
            p for p in (self.province, None if self.code is None else f"code {self.code}") if p
        ]
        return f"{self.name!r}" + (f" ({', '.join(parts)})" if parts else "")


@attrs.frozen
class Merger:
    """A unit of an earlier roster that became part of a unit of a later one (sáp
    nhập, hợp nhất) on ``effective``; ``successor_code`` is that unit's code.

    Example:
        >>> import datetime as dt
        >>> from parindex.model.units import Merger, RosterUnit
        >>> Merger(RosterUnit("Bắc Kạn", "06", "province"), "19", dt.date(2025, 7, 1)).successor_code
        '19'
    """

    predecessor: RosterUnit
    successor_code: str = attrs.field(validator=attrs.validators.min_len(1))
    effective: dt.date


def _units(values: Iterable[RosterUnit]) -> tuple[RosterUnit, ...]:
    return tuple(values)


def _mergers(values: Iterable[Merger]) -> tuple[Merger, ...]:
    return tuple(values)


@attrs.frozen
class Roster:
    """The official units of one level (danh mục đơn vị), as a source lists them.

    ``level`` is the level asked for; a ``commune`` roster (cấp xã) holds communes,
    wards and special zones, each with its own ``level``. ``year`` is the evaluation
    year the roster is for (``None``: any). ``former`` lists the units of the previous
    structure and which unit of this roster each became part of. ``origin`` says where
    the roster was read (shipped data, a package and its version, a file).

    Construction refuses two units with one code, and two units of one province with
    one name (neither could be told apart).

    Example:
        >>> from parindex.model.units import Roster, RosterUnit
        >>> r = Roster("department", [RosterUnit("Sở Nội vụ", level="department"),
        ...                           RosterUnit("Sở Tài chính", level="department")])
        >>> len(r), r.names()
        (2, ('Sở Nội vụ', 'Sở Tài chính'))
        >>> Roster("department", [RosterUnit("Sở Nội vụ"), RosterUnit("Sở Nội vụ")])
        Traceback (most recent call last):
        ...
        parindex.errors.DuplicateEntryError: roster 'department': 'Sở Nội vụ' is listed twice (units 1 and 2)
    """

    level: str = attrs.field(validator=attrs.validators.matches_re(_LEVEL))
    units: tuple[RosterUnit, ...] = attrs.field(converter=_units)
    year: int | None = None
    source: Source | None = None
    origin: str = ""
    former: tuple[Merger, ...] = attrs.field(default=(), converter=_mergers)
    _by_code: Mapping[str, RosterUnit] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_code: dict[str, RosterUnit] = {}
        seen: dict[tuple[str | None, str], int] = {}
        for i, u in enumerate(self.units):
            if not isinstance(u, RosterUnit):
                raise TypeError(f"roster units must be RosterUnit objects, got {u!r}")
            key = (u.province, u.name.casefold())
            if key in seen:
                raise DuplicateEntryError(
                    f"roster {self.level!r}: {u.name!r} is listed twice "
                    f"(units {seen[key] + 1} and {i + 1})",
                    unit=u.name,
                    value=u.name,
                )
            seen[key] = i
            if u.code is not None:
                if u.code in by_code:
                    raise DuplicateEntryError(
                        f"roster {self.level!r}: code {u.code!r} is given to both "
                        f"{by_code[u.code].name!r} and {u.name!r}",
                        unit=u.name,
                        value=u.code,
                    )
                by_code[u.code] = u
        for m in self.former:
            if m.successor_code not in by_code:
                raise UnknownUnitError(
                    f"roster {self.level!r}: {m.predecessor.name!r} became part of code "
                    f"{m.successor_code!r}, which the roster does not hold",
                    unit=m.predecessor.name,
                    value=m.successor_code,
                )
        object.__setattr__(self, "_by_code", by_code)

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[RosterUnit]:
        return iter(self.units)

    def names(self) -> tuple[str, ...]:
        """The official names, in roster order.

        Example:
            >>> import parindex
            >>> parindex.io.rosters.province_roster(2025).names()[:2]
            ('Hà Nội', 'Cao Bằng')
        """
        return tuple(u.name for u in self.units)

    def provinces(self) -> tuple[str, ...]:
        """The provinces the units belong to, in roster order (empty for a province or
        ministry roster).

        Example:
            >>> from parindex.model.units import Roster, RosterUnit
            >>> Roster("department", [RosterUnit("Sở Nội vụ", province="Hải Phòng")]).provinces()
            ('Hải Phòng',)
        """
        return tuple(dict.fromkeys(u.province for u in self.units if u.province))

    def by_code(self, code: str) -> RosterUnit:
        """The unit with an official code (exact).

        Raises:
            UnknownUnitError: no unit has that code.

        Example:
            >>> from parindex.model.units import Roster, RosterUnit
            >>> Roster("province", [RosterUnit("Đắk Lắk", "66", "province")]).by_code("66").name
            'Đắk Lắk'
        """
        try:
            return self._by_code[normalize_key(str(code))]
        except KeyError:
            raise UnknownUnitError(
                f"roster {self.level!r} has no unit with code {code!r}", unit=str(code), value=code
            ) from None

    def select(self, *, province: str | None = None, levels: Iterable[str] | None = None) -> Roster:
        """The units of one province (its official name, exact) and/or of some levels.

        Example:
            >>> from parindex.model.units import Roster, RosterUnit
            >>> r = Roster("commune", [RosterUnit("Phường A", "1", "ward", province="P"),
            ...                        RosterUnit("Xã A", "2", "commune", province="Q")])
            >>> r.select(province="Q").names(), r.select(levels=["ward"]).names()
            (('Xã A',), ('Phường A',))
        """
        wanted = None if levels is None else set(levels)
        units = [
            u
            for u in self.units
            if (province is None or u.province == province)
            and (wanted is None or u.level in wanted)
        ]
        codes = {u.code for u in units}
        former = [m for m in self.former if m.successor_code in codes]
        return attrs.evolve(self, units=units, former=former)

    def predecessors(self, code: str) -> tuple[RosterUnit, ...]:
        """The units of the previous structure that became part of the unit with
        ``code`` (empty for a roster without mergers).

        Example:
            >>> import parindex
            >>> r = parindex.io.rosters.province_roster(2025)
            >>> [u.name for u in r.predecessors("19")]
            ['Bắc Kạn', 'Thái Nguyên']
        """
        unit = self.by_code(code)
        return tuple(m.predecessor for m in self.former if m.successor_code == unit.code)


@attrs.frozen
class Succession:
    """What became of a unit of the previous structure: the unit it became part of
    (``successor``), on which date, and every predecessor that unit joined (``joined``,
    the unit itself included), so that a rank change across a merger is computed on the
    successor and says what it is made of.

    Example:
        >>> import parindex
        >>> s = parindex.analysis.names.find_successor("Bac Kan", parindex.io.rosters.province_roster(2025))
        >>> s.successor.name, [u.name for u in s.joined], str(s.effective)
        ('Thái Nguyên', ['Bắc Kạn', 'Thái Nguyên'], '2025-07-01')
    """

    given_name: str
    predecessor: RosterUnit
    successor: RosterUnit
    joined: tuple[RosterUnit, ...] = attrs.field(converter=_units)
    effective: dt.date


@attrs.frozen
class ResolvedUnit:
    """One given name and the unit it was resolved to.

    ``unit`` is the official name and ``unit_code`` the official code as text (``None``
    when the roster gives no code). A name kept outside the roster (``free=True``) has
    ``in_roster`` false, ``unit`` the name as given (spaces and Unicode form tidied) and
    no code.

    Example:
        >>> from parindex.model.units import ResolvedUnit
        >>> ResolvedUnit("P. Hồng Bàng", "Phường Hồng Bàng", "11311", level="ward").to_dict()
        {'given_name': 'P. Hồng Bàng', 'unit': 'Phường Hồng Bàng', 'unit_code': '11311'}
    """

    given_name: str
    unit: str
    unit_code: str | None = None
    level: str | None = None
    province: str | None = None
    in_roster: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``given_name``, ``unit`` and ``unit_code``: the three fields every output uses.

        Example:
            >>> from parindex.model.units import ResolvedUnit
            >>> ResolvedUnit("Cục Thuế", "Cục Thuế", in_roster=False).to_dict()
            {'given_name': 'Cục Thuế', 'unit': 'Cục Thuế', 'unit_code': None}
        """
        return {"given_name": self.given_name, "unit": self.unit, "unit_code": self.unit_code}


def _resolved(values: Iterable[ResolvedUnit]) -> tuple[ResolvedUnit, ...]:
    return tuple(values)


@attrs.frozen
class UnitResolution:
    """The result of resolving given names against a roster: one record per given name,
    in the order given. No two records share a unit (resolution refuses that).

    Example:
        >>> import parindex
        >>> r = parindex.analysis.names.resolve_units(
        ...     ["Dak Lak", "TP. Hà Nội"], parindex.io.rosters.province_roster(2017))
        >>> r.mapping
        {'Dak Lak': 'Đắk Lắk', 'TP. Hà Nội': 'Hà Nội'}
        >>> r.code_of("Dak Lak"), r.to_records()[1]
        ('66', {'given_name': 'TP. Hà Nội', 'unit': 'Hà Nội', 'unit_code': '01'})
    """

    records: tuple[ResolvedUnit, ...] = attrs.field(converter=_resolved)
    level: str | None = None
    year: int | None = None
    _by_given: Mapping[str, ResolvedUnit] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_given", {r.given_name: r for r in self.records})

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[ResolvedUnit]:
        return iter(self.records)

    @property
    def mapping(self) -> dict[str, str]:
        """Given name -> official name (or the name as kept, outside the roster).

        Example:
            >>> import parindex
            >>> roster = parindex.io.rosters.province_roster(2024)
            >>> parindex.analysis.names.resolve_units(["tỉnh Gia Lai"], roster).mapping
            {'tỉnh Gia Lai': 'Gia Lai'}
        """
        return {r.given_name: r.unit for r in self.records}

    def record(self, given_name: str) -> ResolvedUnit:
        """The record of one given name (as given, exactly).

        Raises:
            UnknownUnitError: the name was not among those resolved.

        Example:
            >>> import parindex
            >>> roster = parindex.io.rosters.province_roster(2024)
            >>> parindex.analysis.names.resolve_units(["Gia Lai"], roster).record("Gia Lai").unit_code
            '64'
        """
        try:
            return self._by_given[given_name]
        except KeyError:
            raise UnknownUnitError(
                f"{given_name!r} was not among the names resolved", unit=given_name
            ) from None

    def code_of(self, given_name: str) -> str | None:
        """The official code of the unit a given name was resolved to.

        Example:
            >>> import parindex
            >>> roster = parindex.io.rosters.province_roster(2025)
            >>> parindex.analysis.names.resolve_units(["Hai Phong"], roster).code_of("Hai Phong")
            '31'
        """
        return self.record(given_name).unit_code

    def to_records(self) -> list[dict[str, Any]]:
        """One ``{given_name, unit, unit_code}`` dict per given name (JSON-ready).

        Example:
            >>> import parindex
            >>> roster = parindex.io.rosters.province_roster(2025)
            >>> parindex.analysis.names.resolve_units(["Huế"], roster).to_records()
            [{'given_name': 'Huế', 'unit': 'Huế', 'unit_code': '46'}]
        """
        return [r.to_dict() for r in self.records]

    def rename(self, sheet: ScoreSheet) -> ScoreSheet:
        """A new sheet whose unit names are the official names (every unit of the sheet
        must have been resolved).

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([{"unit": "Dak Lak", "node": "total", "points": 80}])
            >>> r = parindex.analysis.names.resolve_units(sheet.units, parindex.io.rosters.province_roster(2017))
            >>> r.rename(sheet).units
            ('Đắk Lắk',)
        """
        mapping = {u: self.record(u).unit for u in sheet.units}
        return ScoreSheet(
            tuple(attrs.evolve(e, unit=mapping[e.unit]) for e in sheet.entries),
            methodology=sheet.methodology,
        )
