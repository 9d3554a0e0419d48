"""Plots (the ``plot`` extra: matplotlib, imported only when a plot is drawn).

Figures are built with :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: no global state, no GUI backend, safe in threads and servers. Each
function returns the Figure; save it with ``fig.savefig("file.png")`` or let a notebook
display it.

Labels are Vietnamese by default (``language="en"`` for English), given in full and
wrapped, never cut; legends sit outside the bars; text falls back to DejaVu Sans
(shipped with matplotlib) for any letter the configured font lacks, so Vietnamese
diacritics always render.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from parindex.errors import InputFormatError, UnknownUnitError
from parindex.present.html import Language, _labels, _name

if TYPE_CHECKING:
    from parindex.analysis.ranking import Ranking
    from parindex.engine.scores import NodeScore, Scores, UnitResult

__all__ = ["plot_profile", "plot_rank_movement", "plot_ranking"]

_PLOT_LABELS = {
    "vi": {
        "profile": "Chỉ số thành phần",
        "peers": "Trung bình nhóm",
        "range": "Thấp nhất - cao nhất của nhóm",
        "ranking": "Xếp hạng theo Chỉ số",
        "movement": "Thay đổi thứ hạng",
        "year": "Năm",
        "ties": "đồng hạng",
    },
    "en": {
        "profile": "Component indices",
        "peers": "Peer mean",
        "range": "Peer min - max",
        "ranking": "Ranking by index",
        "movement": "Rank movement",
        "year": "Year",
        "ties": "ties",
    },
}


_WRAP = 36  # characters per label line: the longest field names take three lines
_FALLBACK = "DejaVu Sans"  # shipped with matplotlib; has every Vietnamese letter


def _wrap(text: str, width: int = _WRAP) -> str:
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _with_fallback(fig: Any) -> Any:
    """``fig`` with DejaVu Sans after each text's own fonts: matplotlib then takes a
    letter the configured font lacks (ắ, ộ, ư, ...) from it instead of drawing a box.
    Per text, not through ``rcParams``, which are global."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        families = list(text.get_fontfamily())
        if _FALLBACK not in families:
            text.set_fontfamily([*families, _FALLBACK])
    return fig


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'parindex[plot]'") from None
    return Figure(figsize=(width, height), layout="constrained")


def _finite(x: float | None) -> float:
    return math.nan if x is None else float(x)


