"""Score sheets (phiếu chấm điểm): what units scored, node by node.

A sheet is tidy: one entry per unit and node (or score component), carrying either
``points``, a raw ``value`` for the node's rule, or the status ``na`` (not applicable,
không phát sinh). Self-assessed and appraised points may ride along for the record.
Entries and the parsing of their cells live in :mod:`parindex.model.entries`
(importable from here too).
"""

from __future__ import annotations

import csv
import io
import json
import math
import operator
import sys
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from parindex._numbers import NUMBER_PATTERN
from parindex._text import neutralize_cell, normalize_key, plural, spelling_clash
from parindex.errors import (
    DuplicateEntryError,
    InputFormatError,
    ScoreSheetError,
    ScoreSheetErrors,
    UnknownMethodologyError,
)
from parindex.limits import MAX_SHEET_ROWS, check_limit
from parindex.model.entries import ScoreEntry, entries_from_rows
from parindex.model.plain import plain_entries

if TYPE_CHECKING:
    import pandas as pd

    from parindex.model.methodology import Methodology

__all__ = [
    "SHEET_COLUMNS",
    "TEXT_COLUMNS",
    "ScoreEntry",
    "ScoreSheet",
    "as_sheet",
    "check_columns",
    "check_declared",
    "check_rows",
    "entries_from_rows",
    "sheet_from_rows",
]

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
_COLUMNS = frozenset(SHEET_COLUMNS)

TEXT_COLUMNS = ("unit", "node", "value", "status", "group", "note")
"""The columns that hold text: in CSV a text cell starting with ``= + - @``, a tab or a
carriage return is written with a leading ``'`` (so no spreadsheet runs it as a
formula) and read back without it; numbers are written as they are."""


_UNIT, _NODE, _GROUP = (operator.attrgetter(name) for name in ("unit", "node", "group"))


