"""CLI subcommands for rosters of units (danh mục đơn vị): ``parindex units list``,
``parindex units resolve`` and ``parindex units successor``.

A name that is unknown or ambiguous is bad input: one line on stderr, exit 2 (the
error handling of :func:`parindex.cli.run.main`).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from parindex._text import escape_control, neutralize_cell

if TYPE_CHECKING:
    from parindex.model.units import Roster

__all__ = ["register"]

# The rosters and the matcher are imported by the commands that use them, so that
# building the parser (every ``parindex`` call) does not pay for them.


def _roster(args: argparse.Namespace) -> Roster:
    from parindex.io.rosters import roster_for

    # The province is matched by the resolution (any spelling), on the whole roster.
    return roster_for(args.level, year=args.year, path=args.roster)


def _write(out: TextIO, fmt: str, header: Sequence[str], rows: list[dict[str, Any]]) -> None:
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    cells = [["" if r[h] is None else str(r[h]) for h in header] for r in rows]
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[neutralize_cell(c) for c in row] for row in cells])
        return
    from parindex.present.tables import text_table

    text_table(out, header, [[escape_control(c) for c in row] for row in cells])


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.analysis.names import UnitNames
    from parindex.model.units import RosterUnavailableError

    roster = _roster(args)
    if args.province is not None:
        names = roster.provinces()
        if not names:
            raise RosterUnavailableError(
                f"the {roster.level} roster is not divided by province; drop --province",
                level=roster.level,
            )
        codes = {u.province_code: u.province for u in roster.units if u.province_code}
        official = codes.get(args.province.strip()) or UnitNames(names).match(args.province)
        roster = roster.select(province=official)
    rows = [
        {
            "unit_code": u.code,
            "unit": u.name,
            "level": u.level,
            "province": u.province,
        }
        for u in roster.units
    ]
    _write(out, args.format, ("unit_code", "unit", "level", "province"), rows)
    return 0


def _cmd_resolve(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.analysis.names import resolve_units
    from parindex.model.units import Roster, RosterUnavailableError

    try:
        roster = _roster(args)
    except RosterUnavailableError as err:
        # --free with no roster to be had: every name is kept as given (still checked for
        # two spellings of one name). A missing package is still said, with its install.
        if not args.free or err.install is not None:
            raise
        roster = Roster(args.level, [], year=args.year)
    resolution = resolve_units(args.names, roster, province=args.province, free=args.free)
    _write(out, args.format, ("given_name", "unit", "unit_code"), resolution.to_records())
    return 0


def _cmd_successor(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.analysis.names import find_successor
    from parindex.io.rosters import roster_for
    from parindex.io.units import merger_year

    roster = roster_for(args.level, year=args.year or merger_year())
    rows = []
    for name in args.names:
        s = find_successor(name, roster)
        rows.append(
            {
                "given_name": name,
                "predecessor": s.predecessor.name,
                "predecessor_code": s.predecessor.code,
                "unit": s.successor.name,
                "unit_code": s.successor.code,
                "joined": [u.name for u in s.joined],
                "effective": s.effective.isoformat(),
            }
        )
    if args.format != "json":
        for r in rows:
            r["joined"] = "; ".join(r["joined"])
    header = ("given_name", "predecessor", "unit", "unit_code", "joined", "effective")
    _write(out, args.format, header, rows)
    return 0


def register(subparsers: Any) -> None:
    """Add ``units`` (``list``, ``resolve``, ``successor``) to the ``parindex`` command line.

    Example:
        >>> from parindex.cli import build_parser
        >>> args = build_parser().parse_args(["units", "resolve", "--level", "province",
        ...                                   "--year", "2017", "Dak Lak"])
        >>> args.units_command, args.names, args.free
        ('resolve', ['Dak Lak'], False)
    """
    p = subparsers.add_parser(
        "units", help="rosters of units: list them, resolve names to official names and codes"
    )
    sub = p.add_subparsers(dest="units_command", required=True, parser_class=type(p))

    def common(q: argparse.ArgumentParser) -> None:
        # Levels are data (levels.yaml), checked when used: building the parser reads no file.
        q.add_argument(
            "--level", required=True, help="province, ministry, commune, ward, special_zone, ..."
        )
        q.add_argument("--year", type=int, required=True, help="evaluation year")
        q.add_argument(
            "--province", default=None, help="province of communes, wards or departments"
        )
        q.add_argument(
            "--roster",
            default=None,
            metavar="FILE",
            help="your roster file (CSV or YAML), e.g. a province's departments",
        )
        q.add_argument("--format", choices=("table", "csv", "json"), default="table")

    q = sub.add_parser("list", help="the units of a level in an evaluation year")
    common(q)
    q.set_defaults(func=_cmd_list)

    q = sub.add_parser(
        "resolve", help="official name and code of each given name (exit 2 if one is unknown)"
    )
    common(q)
    q.add_argument("--free", action="store_true", help="keep names outside the roster as given")
    q.add_argument("names", nargs="+", metavar="NAME")
    q.set_defaults(func=_cmd_resolve)

    q = sub.add_parser(
        "successor", help="the unit a unit merged on 1 July 2025 became part of, and with whom"
    )
    q.add_argument("--level", default="province", choices=("province",))
    q.add_argument(
        "--year",
        type=int,
        default=None,
        help="an evaluation year after the merger (default: the first)",
    )
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("names", nargs="+", metavar="NAME")
    q.set_defaults(func=_cmd_successor)
