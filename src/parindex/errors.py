"""Errors raised by parindex.

Every error derives from :class:`ParIndexError` and from the builtin a caller would
naturally catch (``ValueError``, ``LookupError``), so ``except ValueError`` keeps
working. Messages name the unit, the node and the offending value; the same facts are
kept as attributes (``unit``, ``node``, ``value``) for programs.

Example:
    >>> import parindex
    >>> try:
    ...     parindex.get_methodology("province-1999")
    ... except parindex.UnknownMethodologyError as err:
    ...     print(type(err).__name__, isinstance(err, LookupError))
    UnknownMethodologyError True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AmbiguousInputError",
    "ConflictError",
    "DuplicateEntryError",
    "InputFormatError",
    "MethodologyError",
    "MissingDataError",
    "NotApplicableError",
    "OverlapError",
    "ParIndexError",
    "PointsOutOfRangeError",
    "QuestionnaireError",
    "ScoreSheetError",
    "ScoreSheetErrors",
    "SurveyResponseError",
    "UnknownMethodologyError",
    "UnknownNodeError",
    "UnknownUnitError",
]


class ParIndexError(Exception):
    """Root of every error parindex raises on purpose."""


class MethodologyError(ValueError, ParIndexError):
    """A methodology (criteria tree, rules, maxima) is malformed or inconsistent.

    ``node`` names the offending node where there is one.
    """

    def __init__(self, message: str, *, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class UnknownMethodologyError(LookupError, ParIndexError):
    """No methodology matches an id, alias, decision number or level-year key."""


class InputFormatError(ValueError, ParIndexError):
    """A file or document cannot be read (encoding, syntax, size, nesting, columns), or
    an option saying how to read input (``rate_scale``, ``missing``, ``ties``, ...) has
    a value that is not one of its choices."""


class ScoreSheetError(ValueError, ParIndexError):
    """A score sheet entry is invalid. Subclasses say how.

    Attributes:
        unit: the unit the entry belongs to (or ``None``).
        node: the node or score component id (or ``None``).
        value: the offending value (or ``None``).
    """

    def __init__(
        self,
        message: str,
        *,
        unit: str | None = None,
        node: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.unit = unit
        self.node = node
        self.value = value


class UnknownNodeError(ScoreSheetError):
    """A sheet names a node (or score component) the methodology does not have."""


class UnknownUnitError(ScoreSheetError, KeyError):
    """A unit name or code matches no known unit (also a ``KeyError``, so lookups such
    as ``Scores.unit`` keep their ``except KeyError`` contract)."""

    def __str__(self) -> str:
        # KeyError would show the message quoted; show it as written.
        return str(self.args[0]) if self.args else ""


class PointsOutOfRangeError(ScoreSheetError):
    """Points or a raw value lie outside what the node or its rule allows
    (negative, above the maximum, NaN, infinite, a rate outside 0-100 %)."""


class AmbiguousInputError(ScoreSheetError):
    """A value could be read two ways (a bare ``97`` for a rate, ``"87,82"``).

    The message says how to state it unambiguously.
    """


class DuplicateEntryError(ScoreSheetError):
    """The same unit and node appear twice in one sheet."""


class OverlapError(ScoreSheetError):
    """Points were given both for a node and for one of its ancestors or descendants."""


class NotApplicableError(ScoreSheetError):
    """A node was marked not applicable (không phát sinh) but the methodology forbids it."""


class MissingDataError(ScoreSheetError):
    """Some, but not all, parts of a node were given, and the caller asked for errors
    on missing data (the default). Pass ``missing="zero"`` or ``missing="unknown"``
    to :func:`parindex.score` to read the gap another way."""


class ConflictError(ScoreSheetError):
    """Two routes to the same total disagree (field points vs score components)."""


class ScoreSheetErrors(ExceptionGroup[ScoreSheetError], ParIndexError):
    """Every problem of a sheet at once (collect-all mode: ``collect_all=True``).

    ``exceptions`` holds the individual :class:`ScoreSheetError` objects.
    """

    def __new__(cls, message: str, exceptions: Sequence[ScoreSheetError]) -> ScoreSheetErrors:
        return super().__new__(cls, message, exceptions)

    def derive(self, excs: Sequence[ScoreSheetError]) -> ScoreSheetErrors:  # type: ignore[override]
        """Keep the class when ``except*`` splits the group."""
        return ScoreSheetErrors(self.message, excs)


class QuestionnaireError(ValueError, ParIndexError):
    """A survey questionnaire (phiếu điều tra) is malformed, or does not fit the
    methodology it is used with (an item linked to a node that is not a leaf, a leaf
    whose rule cannot take a survey result, an unknown conversion policy).

    ``item`` and ``node`` name the offending item and node where there is one.
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
