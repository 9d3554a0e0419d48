"""Plain-text tables for the terminal: the score table and a methodology's tree.

Example:
    >>> import io, parindex
    >>> from parindex.present.tables import text_table
    >>> out = io.StringIO()
    >>> text_table(out, ("unit", "index"), [("Đắk Lắk", "75.37")])
    >>> print(out.getvalue(), end="")
    unit     index
    Đắk Lắk  75.37
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from parindex._numbers import round_half_up
from parindex._text import escape_control
from parindex.analysis.ranking import Ranking
from parindex.engine.scores import Scores
from parindex.model.methodology import Methodology, Node

__all__ = ["methodology_text", "score_table", "text_table"]


def _fmt(x: float | None, decimals: int = 2) -> str:
    return "—" if x is None else f"{round_half_up(x, decimals):.{decimals}f}"


class _Escaping:
    """A text stream that shows control characters escaped: names come from files
    anyone may write, and a terminal would obey an escape code in one."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(escape_control(text))


def _terminal_safe(out: TextIO) -> TextIO:
    return out if isinstance(out, _Escaping) else _Escaping(out)  # type: ignore[return-value]


def text_table(out: TextIO, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns, two spaces apart, trailing spaces trimmed.

    Example:
        >>> import io
        >>> from parindex.present.tables import text_table
        >>> out = io.StringIO()
        >>> text_table(out, ("rank", "unit"), [("1", "Đắk Lắk")])
        >>> out.getvalue().splitlines()
        ['rank  unit', '1     Đắk Lắk']
    """
    out = _terminal_safe(out)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        out.write(
            "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )


def _node_lines(out: TextIO, m: Methodology, node: Node, indent: int) -> None:
    mx = m.max_points_of(node.id)
    maximum = "max unknown" if mx is None else f"max {mx:g}"
    extra = [x for x in (node.method, None if node.rule is None else node.rule.describe()) if x]
    label = node.name_vi or node.name_en
    line = f"{'  ' * indent}{node.id:<8} {label}  [{maximum}]"
    if extra:
        line += "  " + "; ".join(extra)
    out.write(line + "\n")
    for child in node.children:
        _node_lines(out, m, child, indent + 1)


def score_table(out: TextIO, m: Methodology, scores: Scores, ranking: Ranking) -> None:
    """The ranking table, then every unit's component and field indices.

    Example:
        >>> import io, parindex
        >>> from parindex.present.tables import score_table
        >>> m = parindex.get_methodology("province-2017")
        >>> scores = parindex.score(m, parindex.load_sheet("examples/daklak-2017.csv"))
        >>> out = io.StringIO()
        >>> score_table(out, m, scores, parindex.rank(scores))
        >>> out.getvalue().splitlines()[3]
        '1     Đắk Lắk         75.37   100.00  75.37'
    """
    out = _terminal_safe(out)
    out.write(f"{m.id} ({m.decision.number or 'decision unknown'})")
    out.write("" if m.official else "  NOT OFFICIAL: illustrative methodology")
    out.write(f"; ties: {ranking.ties}; values rounded half-up to 2 decimals for display\n\n")
    rows = [
        (
            "—" if row.rank is None else _rank_text(row.rank),
            row.unit,
            row.group or "",
            _fmt(row.points),
            _fmt(row.max_points),
            _fmt(row.index),
            row.band or "",
        )
        for row in ranking.rows()
    ]
    text_table(out, ("rank", "unit", "group", "points", "max", "index", "band"), rows)
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
    text_table(out, header, body)
    unknown = [n.id for n in shown if m.max_points_of(n.id) is None]
    if unknown:
        out.write(
            f"\nfield maxima unknown for {', '.join(unknown)}: their indices cannot be determined\n"
        )


def _rank_text(rank: float) -> str:
    # "1.5" under ties="average", never truncated; whole ranks without ".0" or exponent.
    return str(int(rank)) if float(rank).is_integer() else f"{rank}"


def methodology_text(out: TextIO, m: Methodology) -> None:
    """A methodology as ``parindex show`` prints it: decision, maxima, bands, the tree
    with each node's maximum and rule, and the sources.

    Example:
        >>> import io, parindex
        >>> from parindex.present.tables import methodology_text
        >>> out = io.StringIO()
        >>> methodology_text(out, parindex.get_methodology("province-2017"))
        >>> out.getvalue().splitlines()[2]
        'decision: 2948/QĐ-BNV of 2017-12-28; level province; evaluation years 2017; total 100'
    """
    out = _terminal_safe(out)
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
        _node_lines(out, m, node, 0)
    out.write("\nsources:\n")
    for key, src in m.sources.items():
        out.write(f"  [{key}] ({src.confidence}) {src.url}\n")
