"""Notebook display: HTML for methodologies (a collapsible tree), results (a table with
component bars) and rankings. Plain HTML and inline CSS built with :func:`html.escape`;
no template engine, no JavaScript. Labels in Vietnamese or English.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from parindex._display import register_html
from parindex._numbers import round_half_up
from parindex.analysis.ranking import Ranking
from parindex.engine.scores import Scores
from parindex.errors import InputFormatError
from parindex.model.methodology import Methodology

if TYPE_CHECKING:
    from parindex.model.methodology import Node

__all__ = ["LABELS", "Language", "to_html"]

Language: TypeAlias = Literal["vi", "en"]

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "methodology": "Bộ chỉ số",
        "decision": "Quyết định",
        "level": "Cấp",
        "years": "Năm đánh giá",
        "total": "Tổng điểm",
        "max": "tối đa",
        "unknown": "chưa rõ",
        "not_official": "KHÔNG CHÍNH THỨC: chỉ để minh họa",
        "unit": "Đơn vị",
        "group": "Nhóm",
        "points": "Điểm",
        "index": "Chỉ số",
        "rank": "Xếp hạng",
        "band": "Xếp loại",
        "unranked": "không xếp hạng",
        "na": "không phát sinh",
        "ties": "Cách xếp đồng hạng",
        "more": "đơn vị khác",
        "field": "Lĩnh vực",
        "components": "Điểm thành phần",
        "rounded": "làm tròn 2 chữ số để hiển thị",
    },
    "en": {
        "methodology": "Methodology",
        "decision": "Decision",
        "level": "Level",
        "years": "Evaluation years",
        "total": "Total",
        "max": "max",
        "unknown": "unknown",
        "not_official": "NOT OFFICIAL: illustration only",
        "unit": "Unit",
        "group": "Group",
        "points": "Points",
        "index": "Index",
        "rank": "Rank",
        "band": "Band",
        "unranked": "not ranked",
        "na": "not applicable",
        "ties": "Ties",
        "more": "more units",
        "field": "Field",
        "components": "Score components",
        "rounded": "rounded to 2 decimals for display",
    },
}
"""Display labels by language."""

_MAX_ROWS = 200
_CSS = (
    "<style>.parindex td,.parindex th{padding:2px 6px;text-align:right}"
    ".parindex td.l,.parindex th.l{text-align:left}"
    ".parindex .bar{display:inline-block;width:60px;height:8px;background:#e5e5e5;"
    "margin-right:4px;vertical-align:middle}"
    ".parindex .bar>span{display:block;height:8px;background:#4c72b0}"
    ".parindex .unknown{color:#b00;font-style:italic}"
    ".parindex details{margin-left:1.2em}.parindex summary{cursor:pointer}</style>"
)


def _labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise InputFormatError(f"language must be 'vi' or 'en', got {language!r}")
    return LABELS[language]


def _name(obj: Any, language: str) -> str:
    first, second = (obj.name_vi, obj.name_en) if language == "vi" else (obj.name_en, obj.name_vi)
    return str(first or second or "")


def _num(x: float | None, lab: dict[str, str]) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return f'<span class="unknown">{escape(lab["unknown"])}</span>'
    return f"{round_half_up(float(x)):.2f}"


def _max(x: float | None, lab: dict[str, str]) -> str:
    if x is None:
        return f'<span class="unknown">{escape(lab["max"])} {escape(lab["unknown"])}</span>'
    return f"{escape(lab['max'])} {x:g}"


def _total(x: float | None, lab: dict[str, str]) -> str:
    return _num(None, lab) if x is None else f"{x:g}"


# --------------------------------------------------------------------------- methodology


def _node_html(m: Methodology, node: Node, lab: dict[str, str], language: str) -> str:
    mx = m.max_points_of(node.id)
    head = (
        f"<code>{escape(node.id)}</code> {escape(_name(node, language))} "
        f"<small>[{_max(mx, lab)}]</small>"
    )
    extra = [x for x in (node.method, None if node.rule is None else node.rule.describe()) if x]
    if extra:
        head += f" <small><i>{escape('; '.join(extra))}</i></small>"
    if not node.children:
        return f'<div style="margin-left:1.2em">{head}</div>'
    inner = "".join(_node_html(m, c, lab, language) for c in node.children)
    return f"<details><summary>{head}</summary>{inner}</details>"


def methodology_html(m: Methodology, language: Language = "en") -> str:
    """The methodology as a collapsible HTML tree."""
    lab = _labels(language)
    years = ", ".join(map(str, m.evaluation_years))
    parts = [
        _CSS,
        '<div class="parindex">',
        f"<b>{escape(lab['methodology'])} <code>{escape(m.id)}</code></b>: "
        f"{escape(_name(m, language))}<br>",
        f"{escape(lab['decision'])}: {escape(m.decision.number or lab['unknown'])}; "
        f"{escape(lab['level'])}: {escape(m.level)}; {escape(lab['years'])}: {escape(years)}; "
        f"{escape(lab['total'])}: {_total(m.total_max, lab)}<br>",
        f"<small>{escape(m.describe_completeness())}</small>",
    ]
    if not m.official:
        parts.append(f'<br><b class="unknown">{escape(lab["not_official"])}</b>')
    parts.extend(_node_html(m, n, lab, language) for n in m.tree)
    if m.components:
        comps = ", ".join(
            f"{escape(_name(c, language) or c.id)} ({_max(c.max_points, lab)})"
            for c in m.components
        )
        parts.append(f"<div>{escape(lab['components'])}: {comps}</div>")
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- results


def _bar(index: float | None, lab: dict[str, str], status: str) -> str:
    if status == "na":
        return f"<small>{escape(lab['na'])}</small>"
    if index is None or math.isnan(index):
        return _num(None, lab)
    width = max(0.0, min(100.0, float(index)))
    return f'<span class="bar"><span style="width:{width:.1f}%"></span></span>{_num(index, lab)}'


def scores_html(scores: Scores, language: Language = "en") -> str:
    """Results as a table: total and, per field and score component, an index bar."""
    lab = _labels(language)
    m = scores.methodology
    cols = [(c.id, _name(c, language) or c.id) for c in m.components]
    cols += [(n.id, f"{n.id}. {_name(n, language)}") for n in m.tree]
    head = "".join(
        f'<th class="l">{escape(lab[k])}</th>'
        if k in ("unit", "group")
        else f"<th>{escape(lab[k])}</th>"
        for k in ("unit", "group", "points", "index")
    )
    head += "".join(f'<th class="l" title="{escape(t)}">{escape(i)}</th>' for i, t in cols)
    body = []
    for k, r in enumerate(scores):
        if k == _MAX_ROWS:
            body.append(
                f"<tr><td class='l'>… {len(scores) - _MAX_ROWS} {escape(lab['more'])}</td></tr>"
            )
            break
        cells = [
            f'<td class="l">{escape(r.unit)}</td>',
            f'<td class="l">{escape(r.group or "")}</td>',
            f"<td>{_num(r.total.points, lab)}</td>",
            f"<td><b>{_num(r.total.index, lab)}</b></td>",
        ]
        for cid, _ in cols:
            s = r.components.get(cid) or r.nodes[cid]
            cells.append(f'<td class="l">{_bar(s.index, lab, s.status)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = f"{escape(m.id)}; {escape(lab['rounded'])}"
    if not m.official:
        note += f'; <b class="unknown">{escape(lab["not_official"])}</b>'
    return (
        f'{_CSS}<div class="parindex"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table><small>{note}</small></div>"
    )


def ranking_html(ranking: Ranking, language: Language = "en") -> str:
    """A ranking as a table, best first."""
    lab = _labels(language)
    keys = ("rank", "unit", "group", "points", "index", "band")
    head = "".join(
        f'<th class="l">{escape(lab[k])}</th>'
        if k in ("unit", "group", "band")
        else f"<th>{escape(lab[k])}</th>"
        for k in keys
    )
    body = []
    for k, row in enumerate(ranking.rows()):
        if k == _MAX_ROWS:
            body.append(
                f"<tr><td></td><td class='l'>… {len(ranking) - _MAX_ROWS} {escape(lab['more'])}</td></tr>"
            )
            break
        rank_text = escape(lab["unranked"]) if row.rank is None else f"{row.rank:g}"
        body.append(
            f"<tr><td>{rank_text}</td><td class='l'>{escape(row.unit)}</td>"
            f"<td class='l'>{escape(row.group or '')}</td><td>{_num(row.points, lab)}</td>"
            f"<td><b>{_num(row.index, lab)}</b></td><td class='l'>{escape(row.band or '')}</td></tr>"
        )
    note = f"{escape(ranking.methodology.id)}; {escape(lab['ties'])}: {escape(ranking.ties)}"
    return (
        f'{_CSS}<div class="parindex"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table><small>{note}</small></div>"
    )


def to_html(obj: Methodology | Scores | Ranking, *, language: Language = "en") -> str:
    """HTML for a methodology (a collapsible tree), scores (a table with index bars)
    or a ranking, with labels in Vietnamese (``"vi"``) or English (``"en"``). Notebooks
    call the same code through ``_repr_html_``.

    Example:
        >>> import parindex
        >>> m = parindex.get_methodology("province-2017")
        >>> html = parindex.to_html(m, language="vi")
        >>> html.count("<details>") + html.count('<div style="margin-left'), "Bộ chỉ số" in html
        (8, True)
    """
    if isinstance(obj, Methodology):
        return methodology_html(obj, language)
    if isinstance(obj, Scores):
        return scores_html(obj, language)
    if isinstance(obj, Ranking):
        return ranking_html(obj, language)
    raise TypeError(f"cannot render {type(obj).__name__} as HTML")


# Notebooks draw these through their _repr_html_, which asks parindex._display.
register_html(Methodology, methodology_html)
register_html(Scores, scores_html)
register_html(Ranking, ranking_html)
