"""Rosters (danh mục đơn vị) by level: where each comes from, and readers for them.

- **Provinces** (before and after 1 July 2025) and **ministries**: shipped data
  (``parindex/data/units/``), read by :mod:`parindex.io.units`.
- **Communes, wards and special zones** (xã, phường, đặc khu) after 1 July 2025, with
  their official five-digit codes and province: the optional package
  ``vietnam-provinces`` (``pip install "parindex[units]"``), never copied here.
- **Departments** (sở, ban, ngành) and anything else: supplied by the user, as a CSV or
  YAML roster file (:func:`load_roster`) or a list of names (:func:`roster_from_names`).

Which level has which kind of roster is data (``parindex/data/units/levels.yaml``).
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import attrs

from parindex.errors import InputFormatError, ParIndexError
from parindex.io.safe import read_text_file, safe_parse
from parindex.io.units import _load, _periods, assessed_ministries, provinces
from parindex.model.parts import Source
from parindex.model.units import Merger, Roster, RosterUnavailableError, RosterUnit

__all__ = [
    "ROSTER_COLUMNS",
    "RosterLevel",
    "commune_roster",
    "load_roster",
    "ministry_roster",
    "province_roster",
    "roster_for",
    "roster_from_dict",
    "roster_from_names",
    "roster_levels",
    "units_package_version",
]

ROSTER_COLUMNS = ("name", "code", "province", "level", "aliases")
"""Columns of a CSV roster file: ``name`` is required; ``aliases`` holds other accepted
names separated by ``;``."""

_FORMAT = "parindex-roster/1"
_T = TypeVar("_T")


@attrs.frozen
class RosterLevel:
    """A level of assessed units and where its roster comes from (``shipped``,
    ``package``, ``user`` or ``none``), as ``levels.yaml`` says.

    Example:
        >>> import parindex
        >>> lv = parindex.io.rosters.roster_levels()["commune"]
        >>> lv.roster, lv.includes
        ('package', ('commune', 'ward', 'special_zone'))
    """

    level: str
    name_vi: str
    name_en: str
    roster: str = attrs.field(
        validator=attrs.validators.in_(("shipped", "package", "user", "none"))
    )
    includes: tuple[str, ...] = ()
    division_type: str | None = None


@functools.cache
def _level_data() -> dict[str, Any]:
    return _load("levels.yaml")


def roster_levels() -> dict[str, RosterLevel]:
    """Every level parindex knows, with where its roster comes from.

    Example:
        >>> import parindex
        >>> {k: v.roster for k, v in parindex.io.rosters.roster_levels().items()}["department"]
        'user'
    """
    return {
        key: RosterLevel(
            level=key,
            name_vi=d["name_vi"],
            name_en=d["name_en"],
            roster=d["roster"],
            includes=tuple(d.get("includes") or (key,)),
            division_type=d.get("division_type"),
        )
        for key, d in _level_data()["levels"].items()
    }


def _package_facts() -> dict[str, Any]:
    facts: dict[str, Any] = _level_data()["package"]
    return facts


def _install_hint() -> str:
    facts = _package_facts()
    return f'pip install "parindex[{facts["extra"]}]"'


def _package() -> ModuleType:
    """The roster package, or a :class:`RosterUnavailableError` saying what to install."""
    facts = _package_facts()
    try:
        module = importlib.import_module(facts["module"])
    except ModuleNotFoundError:
        raise RosterUnavailableError(
            f"the roster of communes, wards and special zones comes from the optional "
            f"package {facts['distribution']!r}, which is not installed: "
            f"run {_install_hint()} (or pip install {facts['distribution']})",
            level="commune",
            install=_install_hint(),
        ) from None
    version = str(getattr(module, "__version__", "0"))
    if _version_key(version) < _version_key(str(facts["min_version"])):
        raise RosterUnavailableError(
            f"{facts['distribution']} {version} is too old (it does not list the units in "
            f"force from {facts['valid_from']} as published): run {_install_hint()} to get "
            f"{facts['min_version']} or later",
            level="commune",
            install=_install_hint(),
        )
    return module


def _version_key(version: str) -> tuple[int, ...]:
    """``"2025.10.1"`` -> ``(2025, 10, 1)``; a part that is not a number ends the key."""
    key: list[int] = []
    for part in version.split("."):
        if not part.isdigit():
            break
        key.append(int(part))
    return tuple(key)


def units_package_version() -> str | None:
    """The version of the installed roster package (``vietnam-provinces``), or ``None``.

    Example:
        >>> import parindex
        >>> v = parindex.io.rosters.units_package_version()
        >>> v is None or v[:4].isdigit()
        True
    """
    try:
        module = _package()
    except RosterUnavailableError:
        return None
    return str(getattr(module, "__version__", "unknown"))


# --------------------------------------------------------------------------- shipped


def province_roster(year: int) -> Roster:
    """The provinces assessed in an evaluation year (63 before 2025, 34 from 2025 on)
    with their official two-digit codes. From 2025 on, ``former`` says which pre-merger
    province became part of which (Nghị quyết 202/2025/QH15).

    Example:
        >>> import parindex
        >>> r = parindex.io.rosters.province_roster(2025)
        >>> len(r), r.by_code("66").name, len(r.former)
        (34, 'Đắk Lắk', 63)
    """
    units = [RosterUnit(u.name, u.code, "province") for u in provinces(year)]
    periods = _periods()
    chosen = 0
    for i, period in enumerate(periods[1:], start=1):
        if year >= period["first_evaluation_year"]:
            chosen = i
    former: list[Merger] = []
    if chosen:
        before = periods[chosen - 1]
        effective = periods[chosen]["valid_from"]
        former = [
            Merger(RosterUnit(u["name"], u["code"], "province"), u["successor"], effective)
            for u in before["units"]
        ]
    src = _load("provinces.yaml")["sources"][periods[chosen]["source"]]
    return Roster(
        "province",
        units,
        year=year,
        source=Source(src["url"], src["confidence"], src.get("note", "")),
        origin="parindex/data/units/provinces.yaml",
        former=former,
    )


def ministry_roster(year: int) -> Roster:
    """The ministries and ministry-level agencies of an evaluation year, where a full
    list of their names was found (no official codes exist, so none are given).

    Raises:
        RosterUnavailableError: no list of names is known for that year.

    Example:
        >>> import parindex
        >>> r = parindex.io.rosters.ministry_roster(2022)
        >>> len(r), r.units[0].code
        (19, None)
    """
    facts = assessed_ministries(year)
    if not facts.ranked_names:
        raise RosterUnavailableError(
            f"no list of the ministries assessed in {year} is known (only counts); "
            "pass a roster file, or keep the names as given (free)",
            level="ministry",
        )
    names = [*facts.ranked_names, *facts.unranked]
    return Roster(
        "ministry",
        [RosterUnit(n, None, "ministry") for n in names],
        year=year,
        source=facts.source,
        origin="parindex/data/units/ministries.yaml",
    )


# --------------------------------------------------------------------------- package


@functools.cache
def _package_units() -> tuple[tuple[RosterUnit, ...], str]:
    """Every commune, ward and special zone of the package, and its version."""
    module = _package()
    facts = _package_facts()
    by_type = {v.division_type: k for k, v in roster_levels().items() if v.division_type}
    names = {u.code: u.name for u in provinces(int(facts["first_evaluation_year"]))}
    digits = int(facts["code_digits"])
    version = str(getattr(module, "__version__", "unknown"))
    try:
        wards = list(module.Ward.iter_all())
        units = []
        for w in wards:
            kind = str(getattr(w.division_type, "value", w.division_type))
            province_code = f"{int(w.province_code):02d}"
            units.append(
                RosterUnit(
                    w.name,
                    f"{int(w.code):0{digits}d}",
                    by_type[kind],
                    province=names.get(province_code, province_code),
                    province_code=province_code,
                )
            )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise RosterUnavailableError(
            f"{facts['distribution']} {version} does not give its units as expected "
            f"({type(err).__name__}: {err}); install a version this parindex supports "
            f"with {_install_hint()}",
            level="commune",
            install=_install_hint(),
        ) from None
    return tuple(units), version


def commune_roster(
    year: int | None = None, *, level: str = "commune", province: str | None = None
) -> Roster:
    """Communes, wards and special zones (cấp xã) in force from 1 July 2025, with their
    official five-digit codes and their province, from the optional package
    ``vietnam-provinces``.

    ``level`` narrows the roster (``ward``, ``special_zone``; ``commune`` holds all
    three kinds). ``province`` is a province's official name or code, exactly (for
    other spellings, pass it to :func:`parindex.analysis.names.resolve_units`).

    Raises:
        RosterUnavailableError: the package is not installed (the message says what to
            install), or ``year`` is before 2025 (the package lists today's units only).

    Example:
        >>> import importlib.util, parindex
        >>> if importlib.util.find_spec("vietnam_provinces"):  # with parindex[units]
        ...     wards = parindex.io.rosters.commune_roster(2025, level="ward", province="31")
        ...     assert len(wards) == 45 and wards.names()[0].startswith("Phường")
    """
    levels = roster_levels()
    if level not in levels or levels[level].roster != "package":
        known = ", ".join(k for k, v in levels.items() if v.roster == "package")
        raise RosterUnavailableError(
            f"level {level!r} is not in the commune roster (its levels: {known})", level=level
        )
    facts = _package_facts()
    first = int(facts["first_evaluation_year"])
    if year is not None and year < first:
        raise RosterUnavailableError(
            f"no roster of communes for {year}: the package lists the units in force from "
            f"{facts['valid_from']} (evaluation years {first} on); for earlier years pass "
            "a roster file, or keep the names as given (free)",
            level=level,
        )
    units, version = _package_units()
    roster = Roster(
        level,
        units,
        year=year,
        source=Source(
            facts["source"]["url"], facts["source"]["confidence"], facts["source"]["note"]
        ),
        origin=f"{facts['distribution']} {version}",
    ).select(levels=levels[level].includes)
    if province is None:
        return roster
    wanted = province.strip()
    for unit in roster.units:
        if wanted in (unit.province, unit.province_code):
            return roster.select(province=unit.province)
    raise RosterUnavailableError(
        f"no {level} roster for province {province!r} (an official name or code of the "
        f"{first} provinces, exactly, e.g. 'Hải Phòng' or '31')",
        level=level,
    )


# --------------------------------------------------------------------------- by level


def roster_for(
    level: str,
    *,
    year: int,
    province: str | None = None,
    path: str | Path | None = None,
) -> Roster:
    """The roster a sheet of ``level`` for evaluation ``year`` is resolved against:
    the file at ``path`` when given, else the shipped or packaged roster of the level.

    Raises:
        RosterUnavailableError: the level has no roster of its own (departments: pass
            ``path``), the year is not covered, or the package is missing.

    Example:
        >>> import parindex
        >>> len(parindex.io.rosters.roster_for("province", year=2024))
        63
        >>> parindex.io.rosters.roster_for("department", year=2025)
        Traceback (most recent call last):
        ...
        parindex.errors.RosterUnavailableError: level 'department' has no shipped roster: departments (sở, ban, ngành) are per province and supplied by you, as a roster file (CSV: name,code,...) or a list of names
    """
    if path is not None:  # a file is read every time: its content may change
        return load_roster(path, level=level, province=province, year=year)
    if type(level) is str and type(year) is int and (province is None or type(province) is str):
        return _kept_roster(level, year, province)
    return _level_roster(level, year, province)


# Shipped and packaged rosters by (level, year, province): the service asks for one on
# every request, and building the communes' took 18 ms. A packaged roster is kept with
# the package's units it was made of, and made again when those are read anew
# (_package_units.cache_clear()). Bounded; shared by threads.
_ROSTERS_MAX = 32
_rosters: OrderedDict[tuple[str, int, str | None], tuple[Roster, object]] = OrderedDict()
_rosters_lock = threading.Lock()


def _kept_roster(level: str, year: int, province: str | None) -> Roster:
    """:func:`_level_roster`, from the cache when it was made lately."""
    key = (level, year, province)
    with _rosters_lock:
        kept = _rosters.get(key)
        if kept is not None:
            _rosters.move_to_end(key)
    # A hit passed the checks of the level and year before: what is left to fail is
    # reading the package (it raises here as commune_roster would).
    if kept is not None and (kept[1] is None or _package_units()[0] is kept[1]):
        return kept[0]
    roster = _level_roster(level, year, province)
    made_of = None if level in ("province", "ministry") else _package_units()[0]
    with _rosters_lock:
        _rosters[key] = (roster, made_of)
        while len(_rosters) > _ROSTERS_MAX:
            _rosters.popitem(last=False)
    return roster


def _level_roster(level: str, year: int, province: str | None) -> Roster:
    """The shipped or packaged roster of ``level`` (see :func:`roster_for`), made anew."""
    levels = roster_levels()
    info = levels.get(level)
    if info is None:
        raise RosterUnavailableError(
            f"unknown level {level!r} (levels with a roster: "
            f"{', '.join(k for k, v in levels.items() if v.roster != 'none')}; "
            "for any other, pass a roster file)",
            level=level,
        )
    if info.roster in ("none", "user"):
        what = {
            "department": "departments (sở, ban, ngành) are per province and supplied by you, "
            "as a roster file (CSV: name,code,...) or a list of names",
        }.get(
            level,
            "units of this level are kept under the names given (free), or "
            "resolved against a roster file you supply",
        )
        raise RosterUnavailableError(f"level {level!r} has no shipped roster: {what}", level=level)
    if level == "province":
        return province_roster(year)
    if level == "ministry":
        return ministry_roster(year)
    return commune_roster(year, level=level, province=province)


# --------------------------------------------------------------------------- user rosters


def roster_from_names(
    names: Iterable[str], *, level: str = "department", province: str | None = None
) -> Roster:
    """A roster from a list of official names (no codes), e.g. a province's departments.

    Example:
        >>> import parindex
        >>> r = parindex.io.rosters.roster_from_names(["Sở Nội vụ", "Sở Tài chính"], province="Hải Phòng")
        >>> r.level, r.units[0].province, r.units[0].code
        ('department', 'Hải Phòng', None)
    """
    if isinstance(names, str):
        raise InputFormatError(f"roster names must be a list of names, not one text {names!r}")
    units = [RosterUnit(n, None, level, province=province) for n in names]
    return Roster(level, units, origin="a list of names")


def _unit(item: object, i: int, defaults: Mapping[str, Any], where: str) -> RosterUnit:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping):
        raise InputFormatError(f"{where}: unit {i} must be a name or a mapping, got {item!r}")
    unknown = sorted(set(item) - set(ROSTER_COLUMNS))
    if unknown:
        raise InputFormatError(
            f"{where}: unit {i}: unknown keys {unknown} (known: {', '.join(ROSTER_COLUMNS)})"
        )
    aliases = item.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a for a in (s.strip() for s in aliases.split(";")) if a]
    code = item.get("code")
    try:
        return RosterUnit(
            item.get("name"),
            None if code is None else str(code),
            item.get("level") or defaults["level"],
            province=item.get("province") or defaults.get("province"),
            aliases=aliases,
        )
    except (ParIndexError, ValueError, TypeError) as err:
        raise InputFormatError(f"{where}: unit {i}: {err}") from None


def _stated(
    data: Mapping[str, Any], key: str, kind: type[_T], asked: _T | None, name: str
) -> _T | None:
    """What a roster document states for ``key`` (checked against its type and against
    what the caller asks for), else what the caller asks for."""
    value = data.get(key)
    if value is None:
        return asked
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputFormatError(f"{name}: {key!r} must be {kind.__name__}, got {value!r}")
    if asked is not None and value != asked:
        raise InputFormatError(f"{name}: the roster is for {key} {value!r}, not {asked!r}")
    return value


def roster_from_dict(
    data: object,
    *,
    level: str | None = None,
    province: str | None = None,
    year: int | None = None,
    name: str = "<roster>",
) -> Roster:
    """A roster from plain data (a parsed YAML or JSON roster file)::

        format: parindex-roster/1
        level: department
        province: Hải Phòng
        source: {url: https://..., note: ...}   # optional
        units:
          - {name: Sở Nội vụ, code: "...", aliases: [SNV]}
          - Sở Tài chính                        # a bare name: no code

    ``level``, ``province`` and ``year`` given here fill what the data leave out, and
    must agree with what they state.

    Example:
        >>> import parindex
        >>> r = parindex.io.rosters.roster_from_dict({"format": "parindex-roster/1",
        ...     "level": "department", "units": ["Sở Nội vụ", {"name": "Thanh tra thành phố", "aliases": ["Thanh tra TP"]}]})
        >>> r.names(), r.units[1].aliases
        (('Sở Nội vụ', 'Thanh tra thành phố'), ('Thanh tra TP',))
    """
    if not isinstance(data, Mapping):
        raise InputFormatError(f"{name}: a roster is a mapping with 'format' and 'units'")
    if data.get("format") != _FORMAT:
        raise InputFormatError(f"{name}: 'format' must be {_FORMAT!r}, got {data.get('format')!r}")
    unknown = sorted(
        set(data) - {"format", "level", "province", "year", "source", "units", "notes"}
    )
    if unknown:
        raise InputFormatError(f"{name}: unknown keys {unknown}")
    level = _stated(data, "level", str, level, name)
    province = _stated(data, "province", str, province, name)
    year = _stated(data, "year", int, year, name)
    units = data.get("units")
    if not isinstance(units, list) or not units:
        raise InputFormatError(f"{name}: 'units' must be a non-empty list")
    level = level or "unit"
    defaults = {"level": level, "province": province}
    src = data.get("source")
    source = None
    if isinstance(src, Mapping) and src.get("url"):
        source = Source(str(src["url"]), src.get("confidence", "S"), str(src.get("note", "")))
    try:
        return Roster(
            level,
            [_unit(item, i, defaults, name) for i, item in enumerate(units, start=1)],
            year=year,
            source=source,
            origin=name,
        )
    except (ParIndexError, ValueError) as err:
        if isinstance(err, InputFormatError):
            raise
        raise InputFormatError(f"{name}: {err}") from None


def _csv_roster(
    text: str, name: str, *, level: str | None, province: str | None, year: int | None
) -> Roster:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise InputFormatError(f"{name}: not a valid CSV file ({err})") from None
    columns = reader.fieldnames or []
    unknown = sorted(set(columns) - set(ROSTER_COLUMNS))
    if "name" not in columns or unknown:
        raise InputFormatError(
            f"{name}: a CSV roster needs a 'name' column"
            + (f"; unknown columns {unknown}" if unknown else "")
            + f" (known: {', '.join(ROSTER_COLUMNS)})"
        )
    units = [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]
    data = {"format": _FORMAT, "units": units}
    return roster_from_dict(data, level=level, province=province, year=year, name=name)


def load_roster(
    path: str | Path,
    *,
    level: str | None = None,
    province: str | None = None,
    year: int | None = None,
) -> Roster:
    """Read a roster file you supply: CSV (columns ``name``, and optionally ``code``,
    ``province``, ``level``, ``aliases`` separated by ``;``) or YAML/JSON (see
    :func:`roster_from_dict`). This is where a province's departments go.

    Example:
        >>> import pathlib, tempfile, parindex
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "haiphong-departments.csv"
        >>> _ = path.write_text("name,aliases\\nSở Nội vụ,\\nThanh tra thành phố,Thanh tra TP\\n", encoding="utf-8")
        >>> r = parindex.io.rosters.load_roster(path, level="department", province="Hải Phòng")
        >>> r.names(), r.units[0].province
        (('Sở Nội vụ', 'Thanh tra thành phố'), 'Hải Phòng')
    """
    p = Path(path)
    text = read_text_file(p)
    if p.suffix.lower() == ".csv":
        return _csv_roster(text, str(p), level=level, province=province, year=year)
    data = safe_parse(text, name=str(p))
    return roster_from_dict(data, level=level, province=province, year=year, name=str(p))
