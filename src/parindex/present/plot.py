"""Plots (the ``plot`` extra: matplotlib, imported only when a plot is drawn).

Figures are built with :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: no global state, no GUI backend, safe in threads and servers. Each
function returns the Figure; save it with ``fig.savefig("file.png")`` or let a notebook
display it.
"""

from __future__ import annotations

import math
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
    },
    "en": {
        "profile": "Component indices",
        "peers": "Peer mean",
        "range": "Peer min - max",
        "ranking": "Ranking by index",
        "movement": "Rank movement",
        "year": "Year",
    },
}


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
    language: Language = "en",
) -> Any:
    """A unit's component-index profile (one bar per field, or per score component
    when no field is scored) against its peers' mean and range.

    ``peers`` defaults to the units of the same group (every other unit when there
    are no groups).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> fig = parindex.present.plot.plot_profile(parindex.score("binhduong-district-2017", sheet), "Thị xã Tân Uyên")
        >>> fig.axes[0].get_title()
        'Component indices: Thị xã Tân Uyên'
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
        labels = [(_name(c, language) or c.id)[:40] for c in m.components]
    else:
        ids = [n.id for n in m.tree]
        labels = [f"{n.id}. {_name(n, language)}"[:40] for n in m.tree]

    def get(r: UnitResult, i: str) -> NodeScore:
        return r.components[i] if by_component else r.nodes[i]

    values = [_finite(get(me, i).index) for i in ids]
    fig = _figure(8, 0.5 * len(ids) + 1.8)
    ax = fig.add_subplot()
    ys = list(range(len(ids)))
    ax.barh(ys, values, color="#4c72b0", label=me.unit)
    if others:
        peer_vals = [[_finite(get(o, i).index) for o in others] for i in ids]
        means = [_nanmean(v) for v in peer_vals]
        lows = [min((x for x in v if not math.isnan(x)), default=math.nan) for v in peer_vals]
        highs = [max((x for x in v if not math.isnan(x)), default=math.nan) for v in peer_vals]
        ax.hlines(ys, lows, highs, color="#999999", linewidth=3, alpha=0.6, label=lab["range"])
        ax.plot(means, ys, "D", color="#dd8452", label=f"{lab['peers']} (n={len(others)})")
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{lab['index']} (%)")
    ax.set_title(f"{lab['profile']}: {me.unit}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def _nanmean(values: Sequence[float]) -> float:
    known = [v for v in values if not math.isnan(v)]
    return math.fsum(known) / len(known) if known else math.nan


def plot_ranking(ranking: Ranking, *, language: Language = "en") -> Any:
    """Units by index, best first, with the bands' boundaries as vertical lines.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> fig = parindex.present.plot.plot_ranking(parindex.rank(parindex.score("binhduong-district-2017", sheet)))
        >>> len(fig.axes[0].patches) > 0
        True
    """
    lab = _labels(language) | _PLOT_LABELS[language]
    rows = ranking.rows()
    units = [row.unit for row in rows]
    index = [_finite(row.index) for row in rows]
    fig = _figure(8, 0.3 * len(units) + 1.6)
    ax = fig.add_subplot()
    ys = list(range(len(units)))
    ax.barh(ys, index, color="#4c72b0")
    ranks = ["–" if row.rank is None else f"{row.rank:g}" for row in rows]
    ax.set_yticks(ys, [f"{r}. {u}" for r, u in zip(ranks, units, strict=True)])
    ax.invert_yaxis()
    bounds: set[float] = set()
    for band in ranking.methodology.bands_for(ranking.year):
        for b in (band.lower, band.upper):
            if b is not None:
                bounds.add(b)
        if band.lower is not None:
            ax.text(band.lower, -0.7, f" {band.label}", fontsize="x-small", color="#aa3333")
    for b in sorted(bounds):
        ax.axvline(b, color="#aa3333", linestyle="--", linewidth=1)
    known = [v for v in index if not math.isnan(v)]
    low = min([*known, *bounds], default=0.0)
    ax.set_xlim(max(0.0, math.floor(low / 10.0) * 10.0 - 5.0), 100)
    ax.set_xlabel(f"{lab['index']} (%)")
    ax.set_title(f"{lab['ranking']} ({ranking.methodology.id}, {lab['ties']}: {ranking.ties})")
    return fig


def plot_rank_movement(
    rankings_by_year: Mapping[int, Ranking], *, language: Language = "en"
) -> Any:
    """Each unit's rank across evaluation years (rank 1 at the top).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> r = parindex.rank(parindex.score("binhduong-district-2017", sheet))
        >>> fig = parindex.present.plot.plot_rank_movement({2016: r, 2017: r})
        >>> len(fig.axes[0].lines) == len(sheet.units)
        True
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
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
