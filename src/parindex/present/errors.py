"""Errors as plain data: the one JSON error shape of the HTTP service and of the CLI's
``--format json`` (``{"error": {"type", "message", "unit", "node", "value"}}``, and
``errors`` with one such object per problem when several were collected).

Example:
    >>> from parindex.errors import UnknownNodeError
    >>> from parindex.present.errors import error_document
    >>> error_document(UnknownNodeError("no node '9'", unit="A", node="9", value=9))["error"]
    {'type': 'UnknownNodeError', 'message': "no node '9'", 'unit': 'A', 'node': '9', 'value': 9}
"""

from __future__ import annotations

import math
from typing import Any

from parindex.errors import (
    MethodologyError,
    ScoreSheetError,
    UnknownMethodologyError,
)

__all__ = ["error_document", "jsonable", "one_line"]


def jsonable(value: object) -> object:
    """A value as JSON can hold it: text, numbers and null as they are, anything else
    (and NaN or infinity) as its ``repr``.

    Example:
        >>> from parindex.present.errors import jsonable
        >>> jsonable(1.5), jsonable(float("nan")), jsonable((1, 2))
        (1.5, 'nan', '(1, 2)')
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    return repr(value)


def one_line(text: str) -> str:
    r"""The text on one line, runs of white space made one space.

    Example:
        >>> from parindex.present.errors import one_line
        >>> one_line("two\n  lines")
        'two lines'
    """
    return " ".join(text.split())


def _fields(err: BaseException) -> dict[str, Any]:
    unit = node = value = None
    if isinstance(err, ScoreSheetError):
        unit, node, value = err.unit, err.node, err.value
    elif isinstance(err, MethodologyError):
        node = err.node
    else:
        unit = getattr(err, "unit", None)
        value = getattr(err, "value", None)
    if isinstance(err, UnknownMethodologyError) and err.args:
        message = str(err.args[0])  # KeyError-style repr quoting would add quotes
    else:
        message = str(err)
    return {
        "type": type(err).__name__,
        "message": one_line(message),
        "unit": unit if isinstance(unit, str) or unit is None else str(unit),
        "node": node if isinstance(node, str) or node is None else str(node),
        "value": jsonable(value),
    }


def error_document(err: BaseException) -> dict[str, Any]:
    """``err`` as the JSON error document; a group of errors keeps each under ``errors``.

    Example:
        >>> from parindex.errors import InputFormatError
        >>> from parindex.present.errors import error_document
        >>> error_document(InputFormatError("bad sheet"))["error"]["type"]
        'InputFormatError'
    """
    fields = _fields(err)
    row = getattr(err, "row", None)
    if isinstance(err, ScoreSheetError) and isinstance(row, int):
        fields["row"] = row  # which entry, when one entry is at fault
    if isinstance(err, ExceptionGroup):
        fields["errors"] = [error_document(e)["error"] for e in err.exceptions]
    return {"error": fields}
