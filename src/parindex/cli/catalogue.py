"""CLI subcommands of the methodology catalogue: ``methodologies``, ``show``,
``validate``, ``diff`` and ``complete``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from parindex._text import escape_control, neutralize_cell, plural
from parindex.authoring.complete import complete_methodology
from parindex.authoring.diff import diff_methodologies
from parindex.authoring.validate import check_methodology
from parindex.cli.common import resolve
from parindex.errors import MethodologyError
from parindex.io.catalogue import list_methodologies
from parindex.io.methodology import dump_methodology, load_methodology, methodology_to_dict
from parindex.present.documents import methodology_summary
from parindex.present.tables import methodology_text, text_table

__all__ = ["register", "register_listing"]


# --------------------------------------------------------------------------- methodologies


def _cmd_methodologies(args: argparse.Namespace, out: TextIO) -> int:
    items = list_methodologies()
    if args.format == "json":
        out.write(
            json.dumps([methodology_summary(m) for m in items], ensure_ascii=False, indent=2) + "\n"
        )
        return 0
    rows = [
        (
            m.id,
            m.decision.number or "—",
            m.level,
            ",".join(map(str, m.evaluation_years)),
            "unknown" if m.total_max is None else f"{m.total_max:g}",
            "complete" if m.complete else "partial",
            "" if m.official else "NOT OFFICIAL",
        )
        for m in items
    ]
    text_table(out, ("id", "decision", "level", "years", "total", "tree", ""), rows)
    return 0


# --------------------------------------------------------------------------- show


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    m = resolve(args.id)
    if args.format == "yaml":
        out.write(dump_methodology(m))
        return 0
    if args.format == "json":
        out.write(json.dumps(methodology_to_dict(m), ensure_ascii=False, indent=2) + "\n")
        return 0
    methodology_text(out, m)
    return 0


# --------------------------------------------------------------------------- validate


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Load (a file that cannot be loaded is bad input: one line on stderr, exit 2), then
    print every finding on stdout; error-level findings also end with one line on stderr."""
    m = load_methodology(args.file)
    findings = check_methodology(m)
    shown = [f for f in findings if not (args.quiet and f.severity == "info")]
    errors = [f for f in findings if f.severity == "error"]
    warnings = sum(f.severity == "warning" for f in findings)
    if args.format == "json":
        doc = {
            "file": str(args.file),
            "id": m.id,
            "valid": not errors,
            "completeness": m.describe_completeness(),
            "findings": [
                {"severity": f.severity, "code": f.code, "node": f.node, "message": f.message}
                for f in shown
            ],
        }
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        for finding in shown:
            out.write(escape_control(f"{args.file}: {finding}") + "\n")
    if errors:
        raise MethodologyError(
            f"{args.file}: INVALID ({plural(len(errors), 'error')}, {plural(warnings, 'warning')}); first: "
            f"{errors[0].message}",
            node=errors[0].node,
        )
    if args.format != "json":
        out.write(
            escape_control(
                f"{args.file}: valid ({m.id}; {m.describe_completeness()}; {plural(warnings, 'warning')})"
            )
            + "\n"
        )
    return 0


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    diff = diff_methodologies(resolve(args.a), resolve(args.b))
    if args.format == "json":
        out.write(diff.to_json() + "\n")
    elif args.format == "csv":
        # Text cells only: a number (before/after maxima) stays a number.
        frame = diff.to_frame().map(lambda v: neutralize_cell(v) if isinstance(v, str) else v)
        out.write(frame.to_csv(index=False, lineterminator="\n"))
    else:
        out.write(escape_control(diff.to_text()) + "\n")
    return 0


def _cmd_complete(args: argparse.Namespace, out: TextIO) -> int:
    m = complete_methodology(
        resolve(args.skeleton),
        args.table,
        accept_table=args.accept_table,
        source_url=args.source_url or str(args.table),
        new_id=args.id,
    )
    text = dump_methodology(m)
    if args.output in (None, "-"):
        out.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        out.write(
            escape_control(f"wrote {args.output} ({m.id}; {m.describe_completeness()})") + "\n"
        )
    return 0


def register_listing(subparsers: Any) -> None:
    """Add ``methodologies`` and ``show`` to the ``parindex`` command line."""
    p = subparsers.add_parser("methodologies", help="list the shipped methodologies")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_methodologies)

    p = subparsers.add_parser("show", help="print a methodology's tree")
    p.add_argument("id", help="id, alias, decision number, level-year key, or a file")
    p.add_argument("--format", choices=("table", "json", "yaml"), default="table")
    p.set_defaults(func=_cmd_show)


def register(subparsers: Any) -> None:
    """Add ``validate``, ``diff`` and ``complete`` to the ``parindex`` command line."""
    p = subparsers.add_parser("validate", help="validate a methodology file and list every finding")
    p.add_argument("file")
    p.add_argument("--quiet", "-q", action="store_true", help="hide info-level findings")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one document with every finding (severity, code, node, message)",
    )
    p.set_defaults(func=_cmd_validate)

    p = subparsers.add_parser("diff", help="compare two methodologies")
    p.add_argument("a", help="id, alias, decision number, level-year key, or a file")
    p.add_argument("b", help="id, alias, decision number, level-year key, or a file")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(func=_cmd_diff)

    p = subparsers.add_parser(
        "complete", help="complete a partial methodology from a tidy table (CSV or .xlsx)"
    )
    p.add_argument("skeleton", help="the shipped methodology to complete (id or file)")
    p.add_argument(
        "table",
        help="CSV or .xlsx with id, name_vi (or name), name_en, max_points, method, rule",
    )
    p.add_argument("-o", "--output", default=None, help="write the YAML here (default: stdout)")
    p.add_argument("--id", default=None, help="id of the result (default: SKELETON-completed)")
    p.add_argument(
        "--accept-table",
        action="store_true",
        help="use the table's values where they disagree with the skeleton (recorded in "
        "notes); what neither then states is left unknown, with a note saying so",
    )
    p.add_argument("--source-url", default=None, help="where the table comes from")
    p.set_defaults(func=_cmd_complete)
