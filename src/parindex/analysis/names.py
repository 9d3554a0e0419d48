"""Unit names (tên đơn vị) as they arrive: "Dak Lak", "ĐẮK LẮK", "tỉnh Đắk Lắk", "TP. Hồ
Chí Minh", "P. Hồng Bàng". Matching ignores case, Unicode normalisation (NFC/NFD), old
and new tone placement ("Hoà"/"Hòa"), punctuation, spaces, administrative prefixes and,
when nothing matches with them, diacritics (đ -> d). The official spelling (the
candidate list, or a roster) is canonical. A name that fits several candidates is an
error listing them, never a guess.

:func:`resolve_units` resolves the names of a sheet against a roster (danh mục đơn vị):
official name and code per given name, two spellings of one unit refused, units merged
on 1 July 2025 pointed to their successor.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from parindex._text import normalize_key, spelling_key, strip_marks
from parindex.errors import DuplicateEntryError, UnknownUnitError
from parindex.model.sheet import ScoreSheet

if TYPE_CHECKING:
    from parindex.model.units import Roster, RosterUnit, Succession, UnitResolution

__all__ = [
    "PREFIXES",
    "UnitNames",
    "find_predecessors",
    "find_successor",
    "fold_name",
    "match_unit",
    "resolve_units",
]

# Administrative prefixes and their spellings; each maps to one key.
PREFIXES: Mapping[str, tuple[str, ...]] = {
    "thanh pho": ("thành phố", "tp.", "tp", "t.p.", "t.p", "city of", "city"),
    "tinh": ("tỉnh", "province of", "province"),
    "huyen": ("huyện", "h.", "district of", "district"),
    "thi xa": ("thị xã", "tx.", "tx", "town of", "town"),
    "quan": ("quận", "q.", "q"),
    "xa": ("xã", "commune"),
    "phuong": ("phường", "p.", "ward"),
    "thi tran": ("thị trấn", "tt.", "tt"),
    "so": ("sở", "department of"),
    "dac khu": ("đặc khu", "special zone"),
}
"""Prefix keys (without diacritics) and the spellings read as each. A spelling written
with its diacritics ("phường") is a prefix for sure; written without ("phuong") it may
also be the start of a name ("Phương Trung"), and both readings are tried."""

# (spelling, its form without diacritics, key), longest first.
_SPELLINGS = sorted(
    (
        (spelling, strip_marks(spelling), key)
        for key, spellings in PREFIXES.items()
        for spelling in spellings
    ),
    key=lambda item: -len(item[0]),
)
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def _by_first(items: list[tuple[str, str, str]], at: int) -> dict[str, list[tuple[str, str, str]]]:
    """``items`` by the first character of their element ``at``, longest first still."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for item in items:
        out.setdefault(item[at][:1], []).append(item)
    return out


# Only a spelling that starts with a name's first character can start it: looking those
# up tries a handful of spellings a name, not all ~35 (the order, and so the result, is
# the same).
_SPELLINGS_AT = _by_first(_SPELLINGS, 0)
_BARE_AT = _by_first(_SPELLINGS, 1)


@attrs.frozen
class _Parse:
    """One reading of a name: prefix key, core with diacritics, core without, and
    whether the prefix (if any) was written with its diacritics."""

    prefix: str | None
    core: str
    plain: str
    exact: bool = True


def _cut(text: str, spelling: str) -> str | None:
    """``text`` without a leading word ``spelling``, or ``None`` when it does not start
    with it (a word prefix ends at a space or punctuation, and leaves a name)."""
    if not text.startswith(spelling):
        return None
    rest = text[len(spelling) :]
    ends = spelling.endswith(".") or (rest[:1] != "" and not rest[0].isalnum())
    return rest if ends and rest.strip(" .-") else None


def _parses(name: str, *, official: bool = False) -> list[_Parse]:
    """The readings of ``name``: always the whole name without a prefix; and the name
    after a prefix when it starts with one. An official name is read one way only:
    after a prefix written with its diacritics, else whole."""
    if type(name) is str:  # a service is sent the same names request after request
        return list(_cached_parses(name, official))
    return _read(name, official=official)


@functools.lru_cache(maxsize=2048)  # bounded, and safe to share between threads
def _cached_parses(name: str, official: bool) -> tuple[_Parse, ...]:
    return tuple(_read(name, official=official))


