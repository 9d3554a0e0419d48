"""CLI subcommands for other programs and for spreadsheets: ``schema``, ``serve``,
``template`` and ``read-excel``."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from parindex._text import escape_control
from parindex.io.schema import SCHEMA_NAMES, schema_text

__all__ = ["register"]


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(schema_text(args.name))
    return 0


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.cli.common import UsageError

    if args.workers < 1:
        raise UsageError(f"--workers must be 1 or more, got {args.workers}")
    try:
        from parindex.service.server import run
    except ModuleNotFoundError as err:  # the core install has neither starlette nor uvicorn
        needed = (err.name or "").partition(".")[0]
        if not needed or needed == "parindex":
            raise
        raise UsageError(
            f"the HTTP service needs {needed}: pip install 'parindex[service]'"
        ) from None

    def announce(host: str, port: int) -> None:
        workers = f" with {args.workers} workers" if args.workers > 1 else ""
        sys.stderr.write(f"parindex: serving on http://{host}:{port}{workers} (Ctrl+C to stop)\n")
        if host not in ("127.0.0.1", "::1", "localhost"):
            sys.stderr.write(
                "parindex: warning: listening beyond localhost; the service has no authentication\n"
            )
        sys.stderr.flush()

    run(args.host, args.port, workers=args.workers, quiet=args.quiet, announce=announce)
    return 0


def _cmd_template(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.cli.common import resolve
    from parindex.io.excel_template import write_excel_template

    m = resolve(args.id)
    path = write_excel_template(
        m, args.output, units=args.unit or (), decimal_comma=args.decimal_comma
    )
    out.write(escape_control(f"{path}: Excel score sheet for {m.id}") + "\n")
    return 0


def _cmd_read_excel(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.io.excel import load_excel_sheet

    decimal_comma: bool | None = args.decimal_comma
    sheet = load_excel_sheet(
        args.file,
        decimal_comma=decimal_comma,
        points_from=args.points_from,
        collect_all=args.collect_all,
    )
    # to_csv writes text a spreadsheet would run as a formula with a leading "'".
    out.write(sheet.to_json() + "\n" if args.format == "json" else sheet.to_csv())
    return 0


def register(sub: Any) -> None:
    """Add the subcommands to the ``parindex`` parser."""
    p = sub.add_parser("schema", help="print a JSON Schema of the JSON contract")
    p.add_argument("name", choices=SCHEMA_NAMES)
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser(
        "serve", help="run the HTTP calculation service on uvicorn (see GET /openapi.json)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks one)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes, each scoring one request at a time (default: 1)",
    )
    p.add_argument(
        "--quiet", action=argparse.BooleanOptionalAction, default=False, help="no access log"
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("template", help="write an Excel score sheet for a methodology")
    p.add_argument("id", help="id, alias, decision number, level-year key, or a file")
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.add_argument("--unit", action="append", help="a unit to make a worksheet for (repeat)")
    p.add_argument(
        "--decimal-comma", action="store_true", help="declare text numbers as 87,82 in the file"
    )
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("read-excel", help="turn a filled-in Excel score sheet into CSV or JSON")
    p.add_argument("file")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--points-from", choices=("appraisal", "self"), default="appraisal")
    p.add_argument(
        "--decimal-comma",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read 87,82 as 87.82 (default: as the workbook declares)",
    )
    p.add_argument("--collect-all", action="store_true", help="report every problem at once")
    p.set_defaults(func=_cmd_read_excel)
