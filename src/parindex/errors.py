"""Errors raised by parindex.

Every error derives from :class:`ParIndexError` and from the builtin a caller would
naturally catch (``ValueError``, ``LookupError``), so ``except ValueError`` keeps
working. Messages name the unit, the node and the offending value; the same facts are
kept as attributes (``unit``, ``node``, ``value``) for programs.

Example:
    >>> import parindex
    >>> try:
    ...     parindex.get_methodology("province-1999")
    ... except parindex.errors.UnknownMethodologyError as err:
    ...     print(type(err).__name__, isinstance(err, LookupError))
    UnknownMethodologyError True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

__all__ = [
    "AmbiguousInputError",
    "ConflictError",
    "DuplicateEntryError",
    "InputFormatError",
    "InvalidValueError",
    "LimitExceededError",
    "MethodologyError",
    "MissingDataError",
    "NoBandsWarning",
    "NotApplicableError",
    "OverlapError",
    "ParIndexError",
    "ParIndexWarning",
    "PointsOutOfRangeError",
    "QuestionnaireError",
    "RosterUnavailableError",
    "ScoreSheetError",
    "ScoreSheetErrors",
    "SurveyResponseError",
    "UnknownMethodologyError",
    "UnknownNodeError",
    "UnknownUnitError",
]


class ParIndexError(Exception):
    """Root of every error parindex raises on purpose.

    Example:
        >>> import parindex
        >>> issubclass(parindex.errors.UnknownNodeError, parindex.ParIndexError)
        True
    """


class MethodologyError(ValueError, ParIndexError):
    """A methodology (criteria tree, rules, maxima) is malformed or inconsistent.

    ``node`` names the offending node where there is one.

    Example:
        >>> import parindex
        >>> parindex.methodology_from_dict({"format": "parindex-methodology/1", "id": "x",
        ...     "level": "district", "total_max": 10, "complete": True,
        ...     "tree": [{"id": "1", "max_points": 9}]})
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: x: fields maxima add up to 9, not the total 10
    """

    def __init__(self, message: str, *, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class UnknownMethodologyError(LookupError, ParIndexError):
    """No methodology matches an id, alias, decision number or level-year key.

    Example:
        >>> import parindex
        >>> parindex.get_methodology("province-1990")
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownMethodologyError: 'province-1990': no province methodology covers 1990; years covered: 2012, ...
    """


class InputFormatError(ValueError, ParIndexError):
    """A file or document cannot be read (encoding, syntax, size, nesting, columns), or
    an option saying how to read input (``rate_scale``, ``missing``, ``ties``, ...) has
    a value that is not one of its choices.

    Example:
        >>> import parindex
        >>> parindex.sheet_from_csv("unit,node,point\\nA,1,5\\n")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: <csv>: unknown columns ['point']...
    """


class LimitExceededError(InputFormatError):
    """An input asks for more work than a named bound allows (rows, units, bands,
    Monte Carlo draws x units, unpacked workbook bytes, survey rows). ``limit`` names
    the bound (a constant of :mod:`parindex.limits`), ``value`` is what was asked and
    ``maximum`` the bound; callers raise the bound with the argument the message names.

    Example:
        >>> import parindex
        >>> err = parindex.errors.LimitExceededError("too many draws", limit="MAX_DRAW_CELLS",
        ...                                          value=10**12, maximum=10**9)
        >>> isinstance(err, ValueError), err.limit
        (True, 'MAX_DRAW_CELLS')
    """

    def __init__(self, message: str, *, limit: str, value: object, maximum: object) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.maximum = maximum

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: pickling (a process pool's worker) must pass them.
        return (
            functools.partial(type(self), limit=self.limit, value=self.value, maximum=self.maximum),
            self.args,
        )


class ScoreSheetError(ValueError, ParIndexError):
    """A score sheet entry is invalid. Subclasses say how.

    Attributes:
        unit: the unit the entry belongs to (or ``None``).
        node: the node or score component id (or ``None``).
        value: the offending value (or ``None``).
        row: the entry's place in the sheet as given, counting from 1 (or ``None``
            where the problem is not one entry's).

    Example:
        >>> import parindex
        >>> try:
        ...     parindex.ScoreEntry("Gia Lai", "1", points=1, value="97%")
        ... except parindex.errors.ScoreSheetError as err:
        ...     print(err.unit, err.node)
        Gia Lai 1
    """

    def __init__(
        self,
        message: str,
        *,
        unit: str | None = None,
        node: str | None = None,
        value: object = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.unit = unit
        self.node = node
        self.value = value
        self.row = row


class UnknownNodeError(ScoreSheetError):
    """A sheet names a node (or score component) the methodology does not have.

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "Gia Lai", "node": "9", "points": 1}])
        >>> parindex.score("province-2017", sheet)
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownNodeError: unit 'Gia Lai', node '9': province-2017 has no such node...
    """


class UnknownUnitError(ScoreSheetError, KeyError):
    """A unit name or code matches no known unit (also a ``KeyError``, so lookups such
    as ``Scores.unit`` keep their ``except KeyError`` contract).

    Example:
        >>> import parindex
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> scores.unit("Gia Lai")
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownUnitError: ...Gia Lai...
    """

    def __str__(self) -> str:
        # KeyError would show the message quoted; show it as written.
        return str(self.args[0]) if self.args else ""


class PointsOutOfRangeError(ScoreSheetError):
    """Points or a raw value lie outside what the node or its rule allows
    (negative, above the maximum, NaN, infinite, a rate outside 0-100 %).

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "Gia Lai", "node": "1", "points": 10.5}])
        >>> parindex.score("province-2017", sheet)
        Traceback (most recent call last):
        ...
        parindex.errors.PointsOutOfRangeError: unit 'Gia Lai', node '1': points 10.5 outside 0-10
    """


class InvalidValueError(ScoreSheetError):
    """A cell cannot be read as what its node takes: text that is not a number, or an
    answer that is not one of the rule's choices (yes/no, the levels). A number that
    can be read but lies outside what is allowed is a :class:`PointsOutOfRangeError`.

    Example:
        >>> import parindex
        >>> parindex.ScoreSheet.from_records([{"unit": "Gia Lai", "node": "1", "points": "x"}])
        Traceback (most recent call last):
        ...
        parindex.errors.InvalidValueError: entry 1, unit 'Gia Lai', node '1': points 'x' is not a number...
    """


class AmbiguousInputError(ScoreSheetError):
    """A value could be read two ways (a bare ``97`` for a rate, ``"87,82"``).

    The message says how to state it unambiguously.

    Example:
        >>> from parindex.rules import parse_rate
        >>> parse_rate(97)
        Traceback (most recent call last):
        ...
        parindex.errors.AmbiguousInputError: bare value 97 for a rate is ambiguous: write "97%"...
    """


class DuplicateEntryError(ScoreSheetError):
    """The same unit and node appear twice in one sheet.

    Example:
        >>> import parindex
        >>> parindex.ScoreSheet.from_records([{"unit": "A", "node": "1", "points": 1}] * 2)
        Traceback (most recent call last):
        ...
        parindex.errors.DuplicateEntryError: unit 'A', node '1': given twice (entries 1 and 2)
    """


class OverlapError(ScoreSheetError):
    """Points were given both for a node and for one of its ancestors or descendants.

    Example:
        >>> import parindex
        >>> rows = [{"unit": "A", "node": n, "points": 1} for n in ("1.3", "1.3.1")]
        >>> parindex.score("illustrative-district", parindex.ScoreSheet.from_records(rows),
        ...                missing="unknown")
        Traceback (most recent call last):
        ...
        parindex.errors.OverlapError: unit 'A', node '1.3.1': points given both here and for '1.3'...
    """


class NotApplicableError(ScoreSheetError):
    """A node was marked not applicable (không phát sinh) but the methodology forbids it.

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "A", "node": "3.2.1", "status": "na"}])
        >>> parindex.score("illustrative-district", sheet, missing="unknown")
        Traceback (most recent call last):
        ...
        parindex.errors.NotApplicableError: unit 'A', node '3.2.1': marked not applicable (na)...
    """


class MissingDataError(ScoreSheetError):
    """Some, but not all, parts of a node were given, and the caller asked for errors
    on missing data (the default). Pass ``missing="zero"`` or ``missing="unknown"``
    to :func:`parindex.score` to read the gap another way.

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "Gia Lai", "node": "1", "points": 9}])
        >>> parindex.score("province-2017", sheet)
        Traceback (most recent call last):
        ...
        parindex.errors.MissingDataError: unit 'Gia Lai': the total is only partly given; missing 2, 3, 4, 5, 6, 7, 8...
        >>> parindex.score("province-2017", sheet, missing="unknown").unit("Gia Lai").total.index is None
        True
    """


class ConflictError(ScoreSheetError):
    """Two routes to the same total disagree (field points vs score components).

    Example:
        >>> import parindex
        >>> m = parindex.get_methodology("binhduong-district-2017")
        >>> issubclass(parindex.errors.ConflictError, ValueError)
        True
    """


class ScoreSheetErrors(ExceptionGroup[ScoreSheetError], ParIndexError):
    """Every problem of a sheet at once (collect-all mode: ``collect_all=True``).

    ``exceptions`` holds the individual :class:`ScoreSheetError` objects.

    Example:
        >>> import parindex
        >>> rows = [{"unit": "Gia Lai", "node": "9", "points": 1}, {"unit": "Kon Tum", "node": "1", "points": 11}]
        >>> try:
        ...     parindex.score("province-2017", parindex.ScoreSheet.from_records(rows), collect_all=True)
        ... except parindex.errors.ScoreSheetErrors as group:
        ...     print(sorted(type(e).__name__ for e in group.exceptions))
        ['PointsOutOfRangeError', 'UnknownNodeError']
    """

    partial: Any = None
    """The sheet of the entries that could be read, with each one's row, while the
    sheet is still being checked (internal: lets every check run over one sheet)."""

    def __new__(cls, message: str, exceptions: Sequence[ScoreSheetError]) -> ScoreSheetErrors:
        return super().__new__(cls, message, exceptions)

    @property
    def failure_cases(self) -> Any:
        """One row per problem, in sheet order: ``row, unit, node, value, check`` (a
        pandas DataFrame, like pandera's; ``check`` is the error class's name, ``<NA>``
        where a problem is not one entry's).

        Example:
            >>> import pandas as pd
            >>> import parindex
            >>> frame = pd.DataFrame({"unit": ["Gia Lai", "Gia Lai", "Kon Tum"],
            ...                       "node": ["1", "9", "2"], "points": ["x", "1", "11"]})
            >>> try:
            ...     parindex.score("province-2017", frame, collect_all=True, missing="zero")
            ... except parindex.errors.ScoreSheetErrors as group:
            ...     print(group.failure_cases.to_string(index=False))
             row    unit node value                 check
               1 Gia Lai    1     x     InvalidValueError
               2 Gia Lai    9     9      UnknownNodeError
               3 Kon Tum    2  11.0 PointsOutOfRangeError
        """
        import pandas as pd

        leaves = _leaves(self)
        leaves.sort(key=lambda e: (e.row is None, e.row or 0))  # row-less ones last
        frame = pd.DataFrame(
            {
                "row": pd.array([e.row for e in leaves], dtype="Int64"),
                "unit": pd.array([e.unit for e in leaves], dtype="string"),
                "node": pd.array([e.node for e in leaves], dtype="string"),
                "value": pd.array([_shown(e.value) for e in leaves], dtype="string"),
                "check": pd.array([type(e).__name__ for e in leaves], dtype="string"),
            }
        )
        return frame

    def derive(self, excs: Sequence[ScoreSheetError]) -> ScoreSheetErrors:  # type: ignore[override]
        """Keep the class when ``except*`` splits the group.

        Example:
            Python calls it when ``except*`` or :meth:`split` divides the group:

            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/daklak-2017.csv").replace("Đắk Lắk", "1", points=11)
            >>> try:
            ...     parindex.score("province-2017", sheet.replace("Đắk Lắk", "9", points=1), collect_all=True)
            ... except parindex.errors.ScoreSheetErrors as group:
            ...     unknown, rest = group.split(parindex.errors.UnknownNodeError)
            >>> type(unknown).__name__, [type(e).__name__ for e in rest.exceptions]
            ('ScoreSheetErrors', ['PointsOutOfRangeError'])
        """
        return ScoreSheetErrors(self.message, excs)


def _leaves(group: BaseExceptionGroup[ScoreSheetError]) -> list[ScoreSheetError]:
    out: list[ScoreSheetError] = []
    for e in group.exceptions:
        out.extend(_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


class RosterUnavailableError(LookupError, ParIndexError):
    """No roster can be had for a level, year or province: the level has none (units
    outside any roster are scored as given), the year is not covered, or the optional
    package that provides it is not installed (``install`` then says what to install).

    Example:
        >>> from parindex.errors import RosterUnavailableError
        >>> err = RosterUnavailableError("no roster", level="district")
        >>> isinstance(err, LookupError), err.level, err.install
        (True, 'district', None)
    """

    def __init__(
        self, message: str, *, level: str | None = None, install: str | None = None
    ) -> None:
        super().__init__(message)
        self.level = level
        self.install = install

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            functools.partial(type(self), level=self.level, install=self.install),
            self.args,
        )


class QuestionnaireError(ValueError, ParIndexError):
    """A survey questionnaire (phiếu điều tra) is malformed, or does not fit the
    methodology it is used with (an item linked to a node that is not a leaf, a leaf
    whose rule cannot take a survey result, an unknown conversion policy).

    ``item`` and ``node`` name the offending item and node where there is one.

    Example:
        >>> import parindex
        >>> parindex.io.survey.get_questionnaire("no-such-questionnaire")
        Traceback (most recent call last):
        ...
        parindex.errors.QuestionnaireError: ...
    """

    def __init__(self, message: str, *, item: str | None = None, node: str | None = None) -> None:
        super().__init__(message)
        self.item = item
        self.node = node


class SurveyResponseError(ValueError, ParIndexError):
    """A survey response (one respondent's answer to one item) is invalid: an answer
    outside its scale, an unknown item or respondent group, the same respondent
    answering an item twice. The message names the unit, respondent, item and value.

    Attributes:
        unit, respondent, item, group: where the problem is (or ``None``).
        value: the offending value (or ``None``).

    Example:
        >>> import parindex
        >>> issubclass(parindex.errors.SurveyResponseError, parindex.ParIndexError)
        True
    """

    def __init__(
        self,
        message: str,
        *,
        unit: str | None = None,
        respondent: str | None = None,
        item: str | None = None,
        group: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.unit = unit
        self.respondent = respondent
        self.item = item
        self.group = group
        self.value = value


class ParIndexWarning(UserWarning):
    """Root of the warnings parindex gives: the result is right but may not be what the
    caller wanted.

    Example:
        >>> import parindex
        >>> issubclass(parindex.errors.NoBandsWarning, parindex.errors.ParIndexWarning)
        True
    """


class NoBandsWarning(ParIndexWarning):
    """A ranking has no bands only because no evaluation year was given, though the
    methodology knows bands for some years. ``methodology`` and ``years`` say which;
    the CLI turns it into a note naming ``--year``.

    Example:
        >>> import parindex
        >>> str(parindex.errors.NoBandsWarning("province-2022", (2022, 2023)))
        'province-2022: no bands without an evaluation year (bands are known for 2022, 2023); pass year='
    """

    def __init__(self, methodology: str, years: tuple[int, ...]) -> None:
        self.methodology = methodology
        self.years = years
        super().__init__(self.message("year="))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.methodology, self.years))

    def message(self, argument: str) -> str:
        """The message naming ``argument`` (``year=`` in Python, ``--year`` on the CLI).

        Example:
            >>> from parindex.errors import NoBandsWarning
            >>> NoBandsWarning("province-2022", (2022,)).message("--year YEAR")
            'province-2022: no bands without an evaluation year (bands are known for 2022); pass --year YEAR'
        """
        known = ", ".join(map(str, self.years))
        return (
            f"{self.methodology}: no bands without an evaluation year (bands are known for "
            f"{known}); pass {argument}"
        )
