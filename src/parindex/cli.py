"""The ``parindex`` command line: a thin layer over the library's pure functions.

Data goes to stdout, diagnostics to stderr. Exit status: 0 on success, 2 on bad input
(one line on stderr naming the unit, node and value; never a traceback), 1 on an
unexpected internal error, and 1 without a word when the reader of stdout goes away
(``parindex ... | head``), as Python itself exits on a broken pipe.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from parindex import __version__
from parindex._io import dump_methodology, load_methodology
from parindex._model import Methodology, Node
from parindex._numbers import round_half_up, snap
from parindex._ranking import Ranking, rank
from parindex._registry import default_registry, list_methodologies
from parindex._scoring import Scores, score
from parindex._sheet import ScoreSheet
from parindex.errors import MethodologyError, ParIndexError

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 1  # what Python exits with on EPIPE (docs of signal: "Note on SIGPIPE")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _resolve(key: str) -> Methodology:
    """A methodology id/alias/decision/level-year key, or a path to a methodology file."""
    return _resolve_year(key, None)[0]


def _resolve_year(key: str, year: int | None) -> tuple[Methodology, int | None]:
    """:func:`_resolve`, with the evaluation year: a ``level-year`` key's, else ``year``."""
    if key.lower().endswith((".yaml", ".yml", ".json")) and Path(key).exists():
        return load_methodology(key), year
    return default_registry.lookup(key, year=year)


def _num(x: float | None, decimals: int | None) -> float | None:
    if x is None:
        return None
    return snap(x) if decimals is None else round_half_up(x, decimals)


def _fmt(x: float | None, decimals: int = 2) -> str:
    return "—" if x is None else f"{round_half_up(x, decimals):.{decimals}f}"


# --------------------------------------------------------------------------- methodologies


def _methodology_summary(m: Methodology) -> dict[str, Any]:
    return {
        "id": m.id,
        "aliases": list(m.aliases),
        "decision": m.decision.number,
        "decision_date": None if m.decision.date is None else m.decision.date.isoformat(),
        "issuer": m.decision.issuer,
        "level": m.level,
        "region": m.issuer_region,
        "evaluation_years": list(m.evaluation_years),
        "official": m.official,
        "complete": m.complete,
        "total_max": m.total_max,
        "sources": sorted({s.url for s in m.sources.values()}),
    }


def _cmd_methodologies(args: argparse.Namespace, out: io.TextIOBase) -> int:
    items = list_methodologies()
    if args.format == "json":
        out.write(
            json.dumps([_methodology_summary(m) for m in items], ensure_ascii=False, indent=2)
            + "\n"
        )
        return EXIT_OK
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
    _table(out, ("id", "decision", "level", "years", "total", "tree", ""), rows)
    return EXIT_OK


