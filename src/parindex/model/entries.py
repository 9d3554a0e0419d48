"""Entries of a score sheet (dòng phiếu chấm điểm) and how a row of text becomes one.

Cells are read strictly: a number that could be read two ways (``1.234`` with decimal
commas, ``1,5`` without) is refused, never guessed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from parindex._numbers import NUMBER_PATTERN
from parindex._text import normalize_key, plural
from parindex.errors import (
    AmbiguousInputError,
    InputFormatError,
    InvalidValueError,
    PointsOutOfRangeError,
    ScoreSheetError,
    ScoreSheetErrors,
)

__all__ = [
    "ScoreEntry",
    "check_text",
    "entries_from_rows",
    "forbidden_character",
]

_NUMERIC = ("points", "self_points", "appraised_points")


def _check_points(value: float | None, what: str) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{what} must be a finite number, got {value!r}")
    if value < 0:
        raise PointsOutOfRangeError(f"{what} {value:g} is negative")


_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")  # used with fullmatch


def _as_points(x: object, what: str) -> float | None:
    """A points cell given in Python: a real number, or a plain decimal string."""
    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        raise InvalidValueError(f"{what} must be a number, got the boolean {x!r}")
    if isinstance(x, int | float | np.integer | np.floating):
        try:
            return float(x)
        except OverflowError:
            raise PointsOutOfRangeError(
                f"{what} {_shown_digits(x)} is too large to be a number"
            ) from None
    if isinstance(x, str):
        return _parse_cell_number(x, decimal_comma=False, where=None, column=what)
    raise InvalidValueError(f"{what} {x!r} is not a number (got {type(x).__name__})")


# Tab, line feed and carriage return are routine in spreadsheet cells (Alt+Enter, a
# trailing newline): names fold them to spaces and free text keeps them.
_LINE_CONTROLS = frozenset("\t\n\r")
_KINDS = {"Cc": "control character", "Cf": "invisible character", "Cs": "lone surrogate"}


def forbidden_character(text: str, *, free_text: bool = False) -> str | None:
    r"""The first character that ``text`` may not hold in a sheet, or ``None``.

    Control characters (but tab, LF and CR) and lone surrogates are refused in every
    text field; names and keys (unit, node, group, a text value) also refuse invisible
    format characters such as U+200B, which would make two names of one (``free_text``:
    a note, where they are allowed).

    Example:
        >>> from parindex.model.entries import forbidden_character
        >>> forbidden_character("Đắk Lắk"), forbidden_character("Đắk Lắk\u200b")
        (None, '\u200b')
        >>> forbidden_character("a\u200bb", free_text=True), forbidden_character("x\x1b[31m", free_text=True)
        (None, '\x1b')
    """
    if text.isprintable():  # in C: no Cc, Cf or Cs at all (the usual case)
        return None
    refused = ("Cc", "Cs") if free_text else ("Cc", "Cf", "Cs")
    for ch in text:
        if ch not in _LINE_CONTROLS and unicodedata.category(ch) in refused:
            return ch
    return None


def check_text(text: str, what: str, *, free_text: bool = False) -> None:
    r"""Refuse ``text`` (``what`` names the field, e.g. ``"unit"``) when it holds a
    :func:`forbidden_character`.

    Raises:
        InputFormatError: naming the field, the text and the character.

    Example:
        >>> from parindex.model.entries import check_text
        >>> check_text("Gia Lai", "unit")
        >>> check_text("Gia Lai\x1b[2J", "unit")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: unit 'Gia Lai\x1b[2J' contains the control character U+001B; delete it
    """
    ch = forbidden_character(text, free_text=free_text)
    if ch is not None:
        # repr() shows the character escaped, so the message itself is safe to print.
        kind = _KINDS[unicodedata.category(ch)]
        raise InputFormatError(f"{what} {text!r} contains the {kind} U+{ord(ch):04X}; delete it")


def _text(x: object, what: str) -> str:
    if not isinstance(x, str):
        shown = f"{x!r} ({type(x).__name__})"
        raise InputFormatError(f'{what} {shown} must be text (a name, or a node number like "3.2")')
    # Checked before normalising: folding U+000B or U+0085 to a space would hide them.
    check_text(x, what)
    return normalize_key(x)


def _check_value(value: object, where: str) -> None:
    """Refuse a raw value no rule could read safely: hidden characters in text, a
    number that is not finite or does not fit a float."""
    if isinstance(value, str):
        check_text(value, f"{where}: value")
    elif isinstance(value, bool | np.bool_):
        return
    elif isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise PointsOutOfRangeError(f"value {value!r} must be a finite number")
    elif isinstance(value, int | np.integer):
        try:
            float(value)
        except OverflowError:
            raise PointsOutOfRangeError(
                f"value {_shown_digits(value)} is too large to be a number"
            ) from None


def _shown_digits(x: object) -> str:
    shown = str(x)
    return shown if len(shown) <= 24 else f"{shown[:12]}...({len(shown)} digits)"


@attrs.frozen
class ScoreEntry:
    """One line of a score sheet.

    Exactly one of ``points``, ``value`` or ``na=True`` is given. ``value`` is read by
    the node's rule (e.g. ``"97%"``, ``"late"``, ``3`` occurrences); a number must be
    finite. Text may not hold a control character (tab, LF and CR aside) or a lone
    surrogate, nor, outside ``note``, an invisible character (:func:`check_text`).

    Example:
        >>> from parindex import ScoreEntry
        >>> ScoreEntry("Đắk Lắk", "1", points=5.5).points
        5.5
        >>> ScoreEntry("Đắk Lắk", "1", points=-1)
        Traceback (most recent call last):
        ...
        parindex.errors.PointsOutOfRangeError: unit 'Đắk Lắk', node '1': points -1 is negative
    """

    unit: str
    node: str
    points: float | None = None
    value: object = None
    na: bool = False
    group: str | None = None
    self_points: float | None = None
    appraised_points: float | None = None
    note: str = ""

    def __attrs_post_init__(self) -> None:
        # Conversions happen here, not in attrs converters, so that every message can
        # name the unit and the node.
        object.__setattr__(self, "unit", _text(self.unit, "unit"))
        object.__setattr__(self, "node", _text(self.node, f"unit {self.unit!r}: node"))
        where = f"unit {self.unit!r}, node {self.node!r}"
        for name in _NUMERIC:
            raw = getattr(self, name)
            try:
                object.__setattr__(self, name, _as_points(raw, name))
            except ScoreSheetError as err:
                raise type(err)(
                    f"{where}: {err}", unit=self.unit, node=self.node, value=raw
                ) from None
        try:
            _check_value(self.value, where)
        except PointsOutOfRangeError as err:
            raise PointsOutOfRangeError(
                f"{where}: {err}", unit=self.unit, node=self.node, value=self.value
            ) from None
        if not isinstance(self.na, bool | np.bool_):
            raise InputFormatError(f"{where}: na must be True or False, got {self.na!r}")
        object.__setattr__(self, "na", bool(self.na))
        if self.group is not None:
            object.__setattr__(self, "group", _text(self.group, f"{where}: group") or None)
        if not isinstance(self.note, str):
            raise InputFormatError(f"{where}: note must be text, got {self.note!r}")
        check_text(self.note, f"{where}: note", free_text=True)
        if not self.unit or not self.node:
            raise InputFormatError(f"{where}: unit and node must not be blank")
        given = (self.points is not None) + (self.value is not None) + bool(self.na)
        if given != 1:
            what = "none" if given == 0 else "more than one"
            raise ScoreSheetError(
                f"{where}: give exactly one of points, value or status na ({what} given)",
                unit=self.unit,
                node=self.node,
            )
        for name in _NUMERIC:
            try:
                _check_points(getattr(self, name), name)
            except ScoreSheetError as err:
                raise type(err)(
                    f"{where}: {err}", unit=self.unit, node=self.node, value=getattr(self, name)
                ) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, omitting what is not given.

        Example:
            >>> from parindex import ScoreEntry
            >>> ScoreEntry("Đắk Lắk", "1", points=5.5, note="published").to_dict()
            {'unit': 'Đắk Lắk', 'node': '1', 'points': 5.5, 'note': 'published'}
        """
        out: dict[str, Any] = {"unit": self.unit, "node": self.node}
        if self.points is not None:
            out["points"] = self.points
        if self.value is not None:
            out["value"] = self.value
        if self.na:
            out["status"] = "na"
        for name in ("group", "self_points", "appraised_points"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.note:
            out["note"] = self.note
        return out


def _parse_cell_number(text: str, *, decimal_comma: bool, where: str | None, column: str) -> float:
    """Read a number written as text, refusing anything that could be read two ways."""
    raw = text.strip()
    lead = "" if where is None else f"{where}: "
    if decimal_comma:
        if "." in raw and "," in raw:
            raise AmbiguousInputError(
                f"{lead}{column} {text!r} mixes '.' and ','; write plain digits with one "
                "decimal separator",
                value=text,
            )
        if _GROUPED.fullmatch(raw):
            raise AmbiguousInputError(
                f"{lead}{column} {text!r}: in a sheet read with decimal commas a '.' "
                f"followed by three digits may separate thousands ({raw.replace('.', '')}); "
                "write the decimal with a comma (1,5) or the number without separators",
                value=text,
            )
        raw = raw.replace(",", ".")
    elif "," in raw:
        raise AmbiguousInputError(
            f"{lead}{column} {text!r} has a comma, which could be a decimal comma or a "
            "thousands separator; write it with a decimal point, or read the sheet with "
            "decimal_comma=True (--decimal-comma)",
            value=text,
        )
    if not NUMBER_PATTERN.fullmatch(raw):
        try:
            special = not math.isfinite(float(raw))
        except ValueError:
            special = False
        if special:
            raise PointsOutOfRangeError(
                f"{lead}{column} {text!r} must be a finite number", value=text
            )
        raise InvalidValueError(
            f"{lead}{column} {text!r} is not a number (write digits with a decimal point, "
            "e.g. 8.5)",
            value=text,
        )
    value = float(raw)
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{lead}{column} {text!r} must be a finite number", value=text)
    return value


def _where(line: str, unit: str, node: str) -> str:
    # Built only for a message: formatting it for every row cost more than the row.
    return f"{line}, unit {normalize_key(unit)!r}, node {normalize_key(node)!r}"


def _clean(memo: dict[str, str | None], text: str) -> str | None:
    """``normalize_key(text)`` when :func:`check_text` passes it, else ``None``: the
    per-string work of a name, done once per distinct string of a sheet (``memo``)."""
    try:
        return memo[text]
    except KeyError:
        pass
    clean = normalize_key(text) if forbidden_character(text) is None else None
    memo[text] = clean
    return clean


def _fine_points(x: float | None) -> bool:
    return x is None or (math.isfinite(x) and x >= 0)


def _fine_value(value: object) -> bool:
    """Whether :func:`_check_value` surely passes ``value`` (else it is asked)."""
    if value is None or type(value) is bool:
        return True
    if type(value) is str:
        return forbidden_character(value) is None
    if type(value) is float:
        return math.isfinite(value)
    # float() of an int overflows only past 2**1024.
    return type(value) is int and value.bit_length() < 1000


def _entry_from_record(
    rec: Mapping[str, Any],
    *,
    line: str,
    decimal_comma: bool,
    memo: dict[str, str | None] | None = None,
) -> ScoreEntry:
    unit = rec.get("unit")
    node = rec.get("node")
    if unit is not None and not isinstance(unit, str):
        raise InputFormatError(
            f"{line}: unit {unit!r} ({type(unit).__name__}) must be text (the unit's name)"
        )
    if not isinstance(unit, str) or not unit.strip():
        raise InputFormatError(f"{line}: 'unit' is blank")
    if isinstance(node, int) and not isinstance(node, bool) and node >= 0:
        # A whole number is a field id without doubt ("1"), as pandas.read_csv gives it;
        # a float is not ("3.10" read as 3.1 loses the decimal structure).
        node = str(node)
    if not isinstance(node, str) or not node.strip():
        if isinstance(node, int | float) and not isinstance(node, bool):
            raise InputFormatError(
                f'{line}: node {node!r} must be text like "3.2" (a number loses the '
                "decimal structure)"
            )
        raise InputFormatError(f"{line}: 'node' is blank")
    memo = {} if memo is None else memo
    fields: dict[str, Any] = {}
    for name in _NUMERIC:
        cell = rec.get(name)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if type(cell) is float:  # what _as_points gives it back (JSON's usual cell)
            fields[name] = cell
            continue
        if isinstance(cell, str):
            try:
                fields[name] = _parse_cell_number(
                    cell, decimal_comma=decimal_comma, where=None, column=name
                )
            except ScoreSheetError:
                # Read again with the place in the message: the same refusal, worded as
                # ever, without formatting the place for every good cell.
                try:
                    _parse_cell_number(
                        cell,
                        decimal_comma=decimal_comma,
                        where=_where(line, unit, node),
                        column=name,
                    )
                except ScoreSheetError as err:  # keep the unit and node for programs
                    raise type(err)(
                        str(err),
                        unit=normalize_key(unit),
                        node=normalize_key(node),
                        value=err.value,
                    ) from None
                raise  # pragma: no cover - the same text is refused both times
            continue
        try:
            fields[name] = _as_points(cell, name)
        except ScoreSheetError as err:
            raise type(err)(
                f"{_where(line, unit, node)}: {err}",
                unit=normalize_key(unit),
                node=normalize_key(node),
                value=cell,
            ) from None
    value = rec.get("value")
    if isinstance(value, str):
        if forbidden_character(value) is not None:  # before strip() hides a trailing U+000B
            check_text(value, f"{_where(line, unit, node)}: value")
        value = value.strip() or None
        if value is not None and decimal_comma:
            if _GROUPED.fullmatch(value.removesuffix("%").strip()):
                raise AmbiguousInputError(
                    f"{_where(line, unit, node)}: value {value!r}: in a sheet read with "
                    "decimal commas a '.' followed by three digits may separate thousands; "
                    "write the decimal with a comma or the number without separators",
                    value=value,
                )
            if "," in value and "." not in value:
                value = value.replace(",", ".")
    status = rec.get("status")
    status = status.strip().casefold() if isinstance(status, str) else status
    if status not in (None, "", "na"):
        raise InputFormatError(
            f"{_where(line, unit, node)}: status {status!r} is not understood (use 'na' or "
            "leave blank)"
        )
    group = rec.get("group")
    if group is not None and not isinstance(group, str):
        raise InputFormatError(
            f"{_where(line, unit, node)}: group {group!r} ({type(group).__name__}) must be "
            "text; write the peer group's name (a number would be read differently by "
            "different tools)"
        )
    if isinstance(group, str):
        cleaned = _clean(memo, group)  # checked before normalize_key folds U+000B away
        if cleaned is None:
            check_text(group, f"{_where(line, unit, node)}: group")
        group = cleaned if group.strip() else None
    na = status == "na"
    note = str(rec.get("note") or "")
    points = fields.get("points")
    self_points = fields.get("self_points")
    appraised_points = fields.get("appraised_points")
    # The usual row, whose every check is known to pass, is built without checking its
    # names again; any other goes through ScoreEntry, which words the refusal.
    clean_unit = _clean(memo, unit)
    clean_node = _clean(memo, node)
    clean_group = None if group is None else _clean(memo, group)
    if (
        clean_unit
        and clean_node
        and (group is None or clean_group is not None)
        and type(na) is bool
        and (points is not None) + (value is not None) + na == 1
        and _fine_points(points)
        and _fine_points(self_points)
        and _fine_points(appraised_points)
        and _fine_value(value)
        and forbidden_character(note, free_text=True) is None
    ):
        return _checked_entry(
            clean_unit,
            clean_node,
            points,
            value,
            na,
            clean_group or None,
            self_points,
            appraised_points,
            note,
        )
    try:
        return ScoreEntry(
            unit=unit,
            node=node,
            points=points,
            value=value,
            na=na,
            group=group,
            self_points=self_points,
            appraised_points=appraised_points,
            note=note,
        )
    except ScoreSheetError as err:
        if "none given" in str(err):
            raise ScoreSheetError(
                f"{_where(line, unit, node)}: blank row: no points, value or status",
                unit=err.unit,
                node=err.node,
            ) from None
        raise type(err)(f"{line}: {err}", unit=err.unit, node=err.node, value=err.value) from None


def _checked_entry(
    unit: str,
    node: str,
    points: float | None,
    value: object,
    na: bool,
    group: str | None,
    self_points: float | None,
    appraised_points: float | None,
    note: str,
) -> ScoreEntry:
    """A :class:`ScoreEntry` of values its checks are known to pass, set as they are."""
    entry = _new_entry(ScoreEntry)
    _set_unit(entry, unit)
    _set_node(entry, node)
    _set_points(entry, points)
    _set_value(entry, value)
    _set_na(entry, na)
    _set_group(entry, group)
    _set_self_points(entry, self_points)
    _set_appraised_points(entry, appraised_points)
    _set_note(entry, note)
    return entry


# The slots' own setters: what object.__setattr__ ends in, without the look-up.
_new_entry = object.__new__
(
    _set_unit,
    _set_node,
    _set_points,
    _set_value,
    _set_na,
    _set_group,
    _set_self_points,
    _set_appraised_points,
    _set_note,
) = (
    ScoreEntry.__dict__[name].__set__
    for name in (
        "unit",
        "node",
        "points",
        "value",
        "na",
        "group",
        "self_points",
        "appraised_points",
        "note",
    )
)


def entries_from_rows(
    records: Iterable[tuple[str, Mapping[str, Any]]], *, decimal_comma: bool, collect_all: bool
) -> list[ScoreEntry]:
    """Score entries from numbered rows of cells (``(where, {column: cell})``), as read
    from a CSV, a frame or an Excel sheet; ``where`` (e.g. ``"line 3"``) starts every
    message. With ``collect_all`` every bad row is reported at once.

    Raises:
        ScoreSheetError: a row is malformed (the first one found).
        ScoreSheetErrors: with ``collect_all``, every malformed row.

    Example:
        >>> from parindex.model.entries import entries_from_rows
        >>> rows = [("line 2", {"unit": "A", "node": "1", "points": "8,5"})]
        >>> entries_from_rows(rows, decimal_comma=True, collect_all=False)[0].points
        8.5
        >>> entries_from_rows(rows, decimal_comma=False, collect_all=False)
        Traceback (most recent call last):
        ...
        parindex.errors.AmbiguousInputError: line 2, unit 'A', node '1': points '8,5' has a comma, which could be a decimal comma or a thousands separator; write it with a decimal point, or read the sheet with decimal_comma=True (--decimal-comma)
    """
    entries: list[ScoreEntry] = []
    rows: list[int] = []
    problems: list[ScoreSheetError] = []
    # Each distinct unit, node and group text is checked and normalised once per sheet:
    # 63 units of 8 nodes repeat each name 8 times. Bounded by the sheet's own rows.
    memo: dict[str, str | None] = {}
    for row, (line, rec) in enumerate(records, 1):
        try:
            entries.append(
                _entry_from_record(rec, line=line, decimal_comma=decimal_comma, memo=memo)
            )
            rows.append(row)
        except ScoreSheetError as err:
            err.row = row
            if not collect_all:
                raise
            problems.append(err)
    if problems:
        group = ScoreSheetErrors(f"{plural(len(problems), 'problem')} in the score sheet", problems)
        # The rows that could be read, each with its place: the other checks run on them
        # too, so that one bad cell does not hide the rest (model.sheet.sheet_from_rows).
        group.partial = (entries, rows)
        raise group
    return entries
