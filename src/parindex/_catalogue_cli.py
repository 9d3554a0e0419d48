"""CLI subcommands of the methodology catalogue: ``diff`` and ``complete``.

(``validate`` lives in :mod:`parindex.cli` and prints :func:`parindex.check_methodology`
findings.)
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from parindex._complete import complete_methodology
from parindex._diff import diff_methodologies
from parindex._io import dump_methodology, load_methodology
from parindex._model import Methodology
from parindex._registry import get_methodology

__all__ = ["register"]


def _resolve(key: str) -> Methodology:
    if key.lower().endswith((".yaml", ".yml", ".json")) and Path(key).exists():
        return load_methodology(key)
    return get_methodology(key)


def _cmd_diff(args: argparse.Namespace, out: io.TextIOBase) -> int:
    diff = diff_methodologies(_resolve(args.a), _resolve(args.b))
    if args.format == "json":
        out.write(diff.to_json() + "\n")
    elif args.format == "csv":
        out.write(diff.to_frame().to_csv(index=False, lineterminator="\n"))
    else:
        out.write(diff.to_text() + "\n")
    return 0


def _cmd_complete(args: argparse.Namespace, out: io.TextIOBase) -> int:
    m = complete_methodology(
        _resolve(args.skeleton),
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
        out.write(f"wrote {args.output} ({m.id}; {m.describe_completeness()})\n")
    return 0


def register(subparsers: Any) -> None:
    """Add ``diff`` and ``complete`` to the ``parindex`` command line."""
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
        help="use the table's values where they disagree with the skeleton (recorded in notes)",
    )
    p.add_argument("--source-url", default=None, help="where the table comes from")
    p.set_defaults(func=_cmd_complete)
