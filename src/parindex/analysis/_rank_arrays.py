"""The array work behind :mod:`parindex.analysis.ranking`: ranks of many rows of keys at
once (one row per Monte Carlo draw), and a ranking's row order with its ranks from one
stable sort. Keys are ranked highest first; NaN keys get no rank."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from parindex.engine.arrays import key_name_order, name_order
from parindex.model.methodology import TiePolicy

__all__ = ["group_numbers", "order_and_ranks", "rank_rows", "tie_ranks"]

FloatArray = npt.NDArray[np.float64]


def group_numbers(groups: Sequence[str | None] | None, n: int) -> npt.NDArray[np.intp]:
    """Each unit's group as a number, in the order of group names (no group first).

    Example:
        >>> from parindex.analysis._rank_arrays import group_numbers
        >>> group_numbers(["thị xã", None, "huyện"], 3).tolist()
        [2, 0, 1]
    """
    if groups is None or not any(groups):
        return np.broadcast_to(np.intp(0), (n,))  # read only; no memory for one number
    names = sorted({g for g in groups if g is not None})
    code: dict[str | None, int] = {g: i + 1 for i, g in enumerate(names)}
    code[None] = 0
    return np.array([code[g] for g in groups], dtype=np.intp)


def rank_rows(
    keys: FloatArray,
    by_name: npt.NDArray[np.intp],
    group_codes: npt.NDArray[np.intp],
    ranked: npt.NDArray[np.bool_],
    ties: TiePolicy,
) -> FloatArray:
    """:func:`~parindex.analysis.ranking.rank_matrix` given the units' name order and
    group codes: each group's ranked units sorted by key in every row, ties by name.

    Example:
        >>> import numpy as np
        >>> from parindex.analysis._rank_arrays import rank_rows
        >>> keys = np.array([[80.0, 90.0, 80.0]])
        >>> rank_rows(keys, np.arange(3), np.zeros(3, dtype=np.intp), np.ones(3, dtype=bool), "first").tolist()
        [[2.0, 1.0, 3.0]]
    """
    d, n = keys.shape
    out = np.full((d, n), np.nan)
    for g in np.unique(group_codes):
        # Each group's units in name order: a stable sort then breaks ties by name.
        cols = by_name[(group_codes[by_name] == g) & ranked[by_name]]
        if not cols.size:
            continue
        sub = keys[:, cols]
        neg = np.where(np.isnan(sub), np.inf, -sub)
        order = np.argsort(neg, axis=1, kind="stable")
        block = np.empty((d, cols.size))
        r = tie_ranks(np.take_along_axis(neg, order, axis=1), ties)
        np.put_along_axis(block, order, r, axis=1)
        out[:, cols] = block
    return out


def tie_ranks(srt: FloatArray, ties: TiePolicy) -> FloatArray:
    """Ranks of rows of negated keys sorted ascending (``inf``: unknown, no rank),
    ties by ``ties``: the one tie implementation behind every ranking.

    Example:
        >>> import numpy as np
        >>> from parindex.analysis._rank_arrays import tie_ranks
        >>> sorted_keys = np.array([[-90.0, -85.0, -85.0, np.inf]])
        >>> tie_ranks(sorted_keys, "min").tolist(), tie_ranks(sorted_keys, "dense").tolist()
        ([[1.0, 2.0, 2.0, nan]], [[1.0, 2.0, 2.0, nan]])
    """
    d, m = srt.shape
    pos = np.broadcast_to(np.arange(m), (d, m))
    new = np.ones((d, m), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    r: FloatArray
    if ties in ("min", "average"):
        first = np.where(new, pos, 0)
        np.maximum.accumulate(first, axis=1, out=first)  # in place: one temporary fewer
        r = low = first + 1.0
        del first
    if ties in ("max", "average"):
        last = np.ones((d, m), dtype=bool)
        last[:, :-1] = new[:, 1:]
        r = high = np.minimum.accumulate(np.where(last, pos, m)[:, ::-1], axis=1)[:, ::-1] + 1.0
    if ties == "average":
        r = (low + high) / 2.0
    elif ties == "dense":
        r = np.cumsum(new, axis=1).astype(np.float64)
    elif ties == "first":
        r = (pos + 1.0).astype(np.float64)
    r[np.isinf(srt)] = np.nan  # every branch made r anew: in place
    return r


def order_and_ranks(
    keys: FloatArray,
    units: Sequence[str],
    group_codes: npt.NDArray[np.intp],
    ranked: npt.NDArray[np.bool_],
    ties: TiePolicy,
    within_groups: bool,
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The rows of a ranking best first (by group, no group first; then by key; then by
    name) and their ranks, from one sort by key and name
    (:func:`~parindex.engine.arrays.key_name_order`; with groups, one stable sort of
    the keys in name order): each group's ranked units are a run of that order,
    already sorted as :func:`rank_rows` sorts.

    Example:
        >>> import numpy as np
        >>> from parindex.analysis._rank_arrays import order_and_ranks
        >>> keys = np.array([80.0, np.nan, 90.0, 80.0])
        >>> order, ranks = order_and_ranks(keys, ("A", "B", "C", "D"), np.zeros(4, dtype=np.intp),
        ...                                np.ones(4, dtype=bool), "min", True)
        >>> order.tolist(), ranks.tolist()
        ([2, 0, 3, 1], [1.0, 2.0, 2.0, nan])
    """
    neg = np.where(np.isnan(keys), np.inf, -keys)
    grouped = bool(group_codes.any())
    if grouped:
        by_name = name_order(units)
        order = by_name[np.lexsort((neg[by_name], group_codes[by_name]))]
    else:
        order = key_name_order(units, neg)
    if grouped and not within_groups:  # ranked across groups, shown by group: two sorts
        zeros = np.zeros(len(keys), dtype=np.intp)
        return order, rank_rows(keys[np.newaxis, :], by_name, zeros, ranked, ties)[0][order]
    if not grouped and ranked.all():  # the usual case: one run, every unit in it
        ordered = neg[order][np.newaxis, :]
        del neg  # a million units: one array fewer at the peak
        return order, tie_ranks(ordered, ties)[0]
    ranks = np.full(len(keys), np.nan)
    rows = np.flatnonzero(ranked[order])  # the ranked units' places in the order
    codes = group_codes[order[rows]]
    starts = [0, *(np.flatnonzero(codes[1:] != codes[:-1]) + 1).tolist(), rows.size]
    for a, b in itertools.pairwise(starts):
        if b > a:
            ranks[rows[a:b]] = tie_ranks(neg[order[rows[a:b]]][np.newaxis, :], ties)[0]
    return order, ranks
