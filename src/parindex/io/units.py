"""Units scored by the national index: the provinces (đơn vị hành chính cấp tỉnh)
before and after the merger of 1 July 2025, and the ministries assessed each year.

The data live in ``parindex/data/units/*.yaml`` with their sources; this module only
reads them (once) and answers questions. Names match exactly (after NFC
normalisation); fuzzy matching is not done here (it is
:func:`parindex.analysis.names.resolve_units`, on the rosters of
:mod:`parindex.io.rosters`, which also reads communes, wards and departments).
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from importlib import resources
from typing import Any

import attrs

from parindex.errors import UnknownUnitError
from parindex.io.safe import safe_parse
from parindex.model.parts import AdministrativeUnit, Source

__all__ = [
    "MERGER_DATE",
    "MinistryRoster",
    "assessed_ministries",
    "merger_year",
    "province_predecessors",
    "province_successor",
    "provinces",
]

MERGER_DATE: dt.date
"""The day the 34 provinces of Nghị quyết 202/2025/QH15 replaced the 63 (read from
``parindex/data/units/provinces.yaml``: the latest period's ``valid_from``).

Example:
    >>> import parindex
    >>> parindex.io.units.MERGER_DATE
    datetime.date(2025, 7, 1)
"""


@functools.cache
def _load(name: str) -> dict[str, Any]:
    entry = resources.files("parindex") / "data" / "units" / name
    data = safe_parse(entry.read_text(encoding="utf-8"), name=name)
    if not isinstance(data, dict):  # pragma: no cover - shipped data
        raise TypeError(f"{name}: not a mapping")
    return data


def __getattr__(name: str) -> dt.date:
    # Read from the data on first use, so that importing the module reads no file.
    if name == "MERGER_DATE":
        date: dt.date = _periods()[-1]["valid_from"]
        return date
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _periods() -> list[dict[str, Any]]:
    """The province structures in force, oldest first, as the data file lists them."""
    periods: list[dict[str, Any]] = _load("provinces.yaml")["periods"]
    return periods


@functools.cache
def _units(period: int) -> tuple[AdministrativeUnit, ...]:
    return tuple(
        AdministrativeUnit(code=u["code"], name=u["name"], level="province")
        for u in _periods()[period]["units"]
    )


def _successor_codes(period: int) -> dict[str, str]:
    return {u["code"]: u["successor"] for u in _periods()[period]["units"]}


def provinces(when: int | dt.date) -> list[AdministrativeUnit]:
    """The provinces in force at a date, or for an evaluation year.

    A year before 2025 gives the 63 provinces; 2025 and later give the 34 of
    Nghị quyết 202/2025/QH15 (2025 evaluations are made on the two-level structure).
    A date gives the units in force that day (the 34 from 1 July 2025). Both dates
    are data (``parindex/data/units/provinces.yaml``).

    Example:
        >>> import datetime as dt
        >>> import parindex
        >>> len(parindex.io.units.provinces(2024)), len(parindex.io.units.provinces(2025))
        (63, 34)
        >>> len(parindex.io.units.provinces(dt.date(2025, 6, 30)))
        63
        >>> parindex.io.units.provinces(2024)[0]
        AdministrativeUnit(code='01', name='Hà Nội', level='province', parent=None, group=None, name_en=None)
    """
    if isinstance(when, dt.date):
        key = "valid_from"
    elif isinstance(when, int) and not isinstance(when, bool):
        key = "first_evaluation_year"
    else:
        raise TypeError(f"provinces() takes a year or a date, got {when!r}")
    # The first period has no start: it holds for anything before the next one.
    chosen = 0
    for i, period in enumerate(_periods()[1:], start=1):
        if when >= period[key]:
            chosen = i
    return list(_units(chosen))


def merger_year() -> int:
    """The first evaluation year made on the provinces of the latest merger (read from
    the data: the latest period's ``first_evaluation_year``).

    Example:
        >>> import parindex
        >>> parindex.io.units.merger_year()
        2025
    """
    year: int = _periods()[-1]["first_evaluation_year"]
    return year


def _find(units: tuple[AdministrativeUnit, ...], key: str, what: str) -> AdministrativeUnit:
    wanted = _nfc(key)
    for u in units:
        if wanted in (u.code, u.name):
            return u
    raise UnknownUnitError(
        f"no {what} named or coded {key!r} (exact match; e.g. 'Đắk Lắk' or '66')", unit=key
    )


def province_successor(name: str) -> AdministrativeUnit:
    """The province (of the 34 from 1 July 2025) that a pre-merger province became
    part of. ``name`` is a pre-merger name or code, matched exactly.

    Raises:
        UnknownUnitError: no pre-merger province has that name or code.

    Example:
        >>> import parindex
        >>> parindex.io.units.province_successor("Đắk Nông").name
        'Lâm Đồng'
        >>> parindex.io.units.province_successor("Hà Giang").code
        '08'
    """
    before = len(_periods()) - 2
    old = _find(_units(before), name, "pre-merger province")
    return _find(_units(before + 1), _successor_codes(before)[old.code], "province")


def province_predecessors(name: str) -> list[AdministrativeUnit]:
    """The pre-merger provinces that make up one of the 34 provinces (name or code,
    matched exactly).

    Raises:
        UnknownUnitError: no post-merger province has that name or code.

    Example:
        >>> import parindex
        >>> [u.name for u in parindex.io.units.province_predecessors("Lâm Đồng")]
        ['Bình Thuận', 'Đắk Nông', 'Lâm Đồng']
    """
    before = len(_periods()) - 2
    new = _find(_units(before + 1), name, "post-merger province")
    codes = _successor_codes(before)
    return [u for u in _units(before) if codes[u.code] == new.code]


@attrs.frozen
class MinistryRoster:
    """Ministries and ministry-level agencies (bộ, cơ quan ngang bộ) assessed in an
    evaluation year: how many were assessed and ranked, which were scored but not
    ranked, and (where a full table was found) the ranked units' names. ``None``
    means not found.

    Example:
        >>> import parindex
        >>> r = parindex.io.units.assessed_ministries(2023)
        >>> r.ranked, r.unranked
        (17, ('Thanh tra Chính phủ', 'Ủy ban Dân tộc'))
    """

    year: int
    assessed: int | None
    ranked: int | None
    unranked: tuple[str, ...]
    ranked_names: tuple[str, ...]
    source: Source
    note: str = ""


def assessed_ministries(year: int) -> MinistryRoster:
    """Who was assessed in the ministry PAR INDEX of an evaluation year.

    Raises:
        UnknownUnitError: the year is not covered; the message names the covered years.

    Example:
        >>> import parindex
        >>> [parindex.io.units.assessed_ministries(y).assessed for y in (2012, 2018, 2020)]
        [19, 18, 19]
        >>> parindex.io.units.assessed_ministries(2024).ranked is None
        True
    """
    data = _load("ministries.yaml")
    years: dict[int, dict[str, Any]] = data["years"]
    if year not in years:
        covered = ", ".join(map(str, sorted(years)))
        raise UnknownUnitError(
            f"no ministry roster for {year}; years covered: {covered}", value=year
        )
    rec = years[year]
    src = data["sources"][rec["source"]]
    return MinistryRoster(
        year=year,
        assessed=rec.get("assessed"),
        ranked=rec.get("ranked"),
        unranked=tuple(rec.get("unranked") or ()),
        ranked_names=tuple(rec.get("ranked_names") or ()),
        source=Source(src["url"], src["confidence"], src.get("note", "")),
        note=rec.get("note", ""),
    )
