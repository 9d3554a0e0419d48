"""Requests and answers of the HTTP service: bounded JSON bodies in, JSON documents out,
and errors as ``{"error": {"type", "message", "unit", "node", "value"}}``."""

from __future__ import annotations

import json
import math
from typing import Any

from parindex.errors import (
    InputFormatError,
    MethodologyError,
    ParIndexError,
    ScoreSheetError,
    UnknownMethodologyError,
)
from parindex.io.safe import check_depth, json_object_pairs
from parindex.model.entries import forbidden_character

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "HttpError",
    "dumps",
    "from_parindex_error",
    "jsonable",
    "one_line",
    "parse_json_body",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
"""Request bodies larger than this get 413 (2 MiB holds a sheet of ~20,000 entries)."""
MAX_JSON_DEPTH = 32
"""JSON nested deeper than this gets 400 (a real request is 4-5 levels; a methodology
document about 12)."""


class HttpError(Exception):
    """An answer other than 200, with the JSON error fields.

    Example:
        >>> from parindex.service.protocol import HttpError
        >>> HttpError(404, "no such endpoint: GET /x", type="NotFound").document()["error"]["type"]
        'NotFound'
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "BadRequest",
        unit: str | None = None,
        node: str | None = None,
        value: object = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.unit = unit
        self.node = node
        self.value = value
        self.details = details

    def document(self) -> dict[str, Any]:
        """The JSON error body.

        Example:
            >>> from parindex.service.protocol import HttpError
            >>> HttpError(400, "bad sheet", type="InputFormatError").document()["error"]["message"]
            'bad sheet'
        """
        err: dict[str, Any] = {
            "type": self.type,
            "message": self.message,
            "unit": self.unit,
            "node": self.node,
            "value": jsonable(self.value),
        }
        if self.details:
            err["errors"] = self.details
        return {"error": err}


def jsonable(value: object) -> object:
    """A value as JSON can hold it: text, numbers and null as they are, anything else
    (and NaN or infinity) as its ``repr``.

    Example:
        >>> from parindex.service.protocol import jsonable
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
        >>> from parindex.service.protocol import one_line
        >>> one_line("two\n  lines")
        'two lines'
    """
    return " ".join(text.split())


def from_parindex_error(err: ParIndexError, *, status: int) -> HttpError:
    """A library error as an HTTP answer with ``status``, keeping its unit, node and value
    (and, for a group of errors, each one under ``errors``).

    Example:
        >>> from parindex.errors import InputFormatError
        >>> from parindex.service.protocol import from_parindex_error
        >>> err = from_parindex_error(InputFormatError("bad sheet"), status=400)
        >>> err.status, err.document()["error"]["type"]
        (400, 'InputFormatError')
    """
    if isinstance(err, ExceptionGroup):
        subs = [
            from_parindex_error(e, status=status).document()["error"]
            for e in err.exceptions
            if isinstance(e, ParIndexError)
        ]
        return HttpError(status, one_line(str(err)), type=type(err).__name__, details=subs)
    if isinstance(err, ScoreSheetError):
        return HttpError(
            status,
            one_line(str(err)),
            type=type(err).__name__,
            unit=err.unit,
            node=err.node,
            value=err.value,
        )
    node = err.node if isinstance(err, MethodologyError) else None
    if isinstance(err, UnknownMethodologyError):
        message = str(err.args[0]) if err.args else str(err)
    else:
        message = str(err)
    return HttpError(status, one_line(message), type=type(err).__name__, node=node)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(body: bytes) -> Any:
    """Decode a request body: UTF-8 JSON, no NaN/Infinity, no repeated keys, bounded
    nesting, no control character (but tab, LF, CR) or lone surrogate in any text
    (else :class:`HttpError` 400, or 413 over :data:`MAX_BODY_BYTES`).

    Example:
        >>> from parindex.service.protocol import parse_json_body
        >>> parse_json_body(b'{"a": [1, 2]}')
        {'a': [1, 2]}
        >>> parse_json_body(b'{"a": NaN}')
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: invalid JSON: NaN is not valid JSON
        >>> parse_json_body(b'{"sheet": [{"unit": "A\\\\ud800", "node": "1"}]}')
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: sheet[0].unit: text 'A\\ud800' contains the lone surrogate U+D800; delete it
    """
    if len(body) > MAX_BODY_BYTES:
        raise HttpError(
            413, f"the body is over the limit of {MAX_BODY_BYTES} bytes", type="TooLarge"
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HttpError(
            400, f"the body is not UTF-8 (byte {err.start})", type="InputFormatError"
        ) from None
    # The C parser stops runaway nesting with RecursionError; _depth bounds the rest.
    # A repeated key is refused, as in sheet files: json.loads would keep the last one.
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=json_object_pairs
        )
    except json.JSONDecodeError as err:
        raise HttpError(
            400,
            f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}",
            type="InputFormatError",
        ) from None
    except (ValueError, RecursionError) as err:
        raise HttpError(400, f"invalid JSON: {err}", type="InputFormatError") from None
    try:
        check_depth(data, MAX_JSON_DEPTH)
    except InputFormatError as err:
        raise HttpError(400, str(err), type="InputFormatError") from None
    _check_strings(data)
    return data


def _check_strings(data: Any) -> None:
    """Refuse a control character (but tab, LF, CR) or a lone surrogate in any key or
    text of a parsed body: a lone surrogate cannot even be encoded in the answer, and a
    control character would travel on into logs and terminals."""
    stack: list[tuple[str, Any, Any]] = [("", data, None)]
    while stack:
        path, item, parent = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                _check_string(f"{path}.{key}" if path else str(key), key, item)
                stack.append((f"{path}.{key}" if path else str(key), value, item))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", v, parent) for i, v in enumerate(item))
        elif isinstance(item, str):
            _check_string(path, item, parent)


def _check_string(path: str, text: str, parent: Any) -> None:
    ch = forbidden_character(text, free_text=True)
    if ch is None:
        return
    kind = "lone surrogate" if 0xD800 <= ord(ch) <= 0xDFFF else "control character"
    shown = repr(text)  # escaped, so that the answer itself can be encoded and printed
    where = _entry_where(parent)
    raise HttpError(
        400,
        f"{repr(path)[1:-1]}: text {shown} contains the {kind} U+{ord(ch):04X}; delete it",
        type="InputFormatError",
        unit=where[0],
        node=where[1],
        value=shown,
    )


def _entry_where(parent: Any) -> tuple[str | None, str | None]:
    """The unit and node of the sheet entry a bad text sits in, when they are clean."""
    if not isinstance(parent, dict):
        return None, None
    found = []
    for key in ("unit", "node"):
        v = parent.get(key)
        ok = isinstance(v, str) and forbidden_character(v, free_text=True) is None
        found.append(v if ok else None)
    return found[0], found[1]


def dumps(doc: object) -> str:
    r"""The same JSON text as the CLI prints.

    Example:
        >>> from parindex.service.protocol import dumps
        >>> dumps({"đạt": 1})
        '{\n  "đạt": 1\n}\n'
    """
    text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate slipped through: escape it rather than fail mid-answer.
        return json.dumps(doc, ensure_ascii=True, indent=2, allow_nan=False) + "\n"
    return text