def _read(name: str, *, official: bool) -> list[_Parse]:
    """:func:`_parses`, worked out."""
    text = " ".join(spelling_key(name).split())
    plain = strip_marks(text)
    whole = _Parse(None, _PUNCT.sub("", text), _PUNCT.sub("", plain))
    for spelling, _, key in _SPELLINGS_AT.get(text[:1], ()):
        rest = _cut(text, spelling)
        if rest is not None:
            cut = _Parse(key, _PUNCT.sub("", rest), _PUNCT.sub("", strip_marks(rest)))
            return [cut] if official else [cut, whole]
    if official:
        return [whole]
    for _, bare, key in _BARE_AT.get(plain[:1], ()):
        rest = _cut(plain, bare)
        if rest is not None:
            return [_Parse(key, "", _PUNCT.sub("", rest), exact=False), whole]
    return [whole]


def _split(name: str) -> tuple[str | None, str, str]:
    """``(prefix key, core with diacritics, core without)`` of the first reading."""
    first = _parses(name)[0]
    return first.prefix, first.core, first.plain


def fold_name(name: str) -> str:
    """The matching key of a name without its prefix and diacritics.

    Example:
        >>> from parindex.analysis.names import fold_name
        >>> fold_name("tỉnh Đắk Lắk"), fold_name("DAK LAK"), fold_name("TP. Hồ Chí Minh")
        ('daklak', 'daklak', 'hochiminh')
    """
    return _split(name)[2]


def _same(given: str | None, official: str | None) -> bool:
    return given == official


def _compatible(given: str | None, official: str | None) -> bool:
    return given is None or official is None or given == official


class _Index:
    """Official names indexed by their cores, answering which of them a name may be."""

    def __init__(self, names: Sequence[str]) -> None:
        self.keys = [_parses(n, official=True)[0] for n in names]
        self.by_core: dict[str, list[int]] = {}
        self.by_plain: dict[str, list[int]] = {}
        for i, k in enumerate(self.keys):
            self.by_core.setdefault(k.core, []).append(i)
            self.by_plain.setdefault(k.plain, []).append(i)

    def _hits(
        self, parses: list[_Parse], plain: bool, strict: Callable[[_Parse], bool]
    ) -> list[int]:
        table = self.by_plain if plain else self.by_core
        found: list[int] = []
        for p in parses:
            rule = _same if strict(p) else _compatible
            hits = table.get(p.plain if plain else p.core, ())
            found += [i for i in hits if rule(p.prefix, self.keys[i].prefix)]
        return list(dict.fromkeys(found))

    def find(self, name: str) -> list[int]:
        """Positions of the names ``name`` may be: those of the first step that finds
        any (same prefix with diacritics, compatible prefix with diacritics, then the
        same two without)."""
        parses = _parses(name)
        exact = [p for p in parses if p.exact]
        loose = len(exact) < len(parses)
        steps: tuple[tuple[list[_Parse], bool, Callable[[_Parse], bool]], ...] = (
            (exact, False, lambda p: True),
            (exact, False, lambda p: False),
            # A prefix read without diacritics may be the start of the name: the whole
            # reading then competes on equal terms, so that an ambiguity shows.
            (parses, True, lambda p: not (loose and p.prefix is None)),
            (parses, True, lambda p: False),
        )
        for chosen, plain, strict in steps:
            hits = self._hits(chosen, plain, strict)
            if hits:
                return hits
        return []

    def closest(self, name: str, n: int = 3) -> list[int]:
        plain = _parses(name)[0].plain
        folded: dict[str, int] = {}
        for i, k in enumerate(self.keys):
            folded.setdefault(k.plain, i)
        return [folded[c] for c in difflib.get_close_matches(plain, list(folded), n=n, cutoff=0.6)]


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class UnitNames:
    """The official names of a set of units, and a matcher for other spellings.

    Matching tries, in order: the same prefix and the same letters with diacritics;
    a compatible prefix (the same, or one side has none) with diacritics; then the
    same two without diacritics. The first step with exactly one candidate wins;
    a step with several raises :class:`~parindex.errors.UnknownUnitError` listing them.

    Example:
        >>> from parindex.analysis.names import UnitNames
        >>> names = UnitNames(["Đắk Lắk", "Đắk Nông", "Thành phố Hồ Chí Minh"])
        >>> [names.match(n) for n in ("Dak Lak", "ĐẮK LẮK", "tỉnh Đắk Lắk")]
        ['Đắk Lắk', 'Đắk Lắk', 'Đắk Lắk']
        >>> names.match("Tp Hồ Chí Minh")
        'Thành phố Hồ Chí Minh'
    """

    names: tuple[str, ...] = attrs.field(converter=_names)
    _index: _Index = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        for n in self.names:
            if not isinstance(n, str) or not n.strip():
                raise UnknownUnitError(f"unit names must be non-blank text, got {n!r}", value=n)
        object.__setattr__(self, "_index", _Index(self.names))

    def match(self, name: str) -> str:
        """The official spelling of ``name``.

        Raises:
            UnknownUnitError: no candidate fits (the message lists the closest), or
                several do (the message lists them).

        Example:
            >>> import parindex
            >>> names = parindex.analysis.names.UnitNames(p.name for p in parindex.io.units.provinces(2017))
            >>> names.match("dak nong"), names.match("Thua Thien Hue")
            ('Đắk Nông', 'Thừa Thiên Huế')
            >>> names.match("Đắk")
            Traceback (most recent call last):
            ...
            parindex.errors.UnknownUnitError: unit 'Đắk' matches none of the 63 known units; closest: 'Đắk Lắk', 'Đắk Nông'
        """
        hits = self.candidates(name)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UnknownUnitError(
                f"unit {name!r} is ambiguous: it could be {', '.join(map(repr, hits))}; "
                "write it as one of them",
                unit=name,
                value=hits,
            )
        close = [self.names[i] for i in self._index.closest(name)]
        hint = f"; closest: {', '.join(map(repr, close))}" if close else ""
        raise UnknownUnitError(
            f"unit {name!r} matches none of the {len(self.names)} known units{hint}",
            unit=name,
            value=close,
        )

    def candidates(self, name: str) -> list[str]:
        """The official names ``name`` may be: those of the first matching step (see
        the class), so one name is a match, several an ambiguity, none no match.

        Example:
            >>> from parindex.analysis.names import UnitNames
            >>> names = UnitNames(["tỉnh Phú Thọ", "thị xã Phú Thọ", "Đắk Lắk"])
            >>> names.candidates("Phu Tho"), names.candidates("DAK LAK"), names.candidates("Huế")
            (['tỉnh Phú Thọ', 'thị xã Phú Thọ'], ['Đắk Lắk'], [])
        """
        _check_name(name)
        return list(dict.fromkeys(self.names[i] for i in self._index.find(name)))

    def canonicalize(self, sheet: ScoreSheet) -> ScoreSheet:
        """A new sheet whose unit names are the official spellings. The same unit
        spelled two ways then meets itself: giving a node twice is a
        :class:`~parindex.errors.DuplicateEntryError`, not two units.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([
            ...     {"unit": "Dak Lak", "node": "1", "points": 5.5},
            ...     {"unit": "tỉnh Đắk Lắk", "node": "2", "points": 8.16},
            ... ])
            >>> parindex.analysis.names.UnitNames(["Đắk Lắk", "Đắk Nông"]).canonicalize(sheet).units
            ('Đắk Lắk',)
        """
        mapping = {u: self.match(u) for u in sheet.units}
        return ScoreSheet(tuple(attrs.evolve(e, unit=mapping[e.unit]) for e in sheet.entries))


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise UnknownUnitError(f"unit name {name!r} is blank", unit=str(name), value=name)


