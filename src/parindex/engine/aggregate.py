"""The scoring engine: pure, vectorised over units, deterministic.

The tree is compiled once per methodology into index arrays ("slots": every node in
pre-order, then the score components, then the total). A sheet becomes dense
``units x slots`` arrays; rules turn values into points one leaf column at a time; then
one bottom-up pass sums children in their fixed order. Scoring one unit is scoring a
batch of one, so the two paths perform the same float operations and agree exactly.

Policies (documented in docs/concepts):
- not applicable (N/A): the node leaves both the numerator and the maximum of every
  ancestor ("re-basing"); an index over a fully N/A node is N/A.
- missing: when some but not all children of a node are given, ``error`` (default)
  raises, ``zero`` scores the gaps as 0 points, ``unknown`` leaves the node and its
  ancestors unknown.
- the total comes from the tree (fields) or from the score components; when both are
  complete they must agree (to 1e-6) or the sheet is refused.
- sums are bounded: a node's points (and self-assessed or appraised points), summed
  from its children or score components, never exceed its applicable maximum, or the
  nearest known ancestor's maximum where its own is unknown; else the sheet is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from parindex._numbers import CONFLICT_TOLERANCE
from parindex.engine.arrays import (
    BatchResult,
    DenseSheet,
    MissingPolicy,
    SheetColumns,
    row_of,
    unit_array,
)
from parindex.engine.checks import (
    _check_overlap,
    _Problems,
    check_sums,
    dense_columns,
    is_view_of,
)
from parindex.engine.compile import TOTAL, BoolArray, Compiled, FloatArray
from parindex.engine.components import derive_method_components
from parindex.errors import ConflictError, MissingDataError
from parindex.rules import RateScale

__all__ = ["score_columns", "score_dense"]


def _aggregate(
    c: Compiled,
    given: FloatArray,
    present: BoolArray,
    na_given: BoolArray,
    missing: MissingPolicy,
    report: Callable[[int, int, list[int]], None] | None,
    *,
    inplace: bool = False,
) -> tuple[FloatArray, BoolArray, BoolArray, FloatArray | None]:
    """Bottom-up sums. Returns (points, the total's coverage, na, lost maximum).

    The lost maximum is ``None`` when nothing is N/A (then nothing is lost anywhere).
    ``inplace`` sums into ``given`` itself when it is column-major (the caller owns it).
    """
    total = c.total_slot
    n_units, size = given.shape
    # Column-major copies: the loop reads and writes one slot (column) at a time.
    pts = given if inplace and given.flags.f_contiguous else np.array(given, order="F")
    track = not is_view_of(na_given, False) and bool(na_given.any())
    # Nothing N/A: no node can become N/A and no maximum is lost; skip both.
    na = np.array(na_given, order="F") if track else np.broadcast_to(np.False_, given.shape)
    lost = np.asfortranarray(np.where(na_given, c.maxima[np.newaxis, :], 0.0)) if track else None
    # Per-column facts known without looking at rows: whole column covered, no row N/A.
    # A node whose children are all fully covered and N/A-free, with no points of its
    # own, is just the sum of its children: the fast branch below does exactly the
    # general branch's float operations (0 + a + b + ..., in the same order).
    row = row_of(present)  # every unit gives the same slots: the facts are that row's
    full: list[bool] = (np.all(present, axis=0) if row is None else row).tolist()
    own_any: list[bool] = (np.any(present, axis=0) if row is None else row).tolist()
    na_free: list[bool] = (
        [True] * size if not track else np.logical_not(np.any(na_given, axis=0)).tolist()
    )
    # Coverage column by column: a view of ``present`` until a sum changes it, one
    # shared all-True column where every unit is covered (no units x slots copy).
    every = np.ones(n_units, dtype=bool)
    covered: list[BoolArray] = [every if full[k] else present[:, k] for k in range(size)]
    for j in (*c.postorder, total):
        ch = c.children[j]
        if not ch:
            continue
        if (
            c.derivable[j]
            and not own_any[j]
            and all(full[k] for k in ch)
            and all(na_free[k] for k in ch)
        ):
            s = np.zeros(n_units)
            for k in ch:
                s += pts[:, k]
            pts[:, j] = s
            covered[j] = every
            if lost is not None:
                lsum = np.zeros(n_units)
                for k in ch:
                    lsum += lost[:, k]
                lost[:, j] = lsum
                na[:, j] = False
            full[j] = na_free[j] = True
            continue
        own = present[:, j]
        s = np.zeros(n_units)
        lsum = np.zeros(n_units)
        any_cov = np.zeros(n_units, dtype=bool)
        all_cov = np.ones(n_units, dtype=bool)
        all_na = np.ones(n_units, dtype=bool)
        for k in ch:  # fixed order: the same float operations for any batch size
            contrib = np.where(na[:, k], 0.0, pts[:, k])
            if missing == "zero":
                contrib = np.where(covered[k], contrib, 0.0)
            s = s + contrib
            if lost is not None:
                lsum = lsum + lost[:, k]
            any_cov |= covered[k]
            all_cov &= covered[k]
            all_na &= na[:, k]
        if not c.derivable[j]:
            # Unlisted children may exist: the listed ones do not determine this node.
            pts[:, j] = np.where(own, pts[:, j], np.nan)
            covered[j] = own | any_cov
            if lost is not None:
                lost[:, j] = np.where(own, lost[:, j], np.where(any_cov, lsum, 0.0))
            full[j] = bool(covered[j].all())
            na_free[j] = not track or not na[:, j].any()
            if j == total:
                break
            continue
        partial = ~own & any_cov & ~all_cov
        if report is not None and missing == "error":
            for u in np.flatnonzero(partial):
                report(int(u), j, [k for k in ch if not covered[k][u]])
        if missing == "unknown":
            s = np.where(partial, np.nan, s)
        pts[:, j] = np.where(own, pts[:, j], np.where(any_cov, s, np.nan))
        covered[j] = own | any_cov
        node_na = ~own & any_cov & all_na
        if lost is not None:
            na[:, j] = np.where(own, na_given[:, j], node_na)
            lost[:, j] = np.where(
                own, lost[:, j], np.where(node_na, c.maxima[j], np.where(any_cov, lsum, 0.0))
            )
        full[j] = bool(covered[j].all())
        na_free[j] = not track or not na[:, j].any()
    return pts, covered[total], na, lost


def _tree_only(c: Compiled, present: BoolArray) -> BoolArray:
    """``present`` without the score components (the tree's own entries)."""
    n, total = c.n_nodes, c.total_slot
    if not c.n_components:
        return present  # read only: no copy needed
    row = row_of(present)
    if row is not None:  # one row for every unit: so is the result
        tree_row = row.copy()
        tree_row[n:total] = False
        return np.broadcast_to(tree_row, present.shape)
    tree_only = present.copy()
    tree_only[:, n:total] = False
    return tree_only


def _summed_slots(c: Compiled) -> list[int]:
    """The slots whose points are sums: nodes with children, and the total."""
    return [s for s in range(c.total_slot) if c.children[s]] + [c.total_slot]


def _nan_view(shape: tuple[int, ...]) -> FloatArray:
    """A read-only all-NaN array of ``shape`` that takes no memory."""
    return np.broadcast_to(np.float64(np.nan), shape)


def _all_nan(a: FloatArray) -> bool:
    """Whether every entry is NaN; a broadcast NaN view is known without a pass."""
    if a.size > 0 and not any(a.strides):
        return bool(np.isnan(a.flat[0]))
    return bool(np.isnan(a).all())


def _extra_sums(
    c: Compiled,
    given: FloatArray,
    tree_only: BoolArray,
    na_given: BoolArray,
    na: BoolArray,
    extras: bool,
    cache: dict[str, FloatArray] | None = None,
) -> FloatArray:
    """Self-assessed or appraised sums (bottom-up, ``missing="unknown"``).

    When none are given the sum is known without the loop: 0 where a node is N/A by
    its children (N/A children add 0) and NaN everywhere else, because N/A status
    never depends on the values. ``na`` is the N/A status from the main pass.
    """
    if not extras:
        return _nan_view(given.shape)
    if _all_nan(given):
        cache = {} if cache is None else cache
        if "absent" in cache:
            return cache["absent"].copy()
        if is_view_of(na, False):  # nothing N/A: no node sums to 0 by N/A children
            return _nan_view(given.shape)
        summed = np.array([bool(ch) for ch in c.children])  # slots the loop computes
        zero = na & ~tree_only & summed[np.newaxis, :]
        if not zero.any():
            return _nan_view(given.shape)  # shared, read-only: costs no memory
        cache["absent"] = np.where(zero, 0.0, np.nan)
        return cache["absent"]
    return _aggregate(c, given, tree_only, na_given, "unknown", None)[0]


def score_columns(
    c: Compiled,
    cols: SheetColumns,
    *,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> BatchResult:
    """Score a columnar sheet. Pure: inputs are not modified.

    Example:
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> c = compile_methodology(parindex.get_methodology("province-2017"))
        >>> batch = score_columns(c, sheet_columns(parindex.load_sheet("examples/daklak-2017.csv")))
        >>> float(batch.points[0, c.total_slot])
        75.37
    """
    dense = dense_columns(c, cols, rate_scale=rate_scale, collect_all=collect_all)
    return score_dense(c, cols.units, cols.groups, dense, missing=missing, collect_all=collect_all)


def score_dense(
    c: Compiled,
    units: Sequence[str],
    groups: tuple[str | None, ...],
    dense: DenseSheet,
    *,
    missing: MissingPolicy = "error",
    collect_all: bool = False,
    extras: bool = True,
    inplace: bool = False,
    overlap_checked: bool = False,
) -> BatchResult:
    """Score dense arrays whose entries already passed the per-entry checks.

    The second half of :func:`score_columns`, shared by the fast batch and Monte Carlo
    paths; ``extras=False`` skips the self-assessed and appraised sums (left NaN);
    ``inplace=True`` lets the sums overwrite ``dense.given`` (the caller owns it);
    ``overlap_checked=True`` skips the overlap check (the same entries passed it before).

    Example:
        Two score components given, as a Monte Carlo draw lays them out:

        >>> import numpy as np
        >>> import parindex
        >>> from parindex.engine.arrays import DenseSheet
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> given = np.full((1, len(c.slot_ids)), np.nan)
        >>> given[0, [c.pos["appraisal"], c.pos["survey"]]] = 60.0, 30.0
        >>> unset = np.zeros(given.shape, dtype=bool)
        >>> dense = DenseSheet(given, ~np.isnan(given), unset, given * np.nan, given * np.nan)
        >>> float(score_dense(c, ("A",), (None,), dense, extras=False).index[0, c.total_slot])
        90.0
    """
    problems = _Problems(collect_all)
    given, present, na_given = dense.given, dense.present, dense.na_given
    n_units = given.shape[0]
    if not overlap_checked:
        _check_overlap(c, units, present, problems)
        problems.raise_if_any()

    n, total = c.n_nodes, c.total_slot
    comp_cov_all: BoolArray = (
        np.asarray(np.all(present[:, n:total], axis=1), dtype=bool)
        if c.n_components
        else np.zeros(n_units, dtype=bool)
    )

    def report(u: int, j: int, gaps: list[int]) -> None:
        if j == total and bool(comp_cov_all[u]) and gaps[0] < n:
            return  # the score components give the total: some fields alone are fine
        names = ", ".join(c.slot_ids[k] for k in gaps)
        where = "the total" if j == c.total_slot else f"node {c.slot_ids[j]!r}"
        problems.add(
            MissingDataError(
                f"unit {units[u]!r}: {where} is only partly given; missing {names} "
                "(pass missing='zero' or missing='unknown' to score anyway)",
                unit=units[u],
                node=c.slot_ids[j],
                value=names,
            )
        )

    tree_only = _tree_only(c, present)
    pts, tree_cov, na, lost = _aggregate(
        c, given, tree_only, na_given, missing, report, inplace=inplace
    )
    cache: dict[str, FloatArray] = {}
    self_pts = _extra_sums(c, dense.self_given, tree_only, na_given, na, extras, cache)
    appr_pts = _extra_sums(c, dense.appr_given, tree_only, na_given, na, extras, cache)

    # Score components: a second partition of the total.
    comp = slice(n, total)
    comp_present = present[:, comp]
    comp_na = na_given[:, comp]
    comp_cov_any = comp_present.any(axis=1) if c.n_components else np.zeros(n_units, dtype=bool)
    comp_sum = np.zeros(n_units)
    comp_lost = np.zeros(n_units)
    for k in range(n, total):
        comp_sum = comp_sum + np.where(
            na_given[:, k], 0.0, np.where(present[:, k], given[:, k], 0.0)
        )
        comp_lost = comp_lost + np.where(na_given[:, k], c.maxima[k], 0.0)
    comp_partial = comp_cov_any & ~comp_cov_all
    for u in map(int, np.flatnonzero(comp_partial)):
        gaps = [k for k in range(n, total) if not comp_present[u, k - n]]
        if missing == "error":
            report(int(u), total, gaps)
    comp_known = comp_cov_all | (comp_partial & (missing == "zero"))
    comp_total = np.where(comp_known, comp_sum, np.nan)

    tree_total = pts[:, total].copy()
    del tree_only
    for u in map(int, np.flatnonzero(~tree_cov & ~comp_cov_any)):
        if missing == "error":
            problems.add(
                MissingDataError(
                    f"unit {units[u]!r}: no points for any node or score component",
                    unit=units[u],
                )
            )
    both = ~np.isnan(tree_total) & ~np.isnan(comp_total)
    clash = both & (np.abs(tree_total - comp_total) > CONFLICT_TOLERANCE)
    for u in map(int, np.flatnonzero(clash)):
        problems.add(
            ConflictError(
                f"unit {units[u]!r}: fields add up to {tree_total[u]:.6g} but score components "
                f"add up to {comp_total[u]:.6g}",
                unit=units[u],
                node=TOTAL,
                value=(float(tree_total[u]), float(comp_total[u])),
            )
        )
    # Raised after the sum check below, so that collect_all reports every problem.

    use_tree = tree_cov & ~np.isnan(tree_total) | (tree_cov & ~comp_known)
    pts[:, total] = np.where(use_tree, tree_total, comp_total)
    pts[:, comp] = np.where(comp_na, np.nan, given[:, comp])
    if lost is not None:
        na[:, comp] = comp_na

    # The index is left to BatchResult: computed for the slots asked (the total, for a
    # ranking), or all of them on first use, with the same float operations.
    max_points: FloatArray
    if lost is None:  # nothing N/A: every applicable maximum is the full maximum
        max_points = np.broadcast_to(c.maxima[np.newaxis, :] - 0.0, pts.shape)
    else:
        lost[:, total] = np.where(use_tree | ~comp_cov_any, lost[:, total], comp_lost)
        lost[:, comp] = np.where(comp_na, c.maxima[np.newaxis, comp], 0.0)
        max_points = np.subtract(c.maxima[np.newaxis, :], lost, out=lost)
        max_points[na] = 0.0
    # Entries were bounded when checked: only the sums (nodes with children, and the
    # total) can exceed a maximum.
    summed = _summed_slots(c)
    check_sums(
        c,
        units,
        pts,
        max_points,
        na,
        problems,
        from_components=~use_tree & comp_cov_any,
        slots=summed,
    )
    for name, extra in (("self_points", self_pts), ("appraised_points", appr_pts)):
        if not _all_nan(extra):  # none given: nothing was summed
            check_sums(c, units, extra, max_points, na, problems, name=name, slots=summed)
    problems.raise_if_any()
    batch = BatchResult(
        compiled=c,
        # A tuple or names left in their array (lazy_units) are kept as they are.
        units=units if isinstance(units, tuple) or unit_array(units) is not None else tuple(units),
        groups=groups,
        points=pts,
        max_points=max_points,
        _index=None,
        na=na,
        self_points=self_pts,
        appraised_points=appr_pts,
    )
    return derive_method_components(batch)
