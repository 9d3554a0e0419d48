"""Score sheets (phiếu chấm điểm): what units scored, node by node.

A sheet is tidy: one entry per unit and node (or score component), carrying either
``points``, a raw ``value`` for the node's rule, or the status ``na`` (not applicable,
không phát sinh). Self-assessed and appraised points may ride along for the record.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from parindex._io import MAX_FILE_BYTES, read_text_file, safe_parse
from parindex.errors import (
    AmbiguousInputError,
    DuplicateEntryError,
    InputFormatError,
    PointsOutOfRangeError,
    ScoreSheetError,
    ScoreSheetErrors,
)
from parindex.rules import _NUMBER

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SHEET_COLUMNS", "ScoreEntry", "ScoreSheet", "normalize_key"]

SHEET_COLUMNS = (
    "unit",
    "node",
    "points",
    "value",
    "status",
    "group",
    "self_points",
    "appraised_points",
    "note",
)
"""Columns a tidy score sheet may have (``unit`` and ``node`` are required)."""

_NUMERIC = ("points", "self_points", "appraised_points")


def normalize_key(text: str) -> str:
    """Unicode NFC and trimmed spaces, so that visually equal keys are equal."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _old_tone_placement() -> dict[str, str]:
    # "oà, oè, uỳ" (old placement, on the second vowel) -> "òa, òe, ùy" (the new).
    table = {}
    for first, second, old, new in (
        ("o", "a", "àáảãạ", "òóỏõọ"),
        ("o", "e", "èéẻẽẹ", "òóỏõọ"),
        ("u", "y", "ỳýỷỹỵ", "ùúủũụ"),
    ):
        for marked_second, marked_first in zip(old, new, strict=True):
            table[first + marked_second] = marked_first + second
    return table


_OLD_TONE_PLACEMENT = _old_tone_placement()
_OLD_TONE = re.compile("|".join(map(re.escape, _OLD_TONE_PLACEMENT)))
# The marked second vowels: text holding none of them has no old placement, which a
# few substring scans tell faster than the regex (most names hold none).
_OLD_TONE_MARKS = tuple(dict.fromkeys(key[1] for key in _OLD_TONE_PLACEMENT))


def spelling_key(text: str) -> str:
    """The form under which two spellings are one name: Unicode NFC, letter case and
    old or new tone-mark placement (*Hoà* / *Hòa*, *Thuỷ* / *Thủy*) folded. Diacritics
    are kept: *Hòa* and *Hóa* are different names.

    Example:
        >>> from parindex._sheet import spelling_key
        >>> spelling_key("Uỷ ban Dân tộc") == spelling_key("ỦY BAN DÂN TỘC")
        True
        >>> spelling_key("Hòa An") == spelling_key("Hóa An")
        False
    """
    return _fold_nfc(_nfc(text))


def _fold_nfc(text: str) -> str:
    """:func:`spelling_key` of text already in NFC."""
    folded = _nfc(text.casefold())
    if any(mark in folded for mark in _OLD_TONE_MARKS) and _OLD_TONE.search(folded):
        for old, new in _OLD_TONE_PLACEMENT.items():
            folded = folded.replace(old, new)
    return folded


def _nfc(text: str) -> str:
    # The quick check is much cheaper than normalising text that is already NFC.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def spelling_clash(
    names: Sequence[str], *, joined_nfc: str | None = None
) -> tuple[str, str] | None:
    """Two of the distinct ``names`` that are one name spelled two ways (see
    :func:`spelling_key`), or ``None``. Checked on one joined string, in C.

    ``joined_nfc``: the names joined by NUL, when the caller already made that string
    and knows every name is NFC and free of NUL (saves a join and a normal-form check).
    """
    if joined_nfc is not None:
        keys = _fold_nfc(joined_nfc).split("\x00")
    else:
        joined = "\x00".join(names)
        keys = (
            spelling_key(joined).split("\x00")
            if joined.count("\x00") == len(names) - 1  # no name holds NUL itself
            else [spelling_key(n) for n in names]
        )
    if len(set(keys)) == len(keys):
        return None
    first: dict[str, str] = {}
    for name, key in zip(names, keys, strict=True):
        if key in first:
            return first[key], name
        first[key] = name
    raise AssertionError("unreachable: a repeated key was found above")  # pragma: no cover