def match_unit(name: str, candidates: Iterable[str]) -> str:
    """The candidate ``name`` refers to (see :class:`UnitNames`).

    Example:
        >>> from parindex import match_unit
        >>> match_unit("ĐẮK LẮK", ["Đắk Lắk", "Đắk Nông"])
        'Đắk Lắk'
        >>> match_unit("Phu Tho", ["tỉnh Phú Thọ", "thị xã Phú Thọ"])
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownUnitError: unit 'Phu Tho' is ambiguous: it could be 'tỉnh Phú Thọ', 'thị xã Phú Thọ'; write it as one of them
    """
    return UnitNames(_names(candidates)).match(name)


# --------------------------------------------------------------------------- rosters


class _RosterMatcher:
    """A roster's units found by any of their names (official name and aliases)."""

    def __init__(self, units: Sequence[RosterUnit]) -> None:
        self.units = units
        self.owner: list[int] = []
        texts: list[str] = []
        for i, u in enumerate(units):
            for text in (u.name, *u.aliases):
                texts.append(text)
                self.owner.append(i)
        self.index = _Index(texts)
        self.by_code = {u.code: i for i, u in enumerate(units) if u.code is not None}

    def find(self, name: str) -> list[int]:
        code = name.strip()
        if code.isdigit() and code in self.by_code:
            return [self.by_code[code]]
        return list(dict.fromkeys(self.owner[i] for i in self.index.find(name)))

    def ambiguous(self, name: str, hits: list[int], *, ask_province: bool) -> UnknownUnitError:
        listed = ", ".join(self.units[i].label() for i in hits)
        provinces = ask_province and len({self.units[i].province for i in hits}) > 1
        return UnknownUnitError(
            f"unit {name!r} is ambiguous: it could be {listed}; write it as one of them"
            + (" or give the province" if provinces else ""),
            unit=name,
            value=[self.units[i].name for i in hits],
        )

    def unknown(self, name: str, what: str, tail: str = "") -> UnknownUnitError:
        close = [self.units[self.owner[i]] for i in self.index.closest(name)]
        hint = f"; closest: {', '.join(u.label() for u in close)}" if close else ""
        return UnknownUnitError(
            f"unit {name!r} matches none of {what}{hint}{tail}",
            unit=name,
            value=[u.name for u in close],
        )


