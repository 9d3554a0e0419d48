"""The ``parindex`` command line: a thin layer over the library's pure functions.

Data goes to stdout, diagnostics to stderr. Exit status: 0 on success, 2 on bad input
(one line on stderr naming the unit, node and value; never a traceback), 1 on an
unexpected internal error, and 1 without a word when the reader of stdout goes away
(``parindex ... | head``), as Python itself exits on a broken pipe.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from parindex._text import escape_control, plural
from parindex._version import __version__
from parindex.cli import catalogue, commands, score, simulate, survey, units
from parindex.cli.common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_USAGE,
    Parser,
    UsageError,
)
from parindex.errors import NoBandsWarning, ParIndexError, ParIndexWarning
from parindex.present.errors import error_document

__all__ = ["build_parser", "main"]

# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools).

    Example:
        >>> from parindex.cli import build_parser
        >>> args = build_parser().parse_args(["score", "-m", "province-2017", "sheet.csv"])
        >>> args.command, args.methodology, args.format
        ('score', 'province-2017', 'table')
    """
    parser = Parser(
        prog="parindex", description="Exact, versioned PAR INDEX (Chỉ số CCHC) scoring."
    )
    parser.add_argument("--version", action="version", version=f"parindex {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    catalogue.register_listing(sub)
    score.register(sub)
    catalogue.register(sub)
    commands.register(sub)
    survey.register(sub)
    simulate.register(sub)
    units.register(sub)
    _describe(sub)
    return parser


# One runnable example per command, shown by `parindex COMMAND --help`.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "methodologies": ("parindex methodologies", "parindex methodologies --format json"),
    "show": ("parindex show province-2022", "parindex show province-2023 --format yaml"),
    "score": (
        "parindex score -m province-2017 examples/daklak-2017.csv",
        "parindex score -m province-2023 sheet.xlsx --format json",
        "parindex score -m illustrative-district --units free --format csv my-units.csv",
    ),
    "validate": ("parindex validate my-province-set.yaml --format json",),
    "diff": ("parindex diff province-2017 province-2022",),
    "complete": ("parindex complete province-2022 annex.csv -o province-2022-complete.yaml",),
    "schema": ("parindex schema result",),
    "serve": ("parindex serve --port 8765",),
    "template": ('parindex template province-2017 --unit "Đắk Lắk" -o sheet.xlsx',),
    "read-excel": ("parindex read-excel sheet.xlsx --format json",),
    "survey": (
        "parindex survey -m illustrative-district examples/survey-illustrative-district.csv",
    ),
    "simulate": (
        "parindex simulate -m illustrative-district examples/illustrative-districts.csv "
        "-u examples/uncertainty-district.yaml --draws 10000 --seed 1",
    ),
    "units": ('parindex units resolve --level province --year 2025 "Dak Lak"',),
}


def _describe(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Each command's help: its one-line summary as the description, and examples."""
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, command in sub.choices.items():
        if command.description is None:
            command.description = helps.get(name)
        examples = EXAMPLES.get(name)
        if examples and command.epilog is None:
            command.epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples)
            command.formatter_class = argparse.RawDescriptionHelpFormatter


def _one_line(err: BaseException) -> str:
    if isinstance(err, ExceptionGroup):
        first = "; ".join(_one_line(e) for e in err.exceptions[:5])
        more = len(err.exceptions) - 5
        return f"{plural(len(err.exceptions), 'problem')}: {first}" + (
            f"; and {more} more" if more > 0 else ""
        )
    return " ".join(str(err).split())