def _check_points(value: float | None, what: str) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{what} must be a finite number, got {value!r}")
    if value < 0:
        raise PointsOutOfRangeError(f"{what} {value:g} is negative")


_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def _as_points(x: object, what: str) -> float | None:
    """A points cell given in Python: a real number, or a plain decimal string."""
    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        raise PointsOutOfRangeError(f"{what} must be a number, got the boolean {x!r}")
    if isinstance(x, int | float | np.integer | np.floating):
        try:
            return float(x)
        except OverflowError:
            shown = str(x)
            shown = shown if len(shown) <= 24 else f"{shown[:12]}...({len(shown)} digits)"
            raise PointsOutOfRangeError(f"{what} {shown} is too large to be a number") from None
    if isinstance(x, str):
        return _parse_cell_number(x, decimal_comma=False, where=None, column=what)
    raise PointsOutOfRangeError(f"{what} {x!r} is not a number (got {type(x).__name__})")


def _text(x: object, what: str) -> str:
    if not isinstance(x, str):
        shown = f"{x!r} ({type(x).__name__})"
        raise InputFormatError(f'{what} {shown} must be text (a name, or a node number like "3.2")')
    key = normalize_key(x)
    for ch in key:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            # An invisible character would make "Đắk Lắk" and "Đắk Lắk\u200b" two units.
            raise InputFormatError(
                f"{what} {key!r} contains the invisible character U+{ord(ch):04X}; delete it"
            )
    return key