# Matchers of the rosters matched lately, keyed by their units (equal units, equal
# matcher): the HTTP service resolves every request against one roster, and indexing a
# roster's names cost more than resolving 63 of them. Bounded; shared by threads.
_MATCHERS_MAX = 8
_matchers: OrderedDict[tuple[RosterUnit, ...], _RosterMatcher] = OrderedDict()
_matchers_lock = threading.Lock()


def _matcher(units: Sequence[RosterUnit]) -> _RosterMatcher:
    """The matcher of ``units``, from the cache when they were matched lately."""
    key = tuple(units)
    with _matchers_lock:
        found = _matchers.get(key)
        if found is not None:
            _matchers.move_to_end(key)
            return found
    built = _RosterMatcher(key)  # outside the lock: a commune roster takes a while
    with _matchers_lock:
        _matchers[key] = built
        while len(_matchers) > _MATCHERS_MAX:
            _matchers.popitem(last=False)
    return built


def _scope(roster: Roster, province: str | None) -> tuple[Roster, str]:
    """The roster narrowed to one province (any spelling or its code), and how to say
    which units were searched."""
    from parindex.model.units import RosterUnavailableError

    what = f"the {len(roster)} units of the {roster.level} roster"
    if province is None:
        return roster, what
    _check_name(province)
    names = roster.provinces()
    if not names:
        raise RosterUnavailableError(
            f"the {roster.level} roster is not divided by province; drop the province "
            f"({province!r})",
            level=roster.level,
        )
    codes = {u.province_code: u.province for u in roster.units if u.province_code}
    official = codes.get(province.strip()) or UnitNames(names).match(province)
    narrowed = roster.select(province=official)
    return narrowed, f"the {len(narrowed)} units of the {roster.level} roster of {official}"


def _merged(name: str, roster: Roster) -> UnknownUnitError | None:
    """The error for a name of a unit that no longer exists, pointing to its successor."""
    if not roster.former:
        return None
    hits = _matcher([m.predecessor for m in roster.former]).find(name)
    if len(hits) != 1:
        return None
    merger = roster.former[hits[0]]
    successor = roster.by_code(merger.successor_code)
    when = "" if roster.year is None else f" for {roster.year}"
    # A unit renamed alone (Thừa Thiên Huế -> Huế) "became" its successor.
    became = "became" if len(roster.predecessors(merger.successor_code)) == 1 else "became part of"
    return UnknownUnitError(
        f"unit {name!r} is not a {roster.level}{when}: {merger.predecessor.name} {became} "
        f"{successor.name} (code {successor.code}) on {merger.effective.isoformat()}; "
        f"write {successor.name!r}",
        unit=name,
        value=successor.name,
    )


