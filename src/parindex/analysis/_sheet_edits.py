"""Helpers shared by :mod:`parindex.analysis.what_if` and :mod:`parindex.analysis.gap`:
finding the unit, adding peer units to a sheet, and formatting figures for reports."""

from __future__ import annotations

import math

import pandas as pd

from parindex._numbers import round_half_up
from parindex._text import normalize_key
from parindex.errors import InputFormatError, UnknownUnitError
from parindex.model.sheet import ScoreSheet

__all__ = ["find_unit", "fmt", "with_peers"]


def with_peers(sheet: ScoreSheet, peers: ScoreSheet | None) -> ScoreSheet:
    """The sheet with the peer units' entries added (each unit may be given once).

    Example:
        >>> from parindex import ScoreEntry, ScoreSheet
        >>> a = ScoreSheet([ScoreEntry("A", "1", points=1.0)])
        >>> b = ScoreSheet([ScoreEntry("B", "1", points=2.0)])
        >>> with_peers(a, b).units
        ('A', 'B')
        >>> with_peers(a, a)
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: peers: units ['A'] are already in the sheet; give each unit once
    """
    if peers is None:
        return sheet
    clash = set(sheet.units) & set(peers.units)
    if clash:
        raise InputFormatError(
            f"peers: units {sorted(clash)} are already in the sheet; give each unit once"
        )
    return ScoreSheet((*sheet.entries, *peers.entries), methodology=sheet.methodology)


def find_unit(sheet: ScoreSheet, unit: str) -> str:
    """The sheet's key for ``unit`` (normalised); UnknownUnitError if it has none.

    Example:
        >>> from parindex import ScoreEntry, ScoreSheet
        >>> find_unit(ScoreSheet([ScoreEntry("Huyện A", "1", points=1.0)]), " Huyện  A ")
        'Huyện A'
    """
    key = normalize_key(unit)
    if key not in sheet.units:
        raise UnknownUnitError(f"no unit {unit!r} in the sheet (it has {', '.join(sheet.units)})")
    return key


def fmt(x: object) -> str:
    """A figure for a report: ``-`` when missing, floats rounded half-up to 2 decimals.

    Example:
        >>> fmt(82.125), fmt(None), fmt(3)
        ('82.13', '-', '3')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "-"
    if isinstance(x, float):
        return f"{round_half_up(x, 2):g}"
    return str(x)