def _reader_gone(out: Any) -> int:
    """Stdout's reader went away (``parindex ... | head``): end quietly, like other
    command-line tools. Stdout now points at devnull, so that the interpreter's last
    flush of what is still buffered cannot fail again (as Python's docs advise)."""
    if out is sys.stdout:
        try:
            fd = out.fileno()
        except (OSError, ValueError):  # not a real file (replaced, or closed)
            return EXIT_BROKEN_PIPE
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None, *, stdout: Any = None, stderr: Any = None) -> int:
    """Run the CLI; returns the exit status.

    Example:
        >>> from parindex.cli import main
        >>> main(["score", "-m", "province-2017", "examples/no-such-file.csv"])
        2
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = _wants_json(argv)
    handler: Callable[[argparse.Namespace, Any], int]
    command: argparse.ArgumentParser | None = None
    try:
        parser = build_parser()
        if not argv:  # a bare `parindex`: the help, not an error
            parser.print_help(out)
            return 0
        args = parser.parse_args(argv)
        command = _subparser(parser, args.command)
        handler = args.func
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ParIndexWarning)
            status = handler(args, out)
        out.flush()  # a closed pipe shows here, not in the interpreter's flush at exit
        _notes(err, caught, as_json=as_json)
        return status
    except BrokenPipeError:
        return _reader_gone(out)
    except (UsageError, ParIndexError, OSError, UnicodeError, RecursionError, MemoryError) as exc:
        _report(err, exc, as_json=as_json, command=command)
        return EXIT_USAGE
    except Exception as exc:
        if as_json:
            doc = error_document(exc)
            doc["error"]["type"] = "InternalError"
            err.write(json.dumps(doc, ensure_ascii=False) + "\n")
        else:
            err.write(
                f"parindex: internal error ({type(exc).__name__}): {_one_line(exc)}; "
                "please report it\n"
            )
        return EXIT_INTERNAL


def _notes(err: Any, caught: list[warnings.WarningMessage], *, as_json: bool) -> None:
    """parindex's warnings as one ``parindex: note:`` line each, in the CLI's words
    (``--year``, not ``year=``); others go back to the warnings machinery."""
    for w in caught:
        message = w.message
        if isinstance(message, NoBandsWarning):
            text = message.message("--year YEAR")
        elif isinstance(message, ParIndexWarning):
            text = str(message)
        else:
            warnings.showwarning(message, w.category, w.filename, w.lineno)
            continue
        if as_json:
            note = {"note": {"type": type(message).__name__, "message": text}}
            err.write(json.dumps(note, ensure_ascii=False) + "\n")
        else:
            err.write(f"parindex: note: {text}\n")


def _wants_json(argv: Sequence[str]) -> bool:
    """``--format json`` on the command line: failures are then a JSON error object too."""
    for i, arg in enumerate(argv):
        if arg == "--format=json" or (arg == "--format" and argv[i + 1 : i + 2] == ["json"]):
            return True
    return False


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:  # argparse keeps subparsers in a private attribute
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser | None = action.choices.get(name)
            return found
    return None


# A library message names Python arguments ("pass missing='zero'"); on the command line
# the same advice names the command's flags ("--missing zero").
_PY_ARGUMENT = re.compile(r"\b([a-z][a-z_]*)=('[^']*'|\"[^\"]*\"|\.\.\.|[A-Za-z0-9_.]*)")
_NOT_A_FLAG = {"level": "one of those ids instead"}


def cli_words(message: str, command: argparse.ArgumentParser | None) -> str:
    """``message`` with each Python argument it names (``name=value``) written as the
    command's flag (``--name value``); an argument the command has no flag for is
    said in words.

    Example:
        >>> from parindex.cli.run import build_parser, cli_words, _subparser
        >>> score = _subparser(build_parser(), "score")
        >>> cli_words("pass missing='zero' or missing='unknown' to score anyway", score)
        'pass --missing zero or --missing unknown to score anyway'
    """
    if command is None:
        return message
    actions = {a.dest: a for a in command._actions if a.option_strings}

    def flag(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2).strip("'\"")
        action = actions.get(name)
        if action is not None:
            option = max(action.option_strings, key=len)
            if action.nargs == 0 or value in ("", "..."):  # a switch, or no value shown
                return option
            return f"{option} {value}"
        if name in _NOT_A_FLAG:
            return _NOT_A_FLAG[name]
        return match.group(0)

    return _PY_ARGUMENT.sub(flag, message)


def _report(
    err: Any,
    exc: BaseException,
    *,
    as_json: bool,
    command: argparse.ArgumentParser | None = None,
) -> None:
    """One line on stderr: text, or with ``--format json`` the HTTP error document;
    either way in the command line's words."""
    if as_json:
        doc = error_document(exc)
        doc["error"]["message"] = cli_words(doc["error"]["message"], command)
        if isinstance(exc, UsageError):
            doc["error"]["type"] = "UsageError"
        err.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        # A file name or a label may hold an escape code: the terminal must not obey it.
        err.write(f"parindex: error: {escape_control(cli_words(_one_line(exc), command))}\n")


def _entry() -> NoReturn:
    sys.exit(main())