def _table(out: io.TextIOBase, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        out.write(
            "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )


# --------------------------------------------------------------------------- show


def _show_node(out: io.TextIOBase, m: Methodology, node: Node, indent: int) -> None:
    mx = m.max_points_of(node.id)
    maximum = "max unknown" if mx is None else f"max {mx:g}"
    extra = [x for x in (node.method, None if node.rule is None else node.rule.describe()) if x]
    label = node.name_vi or node.name_en
    line = f"{'  ' * indent}{node.id:<8} {label}  [{maximum}]"
    if extra:
        line += "  " + "; ".join(extra)
    out.write(line + "\n")
    for child in node.children:
        _show_node(out, m, child, indent + 1)


def _cmd_show(args: argparse.Namespace, out: io.TextIOBase) -> int:
    m = _resolve(args.id)
    if args.format == "yaml":
        out.write(dump_methodology(m))
        return EXIT_OK
    if args.format == "json":
        from parindex._io import methodology_to_dict

        out.write(json.dumps(methodology_to_dict(m), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    out.write(f"{m.id}: {m.name_vi}\n")
    if m.name_en:
        out.write(f"  {m.name_en}\n")
    date = "" if m.decision.date is None else f" of {m.decision.date.isoformat()}"
    out.write(f"decision: {m.decision.number or 'unknown'}{date}; level {m.level}; ")
    total = "unknown (not stated in the sources)" if m.total_max is None else f"{m.total_max:g}"
    out.write(f"evaluation years {', '.join(map(str, m.evaluation_years))}; total {total}\n")
    if not m.official:
        out.write("NOT OFFICIAL: an illustration, not a published methodology\n")
    out.write(f"tree: {m.describe_completeness()}\n")
    if m.components:
        parts = ", ".join(
            f"{c.id} {'unknown' if c.max_points is None else f'{c.max_points:g}'}"
            for c in m.components
        )
        out.write(f"score components: {parts}\n")
    for year, bands in sorted(m.bands.items()):
        desc = "; ".join(b.describe() for b in bands)
        out.write(f"bands {year}: {desc}\n")
    out.write("\n")
    for node in m.tree:
        _show_node(out, m, node, 0)
    out.write("\nsources:\n")
    for key, src in m.sources.items():
        out.write(f"  [{key}] ({src.confidence}) {src.url}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- score


def result_document(
    scores: Scores, ranking: Ranking, *, decimals: int | None = None
) -> dict[str, Any]:
    """The JSON result document (the CLI's ``--format json`` and the HTTP service)."""
    table = ranking.table.set_index("unit")
    units = []
    for r in scores:
        row = table.loc[r.unit]
        rk: Any = row["rank"]
        units.append(
            {
                "unit": r.unit,
                "group": r.group,
                "points": _num(r.total.points, decimals),
                "max_points": _num(r.total.max_points, decimals),
                "index": _num(r.total.index, decimals),
                "rank": None if _isna(rk) else _rank_number(rk),
                "band": None if _isna(row["band"]) else row["band"],
                "nodes": {
                    k: {
                        "points": _num(v.points, decimals),
                        "max_points": _num(v.max_points, decimals),
                        "index": _num(v.index, decimals),
                        "status": v.status,
                    }
                    for k, v in r.nodes.items()
                },
                "components": {
                    k: {
                        "points": _num(v.points, decimals),
                        "max_points": _num(v.max_points, decimals),
                        "index": _num(v.index, decimals),
                        "status": v.status,
                    }
                    for k, v in r.components.items()
                },
            }
        )
    return {
        "methodology": scores.methodology.id,
        "official": scores.methodology.official,
        "ties": ranking.ties,
        "year": ranking.year,
        "units": units,
    }


def _rank_number(rk: Any) -> int | float:
    """An integer rank, or the fractional rank of ``ties="average"`` (1.5), never
    truncated."""
    value = float(rk)
    return int(value) if value.is_integer() else value


def _float_or_none(x: Any) -> float | None:
    return None if _isna(x) else float(x)


def _isna(x: object) -> bool:
    try:
        return bool(x is None or x != x)  # NaN / pd.NA compare unequal to themselves
    except TypeError:
        return True


def _read_sheet(args: argparse.Namespace) -> ScoreSheet:
    fmt = args.input_format
    if args.file == "-":
        text = sys.stdin.read()
        if fmt == "json" or (fmt is None and text.lstrip().startswith(("{", "["))):
            return ScoreSheet.from_json_text(
                text, decimal_comma=args.decimal_comma, collect_all=args.collect_all, name="<stdin>"
            )
        return ScoreSheet.from_csv_text(
            text, decimal_comma=args.decimal_comma, collect_all=args.collect_all, name="<stdin>"
        )
    return ScoreSheet.read(
        args.file, decimal_comma=args.decimal_comma, collect_all=args.collect_all, format=fmt
    )


def _cmd_score(args: argparse.Namespace, out: io.TextIOBase) -> int:
    m, year = _resolve_year(args.methodology, args.year)
    sheet = _read_sheet(args)
    scores = score(
        m, sheet, missing=args.missing, rate_scale=args.rate_scale, collect_all=args.collect_all
    )
    ranking = rank(scores, ties=args.ties, precision=args.rank_precision, year=year)
    if args.format == "json":
        out.write(
            json.dumps(
                result_document(scores, ranking), ensure_ascii=False, indent=2, allow_nan=False
            )
            + "\n"
        )
        return EXIT_OK
    if args.format == "csv":
        frame = scores.to_frame()
        ranks = ranking.table.set_index("unit")[["rank", "band"]]
        frame = frame.join(ranks, on="unit")
        frame.loc[frame["node"] != "total", ["rank", "band"]] = None
        out.write(frame.to_csv(index=False, lineterminator="\n"))
        return EXIT_OK
    _score_table(out, m, scores, ranking)
    return EXIT_OK


def _score_table(out: io.TextIOBase, m: Methodology, scores: Scores, ranking: Ranking) -> None:
    out.write(f"{m.id} ({m.decision.number or 'decision unknown'})")
    out.write("" if m.official else "  NOT OFFICIAL: illustrative methodology")
    out.write(f"; ties: {ranking.ties}; values rounded half-up to 2 decimals for display\n\n")
    rows = [
        (
            "—" if _isna(rec["rank"]) else str(int(rec["rank"])),
            str(rec["unit"]),
            "" if _isna(rec["group"]) else str(rec["group"]),
            _fmt(_float_or_none(rec["points"])),
            _fmt(_float_or_none(rec["max_points"])),
            _fmt(_float_or_none(rec["index"])),
            "" if _isna(rec["band"]) else str(rec["band"]),
        )
        for rec in ranking.table.to_dict("records")
    ]
    _table(out, ("rank", "unit", "group", "points", "max", "index", "band"), rows)
    shown = list(m.tree)
    comps = list(m.components)
    if not (shown or comps):
        return
    out.write("\ncomponent indices (%):\n")
    header = ["unit", *[c.id for c in comps], *[f"field {n.id}" for n in shown]]
    body = []
    for r in scores:
        cells = [r.unit]
        cells += [_fmt(r.components[c.id].index) for c in comps]
        cells += [
            "n/a" if r.nodes[n.id].status == "na" else _fmt(r.nodes[n.id].index) for n in shown
        ]
        body.append(cells)
    _table(out, header, body)
    unknown = [n.id for n in shown if m.max_points_of(n.id) is None]
    if unknown:
        out.write(
            f"\nfield maxima unknown for {', '.join(unknown)}: their indices cannot be determined\n"
        )


# --------------------------------------------------------------------------- validate


def _cmd_validate(args: argparse.Namespace, out: io.TextIOBase) -> int:
    """Load (a file that cannot be loaded is bad input: one line on stderr, exit 2), then
    print every finding on stdout; error-level findings also end with one line on stderr."""
    from parindex._validate import check_methodology

    m = load_methodology(args.file)
    findings = check_methodology(m)
    for finding in findings:
        if args.quiet and finding.severity == "info":
            continue
        out.write(f"{args.file}: {finding}\n")
    errors = [f for f in findings if f.severity == "error"]
    warnings = sum(f.severity == "warning" for f in findings)
    if errors:
        raise MethodologyError(
            f"{args.file}: INVALID ({len(errors)} errors, {warnings} warnings); first: "
            f"{errors[0].message}",
            node=errors[0].node,
        )
    out.write(f"{args.file}: valid ({m.id}; {m.describe_completeness()}; {warnings} warnings)\n")
    return EXIT_OK


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools)."""
    parser = _Parser(
        prog="parindex", description="Exact, versioned PAR INDEX (Chỉ số CCHC) scoring."
    )
    parser.add_argument("--version", action="version", version=f"parindex {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("methodologies", help="list the shipped methodologies")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_methodologies)

    p = sub.add_parser("show", help="print a methodology's tree")
    p.add_argument("id", help="id, alias, decision number, level-year key, or a file")
    p.add_argument("--format", choices=("table", "json", "yaml"), default="table")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("score", help="score and rank the units of a score sheet")
    p.add_argument("--methodology", "-m", required=True, help="id, level-year key, or a file")
    p.add_argument("file", help="tidy CSV or JSON score sheet, or - for stdin")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--input-format", choices=("csv", "json"), default=None)
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
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("validate", help="validate a methodology file and list every finding")
    p.add_argument("file")
    p.add_argument("--quiet", "-q", action="store_true", help="hide info-level findings")
    p.set_defaults(func=_cmd_validate)
    for module_name in _PLUGIN_COMMANDS:
        importlib.import_module(module_name).register(sub)
    return parser


# Modules that add subcommands: each has ``register(subparsers)`` which adds parsers
# whose ``func(args, out) -> int`` does the work. Keeps this file small as features land.
_PLUGIN_COMMANDS: list[str] = [
    "parindex._catalogue_cli",
    "parindex._commands",
    "parindex._survey_cli",
    "parindex._analysis_cli",
]


def _one_line(err: BaseException) -> str:
    if isinstance(err, ExceptionGroup):
        first = "; ".join(_one_line(e) for e in err.exceptions[:5])
        more = len(err.exceptions) - 5
        return f"{len(err.exceptions)} problems: {first}" + (
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
    handler: Callable[[argparse.Namespace, Any], int]
    try:
        args = build_parser().parse_args(argv)
        handler = args.func
        status = handler(args, out)
        out.flush()  # a closed pipe shows here, not in the interpreter's flush at exit
        return status
    except BrokenPipeError:
        return _reader_gone(out)
    except _UsageError as exc:
        err.write(f"parindex: error: {exc}\n")
        return EXIT_USAGE
    except ParIndexError as exc:
        err.write(f"parindex: error: {_one_line(exc)}\n")
        return EXIT_USAGE
    except (OSError, UnicodeError, RecursionError, MemoryError) as exc:
        err.write(f"parindex: error: {_one_line(exc)}\n")
        return EXIT_USAGE
    except Exception as exc:
        err.write(
            f"parindex: internal error ({type(exc).__name__}): {_one_line(exc)}; please report it\n"
        )
        return EXIT_INTERNAL


def _entry() -> NoReturn:
    sys.exit(main())
