"""The one safe loader: every file parindex reads goes through here.

YAML (or JSON, a subset) is read with a safe loader that also refuses aliases (no
"billion laughs"), duplicate keys (``1`` and ``1.0``, ``yes`` and ``true`` too), files
over a size limit and nesting deeper than a limit. Nothing is ever evaluated: the only
types built are YAML's plain ones (null, bool, int, float, str, binary, timestamp,
seq, map, set, omap, pairs), from tables fixed in this module, so a ``!!python/...``
tag is refused even when another library in the process registers constructors or
resolvers on PyYAML's own ``SafeLoader``.

YAML is parsed by libyaml when PyYAML has it, else (and whenever libyaml refuses a
text, for the same verdict and message) in Python. The two parsers differ on a few
malformed texts. Those libyaml would accept and Python refuse are tabs and stray
byte-order marks (libyaml takes a tab inside a plain value): such text goes to Python
from the start. A fuzz of 5,000 one-character deletions and duplications of the
shipped methodology files found none that libyaml accepts and Python refuses and
none that both accept as different data: 4,594 accepted alike, 405 refused by both,
1 refused by libyaml only (``counts:{criteria: 5}`` inside a flow mapping, which
Python reads as the same data, and so parindex does).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from parindex.errors import InputFormatError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "check_depth",
    "csv_delimiter",
    "decode_text",
    "dump_json",
    "json_object_pairs",
    "nul_error",
    "read_text_file",
    "safe_parse",
]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Input files larger than this are refused (methodologies and score sheets)."""
MAX_DEPTH = 64
"""Nesting deeper than this is refused (a real criteria tree is 4-5 levels deep)."""


# The YAML 1.1 types a safe loader builds, with PyYAML's SafeConstructor method for each.
_PLAIN_TYPES = {
    "null": "construct_yaml_null",
    "bool": "construct_yaml_bool",
    "int": "construct_yaml_int",
    "float": "construct_yaml_float",
    "binary": "construct_yaml_binary",
    "timestamp": "construct_yaml_timestamp",
    "omap": "construct_yaml_omap",
    "pairs": "construct_yaml_pairs",
    "set": "construct_yaml_set",
    "str": "construct_yaml_str",
    "seq": "construct_yaml_seq",
    "map": "construct_yaml_map",
}