def _entries(items: Iterable[ScoreEntry]) -> tuple[ScoreEntry, ...]:
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise InputFormatError(
            f"a ScoreSheet holds ScoreEntry objects, got {type(items).__name__}; use "
            "ScoreSheet.from_records, from_frame, from_csv_text or read for plain data"
        )
    out = tuple(items)
    if set(map(type, out)) <= {ScoreEntry}:  # the usual case, checked in C
        return out
    for i, e in enumerate(out):
        if not isinstance(e, ScoreEntry):
            raise InputFormatError(
                f"entry {i + 1} is a {type(e).__name__}, not a ScoreEntry; use "
                "ScoreSheet.from_records for plain data"
            )
    return out


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
    methodology: str | None = attrs.field(default=None, kw_only=True)
    """The methodology the sheet says it was written for (a JSON sheet's
    ``"methodology"``, an Excel template's settings), if any: scoring it under another
    one is an error, never a silent mismatch."""
    # Built once from the entries (each unit in order of first appearance, with its
    # group), so that per-unit lookups are O(1): scanning the entries for every unit
    # made scoring 53,000 units take minutes.
    _groups: dict[str, str | None] = attrs.field(init=False, eq=False, repr=False)
    _units: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    _rows: dict[str, list[int]] | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        entries = self.entries
        units = list(map(_UNIT, entries))
        pairs = set(zip(units, map(_NODE, entries), strict=True))
        if len(pairs) == len(entries) and not any(map(_GROUP, entries)):
            # the usual sheet, checked in C: no unit and node twice, no group
            groups: dict[str, str | None] = dict.fromkeys(units)
        else:
            groups = self._checked_groups()
        object.__setattr__(self, "_groups", groups)
        object.__setattr__(self, "_units", tuple(groups))
        object.__setattr__(self, "_rows", None)  # built on the first for_unit
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

    def _checked_groups(self) -> dict[str, str | None]:
        """Each unit's group, the sheet refused if a unit and node come twice or a unit
        has two groups (the first such entry named)."""
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
                    row=i + 1,
                )
            seen[key] = i
            known = groups.setdefault(e.unit, e.group)
            if e.group is not None and known != e.group:
                if known is not None:
                    raise ScoreSheetError(
                        f"unit {e.unit!r}: two groups given ({known!r} and {e.group!r})",
                        unit=e.unit,
                        value=e.group,
                    )
                groups[e.unit] = e.group
        return groups

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def units(self) -> tuple[str, ...]:
        """Units in order of first appearance.

        Example:
            >>> import parindex
            >>> parindex.load_sheet("examples/binhduong-district-2017.csv").units[:2]
            ('Thành phố Thủ Dầu Một', 'Thị xã Tân Uyên')
        """
        return self._units

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
        return self._groups.get(unit)

    def for_unit(self, unit: str) -> ScoreSheet:
        """The entries of one unit, as a new sheet.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> sheet.for_unit("Thị xã Tân Uyên").to_records()
            [{'unit': 'Thị xã Tân Uyên', 'node': 'appraisal', 'points': 48.75}, {'unit': 'Thị xã Tân Uyên', 'node': 'survey', 'points': 33.25}]
        """
        if self._rows is None:
            rows: dict[str, list[int]] = {}
            for i, e in enumerate(self.entries):
                rows.setdefault(e.unit, []).append(i)
            object.__setattr__(self, "_rows", rows)
        assert self._rows is not None
        return ScoreSheet(
            tuple(self.entries[i] for i in self._rows.get(unit, ())), methodology=self.methodology
        )

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
                return ScoreSheet(tuple(out), methodology=self.methodology)
        group = self.group_of(unit)
        added = ScoreEntry(unit, node, **({"group": group} | changes))
        return ScoreSheet((*out, added), methodology=self.methodology)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
        max_rows: int = MAX_SHEET_ROWS,
    ) -> ScoreSheet:
        """Build from mappings with the :data:`SHEET_COLUMNS` keys (at most ``max_rows``
        of them, :data:`~parindex.limits.MAX_SHEET_ROWS` by default).

        Example:
            >>> import parindex
            >>> rows = [{"unit": "A", "node": "1", "points": "8,5"}, {"unit": "A", "node": "2", "status": "na"}]
            >>> parindex.ScoreSheet.from_records(rows, decimal_comma=True).to_records()
            [{'unit': 'A', 'node': '1', 'points': 8.5}, {'unit': 'A', 'node': '2', 'status': 'na'}]
        """
        check_rows(len(records) if isinstance(records, Sized) else 0, max_rows)
        if isinstance(records, list | tuple):  # JSON's usual sheet, read in one pass
            plain = plain_entries(records)
            if plain is not None:
                return ScoreSheet(plain)
        numbered: list[tuple[str, Mapping[str, Any]]] = []
        rows = iter(records)
        for i, rec in enumerate(rows):
            if i == max_rows:  # an iterable of unknown length: count what is left
                check_rows(max_rows + 1 + sum(1 for _ in rows), max_rows)
            if not isinstance(rec, Mapping):
                raise InputFormatError(
                    f"entry {i + 1}: must be an object, got {type(rec).__name__}"
                )
            if not _COLUMNS.issuperset(rec):
                unknown = set(rec) - _COLUMNS
                raise InputFormatError(
                    f"entry {i + 1}: unknown keys {sorted(map(str, unknown))} (allowed: "
                    f"{', '.join(SHEET_COLUMNS)})"
                )
            numbered.append((f"entry {i + 1}", rec))
        return sheet_from_rows(numbered, decimal_comma=decimal_comma, collect_all=collect_all)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        decimal_comma: bool = False,
        collect_all: bool = False,
        max_rows: int = MAX_SHEET_ROWS,
    ) -> ScoreSheet:
        """Build from a tidy DataFrame (columns from :data:`SHEET_COLUMNS`, at most
        ``max_rows`` rows); the frame is not modified.

        Example:
            >>> import pandas as pd
            >>> import parindex
            >>> frame = pd.DataFrame({"unit": ["A", "A"], "node": ["1", "2"], "points": [9.0, None], "status": [None, "na"]})
            >>> parindex.ScoreSheet.from_frame(frame).to_records()
            [{'unit': 'A', 'node': '1', 'points': 9.0}, {'unit': 'A', 'node': '2', 'status': 'na'}]
        """
        check_columns(list(map(str, frame.columns)), "frame")
        check_rows(len(frame), max_rows)
        cols = [c for c in frame.columns if c in SHEET_COLUMNS]
        records = []
        for i, row in enumerate(frame[cols].itertuples(index=False, name=None)):
            rec = {
                c: (None if _is_missing(v) else _plain(v)) for c, v in zip(cols, row, strict=True)
            }
            records.append((f"row {i + 1}", rec))
        return sheet_from_rows(records, decimal_comma=decimal_comma, collect_all=collect_all)

    # ------------------------------------------------------------------ output

    def to_records(self) -> list[dict[str, Any]]:
        """Plain records (what :meth:`from_records` reads back).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/daklak-2017.csv")
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
            >>> frame = parindex.load_sheet("examples/binhduong-district-2017.csv").to_frame()
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
        """Tidy CSV text (what :func:`parindex.io.sheet.sheet_from_csv` reads back). Text
        that a spreadsheet would run as a formula gets a leading ``'`` (see
        :data:`TEXT_COLUMNS`).

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([{"unit": "=A", "node": "1", "value": "-5%"}])
            >>> print(sheet.to_csv(), end="")
            unit,node,points,value,status,group,self_points,appraised_points,note
            '=A,1,,-5%,,,,,
            >>> parindex.sheet_from_csv(sheet.to_csv()) == sheet
            True
            >>> sheet = parindex.ScoreSheet((parindex.ScoreEntry("A", "1", points=1, note="x\\ry"),))
            >>> parindex.sheet_from_csv(sheet.to_csv()) == sheet
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
        """JSON text ``{"entries": [...]}`` (what :func:`parindex.io.sheet.sheet_from_json` reads back).

        Example:
            >>> import json, parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> json.loads(sheet.to_json())["entries"][0]
            {'unit': 'Thành phố Thủ Dầu Một', 'node': 'appraisal', 'points': 51.75}
            >>> parindex.sheet_from_json(sheet.to_json()) == sheet
            True
        """
        doc: dict[str, object] = (
            {} if self.methodology is None else {"methodology": self.methodology}
        )
        doc["entries"] = self.to_records()
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)