@attrs.frozen
class ScoreEntry:
    """One line of a score sheet.

    Exactly one of ``points``, ``value`` or ``na=True`` is given. ``value`` is read by
    the node's rule (e.g. ``"97%"``, ``"late"``, ``3`` occurrences).

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
        if not isinstance(self.na, bool | np.bool_):
            raise InputFormatError(f"{where}: na must be True or False, got {self.na!r}")
        object.__setattr__(self, "na", bool(self.na))
        if self.group is not None:
            object.__setattr__(self, "group", _text(self.group, f"{where}: group") or None)
        if not isinstance(self.note, str):
            raise InputFormatError(f"{where}: note must be text, got {self.note!r}")
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


def _entries(items: Iterable[ScoreEntry]) -> tuple[ScoreEntry, ...]:
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise InputFormatError(
            f"a ScoreSheet holds ScoreEntry objects, got {type(items).__name__}; use "
            "ScoreSheet.from_records, from_frame, from_csv_text or read for plain data"
        )
    out = tuple(items)
    for i, e in enumerate(out):
        if not isinstance(e, ScoreEntry):
            raise InputFormatError(
                f"entry {i + 1} is a {type(e).__name__}, not a ScoreEntry; use "
                "ScoreSheet.from_records for plain data"
            )
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
        if _GROUPED.match(raw):
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
    if not _NUMBER.match(raw):
        try:
            special = not math.isfinite(float(raw))
        except ValueError:
            special = False
        problem = (
            "must be a finite number"
            if special
            else "is not a number (write digits with a decimal point, e.g. 8.5)"
        )
        raise PointsOutOfRangeError(f"{lead}{column} {text!r} {problem}", value=text)
    value = float(raw)
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{lead}{column} {text!r} must be a finite number", value=text)
    return value


def _entry_from_record(rec: Mapping[str, Any], *, line: str, decimal_comma: bool) -> ScoreEntry:
    unit = rec.get("unit")
    node = rec.get("node")
    if unit is not None and not isinstance(unit, str):
        raise InputFormatError(
            f"{line}: unit {unit!r} ({type(unit).__name__}) must be text (the unit's name)"
        )
    if not isinstance(unit, str) or not unit.strip():
        raise InputFormatError(f"{line}: 'unit' is blank")
    if not isinstance(node, str) or not node.strip():
        if isinstance(node, int | float) and not isinstance(node, bool):
            raise InputFormatError(
                f'{line}: node {node!r} must be text like "3.2" (a number loses the '
                "decimal structure)"
            )
        raise InputFormatError(f"{line}: 'node' is blank")
    where = f"{line}, unit {normalize_key(unit)!r}, node {normalize_key(node)!r}"
    fields: dict[str, Any] = {}
    for name in _NUMERIC:
        cell = rec.get(name)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if isinstance(cell, str):
            try:
                fields[name] = _parse_cell_number(
                    cell, decimal_comma=decimal_comma, where=where, column=name
                )
            except ScoreSheetError as err:  # keep the unit and node for programs
                raise type(err)(
                    str(err), unit=normalize_key(unit), node=normalize_key(node), value=err.value
                ) from None
            continue
        try:
            fields[name] = _as_points(cell, name)
        except ScoreSheetError as err:
            raise type(err)(
                f"{where}: {err}", unit=normalize_key(unit), node=normalize_key(node), value=cell
            ) from None
    value = rec.get("value")
    if isinstance(value, str):
        value = value.strip() or None
        if value is not None and decimal_comma:
            if _GROUPED.match(value.removesuffix("%").strip()):
                raise AmbiguousInputError(
                    f"{where}: value {value!r}: in a sheet read with decimal commas a '.' "
                    "followed by three digits may separate thousands; write the decimal "
                    "with a comma or the number without separators",
                    value=value,
                )
            if "," in value and "." not in value:
                value = value.replace(",", ".")
    status = rec.get("status")
    status = status.strip().casefold() if isinstance(status, str) else status
    if status not in (None, "", "na"):
        raise InputFormatError(
            f"{where}: status {status!r} is not understood (use 'na' or leave blank)"
        )
    group = rec.get("group")
    if group is not None and not isinstance(group, str):
        raise InputFormatError(
            f"{where}: group {group!r} ({type(group).__name__}) must be text; write the "
            "peer group's name (a number would be read differently by different tools)"
        )
    group = normalize_key(group) if isinstance(group, str) and group.strip() else None
    try:
        return ScoreEntry(
            unit=unit,
            node=node,
            points=fields.get("points"),
            value=value,
            na=status == "na",
            group=group,
            self_points=fields.get("self_points"),
            appraised_points=fields.get("appraised_points"),
            note=str(rec.get("note") or ""),
        )
    except ScoreSheetError as err:
        if "none given" in str(err):
            raise ScoreSheetError(
                f"{where}: blank row: no points, value or status", unit=err.unit, node=err.node
            ) from None
        raise type(err)(f"{line}: {err}", unit=err.unit, node=err.node, value=err.value) from None


def _collect(
    records: Iterable[tuple[str, Mapping[str, Any]]], *, decimal_comma: bool, collect_all: bool
) -> list[ScoreEntry]:
    entries: list[ScoreEntry] = []
    problems: list[ScoreSheetError] = []
    for line, rec in records:
        try:
            entries.append(_entry_from_record(rec, line=line, decimal_comma=decimal_comma))
        except ScoreSheetError as err:
            if not collect_all:
                raise
            problems.append(err)
    if problems:
        raise ScoreSheetErrors(f"{len(problems)} problems in the score sheet", problems)
    return entries


@attrs.frozen
class ScoreSheet:
    """A set of :class:`ScoreEntry` for one or more units.

    Duplicates (the same unit and node twice) and a unit given two different groups are
    refused on construction.

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "1", "points": 9},
        ...     {"unit": "A", "node": "2", "value": "97%"},
        ... ])
        >>> len(sheet), sheet.units
        (2, ('A',))
    """

    entries: tuple[ScoreEntry, ...] = attrs.field(converter=_entries)

    def __attrs_post_init__(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        groups: dict[str, str | None] = {}
        for i, e in enumerate(self.entries):
            key = (e.unit, e.node)
            if key in seen:
                raise DuplicateEntryError(
                    f"unit {e.unit!r}, node {e.node!r}: given twice (entries {seen[key] + 1} "
                    f"and {i + 1})",
                    unit=e.unit,
                    node=e.node,
                )
            seen[key] = i
            if e.group is not None:
                if groups.get(e.unit) not in (None, e.group):
                    raise ScoreSheetError(
                        f"unit {e.unit!r}: two groups given ({groups[e.unit]!r} and {e.group!r})",
                        unit=e.unit,
                        value=e.group,
                    )
                groups[e.unit] = e.group
        clash = spelling_clash(self.units)
        if clash is not None:
            a, b = clash
            raise DuplicateEntryError(
                f"units {a!r} and {b!r} are one name spelled two ways (letter case or "
                "tone-mark placement); spell each unit one way, e.g. with "
                "UnitNames(official names).canonicalize(sheet)",
                unit=b,
                value=(a, b),
            )

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def units(self) -> tuple[str, ...]:
        """Units in order of first appearance.

        Example:
            >>> import parindex
            >>> parindex.ScoreSheet.read("examples/binhduong-district-2017.csv").units[:2]
            ('Thành phố Thủ Dầu Một', 'Thị xã Tân Uyên')
        """
        return tuple(dict.fromkeys(e.unit for e in self.entries))

    def group_of(self, unit: str) -> str | None:
        """The peer group a unit was given, if any.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([
            ...     {"unit": "A", "node": "1", "points": 9, "group": "city"},
            ...     {"unit": "B", "node": "1", "points": 8},
            ... ])
            >>> sheet.group_of("A"), sheet.group_of("B")
            ('city', None)
        """
        for e in self.entries:
            if e.unit == unit and e.group is not None:
                return e.group
        return None

    def for_unit(self, unit: str) -> ScoreSheet:
        """The entries of one unit, as a new sheet.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.read("examples/binhduong-district-2017.csv")
            >>> sheet.for_unit("Thị xã Tân Uyên").to_records()
            [{'unit': 'Thị xã Tân Uyên', 'node': 'appraisal', 'points': 48.75}, {'unit': 'Thị xã Tân Uyên', 'node': 'survey', 'points': 33.25}]
        """
        return ScoreSheet(tuple(e for e in self.entries if e.unit == unit))

    def replace(self, unit: str, node: str, **changes: Any) -> ScoreSheet:
        """A new sheet with one entry replaced (or added); the original is unchanged.

        ``changes`` are ScoreEntry fields, e.g. ``points=9.5`` or ``value="99%"``.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([{"unit": "A", "node": "1", "points": 9}])
            >>> sheet.replace("A", "1", points=9.5).entries[0].points, sheet.entries[0].points
            (9.5, 9.0)
        """
        unit, node = normalize_key(unit), normalize_key(node)
        fresh = {"points": None, "value": None, "na": False}
        out = list(self.entries)
        for i, e in enumerate(out):
            if e.unit == unit and e.node == node:
                out[i] = attrs.evolve(e, **(fresh | changes))
                return ScoreSheet(tuple(out))
        group = self.group_of(unit)
        return ScoreSheet((*out, ScoreEntry(unit, node, **({"group": group} | changes))))

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
    ) -> ScoreSheet:
        """Build from mappings with the :data:`SHEET_COLUMNS` keys.

        Example:
            >>> import parindex
            >>> rows = [{"unit": "A", "node": "1", "points": "8,5"}, {"unit": "A", "node": "2", "status": "na"}]
            >>> parindex.ScoreSheet.from_records(rows, decimal_comma=True).to_records()
            [{'unit': 'A', 'node': '1', 'points': 8.5}, {'unit': 'A', 'node': '2', 'status': 'na'}]
        """
        numbered: list[tuple[str, Mapping[str, Any]]] = []
        for i, rec in enumerate(records):
            if not isinstance(rec, Mapping):
                raise InputFormatError(
                    f"entry {i + 1}: must be an object, got {type(rec).__name__}"
                )
            unknown = set(rec) - set(SHEET_COLUMNS)
            if unknown:
                raise InputFormatError(
                    f"entry {i + 1}: unknown keys {sorted(map(str, unknown))} (allowed: "
                    f"{', '.join(SHEET_COLUMNS)})"
                )
            numbered.append((f"entry {i + 1}", rec))
        return cls(_collect(numbered, decimal_comma=decimal_comma, collect_all=collect_all))

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, decimal_comma: bool = False, collect_all: bool = False
    ) -> ScoreSheet:
        """Build from a tidy DataFrame (columns from :data:`SHEET_COLUMNS`); the frame is
        not modified.

        Example:
            >>> import pandas as pd
            >>> import parindex
            >>> frame = pd.DataFrame({"unit": ["A", "A"], "node": ["1", "2"], "points": [9.0, None], "status": [None, "na"]})
            >>> parindex.ScoreSheet.from_frame(frame).to_records()
            [{'unit': 'A', 'node': '1', 'points': 9.0}, {'unit': 'A', 'node': '2', 'status': 'na'}]
        """
        _check_columns(list(map(str, frame.columns)), "frame")
        cols = [c for c in frame.columns if c in SHEET_COLUMNS]
        records = []
        for i, row in enumerate(frame[cols].itertuples(index=False, name=None)):
            rec = {
                c: (None if _is_missing(v) else _plain(v)) for c, v in zip(cols, row, strict=True)
            }
            records.append((f"row {i + 1}", rec))
        return cls(_collect(records, decimal_comma=decimal_comma, collect_all=collect_all))

    @classmethod
    def from_csv_text(
        cls,
        text: str,
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
        name: str = "<csv>",
    ) -> ScoreSheet:
        """Parse tidy CSV text (header row required; CRLF and a BOM are fine).

        Example:
            >>> import parindex
            >>> parindex.ScoreSheet.from_csv_text("unit,node,points\\r\\nA,1,9.5\\r\\n").to_records()
            [{'unit': 'A', 'node': '1', 'points': 9.5}]
        """
        if len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
            raise InputFormatError(f"{name}: over the size limit of {MAX_FILE_BYTES} bytes")
        text = text.removeprefix("\ufeff")
        if not text.strip():
            raise InputFormatError(f"{name}: the file is empty")
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
            header = reader.fieldnames or []
            _check_columns([h.strip() for h in header], name)
            rows: list[tuple[str, Mapping[str, Any]]] = []
            for row in reader:
                if None in row:
                    raise InputFormatError(
                        f"{name} line {reader.line_num}: more cells than columns"
                    )
                rec = {(k or "").strip(): v for k, v in row.items()}
                if not any((v or "").strip() for v in rec.values()):
                    continue  # a fully blank line
                rows.append((f"{name} line {reader.line_num}", rec))
        except csv.Error as err:
            raise InputFormatError(f"{name}: malformed CSV: {err}") from None
        if not rows:
            raise InputFormatError(f"{name}: no entries (only a header)")
        return cls(_collect(rows, decimal_comma=decimal_comma, collect_all=collect_all))

    @classmethod
    def from_json_text(
        cls,
        text: str,
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
        name: str = "<json>",
    ) -> ScoreSheet:
        """Parse JSON: a list of entries, or ``{"entries": [...]}``.

        Example:
            >>> import parindex
            >>> parindex.ScoreSheet.from_json_text('[{"unit": "A", "node": "1", "points": 9.5}]').to_records()
            [{'unit': 'A', 'node': '1', 'points': 9.5}]
        """
        if not text.lstrip().removeprefix("\ufeff").lstrip().startswith(("[", "{")):
            raise InputFormatError(
                f'{name}: not JSON (a JSON sheet starts with "[" or "{{"); for CSV use '
                "from_csv_text or a .csv file"
            )
        data = safe_parse(text.lstrip().removeprefix("\ufeff"), name=name)
        if isinstance(data, Mapping):
            unknown = set(data) - {"entries", "methodology"}
            if unknown:
                raise InputFormatError(f"{name}: unknown keys {sorted(map(str, unknown))}")
            data = data.get("entries")
        if not isinstance(data, list):
            raise InputFormatError(f'{name}: expected a list of entries or {{"entries": [...]}}')
        if not data:
            raise InputFormatError(f"{name}: no entries")
        return cls.from_records(data, decimal_comma=decimal_comma, collect_all=collect_all)

    @classmethod
    def read(
        cls,
        path: str | Path,
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
        format: Literal["csv", "json"] | None = None,
    ) -> ScoreSheet:
        """Read a sheet file: CSV, or JSON when the name ends in ``.json``.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.read("examples/daklak-2017.csv")
            >>> sheet.units
            ('Đắk Lắk',)
        """
        text = read_text_file(path)
        fmt = format or ("json" if str(path).lower().endswith(".json") else "csv")
        if fmt == "json":
            return cls.from_json_text(
                text, decimal_comma=decimal_comma, collect_all=collect_all, name=str(path)
            )
        return cls.from_csv_text(
            text, decimal_comma=decimal_comma, collect_all=collect_all, name=str(path)
        )

    # ------------------------------------------------------------------ output

    def to_records(self) -> list[dict[str, Any]]:
        """Plain records (what :meth:`from_records` reads back).

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.read("examples/daklak-2017.csv")
            >>> sheet.to_records()[0]
            {'unit': 'Đắk Lắk', 'node': '1', 'points': 5.5, 'note': 'published loss 4.5 of 10 points'}
            >>> parindex.ScoreSheet.from_records(sheet.to_records()) == sheet
            True
        """
        return [e.to_dict() for e in self.entries]

    def to_frame(self) -> pd.DataFrame:
        """A tidy DataFrame with every :data:`SHEET_COLUMNS` column.

        Example:
            >>> import parindex
            >>> frame = parindex.ScoreSheet.read("examples/binhduong-district-2017.csv").to_frame()
            >>> frame[["unit", "node", "points"]].head(2).to_dict("records")
            [{'unit': 'Thành phố Thủ Dầu Một', 'node': 'appraisal', 'points': 51.75}, {'unit': 'Thành phố Thủ Dầu Một', 'node': 'survey', 'points': 32.83}]
        """
        import pandas as pd

        rows = [
            {
                "unit": e.unit,
                "node": e.node,
                "points": e.points,
                "value": None if e.value is None else str(e.value),
                "status": "na" if e.na else None,
                "group": e.group,
                "self_points": e.self_points,
                "appraised_points": e.appraised_points,
                "note": e.note or None,
            }
            for e in self.entries
        ]
        return pd.DataFrame(rows, columns=list(SHEET_COLUMNS))

    def to_csv(self) -> str:
        """Tidy CSV text (what :meth:`from_csv_text` reads back).

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet((parindex.ScoreEntry("A", "1", points=1, note="x\\ry"),))
            >>> parindex.ScoreSheet.from_csv_text(sheet.to_csv()) == sheet
            True
        """
        rows = [
            {k: ("" if d.get(k) is None else _csv_cell(d[k])) for k in SHEET_COLUMNS}
            for d in (e.to_dict() for e in self.entries)
        ]
        # Minimal quoting quotes cells holding the line terminator (LF) but not a lone
        # carriage return, which a reader takes for a line end: then quote every cell.
        bare_cr = any("\r" in cell for row in rows for cell in row.values())
        buf = io.StringIO()
        writer = csv.DictWriter(
            buf,
            fieldnames=list(SHEET_COLUMNS),
            lineterminator="\n",
            quoting=csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL,
        )
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()

    def to_json(self) -> str:
        """JSON text ``{"entries": [...]}`` (what :meth:`from_json_text` reads back).

        Example:
            >>> import json, parindex
            >>> sheet = parindex.ScoreSheet.read("examples/binhduong-district-2017.csv")
            >>> json.loads(sheet.to_json())["entries"][0]
            {'unit': 'Thành phố Thủ Dầu Một', 'node': 'appraisal', 'points': 51.75}
            >>> parindex.ScoreSheet.from_json_text(sheet.to_json()) == sheet
            True
        """
        return json.dumps(
            {"entries": self.to_records()}, ensure_ascii=False, indent=2, allow_nan=False
        )


def _csv_cell(v: object) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _check_columns(columns: Sequence[str], name: str) -> None:
    unknown = [c for c in columns if c not in SHEET_COLUMNS]
    if unknown:
        raise InputFormatError(
            f"{name}: unknown columns {unknown} (allowed: {', '.join(SHEET_COLUMNS)})"
        )
    if len(set(columns)) != len(columns):
        raise InputFormatError(f"{name}: a column name repeats")
    for required in ("unit", "node"):
        if required not in columns:
            raise InputFormatError(f"{name}: missing column {required!r}")
    if not {"points", "value", "status"} & set(columns):
        raise InputFormatError(f"{name}: needs a 'points', 'value' or 'status' column")


def _is_missing(v: object) -> bool:
    import pandas as pd

    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _plain(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v
