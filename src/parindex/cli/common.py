"""What every ``parindex`` command shares: the parser class, exit codes, how a
``--methodology`` argument and a sheet argument are read."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import NoReturn

from parindex.errors import InputFormatError
from parindex.io.catalogue import default_registry
from parindex.io.methodology import load_methodology
from parindex.io.safe import MAX_FILE_BYTES, decode_text
from parindex.io.sheet import load_sheet, sheet_from_csv, sheet_from_json
from parindex.model.methodology import Methodology, check_year
from parindex.model.sheet import ScoreSheet

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "Parser",
    "UsageError",
    "read_sheet",
    "read_stdin",
    "resolve",
    "resolve_year",
]

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 1  # what Python exits with on EPIPE (docs of signal: "Note on SIGPIPE")


class UsageError(Exception):
    """A command line that does not parse (exit 2, one line on stderr)."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}{_did_you_mean(message)} (see '{self.prog} --help')")


def _did_you_mean(message: str) -> str:
    """ "; did you mean 'score'?" for argparse's "invalid choice: 'scroe' (choose from ...)"."""
    match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not match:
        return ""
    choices = re.findall(r"'([^']*)'", match.group(2))
    close = difflib.get_close_matches(match.group(1), choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def resolve(key: str) -> Methodology:
    """A methodology id/alias/decision/level-year key, or a path to a methodology file."""
    return resolve_year(key, None)[0]


def resolve_year(key: str, year: int | None) -> tuple[Methodology, int | None]:
    """:func:`resolve`, with the evaluation year: a ``level-year`` key's, else ``year``
    (``--year``, refused outside MIN_YEAR to MAX_YEAR before any lookup)."""
    year = check_year(year)
    if key.lower().endswith((".yaml", ".yml", ".json")) and Path(key).exists():
        return load_methodology(key), year
    return default_registry.lookup(key, year=year)


def read_stdin(max_bytes: int) -> str:
    """Standard input as text, decoded as a file is (UTF-8, or UTF-16 with a BOM), and
    at most ``max_bytes``: one byte more is read to know the limit was passed."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # replaced by a text stream (tests, embedding programs)
        text: str = sys.stdin.read(max_bytes + 1)
        data_size = len(text.encode("utf-8", errors="surrogatepass"))
    else:
        data = buffer.read(max_bytes + 1)
        data_size = len(data)
    if data_size > max_bytes:
        raise InputFormatError(f"<stdin>: over the size limit of {max_bytes} bytes")
    return text if buffer is None else decode_text(data, "<stdin>")


def read_sheet(args: argparse.Namespace, *, collect_all: bool | None = None) -> ScoreSheet:
    """The sheet named by ``args.file`` (``-``: standard input, CSV or JSON; ``.xlsx``:
    a filled-in template, whose recorded methodology scoring then checks).
    ``collect_all``: instead of ``--collect-all``."""
    collect = args.collect_all if collect_all is None else collect_all
    fmt = args.input_format
    if args.file == "-":
        text = read_stdin(MAX_FILE_BYTES)
        if fmt == "json" or (fmt is None and text.lstrip().startswith(("{", "["))):
            return sheet_from_json(
                text, decimal_comma=args.decimal_comma, collect_all=collect, name="<stdin>"
            )
        return sheet_from_csv(
            text, decimal_comma=args.decimal_comma, collect_all=collect, name="<stdin>"
        )
    return load_sheet(args.file, decimal_comma=args.decimal_comma, collect_all=collect, format=fmt)
