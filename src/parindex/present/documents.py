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
import numpy as np
import numpy.typing as npt

from parindex._numbers import round_half_up, snap, snap_array
from parindex._text import normalize_key
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
    # Read from the arrays, a unit's row at a time: the same numbers as the UnitResult
    # and RankedUnit views (both snap), without building a view object per unit and
    # node, nor a Python call per number.
    b = scores.batch
    c = b.compiled
    n, total = c.n_nodes, c.total_slot
    points, maxima, index = _cells(np.stack((b.points, b.max_points, b.index)), decimals)
    statuses = _STATUS_WORDS[b.na * 2 + np.isnan(b.points)].tolist()
    node_ids, component_ids = c.slot_ids[:n], c.slot_ids[n:total]
    ranks, bands = _rank_and_band(scores, ranking)
    codes, given = _identities(scores)
    out = []
    for i, unit in enumerate(b.units):
        p, m, x = points[i], maxima[i], index[i]
        slots = [
            {"points": a, "max_points": mx, "index": ix, "status": st}
            for a, mx, ix, st in zip(p, m, x, statuses[i], strict=True)
        ]
        out.append(
            {
                "unit": unit,
                "unit_code": codes[i],
                "given_name": given[i],
                "group": b.groups[i],
                "points": p[total],
                "max_points": m[total],
                "index": x[total],
                "rank": ranks[unit],
                "band": bands[unit],
                "nodes": dict(zip(node_ids, slots, strict=False)),
                "components": dict(zip(component_ids, slots[n:], strict=False)),
            }
        )
    return {
        "methodology": scores.methodology.id,
        "official": scores.methodology.official,
        "ties": ranking.ties,
        "year": ranking.year,
        "units": out,
    }


# A slot's status by its code: 2 if not applicable, plus 1 if its points are unknown.
_STATUS_WORDS = np.array(["scored", "unknown", "na", "na"], dtype=object)


def _cells(values: npt.NDArray[np.float64], decimals: int | None) -> list[Any]:
    """Each row of ``values`` as a list (nested as the array is): snapped (:func:`~parindex._numbers.snap`, done
    on the whole array at once), or rounded half up to ``decimals``; None for NaN.
    Infinity is refused: JSON has no word for it, and no score is infinite."""
    snapped = snap_array(values)
    if np.isinf(snapped).any():
        raise ValueError("an infinite number among the scores: please report it")
    if decimals is not None:
        rounded = np.vectorize(
            lambda v: None if v != v else round_half_up(v, decimals), otypes=[object]
        )
        return rounded(snapped).tolist()  # type: ignore[no-any-return]
    cells = snapped.astype(object)
    cells[np.isnan(snapped)] = None
    return cells.tolist()  # type: ignore[no-any-return]


def _rank_and_band(scores: Scores, ranking: Ranking) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each unit's rank (an int, or the fractional rank of ``ties="average"``, never
    truncated; None unranked) and band, by name, from the ranking's arrays."""
    names = ranking.scores.units
    ranks: dict[str, Any] = {}
    bands: dict[str, Any] = {}
    pairs = zip(ranking.order.tolist(), ranking.rank_array.tolist(), strict=True)
    for k, (i, r) in enumerate(pairs):
        unit = names[i]
        ranks[unit] = None if r != r else _rank_number(r)
        bands[unit] = ranking.band_array[k]
    missing = [u for u in scores.units if u not in ranks]
    if missing:  # a ranking of other scores: the rows say nothing of these units
        raise KeyError(missing[0])
    return ranks, bands


def _identities(scores: Scores) -> tuple[list[str | None], list[str]]:
    """Each unit's code and name as given, as :meth:`Scores.unit_code` and
    :meth:`Scores.given_name` say: the first resolution record of the unit at the
    name's :meth:`Scores.position`, found through dicts instead of a scan per unit."""
    units = scores.units
    first: dict[str, Any] = {}
    for resolved in scores.resolution or ():
        first.setdefault(resolved.unit, resolved)
    at = {u: i for i, u in reversed(list(enumerate(units)))}
    codes: list[str | None] = []
    given: list[str] = []
    for u in units:
        i = at.get(normalize_key(u))
        name = units[scores.position(u) if i is None else i]
        record = first.get(name)
        codes.append(None if record is None else record.unit_code)
        given.append(name if record is None else record.given_name)
    return codes, given


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
