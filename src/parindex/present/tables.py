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

import textwrap
from collections.abc import Sequence
from typing import TextIO

from parindex._numbers import round_half_up
from parindex._text import escape_control
from parindex.analysis.ranking import Ranking
from parindex.engine.scores import Scores
from parindex.model.methodology import Methodology, Node
from parindex.present.html import Language, _labels, _name

__all__ = ["methodology_text", "score_table", "text_table"]


_WIDTH = 100  # prose lines (header, legends) wrap to a terminal of about 100 columns


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


def score_table(
    out: TextIO, m: Methodology, scores: Scores, ranking: Ranking, *, language: Language = "vi"
) -> None:
    """The ranking table, then every unit's score-component and field indices, each
    table followed by the full names of its columns in ``language`` (``"vi"`` or
    ``"en"``; a name missing in one language is given in the other).

    Columns are headed by ids (``appraisal``, ``1``, ``2``, ...) and named in full
    below, wrapped to 100 columns: a field's name is up to a hundred characters, too
    long for a column heading, and numbers under short headings stay easy to compare.

    Example:
        >>> import io, parindex
        >>> from parindex.present.tables import score_table
        >>> m = parindex.get_methodology("province-2017")
        >>> scores = parindex.score(m, parindex.load_sheet("examples/daklak-2017.csv"))
        >>> out = io.StringIO()
        >>> score_table(out, m, scores, parindex.rank(scores))
        >>> print(out.getvalue(), end="")  # doctest: +ELLIPSIS
        province-2017: Chỉ số cải cách hành chính cấp tỉnh (Quyết định 2948/QĐ-BNV)
        decision: 2948/QĐ-BNV of 2017-12-28 (Bộ Nội vụ)
        ties: min; no bands in this methodology; values rounded half-up to 2 decimals for display
        <BLANKLINE>
        rank  unit     group  points  max     index
        1     Đắk Lắk         75.37   100.00  75.37
        <BLANKLINE>
        field indices (%):
        unit     1      2      3       4      5      6      7      8
        Đắk Lắk  55.00  81.60  100.00  74.82  69.50  72.00  55.38  90.06
        <BLANKLINE>
        1  Công tác chỉ đạo, điều hành CCHC
        ...
        8  Tác động của CCHC đến người dân, tổ chức và phát triển KT-XH của tỉnh
        >>> out = io.StringIO()
        >>> score_table(out, m, scores, parindex.rank(scores), language="en")
        >>> print(out.getvalue().splitlines()[-1])
        8  Impact of reform on citizens, organisations and socio-economic development
    """
    _labels(language)  # refuses a language other than "vi" and "en"
    out = _terminal_safe(out)
    _wrapped(out, f"{m.id}: {_name(m, language)}" if _name(m, language) else m.id)
    _wrapped(out, _decision_text(m))
    bands = m.bands_for(ranking.year)
    _wrapped(
        out,
        f"ties: {ranking.ties}; {_bands_text(m, ranking.year, bool(bands))}; "
        "values rounded half-up to 2 decimals for display",
    )
    out.write("\n")
    header = ["rank", "unit", "group", "points", "max", "index"]
    rows = [
        [
            "—" if row.rank is None else _rank_text(row.rank),
            row.unit,
            row.group or "",
            _fmt(row.points),
            _fmt(row.max_points),
            _fmt(row.index),
        ]
        + ([row.band or ""] if bands else [])
        for row in ranking.rows()
    ]
    # A band column only when this year has bands: one empty by construction says
    # nothing, and the header line above says why there is none.
    text_table(out, [*header, "band"] if bands else header, rows)
    comps, fields = list(m.components), list(m.tree)
    if comps:
        out.write("\nscore component indices (%):\n")
        text_table(
            out,
            ["unit", *[c.id for c in comps]],
            [[r.unit, *[_fmt(r.components[c.id].index) for c in comps]] for r in scores],
        )
        _legend(out, [(c.id, _name(c, language)) for c in comps])
    if fields:
        out.write("\nfield indices (%):\n")
        body = [
            [r.unit]
            + ["n/a" if r.nodes[n.id].status == "na" else _fmt(r.nodes[n.id].index) for n in fields]
            for r in scores
        ]
        text_table(out, ["unit", *[n.id for n in fields]], body)
        _legend(out, [(n.id, _name(n, language)) for n in fields])
    unknown = [n.id for n in fields if m.max_points_of(n.id) is None]
    if unknown:
        out.write("\n")
        _wrapped(
            out,
            f"field maxima unknown for {', '.join(unknown)}: their indices cannot be determined",
        )


def _wrapped(out: TextIO, text: str, indent: int = 2) -> None:
    out.write(
        textwrap.fill(
            text,
            _WIDTH,
            subsequent_indent=" " * indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        + "\n"
    )


def _legend(out: TextIO, names: Sequence[tuple[str, str]]) -> None:
    """Each column id and its full name, the name wrapped under itself."""
    named = [(i, name) for i, name in names if name]
    if not named:
        return
    width = max(len(i) for i, _ in named)
    out.write("\n")
    for i, name in named:
        _wrapped(out, f"{i.ljust(width)}  {name}", indent=width + 2)


def _decision_text(m: Methodology) -> str:
    if not m.official:
        return "NOT OFFICIAL: an illustration, not a published methodology"
    d = m.decision
    issuer = f" ({d.issuer})" if d.issuer else ""
    if d.number is None:
        # What is known (who issued it) and what is not, rather than a bare "unknown".
        return f"decision: number not identified in the sources{issuer}"
    date = "" if d.date is None else f" of {d.date.isoformat()}"
    return f"decision: {d.number}{date}{issuer}"


def _bands_text(m: Methodology, year: int | None, banded: bool) -> str:
    if banded:
        return f"bands of {year}"
    known = ", ".join(str(y) for y, b in sorted(m.bands.items()) if b)
    if not known:
        return "no bands in this methodology"
    if year is None:
        return f"no bands without an evaluation year (known for {known})"
    return f"no bands for {year} (known for {known})"


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