def resolve_units(
    names: Iterable[str],
    roster: Roster,
    *,
    province: str | None = None,
    free: bool = False,
) -> UnitResolution:
    """Resolve given unit names against a roster: one record per name, in order, with
    the official name (``unit``) and code (``unit_code``, text) and the name as given.

    ``province`` (any spelling, or its code) narrows a commune, ward or department
    roster to one province. ``free=True`` keeps a name that matches no unit as given
    (a unit outside the roster, e.g. an agency a province scores but no list holds).

    Raises:
        DuplicateEntryError: two names are one unit (any spellings the matcher folds
            together); the message names both.
        UnknownUnitError: a name matches no unit (the message lists the closest
            official names, or the unit a merged one became part of), or fits several
            (a commune name used in two provinces): the message lists them.

    Example:
        >>> import parindex
        >>> roster = parindex.io.rosters.province_roster(2025)
        >>> [r.to_dict() for r in resolve_units(["ĐẮK LẮK", "tp hồ chí minh"], roster)]
        [{'given_name': 'ĐẮK LẮK', 'unit': 'Đắk Lắk', 'unit_code': '66'}, {'given_name': 'tp hồ chí minh', 'unit': 'TP. Hồ Chí Minh', 'unit_code': '79'}]
        >>> resolve_units(["Hà Nội", "Ha Noi"], roster)
        Traceback (most recent call last):
        ...
        parindex.errors.DuplicateEntryError: 'Hà Nội' and 'Ha Noi' are one unit, 'Hà Nội' (code 01): give each unit once, under one name
        >>> resolve_units(["Bắc Kạn"], roster)
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownUnitError: unit 'Bắc Kạn' is not a province for 2025: Bắc Kạn became part of Thái Nguyên (code 19) on 2025-07-01; write 'Thái Nguyên'
    """
    # The roster classes load with the first resolution, not with ``import parindex``.
    from parindex.model.units import ResolvedUnit, UnitResolution

    if isinstance(names, str):
        raise UnknownUnitError(f"names must be a list of unit names, not one text {names!r}")
    scoped, what = _scope(roster, province)
    matcher = _matcher(scoped.units)
    records: list[ResolvedUnit] = []
    taken: dict[object, str] = {}  # a unit (or a free name's key) -> the name given for it
    for name in names:
        _check_name(name)
        hits = matcher.find(name)
        if len(hits) > 1:
            raise matcher.ambiguous(name, hits, ask_province=province is None)
        if hits:
            unit = scoped.units[hits[0]]
            key: object = ("unit", hits[0])
            same = f"one unit, {unit.label()}"
            record = ResolvedUnit(name, unit.name, unit.code, unit.level, unit.province)
        else:
            merged = _merged(name, scoped)
            if merged is not None:
                raise merged
            if not free:
                raise matcher.unknown(
                    name, what, " (outside the roster? keep it as given with free=True)"
                )
            # Outside the roster: two spellings that differ only in case, tone
            # placement, spacing or prefix spelling are still one unit.
            first = _split(name)
            key, same = ("free", first[0], first[1]), "one name"
            record = ResolvedUnit(name, normalize_key(name), None, None, None, in_roster=False)
        if key in taken:
            earlier = taken[key]
            raise DuplicateEntryError(
                f"{earlier!r} and {name!r} are {same}: give each unit once, under one name"
                if earlier != name
                else f"unit {name!r} is given twice",
                unit=name,
                value=(earlier, name),
            )
        taken[key] = name
        records.append(record)
    return UnitResolution(records, level=roster.level, year=roster.year)


def find_successor(name: str, roster: Roster) -> Succession:
    """The unit of ``roster`` (a roster that follows a merger, e.g. the 34 provinces
    of 2025) that a unit of the previous structure became part of, and every
    predecessor it joined. ``name`` is any spelling, or the old code.

    Raises:
        RosterUnavailableError: the roster follows no merger.
        UnknownUnitError: no unit of the previous structure has that name.

    Example:
        >>> import parindex
        >>> s = find_successor("Dak Nong", parindex.io.rosters.province_roster(2025))
        >>> s.predecessor.name, s.successor.name, [u.name for u in s.joined]
        ('Đắk Nông', 'Lâm Đồng', ['Bình Thuận', 'Đắk Nông', 'Lâm Đồng'])
    """
    from parindex.model.units import RosterUnavailableError, Succession

    if not roster.former:
        raise RosterUnavailableError(
            f"the {roster.level} roster"
            + ("" if roster.year is None else f" for {roster.year}")
            + " follows no merger; pass the roster of the year after it (e.g. 2025)",
            level=roster.level,
        )
    _check_name(name)
    previous = [m.predecessor for m in roster.former]
    matcher = _matcher(previous)
    hits = matcher.find(name)
    if len(hits) > 1:
        raise matcher.ambiguous(name, hits, ask_province=False)
    if not hits:
        raise matcher.unknown(name, f"the {len(previous)} units before the merger")
    merger = roster.former[hits[0]]
    successor = roster.by_code(merger.successor_code)
    return Succession(
        given_name=name,
        predecessor=merger.predecessor,
        successor=successor,
        joined=roster.predecessors(merger.successor_code),
        effective=merger.effective,
    )


def find_predecessors(name: str, roster: Roster) -> tuple[RosterUnit, ...]:
    """The units of the previous structure that a unit of ``roster`` (any spelling or
    its code) is made of; empty for a roster that follows no merger.

    Example:
        >>> import parindex
        >>> [u.name for u in find_predecessors("Thai Nguyen", parindex.io.rosters.province_roster(2025))]
        ['Bắc Kạn', 'Thái Nguyên']
    """
    unit = resolve_units([name], roster).records[0]
    if unit.unit_code is None:
        return ()
    return roster.predecessors(unit.unit_code)
