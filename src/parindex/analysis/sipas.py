"""SIPAS (Chỉ số hài lòng về sự phục vụ hành chính): citizens' and organisations'
satisfaction with public services, in percent per dimension, and its PAR points.

Only the proportional reading of SIPAS points has public evidence (one published pair,
see :func:`sipas_points`); the dimension weights of 1001/QĐ-BNV are not in the sources
consulted, so :func:`sipas_index` weights dimensions equally.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from parindex._numbers import snap_array
from parindex.analysis.responses import prepare_responses
from parindex.analysis.survey import _bin, _quiet
from parindex.errors import QuestionnaireError
from parindex.model.questionnaire import DontKnowPolicy, Questionnaire
from parindex.rules.conversion import ratio

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sipas_index", "sipas_percent", "sipas_points"]


def _is_real(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def sipas_points(percent: float, block_max: float) -> float:
    """PAR points for a SIPAS satisfaction index: ``percent / 100 * block_max``.

    This proportional reading is the only survey conversion with public evidence:
    Hà Tĩnh's 2021 SIPAS was reported as "9.12 points, i.e. 91.17 %" of a 10-point
    block (1149/QĐ-BNV, provincial index), and 91.17 % x 10 = 9.117 rounds half-up to
    9.12. It is an inference from one published pair, not a quoted rule.

    Example:
        >>> import parindex
        >>> parindex.round_half_up(parindex.analysis.sipas.sipas_points(91.17, 10))
        9.12
    """
    for name, v in (("percent", percent), ("block_max", block_max)):
        if not _is_real(v) or not math.isfinite(float(v)):
            raise ValueError(f"SIPAS {name} must be a finite number, got {v!r}")
    if not 0 <= percent <= 100:
        raise ValueError(f"SIPAS percent {percent:g} is outside 0-100")
    if block_max <= 0:
        raise ValueError(f"SIPAS block maximum must be > 0, got {block_max:g}")
    return float(snap_array(np.array([percent / 100.0 * block_max]))[0])


def sipas_percent(points: float, block_max: float) -> float:
    """The SIPAS percentage implied by PAR points under the proportional reading
    (the inverse of :func:`sipas_points`). An implied number, not a published one.

    Example:
        >>> import parindex
        >>> parindex.analysis.sipas.sipas_percent(8.15, 10)  # Đắk Lắk 2023: 8.15 of 10 points
        81.5
    """
    for name, v in (("points", points), ("block_max", block_max)):
        if not _is_real(v) or not math.isfinite(float(v)):
            raise ValueError(f"SIPAS {name} must be a finite number, got {v!r}")
    if block_max <= 0:
        raise ValueError(f"SIPAS block maximum must be > 0, got {block_max:g}")
    if not 0 <= points <= block_max:
        raise ValueError(f"SIPAS points {points:g} are outside 0-{block_max:g}")
    return float(snap_array(np.array([points / block_max * 100.0]))[0])


def sipas_index(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    dont_know: DontKnowPolicy | None = None,
) -> pd.DataFrame:
    """Satisfaction (SIPAS-style) per dimension and overall, in percent.

    Uses the items that carry a ``dimension``. Per unit: each item's satisfaction rate
    is the share of its counted answers at or above the scale's ``positive_from`` (e.g.
    "satisfied" or "very satisfied"); a dimension's percent is the mean of its items'
    rates; ``overall`` is the mean of the dimensions. This equal-weight reading is the
    library's; the weights of 1001/QĐ-BNV are not in the sources consulted.

    Returns a tidy frame ``unit, dimension, percent, answers`` (``overall`` last for
    every unit).

    Example:
        >>> import parindex
        >>> t = parindex.analysis.sipas.sipas_index(
        ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
        ...     parindex.io.survey.get_questionnaire("illustrative-district"),
        ... )
        >>> t[t.unit == "Huyện A"].round(2).to_dict("records")[-1]
        {'unit': 'Huyện A', 'dimension': 'overall', 'percent': 75.8, 'answers': 108}
    """
    import pandas as pd

    q = questionnaire
    dims = list(dict.fromkeys(i.dimension for i in q.items if i.dimension))
    if not dims:
        raise QuestionnaireError(f"questionnaire {q.id}: no item has a SIPAS dimension")
    dk: DontKnowPolicy = q.dont_know if dont_know is None else dont_know
    p = prepare_responses(responses, q, dk)
    n_u, n_i = len(p.units), len(p.items)
    key = p.unit * n_i + p.item
    n = _bin(key, p.counted.astype(np.float64), n_u * n_i).reshape(n_u, n_i)
    pos = _bin(key, p.pos, n_u * n_i).reshape(n_u, n_i)
    rate = ratio(pos, n) * 100.0  # (units, items)
    item_dim = np.array([dims.index(i.dimension) if i.dimension else -1 for i in q.items])
    with _quiet():
        per_dim = np.stack(
            [np.nanmean(rate[:, item_dim == d], axis=1) for d in range(len(dims))], axis=1
        )
        overall = np.nanmean(per_dim, axis=1)
    answers = np.stack([n[:, item_dim == d].sum(axis=1) for d in range(len(dims))], axis=1)
    values = np.concatenate([per_dim, overall[:, np.newaxis]], axis=1)
    counts = np.concatenate([answers, answers.sum(axis=1, keepdims=True)], axis=1)
    labels = [*dims, "overall"]
    return pd.DataFrame(
        {
            "unit": np.repeat(np.array(p.units, dtype=object), len(labels)),
            "dimension": np.tile(np.array(labels, dtype=object), n_u),
            "percent": snap_array(values.ravel()),
            "answers": counts.ravel().astype(np.int64),
        }
    )
