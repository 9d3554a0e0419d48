"""The ``parindex survey`` subcommand: survey responses -> survey points as a score sheet.

Its output (CSV ``unit,node,points`` or JSON ``{"entries": [...]}``) is a score sheet
that ``parindex score`` reads unchanged.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import Any, TextIO

from parindex._text import neutralize_cell
from parindex.analysis.survey import aggregate_survey
from parindex.io.survey import (
    get_questionnaire,
    load_questionnaire,
    load_responses,
    responses_from_csv_text,
)
from parindex.limits import MAX_SURVEY_BYTES, MAX_SURVEY_ROWS
from parindex.rules.conversion import list_policies

__all__ = ["register"]


def _cmd_survey(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.cli.common import read_stdin, resolve

    m = resolve(args.methodology)
    if args.questionnaire is None:
        q = get_questionnaire(m.id)
    elif Path(args.questionnaire).exists():
        q = load_questionnaire(args.questionnaire)
    else:
        q = get_questionnaire(args.questionnaire)
    if args.file == "-":
        text = read_stdin(MAX_SURVEY_BYTES)
        responses = responses_from_csv_text(text, name="<stdin>", max_rows=args.max_rows)
    else:
        responses = load_responses(args.file, max_rows=args.max_rows)
    result = aggregate_survey(
        responses, q, methodology=m, policy=args.policy, dont_know=args.dont_know
    )
    sheet = result.to_sheet()
    if args.format == "json":
        out.write(sheet.to_json() + "\n")
        return 0
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["unit", "node", "points"])
    # Names are neutralised as in ScoreSheet.to_csv (a unit "=x" is written "'=x", which
    # the sheet reader takes back); points are numbers and stay as they are.
    writer.writerows(
        (neutralize_cell(e.unit), neutralize_cell(e.node), repr(e.points)) for e in sheet.entries
    )
    out.write(buf.getvalue())
    return 0


def register(subparsers: Any) -> None:
    """Add the ``survey`` subcommand."""
    policies = ", ".join(p.name for p in list_policies())
    p = subparsers.add_parser(
        "survey",
        help="turn survey responses into survey points (a score sheet)",
        description=(
            "Aggregate tidy survey responses (unit,respondent,group,item,answer) into "
            "survey points per unit and leaf, printed as a score sheet that "
            "'parindex score' accepts. The official conversion rules are not public: "
            "the policies are named readings, see docs/concepts/surveys.md."
        ),
    )
    p.add_argument("--methodology", "-m", required=True, help="id, level-year key, or a file")
    p.add_argument(
        "--questionnaire",
        "-q",
        default=None,
        help="questionnaire file (YAML/JSON) or shipped id (default: the one shipped "
        "for the methodology)",
    )
    p.add_argument("file", help="tidy CSV of responses, or - for stdin")
    p.add_argument(
        "--max-rows",
        type=int,
        default=MAX_SURVEY_ROWS,
        metavar="N",
        help=f"refuse more than N responses (default {MAX_SURVEY_ROWS:,}; MAX_SURVEY_ROWS)",
    )
    p.add_argument(
        "--policy",
        default=None,
        help=f"conversion policy for every target (default: the questionnaire's; one of {policies})",
    )
    p.add_argument(
        "--dont-know",
        choices=("exclude", "lowest"),
        default=None,
        help="how to read 'don't know' and blanks (default: the questionnaire's)",
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=_cmd_survey)