def _csv_cell(v: object) -> str:
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        # A number written as text ("-1", "-5%") is no formula: it stays as it is.
        number = v.isascii() and NUMBER_PATTERN.fullmatch(v.removesuffix("%"))
        return v if number else neutralize_cell(v)
    return str(v)


def sheet_from_rows(
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    decimal_comma: bool,
    collect_all: bool,
    methodology: str | None = None,
) -> ScoreSheet:
    """A sheet from numbered rows of cells (``(where, {column: cell})``), as read from a
    CSV, a frame or a workbook. With ``collect_all``, the
    :class:`~parindex.errors.ScoreSheetErrors` of the rows that cannot be read carries
    the sheet of those that can (``partial``), so that scoring can check them too and
    report every problem at once.

    Example:
        >>> import parindex
        >>> from parindex.model.sheet import sheet_from_rows
        >>> rows = [("line 2", {"unit": "A", "node": "1", "points": "x"}),
        ...         ("line 3", {"unit": "A", "node": "2", "points": "5"})]
        >>> try:
        ...     sheet_from_rows(rows, decimal_comma=False, collect_all=True)
        ... except parindex.errors.ScoreSheetErrors as group:
        ...     (sheet, places), row = group.partial, group.exceptions[0].row
        >>> [e.node for e in sheet.entries], places, row
        (['2'], [2], 1)
    """
    try:
        entries = entries_from_rows(rows, decimal_comma=decimal_comma, collect_all=collect_all)
    except ScoreSheetErrors as group:
        if group.partial is None:
            raise
        readable, places = group.partial
        try:
            group.partial = (ScoreSheet(readable, methodology=methodology), places)
        except ScoreSheetError as err:  # e.g. a duplicate among the readable rows
            if err.row is not None:
                err.row = places[err.row - 1]
            problems: list[Any] = [*group.exceptions, err]
            raise ScoreSheetErrors(
                f"{plural(len(problems), 'problem')} in the score sheet", problems
            ) from None
        raise
    return ScoreSheet(entries, methodology=methodology)


