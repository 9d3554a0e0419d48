"""``parindex score``: score and rank the units of a score sheet."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from parindex._text import neutralize_cell
from parindex.analysis.identity import score_units
from parindex.analysis.ranking import rank
from parindex.cli.common import read_sheet, resolve_year
from parindex.engine.collect import collecting
from parindex.present.documents import result_document
from parindex.present.tables import score_table

__all__ = ["register"]


def _cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    m, year = resolve_year(args.methodology, args.year)
    # With --collect-all, the rows that cannot be read are set aside and the rest are
    # scored too: every problem of the file is reported at once.
    scores = collecting(
        lambda collect: read_sheet(args, collect_all=collect),
        args.collect_all,
        lambda sheet: score_units(
            m,
            sheet,
            year=year,
            units=args.units,
            roster=args.roster,
            missing=args.missing,
            rate_scale=args.rate_scale,
            collect_all=args.collect_all,
        ),
    )
    ranking = rank(scores, ties=args.ties, precision=args.rank_precision, year=year)
    if args.format == "json":
        out.write(
            json.dumps(
                result_document(scores, ranking), ensure_ascii=False, indent=2, allow_nan=False
            )
            + "\n"
        )
        return 0
    if args.format == "csv":
        frame = scores.to_frame()
        # Each unit's official code and its name as given, beside the official name.
        codes = {u: scores.unit_code(u) for u in scores.units}
        given = {u: scores.given_name(u) for u in scores.units}
        frame.insert(1, "unit_code", frame["unit"].map(codes))
        frame.insert(2, "given_name", frame["unit"].map(given))
        ranks = ranking.to_frame().set_index("unit")[["rank", "band"]]
        frame = frame.join(ranks, on="unit")
        frame.loc[frame["node"] != "total", ["rank", "band"]] = None
        for column in ("unit", "given_name", "group", "node", "band"):
            # A spreadsheet opening the CSV must not run a name as a formula.
            frame[column] = frame[column].map(
                lambda v: neutralize_cell(v) if isinstance(v, str) else v
            )
        out.write(frame.to_csv(index=False, lineterminator="\n"))
        return 0
    score_table(out, m, scores, ranking, language=args.lang)
    return 0


def register(subparsers: Any) -> None:
    """Add ``score`` to the ``parindex`` command line."""
    p = subparsers.add_parser("score", help="score and rank the units of a score sheet")
    p.add_argument("--methodology", "-m", required=True, help="id, level-year key, or a file")
    p.add_argument("file", help="tidy CSV or JSON score sheet, or - for stdin")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--input-format", choices=("csv", "json"), default=None)
    p.add_argument(
        "--lang",
        choices=("vi", "en"),
        default="vi",
        help="language of the methodology's, fields' and score components' names in the "
        "table (default: vi, Vietnamese)",
    )
    p.add_argument("--ties", choices=("min", "dense", "average", "first", "max"), default=None)
    p.add_argument(
        "--rank-precision",
        type=int,
        default=None,
        metavar="DECIMALS",
        help="rank on the index rounded to DECIMALS (default: unrounded)",
    )
    p.add_argument("--missing", choices=("error", "zero", "unknown"), default="error")
    p.add_argument(
        "--rate-scale",
        choices=("percent", "fraction"),
        default=None,
        help="how to read bare numbers for rates (default: refuse them)",
    )
    p.add_argument("--decimal-comma", action="store_true", help="read 87,82 as 87.82")
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="evaluation year (for bands; default: a level-year key's year)",
    )
    p.add_argument("--collect-all", action="store_true", help="report every problem at once")
    p.add_argument(
        "--units",
        choices=("resolve", "free"),
        default="resolve",
        help="resolve unit names against the level's roster (default; an unknown name is "
        "an error), or keep names outside the roster as given (free)",
    )
    p.add_argument(
        "--roster",
        metavar="FILE",
        default=None,
        help="a roster file (CSV or YAML) to resolve unit names against, e.g. a "
        "province's departments",
    )
    p.set_defaults(func=_cmd_score)
