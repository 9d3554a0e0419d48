"""CLI: ``parindex simulate`` (Monte Carlo over uncertain inputs).

Example:
    >>> from parindex.cli import main
    >>> main(["simulate", "-m", "binhduong-district-2017", "examples/binhduong-district-2017.csv",
    ...       "--uncertainty", "examples/uncertainty-survey.yaml", "--draws", "200", "--seed", "1",
    ...       "--format", "csv"])  # doctest: +ELLIPSIS
    unit,group,par_index,rank,rank_median,rank_p5,rank_p95,...
    0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from parindex._numbers import round_half_up
from parindex.limits import MAX_DRAW_CELLS

if TYPE_CHECKING:
    from parindex.analysis.simulate import Simulation

__all__ = ["ProgressBar", "register"]


class ProgressBar:
    """A plain-text progress bar on a stream (no dependency): ``[####....] 40% 400/1000``.

    Example:
        >>> import io
        >>> buf = io.StringIO()
        >>> bar = ProgressBar(buf, width=10)
        >>> bar(5, 10); bar(10, 10)
        >>> buf.getvalue().splitlines()[-1].split("\\r")[-1]  # doctest: +ELLIPSIS
        '[##########] 100% 10/10 draws in ... s'
    """

    def __init__(self, stream: TextIO, *, width: int = 30, label: str = "draws") -> None:
        self.stream = stream
        self.width = width
        self.label = label
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        pct = int(100 * done / total) if total else 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {pct:3d}% {done}/{total} {self.label}")
        if done >= total:
            self.stream.write(f" in {time.monotonic() - self.started:.1f} s\n")
        self.stream.flush()


def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{round_half_up(x, 2):g}"
    return str(x)


def _table(out: TextIO, sim: Simulation) -> None:
    import pandas as pd

    m = sim.methodology
    out.write(
        f"{m.id}: {sim.draws} draws, seed {sim.seed}; ties: {sim.ties}; ranks: median "
        "[5th-95th percentile]\n"
    )
    if not m.official:
        out.write("NOT OFFICIAL: illustrative methodology\n")
    for item in sim.uncertainty.inputs:
        out.write(f"  uncertain: {item.describe()}\n")
    out.write("\n")
    summary = sim.summary()
    top = {str(d["unit"]): d for d in sim.drivers(top=1).to_dict("records")}
    header = ["unit", "index", "rank", "median [p5-p95]", "likely band", "top driver (r²)"]
    rows: list[list[str]] = []
    for r in summary.to_dict("records"):
        unit = str(r["unit"])
        band = (
            "-" if pd.isna(r["likely_band"]) else f"{r['likely_band']} ({r['p_likely_band']:.0%})"
        )
        d = top.get(unit)
        driver = "-" if d is None else f"{d['input_unit']} {d['node']} ({d['r2']:.2f})"
        spread = f"{_fmt(r['rank_median'])} [{_fmt(r['rank_p5'])}-{_fmt(r['rank_p95'])}]"
        rank_ = None if r["rank"] is None or r["rank"] is pd.NA else int(r["rank"])
        rows.append([unit, _fmt(r["par_index"]), _fmt(rank_), spread, band, driver])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _document(sim: Simulation) -> dict[str, Any]:
    import pandas as pd

    def clean(records: list[dict[Any, Any]]) -> list[dict[str, Any]]:
        return [
            {
                str(k): (None if v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v)
                for k, v in (
                    (k, v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()
                )
            }
            for rec in records
        ]

    # The JSON contract keeps its key "index" (no DataFrame.index to clash with there).
    summary = sim.summary().rename(columns={"par_index": "index"})
    summary["rank"] = summary["rank"].astype(object).where(summary["rank"].notna(), None)
    probs = sim.band_probabilities().reset_index()
    return {
        "methodology": sim.methodology.id,
        "draws": sim.draws,
        "seed": sim.seed,
        "ties": sim.ties,
        "uncertainty": [i.describe() for i in sim.uncertainty.inputs],
        "summary": clean(summary.to_dict("records")),
        "band_probabilities": clean(probs.to_dict("records")),
        "drivers": clean(sim.drivers(top=5).to_dict("records")),
        "drivers_method": "Pearson correlation of each input's drawn points with the unit's "
        "rank number across draws; r2 is its square (a linear first-order estimate)",
    }


def _cmd_simulate(args: argparse.Namespace, out: TextIO) -> int:
    from parindex.analysis.simulate import simulate
    from parindex.cli.common import read_sheet, resolve_year
    from parindex.io.uncertainty import load_uncertainty

    m, year = resolve_year(args.methodology, args.year)
    sheet = read_sheet(args)
    spec = load_uncertainty(args.uncertainty)
    show = args.progress or (not args.no_progress and sys.stderr.isatty())
    bar = ProgressBar(sys.stderr) if show else None
    sim = simulate(
        m,
        sheet,
        spec,
        draws=args.draws,
        seed=args.seed,
        missing=args.missing,
        rate_scale=args.rate_scale,
        ties=args.ties,
        year=year,
        progress=bar,
        max_draw_cells=args.max_draw_cells,
    )
    if args.format == "json":
        out.write(json.dumps(_document(sim), ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    elif args.format == "csv":
        out.write(sim.summary().to_csv(index=False, lineterminator="\n"))
    else:
        _table(out, sim)
    return 0


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be >= {least}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole(text, 1)


def _seed(text: str) -> int:
    # numpy takes seeds >= 0 only; said here, the error names --seed (exit 2).
    return _whole(text, 0)


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate",
        help="Monte Carlo over uncertain inputs: rank distributions, band odds, drivers",
    )
    p.add_argument("--methodology", "-m", required=True, help="id, level-year key, or a file")
    p.add_argument("file", help="tidy CSV or JSON score sheet, or - for stdin")
    p.add_argument(
        "--uncertainty", "-u", required=True, help="YAML or JSON spec of the uncertain inputs"
    )
    p.add_argument("--draws", "-n", type=_positive_int, default=1000)
    p.add_argument(
        "--seed", type=_seed, default=None, help="seed for reproducible draws (a whole number >= 0)"
    )
    p.add_argument(
        "--max-draw-cells",
        type=_positive_int,
        default=MAX_DRAW_CELLS,
        metavar="N",
        help=f"refuse more than N draws x units (default {MAX_DRAW_CELLS:,}; the result "
        "keeps 24 bytes a cell)",
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--input-format", choices=("csv", "json"), default=None)
    p.add_argument("--ties", choices=("min", "dense", "average", "first", "max"), default=None)
    p.add_argument("--missing", choices=("error", "zero", "unknown"), default="error")
    p.add_argument("--rate-scale", choices=("percent", "fraction"), default=None)
    p.add_argument("--decimal-comma", action="store_true", help="read 87,82 as 87.82")
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="evaluation year (for bands; default: a level-year key's year)",
    )
    p.add_argument("--collect-all", action="store_true", help="report every problem at once")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr (default: on a TTY)"
    )
    bar.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.set_defaults(func=_cmd_simulate)
