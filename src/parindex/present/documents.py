"""Result documents: the plain data that the CLI prints with ``--format json`` and the
HTTP service answers with, built in one place so that both say the same thing.

Example:
    >>> import parindex
    >>> from parindex.present.documents import result_document
    >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
    >>> doc = result_document(scores, parindex.rank(scores))
    >>> doc["units"][0]["unit"], doc["units"][0]["index"]
    ('Đắk Lắk', 75.37)
"""

from __future__ import annotations

from typing import Any

import attrs

from parindex._numbers import round_half_up, snap
from parindex.analysis.ranking import Ranking
from parindex.engine.scores import Scores
from parindex.model.methodology import Methodology

__all__ = [
    "float_or_none",
    "isna",
    "methodology_summary",
    "ranking_document",
    "result_document",
]


def result_document(
    scores: Scores, ranking: Ranking, *, decimals: int | None = None
) -> dict[str, Any]:
    """The JSON result document (the CLI's ``--format json`` and ``POST /score``):
    every unit's official name, code and name as given (``unit``, ``unit_code``,
    ``given_name``), points, maximum, index, rank and band, and every node and score
    component. Full precision (float noise snapped) unless ``decimals`` is given.

    Example:
        >>> import parindex
        >>> from parindex.present.documents import result_document
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> doc = result_document(scores, parindex.rank(scores), decimals=1)
        >>> doc["methodology"], doc["units"][0]["index"], doc["units"][0]["nodes"]["3"]["index"]
        ('province-2017', 75.4, 100.0)
    """
    by_unit = {row.unit: row for row in ranking.rows()}
    units = []
    for r in scores:
        row = by_unit[r.unit]
        units.append(
            {
                "unit": r.unit,
                "unit_code": scores.unit_code(r.unit),
                "given_name": scores.given_name(r.unit),
                "group": r.group,
                "points": _num(r.total.points, decimals),
                "max_points": _num(r.total.max_points, decimals),
                "index": _num(r.total.index, decimals),
                "rank": None if row.rank is None else _rank_number(row.rank),
                "band": row.band,
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


def float_or_none(x: Any) -> float | None:
    """A float, or None for a missing value.

    Example:
        >>> from parindex.present.documents import float_or_none
        >>> float_or_none(float("nan")), float_or_none(3)
        (None, 3.0)
    """
    return None if isna(x) else float(x)


def isna(x: object) -> bool:
    """None, NaN or pandas' NA.

    Example:
        >>> from parindex.present.documents import isna
        >>> isna(None), isna(float("nan")), isna(0.0)
        (True, True, False)
    """
    try:
        return bool(x is None or x != x)  # NaN / pd.NA compare unequal to themselves
    except TypeError:
        return True


def methodology_summary(m: Methodology) -> dict[str, Any]:
    """One methodology in brief (``parindex methodologies --format json``, ``GET
    /methodologies``).

    Example:
        >>> import parindex
        >>> from parindex.present.documents import methodology_summary
        >>> s = methodology_summary(parindex.get_methodology("province-2017"))
        >>> s["decision"], s["level"], s["total_max"]
        ('2948/QĐ-BNV', 'province', 100.0)
    """
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


def ranking_document(ranking: Ranking) -> dict[str, Any]:
    """The ranking table as plain data (``POST /rank``).

    Example:
        >>> import parindex
        >>> from parindex.present.documents import ranking_document
        >>> scores = parindex.score("binhduong-district-2017",
        ...                         parindex.load_sheet("examples/binhduong-district-2017.csv"))
        >>> doc = ranking_document(parindex.rank(scores))
        >>> doc["ties"], doc["ranking"][0]["rank"]
        ('min', 1)
    """
    records = [attrs.asdict(row) for row in ranking.rows()]
    return {
        "methodology": ranking.methodology.id,
        "ties": ranking.ties,
        "year": ranking.year,
        "ranking": records,
    }


def _num(x: float | None, decimals: int | None) -> float | None:
    if x is None:
        return None
    return snap(x) if decimals is None else round_half_up(x, decimals)
