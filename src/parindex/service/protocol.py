"""Requests and answers of the HTTP service, without any web framework: the bounds on a
request, JSON bodies parsed within them, answers as JSON text, and every error as the
one error document (``{"error": {"type", "message", "unit", "node", "value"}}``, built by
:func:`parindex.present.errors.error_document`, as the CLI's ``--format json`` does)."""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

try:  # the service extra's JSON codec; json does it all, slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - the service extra installs it
    _orjson = None  # type: ignore[assignment]

from parindex.errors import InputFormatError, LimitExceededError, ParIndexError
from parindex.io.safe import check_depth, json_object_pairs
from parindex.model.entries import forbidden_character
from parindex.present.errors import error_document

__all__ = [
    "BODY_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "HttpError",
    "decode_body",
    "dumps",
    "encode",
    "error_answer",
    "parse_json_body",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
"""Request bodies larger than this get 413 (2 MiB holds a sheet of ~20,000 entries)."""
MAX_JSON_DEPTH = 32
"""JSON nested deeper than this gets 413 (a real request is 4-5 levels; a methodology
document about 12)."""
BODY_TIMEOUT = 30.0
"""Seconds a request body may take to arrive, whole, before the answer is 408: a
client that stalls cannot hold the service's attention (2 MiB at 1 Mbit/s is 17 s)."""
KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle keep-alive connection stays open between requests (uvicorn's
``timeout_keep_alive``)."""


class HttpError(Exception):
    """An answer other than 200 that is the service's own (not a library error): an
    unknown path, a body over a bound, a request that is not JSON, ...

    Example:
        >>> from parindex.service.protocol import HttpError
        >>> err = HttpError(404, "no such endpoint: GET /x", type="NotFound")
        >>> err.document()["error"]["type"], err.status
        ('NotFound', 404)
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
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.unit = unit
        self.node = node
        self.value = value
        self.details = details
        self.headers = headers or {}

    def document(self) -> dict[str, Any]:
        """The JSON error document.

        Example:
            >>> from parindex.service.protocol import HttpError
            >>> HttpError(400, "bad\\n sheet", type="InputFormatError").document()
            {'error': {'type': 'InputFormatError', 'message': 'bad sheet', 'unit': None, 'node': None, 'value': None}}
        """
        doc = error_document(self)  # the one builder: one-line message, JSON-safe value
        doc["error"]["type"] = self.type
        doc["error"]["node"] = self.node
        if self.details:
            doc["error"]["errors"] = self.details
        return doc


def error_answer(err: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and the error document for an exception raised by a request.

    An :class:`HttpError` carries its status: 400 for a request that is not JSON or
    that its schema refuses, 404, 405, 408, 411, 413 for a body over its bound. A
    library error comes from a request its schema accepted, so it is about what the
    request says: 413 for a bound (:class:`~parindex.errors.LimitExceededError`), 422
    for the rest (an unknown methodology, points above a maximum, a CSV sheet that is
    not one, ...). Anything else is a bug: 500.

    Example:
        >>> from parindex.errors import LimitExceededError, UnknownNodeError
        >>> from parindex.service.protocol import error_answer
        >>> error_answer(UnknownNodeError("no node '9'", unit="A", node="9"))[0]
        422
        >>> error_answer(LimitExceededError("too many", limit="X", value=2, maximum=1))[0]
        413
        >>> error_answer(KeyError("x"))[1]["error"]["type"]
        'InternalError'
    """
    if isinstance(err, HttpError):
        return err.status, err.document()
    if isinstance(err, LimitExceededError):
        return 413, error_document(err)
    if isinstance(err, ParIndexError):
        return 422, error_document(err)
    if isinstance(err, RecursionError):  # a structure too deep for the library's walk
        return error_answer(HttpError(413, "the request is nested too deeply", type="TooLarge"))
    internal = HttpError(
        500, f"internal error ({type(err).__name__}): {err}; please report it", type="InternalError"
    )
    return 500, internal.document()


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode a request body: UTF-8 JSON, no NaN/Infinity, no repeated keys (else
    :class:`HttpError` 400), nesting at most ``max_depth`` (else 413, naming
    MAX_JSON_DEPTH), no control character (but tab, LF, CR) or lone surrogate in any
    text (else 422: JSON Schema lets any text through; parindex refuses these). The
    body's size is the caller's to bound, before it is read whole.

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
        >>> parse_json_body(b'[[[1]]]', max_depth=2)
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: the body is nested deeper than 2 levels (the limit MAX_JSON_DEPTH)
    """
    too_deep = HttpError(
        413,
        f"the body is nested deeper than {max_depth} levels (the limit MAX_JSON_DEPTH)",
        type="LimitExceededError",
        value=max_depth,
    )
    skeleton = _skeleton(body)
    data = _fast_parse(body.removeprefix(codecs.BOM_UTF8), skeleton)
    if data is _SLOW:
        data = _parse(decode_body(body), too_deep)
    if _height(body, skeleton, at_most=max_depth) >= max_depth:  # else none lies deeper
        try:
            check_depth(data, max_depth)
        except InputFormatError:
            raise too_deep from None
    if _suspect(body):  # else no text of the body can hold a refused character
        _check_strings(data)
    return data


def decode_body(body: bytes) -> str:
    """A request body as text: UTF-8, a byte-order mark dropped (else :class:`HttpError`
    400 naming the first bad byte).

    Example:
        >>> from parindex.service.protocol import decode_body
        >>> decode_body(b"\\xef\\xbb\\xbfunit,node")
        'unit,node'
        >>> decode_body(b"A\\xff")
        Traceback (most recent call last):
        ...
        parindex.service.protocol.HttpError: the body is not UTF-8 (byte 1)
    """
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HttpError(
            400, f"the body is not UTF-8 (byte {err.start})", type="InputFormatError"
        ) from None


_SLOW = object()  # the fast parser's word for "parse this body the careful way"
# A run of 19 digits may be an integer past 64 bits, which orjson reads as a float:
# found as 19 zeros in the body with every digit made a zero and all else a space.
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 19


def _fast_parse(raw: bytes, skeleton: bytes) -> Any:
    """The body parsed by orjson (the ``service`` extra) when that gives exactly what
    :func:`_parse` would, else ``_SLOW``. orjson refuses what ``json`` refuses (NaN,
    a bad escape, a lone surrogate, an infinite number: all taken the careful way, to
    be worded as ever) but keeps the last of a repeated key and reads a long integer
    as a float: a body whose keys the parse lost (fewer than the ``:`` of its
    :func:`_skeleton`), or with a long digit run, goes the careful way too."""
    if _orjson is None or b'"' in skeleton:  # a string holds a bracket or colon: rare
        return _SLOW
    if _LONG_NUMBER in raw.translate(_DIGITS_AS_ZERO):
        return _SLOW
    try:
        data = _orjson.loads(raw)
    except _orjson.JSONDecodeError:
        return _SLOW
    containers = skeleton.count(b"[") + skeleton.count(b"{")
    return data if _counts(data, containers) == skeleton.count(b":") else _SLOW


def _skeleton(body: bytes) -> bytes:
    """The brackets and colons of a JSON text outside its strings, found in C: the
    escaped backslashes and quotes dropped (so that every quote left opens or closes a
    string), then every other byte, then the empty pairs of quotes the strings leave. A
    quote is left only where a string holds a bracket, a colon or a quote."""
    bare = body.replace(b"\\\\", b"").replace(b'\\"', b"") if b"\\" in body else body
    return bare.translate(None, _NOT_SKELETON).replace(b'""', b"")


def _counts(data: Any, containers: int) -> int:
    """The keys of the parsed ``data``, or -1 when its containers are not
    ``containers``. A list of objects (a sheet's entries) is counted in C without
    opening each: should one of them hold a container, the walk sees fewer containers
    than the text has, and the keys are counted again, every container opened."""
    keys, seen = _walk(data, open_all=False)
    if seen != containers:
        keys, seen = _walk(data, open_all=True)
    return keys if seen == containers else -1


def _walk(data: Any, *, open_all: bool) -> tuple[int, int]:
    """The keys and the containers of ``data`` (see :func:`_counts`)."""
    keys = seen = 0
    stack = [data] if type(data) is dict or type(data) is list else []
    while stack:
        item = stack.pop()
        seen += 1
        if type(item) is dict:
            keys += len(item)
            stack.extend(v for v in item.values() if type(v) is dict or type(v) is list)
        elif not open_all and len(item) > 1 and set(map(type, item)) == {dict}:
            seen += len(item)
            keys += sum(map(len, item))
        else:
            stack.extend(v for v in item if type(v) is dict or type(v) is list)
    return keys, seen


def _parse(text: str, too_deep: HttpError) -> Any:
    """The careful parse: ``json``, refusing NaN and a repeated key with a message."""
    # A repeated key is refused, as in sheet files: json.loads would keep the last one.
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as err:
        raise HttpError(
            400,
            f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}",
            type="InputFormatError",
        ) from None
    except RecursionError:  # the C parser's own guard, far past any sane depth
        raise too_deep from None
    except ValueError as err:  # NaN, a repeated key, an integer of 5,000 digits
        raise HttpError(400, f"invalid JSON: {err}", type="InputFormatError") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if a key repeats (as :func:`json_object_pairs`, which
    words the refusal; this is the fast way to find that none does)."""
    out = dict(pairs)
    return out if len(out) == len(pairs) else json_object_pairs(pairs)


# The bytes of a valid UTF-8 JSON body that are not a C0 control (but tab, LF, CR) or
# DEL: deleting them leaves nothing unless the body holds one.
_PLAIN_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080-U+009F in UTF-8
_ESCAPE = re.compile(rb"\\(?:[bf]|u00[0189]|u007[fF]|u[dD][89a-fA-F])")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_NOT_SKELETON = bytes(b for b in range(256) if b not in b'[]{}":')
_AS_BRACES = bytes.maketrans(b"[]", b"{}")


def _suspect(body: bytes) -> bool:
    """Whether a valid UTF-8 JSON body may hold a character :func:`_check_strings`
    refuses (a C0 or C1 control but tab, LF, CR; a lone surrogate): the character
    itself, or an escape that could make one (``\\b``, ``\\f``, ``\\u0000``-``\\u001f``,
    ``\\u007f``-``\\u009f``, ``\\ud800``-``\\udfff``; strict UTF-8 holds no surrogate).
    Three passes in C; a body that may (an innocent ``\\u0009`` or surrogate pair too)
    is walked as before."""
    return bool(body.translate(None, _PLAIN_BYTES) or _C1.search(body) or _ESCAPE.search(body))


def _height(body: bytes, skeleton: bytes, *, at_most: int) -> int:
    """How deep the arrays and objects of a valid JSON body nest (0 for a scalar), or
    ``at_most`` if deeper: the values inside lie at most one level deeper. Counted in
    C on the brackets of its :func:`_skeleton` (where a string holds a bracket or a
    colon, of the body split at its quotes), all made braces (the body is valid JSON:
    only the depth is asked): each pass drops the innermost pairs, so the passes until
    none is left are the depth."""
    if b'"' in skeleton:
        bare = body.replace(b"\\\\", b"").replace(b'\\"', b"") if b"\\" in body else body
        brackets = b"".join(bare.split(b'"')[::2]).translate(_AS_BRACES, _NOT_BRACKET)
    else:
        brackets = skeleton.translate(_AS_BRACES, b":")
    height = 0
    while brackets and height < at_most:
        brackets = brackets.replace(b"{}", b"")
        height += 1
    return height


def _check_strings(data: Any) -> None:
    """Refuse a control character (but tab, LF, CR) or a lone surrogate in any key or
    text of a parsed body: a lone surrogate cannot even be encoded in the answer, and a
    control character would travel on into logs and terminals. Checked before the
    schema, so that the message names the character wherever it is."""
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
        422,
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


def dumps(doc: object, *, pretty: bool = True) -> str:
    r"""An answer as JSON text: compact, or (``pretty``) indented as the CLI prints it,
    byte for byte.

    Example:
        >>> from parindex.service.protocol import dumps
        >>> dumps({"đạt": [1, 2]})
        '{\n  "đạt": [\n    1,\n    2\n  ]\n}\n'
        >>> dumps({"đạt": [1, 2]}, pretty=False)
        '{"đạt":[1,2]}'
    """
    return encode(doc, pretty=pretty).decode("utf-8")


def encode(doc: object, *, pretty: bool = True, finite: bool = False) -> bytes:
    r"""An answer as the UTF-8 bytes of :func:`dumps`: what goes on the wire, encoded
    once (a lone surrogate, which UTF-8 cannot hold, is written escaped). Compact
    answers are written by orjson when the ``service`` extra is installed: the same
    JSON values (a number in its shortest form, ``1e-7`` where ``json`` writes
    ``1e-07``) in a tenth of the time; indented ones as the CLI writes them.

    NaN and infinity are refused (``ValueError``), as JSON has no word for them: the
    documents write ``null`` for what is unknown, and an infinite number in one is a
    bug to report, never an answer. ``finite=True``: the document's builder vouches
    that it holds neither (as :func:`~parindex.present.documents.result_document`
    does), and it is not looked through again.

    Example:
        >>> from parindex.service.protocol import encode
        >>> encode({"đạt": "\ud800"}, pretty=False)
        b'{"\\u0111\\u1ea1t":"\\ud800"}'
        >>> encode({"index": float("nan")}, pretty=False)
        Traceback (most recent call last):
        ...
        ValueError: Out of range float values are not JSON compliant
    """
    if not pretty and _orjson is not None:
        try:
            data = _orjson.dumps(doc)
        except TypeError:  # a key that is no text, a lone surrogate, a long integer
            pass
        else:
            # orjson writes null for NaN and infinity, which json refuses: an answer
            # with a null in it is looked through, unless its builder vouches for it.
            if finite or b"null" not in data or _finite(doc):
                return data
    indent, separators, end = (2, None, b"\n") if pretty else (None, (",", ":"), b"")
    try:
        data = json.dumps(
            doc, ensure_ascii=False, indent=indent, separators=separators, allow_nan=False
        ).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate slipped through: escape it rather than fail mid-answer.
        data = json.dumps(
            doc, ensure_ascii=True, indent=indent, separators=separators, allow_nan=False
        ).encode("ascii")
    return data + end


def _finite(doc: object) -> bool:
    """Whether every float of ``doc`` is finite (else :func:`encode` lets ``json``
    refuse it, with its own message)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if type(item) is float:
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True