# functools.cache publishes the pair only once built: a thread that comes first while
# another is building builds its own (equal) pair, and never sees half of one.
@functools.cache
def _loaders() -> tuple[type[Any] | None, type[Any]]:
    """The YAML loaders, built on first use (importing yaml costs start-up time): one
    on libyaml (None when PyYAML was built without it) and the pure-Python one.

    The libyaml loader keeps the Python composer and constructor and takes only the
    parser (events) from C: libyaml's own composer never calls ``compose_node``, so it
    would resolve aliases unseen. The parser is where the time goes: the shipped
    methodology files load about 7x faster.
    """
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    # PyYAML keeps constructors and resolvers in class attributes that other code can
    # extend (``yaml.add_constructor(..., Loader=yaml.SafeLoader)``, or on a base class,
    # which SafeLoader shares): both loaders get their own read-only tables instead.
    constructors: dict[Any, Any] = {
        f"tag:yaml.org,2002:{tag}": getattr(SafeConstructor, method)
        for tag, method in _PLAIN_TYPES.items()
    }
    constructors[None] = SafeConstructor.construct_undefined  # any other tag: refused
    # Plain values resolve to those types only (a resolver another library added for
    # its own tag, "${VAR}" -> !env, is left out: the value stays a string).
    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag in constructors]
        for first, found in Resolver.yaml_implicit_resolvers.items()
    }

    class _Strict:
        """Refuse aliases and duplicate keys; build plain types only (mixed into both
        loaders, first in their method order)."""

        # (Typed Any: PyYAML's stubs declare dicts, which these read-only views are not.)
        yaml_constructors: Any = MappingProxyType(constructors)
        yaml_multi_constructors: Any = MappingProxyType({})
        yaml_implicit_resolvers: Any = MappingProxyType(resolvers)
        yaml_path_resolvers: Any = MappingProxyType({})

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
                event = self.peek_event()  # type: ignore[attr-defined]
                raise InputFormatError(
                    f"YAML aliases are not allowed (line {event.start_mark.line + 1}); "
                    "write the content out in full"
                )
            return super().compose_node(parent, index)  # type: ignore[misc]

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
                if key in seen:
                    raise InputFormatError(
                        f"duplicate key {key!r} (line {key_node.start_mark.line + 1})"
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]

    class _StrictSafeLoader(_Strict, yaml.SafeLoader):
        """SafeLoader that also refuses aliases and duplicate keys."""

    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML without libyaml
        return None, _StrictSafeLoader

    class _StrictCSafeLoader(_Strict, Composer, CParser, SafeConstructor, Resolver):
        """libyaml events, composed and constructed as by ``_StrictSafeLoader``."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def compose_scalar_node(self, anchor: Any) -> Any:
            event: Any = self.peek_event()
            if event.tag == "!":
                # The non-specific tag: PyYAML resolves the value as if untagged
                # ("! 12" is 12), libyaml marks it a string. Keep PyYAML's reading.
                event.implicit = (True, False)
            return super().compose_scalar_node(anchor)

    return _StrictCSafeLoader, _StrictSafeLoader


def _load_yaml(text: str) -> Any:
    import yaml

    fast, strict = _loaders()
    # The two parsers differ on a few inputs. Tabs and stray byte-order marks are the
    # ones a person plausibly types (libyaml accepts a tab in a plain value, PyYAML
    # refuses it): such text keeps the pure-Python verdict.
    if fast is not None and "\t" not in text and "\ufeff" not in text:
        try:
            return yaml.load(text, Loader=fast)
        except (yaml.YAMLError, UnicodeEncodeError):
            # libyaml refused the text (UnicodeEncodeError: a lone surrogate). Let the
            # pure-Python parser decide, so that its verdict and message stand as before.
            pass
    try:
        return yaml.load(text, Loader=strict)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputFormatError(f"invalid YAML{where}: {problem}") from None


def read_text_file(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (a BOM is dropped), refusing over-large or undecodable files.

    Example:
        >>> import pathlib, tempfile
        >>> from parindex.io.safe import read_text_file
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> _ = path.write_bytes("\ufeffđơn vị".encode())
        >>> read_text_file(path)
        'đơn vị'
        >>> read_text_file(path, max_bytes=4)
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: ...a.csv: file is 13 bytes, over the limit of 4
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputFormatError(f"{p}: file is {size} bytes, over the limit of {max_bytes}")
        with p.open("rb") as handle:
            # Read at most one byte past the limit: a device or a growing file reports
            # a small size but may never end.
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputFormatError(f"{p}: file is over the limit of {max_bytes} bytes")
    except OSError as err:
        raise InputFormatError(f"{p}: cannot read file ({err.strerror or err})") from None
    return decode_text(data, str(p))


# Byte-order marks: Excel's "Unicode text" and Windows Notepad save UTF-16 with one.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_text(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (a BOM dropped), or UTF-16 when a byte-order mark says so;
    anything else is refused with a message saying how to save the file.

    Example:
        >>> from parindex.io.safe import decode_text
        >>> decode_text("đơn vị".encode("utf-16"), "a.csv"), decode_text("A".encode("utf-8-sig"), "a.csv")
        ('đơn vị', 'A')
        >>> decode_text("Đà Nẵng".encode("cp1258", errors="ignore"), "a.csv")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: a.csv: not UTF-8 text (byte 0); save it as UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)")
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    nul = data.find(0) if encoding == "utf-8" else -1
    if nul >= 0:
        # Valid UTF-8, but text files hold no NUL. Many (every other byte of ASCII text):
        # UTF-16 saved without its byte-order mark; a few: not a text file at all.
        head = data[:4096]
        if head.count(0) * 4 >= len(head):
            raise InputFormatError(
                f"{name}: not UTF-8 text (byte {nul} is NUL: UTF-16 without a "
                'byte-order mark?); save it as UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma '
                'delimited)")'
            )
        raise nul_error(name, data[:nul], nul)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputFormatError(
            f"{name}: not {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text (byte "
            f'{err.start}); save it as UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)")'
        ) from err


def nul_error(name: str, before: bytes | str, offset: int) -> InputFormatError:
    """The error for a NUL at ``offset`` of a text file (``before``: what precedes it,
    to count lines): text holds no NUL, so the file is not text (a workbook or another
    binary file under a ``.csv`` name, or a damaged copy).

    Example:
        >>> from parindex.io.safe import nul_error
        >>> print(nul_error("r.csv", "unit\\nA", 6))
        r.csv: the file has a NUL byte at line 2 (character 6) and is not a text CSV; save it from the spreadsheet as "CSV UTF-8 (Comma delimited)"
    """
    # Only line ends are counted: Latin-1 maps every byte, so any bytes decode.
    text = before.decode("latin-1") if isinstance(before, bytes) else before
    line = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    where = f"line {line} ({'byte' if isinstance(before, bytes) else 'character'} {offset})"
    if name.casefold().endswith(".csv") or name == "<csv>":
        return InputFormatError(
            f"{name}: the file has a NUL byte at {where} and is not a text CSV; save it "
            'from the spreadsheet as "CSV UTF-8 (Comma delimited)"'
        )
    return InputFormatError(
        f"{name}: the file has a NUL byte at {where} and is not a text file; save it as UTF-8 text"
    )


def csv_delimiter(text: str) -> str:
    """The cell separator of CSV text: ``";"`` when its header line holds semicolons and
    no comma (as Excel saves "CSV" where the decimal mark is a comma, Vietnamese among
    those locales), else ``","``. Score sheets and survey responses are read alike.

    Example:
        >>> from parindex.io.safe import csv_delimiter
        >>> csv_delimiter("unit;node;points\\r\\nA;1;9,5\\r\\n"), csv_delimiter("unit,node\\n")
        (';', ',')
    """
    end = text.find("\n")  # not split(): a survey file's text may be 256 MB
    header = text if end < 0 else text[:end]
    return ";" if ";" in header and "," not in header else ","


def check_depth(obj: object, limit: int) -> None:
    """Refuse data nested deeper than ``limit`` levels (the outer value is level 1).

    Example:
        >>> from parindex.io.safe import check_depth
        >>> check_depth({"a": 1}, 2)
        >>> check_depth({"a": [1]}, 2)
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: document is nested deeper than 2 levels
    """
    stack: list[tuple[object, int]] = [(obj, 1)]
    while stack:
        item, d = stack.pop()
        if d > limit:
            raise InputFormatError(f"document is nested deeper than {limit} levels")
        if isinstance(item, Mapping):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)


def json_object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An ``object_pairs_hook`` for :func:`json.loads` that refuses duplicate keys.

    Example:
        >>> import json
        >>> from parindex.io.safe import json_object_pairs
        >>> json.loads('{"a": 1, "b": 2}', object_pairs_hook=json_object_pairs)
        {'a': 1, 'b': 2}
        >>> json.loads('{"a": 1, "a": 2}', object_pairs_hook=json_object_pairs)
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: duplicate key 'a'
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputFormatError(f"duplicate key {key!r}")
        out[key] = value
    return out


def safe_parse(text: str, *, name: str = "<text>", max_depth: int = MAX_DEPTH) -> Any:
    """Parse YAML or JSON text safely (see module docstring).

    Example:
        >>> from parindex.io.methodology import safe_parse
        >>> safe_parse('{"a": 1, "a": 2}')
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: <text>: duplicate key 'a'
    """
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
        raise InputFormatError(f"{name}: document over the size limit of {MAX_FILE_BYTES} bytes")
    # A depth error names the bound, as the service's does (MAX_JSON_DEPTH).
    limit = " (the limit MAX_DEPTH)" if max_depth == MAX_DEPTH else ""
    try:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            data = json.loads(text, object_pairs_hook=json_object_pairs)
        else:
            data = _load_yaml(text)
    except InputFormatError as err:
        raise InputFormatError(f"{name}: {err}") from None
    except RecursionError:
        # The parser's own guard (some 1,000 levels) is far past the bound: say the bound.
        raise InputFormatError(
            f"{name}: document is nested too deeply: deeper than {max_depth} levels{limit}"
        ) from None
    except json.JSONDecodeError as err:
        raise InputFormatError(f"{name}: invalid JSON at line {err.lineno}: {err.msg}") from None
    except (ValueError, OverflowError, TypeError) as err:
        # A scalar the parser matched but cannot build: a 5,000-digit integer, the date
        # 2024-13-45, an unhashable key.
        raise InputFormatError(f"{name}: cannot read a value: {err}") from None
    try:
        check_depth(data, max_depth)
    except InputFormatError as err:
        raise InputFormatError(f"{name}: {err}{limit}") from None
    return data


def dump_json(obj: object) -> str:
    """Deterministic JSON text (keys kept as given, UTF-8, no NaN).

    Example:
        >>> from parindex.io.safe import dump_json
        >>> print(dump_json({"đơn vị": "A", "points": [1.5]}))
        {
          "đơn vị": "A",
          "points": [
            1.5
          ]
        }
    """
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)