def plot_profile(
    scores: Scores,
    unit: str,
    peers: Sequence[str] | None = None,
    *,
    language: Language = "vi",
) -> Any:
    """A unit's component-index profile (one bar per field, or per score component
    when no field is scored) against its peers' mean and range, labelled in
    ``language`` (``"vi"`` or ``"en"``).

    ``peers`` defaults to the units of the same group (every other unit when there
    are no groups). An index that is unknown, or a field that does not apply, is said
    in words where its bar would be, never drawn as 0.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> fig = parindex.present.plot.plot_profile(parindex.score("binhduong-district-2017", sheet), "Thị xã Tân Uyên")
        >>> fig.axes[0].get_title()
        'Chỉ số thành phần: Thị xã Tân Uyên'
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['Điểm thẩm định', 'Điểm điều tra xã hội học']
    """
    lab = _labels(language) | _PLOT_LABELS[language]
    m = scores.methodology
    try:
        me = scores.unit(unit)
    except KeyError:
        raise UnknownUnitError(f"unit {unit!r} is not in these results", unit=unit) from None
    if peers is None:
        peers = [u.unit for u in scores if u.unit != me.unit and u.group == me.group]
    others = []
    for p in peers:
        try:
            others.append(scores.unit(p))
        except KeyError:
            raise UnknownUnitError(f"peer {p!r} is not in these results", unit=p) from None
    # Fields when the unit has any field index; else the score components.
    by_component = not m.tree or all(me.nodes[n.id].index is None for n in m.tree)
    if by_component:
        ids = [c.id for c in m.components]
        labels = [_wrap(_name(c, language) or c.id) for c in m.components]
    else:
        ids = [n.id for n in m.tree]
        named = [(n.id, _name(n, language)) for n in m.tree]
        labels = [_wrap(f"{i}. {name}" if name else i) for i, name in named]

    def get(r: UnitResult, i: str) -> NodeScore:
        return r.components[i] if by_component else r.nodes[i]

    values = [_finite(get(me, i).index) for i in ids]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = _figure(8, 0.3 * len(ids) + 0.2 * lines + (2.0 if others else 1.4))
    ax = fig.add_subplot()
    ys = list(range(len(ids)))
    ax.barh(ys, values, color="#4c72b0", label=me.unit)
    for y, i, v in zip(ys, ids, values, strict=True):
        if math.isnan(v):
            said = lab["na"] if get(me, i).status == "na" else lab["unknown"]
            ax.text(1, y, f"({said})", va="center", fontsize="small", color="#b00000")
    if others:
        peer_vals = [[_finite(get(o, i).index) for o in others] for i in ids]
        means = [_nanmean(v) for v in peer_vals]
        lows = [min((x for x in v if not math.isnan(x)), default=math.nan) for v in peer_vals]
        highs = [max((x for x in v if not math.isnan(x)), default=math.nan) for v in peer_vals]
        ax.hlines(ys, lows, highs, color="#999999", linewidth=3, alpha=0.6, label=lab["range"])
        ax.plot(means, ys, "D", color="#dd8452", label=f"{lab['peers']} (n={len(others)})")
        # Below the axes, not on them: inside, the legend hid the last bars.
        fig.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    ax.set_yticks(ys, labels)
    # Every row in view, top to bottom, even when no bar is drawn (unknown indices).
    ax.set_ylim(len(ys) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{lab['index']} (%)")
    ax.set_title(f"{lab['profile']}: {me.unit}")
    return _with_fallback(fig)


def _nanmean(values: Sequence[float]) -> float:
    known = [v for v in values if not math.isnan(v)]
    return math.fsum(known) / len(known) if known else math.nan


def plot_ranking(ranking: Ranking, *, language: Language = "vi") -> Any:
    """Units by index, best first, with the bands' boundaries as vertical lines and
    their labels along the top, labelled in ``language`` (``"vi"`` or ``"en"``).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> fig = parindex.present.plot.plot_ranking(parindex.rank(parindex.score("binhduong-district-2017", sheet)))
        >>> len(fig.axes[0].patches) > 0, fig.axes[0].get_title()
        (True, 'Xếp hạng theo Chỉ số (binhduong-district-2017, đồng hạng: min)')
    """
    lab = _labels(language) | _PLOT_LABELS[language]
    rows = ranking.rows()
    labels = [_wrap(f"– {r.unit}" if r.rank is None else f"{r.rank:g}. {r.unit}") for r in rows]
    index = [_finite(row.index) for row in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = _figure(8, 0.3 * lines + 1.8)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    ax.barh(ys, index, color="#4c72b0")
    ax.set_yticks(ys, labels)
    # Every row in view, top to bottom, even when no bar is drawn (unknown indices).
    ax.set_ylim(len(ys) - 0.5, -0.5)
    bounds: set[float] = set()
    starts: dict[float, str] = {}
    for band in ranking.methodology.bands_for(ranking.year):
        for b in (band.lower, band.upper):
            if b is not None:
                bounds.add(b)
        if band.lower is not None:
            starts[band.lower] = band.label
    for b in sorted(bounds):
        ax.axvline(b, color="#aa3333", linestyle="--", linewidth=1)
    known = [v for v in index if not math.isnan(v)]
    low = min([*known, *bounds], default=0.0)
    left = max(0.0, math.floor(low / 10.0) * 10.0 - 5.0)
    ax.set_xlim(left, 100)
    for y, v in enumerate(index):
        if math.isnan(v):
            ax.text(
                left + 1, y, f"({lab['unknown']})", va="center", fontsize="small", color="#b00000"
            )
    if starts:
        # Each band's label on a top axis at its lower bound: written inside the axes
        # they ran into the title and the first bar.
        top = ax.secondary_xaxis("top")
        top.set_xticks(sorted(starts), [starts[b] for b in sorted(starts)])
        top.tick_params(colors="#aa3333", labelsize="small")
    ax.set_xlabel(f"{lab['index']} (%)")
    ax.set_title(f"{lab['ranking']} ({ranking.methodology.id}, {lab['ties']}: {ranking.ties})")
    return _with_fallback(fig)


def plot_rank_movement(
    rankings_by_year: Mapping[int, Ranking], *, language: Language = "vi"
) -> Any:
    """Each unit's rank across evaluation years (rank 1 at the top), labelled in
    ``language`` (``"vi"`` or ``"en"``), with the units named beside the axes.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> r = parindex.rank(parindex.score("binhduong-district-2017", sheet))
        >>> fig = parindex.present.plot.plot_rank_movement({2016: r, 2017: r})
        >>> len(fig.axes[0].lines) == len(sheet.units), fig.axes[0].get_xlabel()
        (True, 'Năm')
    """
    lab = _labels(language) | _PLOT_LABELS[language]
    if not rankings_by_year:
        raise InputFormatError("give at least one ranking")
    years = sorted(rankings_by_year)
    units: dict[str, None] = {}
    rank_by_year = {y: {row.unit: row.rank for row in rankings_by_year[y].rows()} for y in years}
    for y in years:
        units.update(dict.fromkeys(rank_by_year[y]))
    fig = _figure(8, 5)
    ax = fig.add_subplot()
    for unit in units:
        ranks = []
        for y in years:
            value = rank_by_year[y].get(unit)
            ranks.append(math.nan if value is None else float(value))
        ax.plot(years, ranks, marker="o", label=unit)
    ax.invert_yaxis()
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel(lab["year"])
    ax.set_ylabel(lab["rank"])
    ax.set_title(lab["movement"])
    if len(units) <= 20:
        handles, names = ax.get_legend_handles_labels()
        names = [_wrap(n, 28) for n in names]
        fig.legend(handles, names, loc="outside right center", fontsize="x-small", frameon=False)
    return _with_fallback(fig)