def as_sheet(
    sheet: object, *, collect_all: bool = False, max_rows: int = MAX_SHEET_ROWS
) -> ScoreSheet:
    """``sheet`` as a :class:`ScoreSheet`: a sheet as it is, a tidy DataFrame read with
    :meth:`ScoreSheet.from_frame` (not modified). Every function that takes a sheet
    (score, what-if, gap, simulate) takes a frame through this.

    Example:
        >>> import pandas as pd
        >>> from parindex.model.sheet import as_sheet
        >>> as_sheet(pd.DataFrame({"unit": ["A"], "node": [1], "points": [5.5]})).entries[0].node
        '1'
    """
    if isinstance(sheet, ScoreSheet):
        return sheet
    # A DataFrame can only exist once pandas is imported, so pandas is not imported to
    # check. The import statement (unlike a look in sys.modules) waits for an import of
    # pandas under way in another thread instead of finding it half done.
    if "pandas" in sys.modules:
        import pandas as pd

        if isinstance(sheet, pd.DataFrame):
            return ScoreSheet.from_frame(sheet, collect_all=collect_all, max_rows=max_rows)
    raise InputFormatError(
        f"sheet must be a ScoreSheet or a DataFrame, got {type(sheet).__name__} (build "
        "one with ScoreSheet.from_records, sheet_from_csv or load_sheet)"
    )


def check_declared(sheet: ScoreSheet, methodology: Methodology) -> None:
    """Refuse to score a sheet under a methodology other than the one it declares (its
    id, an alias, or a ``level-year`` key the methodology covers).

    Example:
        >>> import parindex
        >>> from parindex.model.sheet import ScoreSheet, check_declared
        >>> sheet = ScoreSheet(parindex.load_sheet("examples/daklak-2017.csv").entries, methodology="province-2017")
        >>> check_declared(sheet, parindex.get_methodology("province-2017"))
        >>> check_declared(sheet, parindex.get_methodology("illustrative-district"))
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownMethodologyError: the sheet declares methodology province-2017, not illustrative-district: score it under the methodology it was written for, or remove its declaration
    """
    declared = sheet.methodology
    if declared is None:
        return
    key = normalize_key(declared).casefold()
    names = {methodology.id.casefold(), *(a.casefold() for a in methodology.aliases)}
    names |= {f"{methodology.level}-{y}" for y in methodology.evaluation_years}
    if key not in names:
        raise UnknownMethodologyError(
            f"the sheet declares methodology {declared}, not {methodology.id}: score it "
            "under the methodology it was written for, or remove its declaration"
        )


def check_rows(rows: int, max_rows: int) -> None:
    """Refuse a sheet of more than ``max_rows`` rows (:data:`~parindex.limits.MAX_SHEET_ROWS`
    unless a caller raised it with ``max_rows=``).

    Raises:
        LimitExceededError: naming the limit.

    Example:
        >>> from parindex.model.sheet import check_rows
        >>> check_rows(10, 100)
        >>> check_rows(101, 100)
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: 101 sheet rows is more than the limit MAX_SHEET_ROWS = 100; pass max_rows= to raise it
    """
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise InputFormatError(f"max_rows={max_rows!r} must be a whole number of rows, 0 or more")
    check_limit("sheet rows", rows, "MAX_SHEET_ROWS", max_rows, override="max_rows=")


def check_columns(columns: Sequence[str], name: str) -> None:
    """Refuse a tidy sheet's header (``name`` says whose, e.g. a file name) that has an
    unknown or repeated column, lacks ``unit`` or ``node``, or has none of ``points``,
    ``value`` and ``status``.

    Raises:
        InputFormatError: the header is not a tidy sheet's.

    Example:
        >>> from parindex.model.sheet import check_columns
        >>> check_columns(["unit", "node", "points"], "sheet.csv")
        >>> check_columns(["unit", "node", "score"], "sheet.csv")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: sheet.csv: unknown columns ['score'] (allowed: unit, node, points, value, status, group, self_points, appraised_points, note)
    """
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
