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
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex._components import derive_method_components
from parindex._model import Methodology
from parindex.errors import (
    ConflictError,
    MissingDataError,
    NotApplicableError,
    OverlapError,
    PointsOutOfRangeError,
    ScoreSheetError,
    ScoreSheetErrors,
    UnknownNodeError,
)
from parindex.rules import RateScale, Rule

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
MissingPolicy: TypeAlias = Literal["error", "zero", "unknown"]

TOTAL = "total"
"""Reserved slot id for points given for the whole index."""
_CONFLICT_TOL = 1e-6


@attrs.frozen(eq=False)
class Compiled:
    """A methodology flattened into arrays for scoring."""

    methodology: Methodology
    slot_ids: tuple[str, ...]
    n_nodes: int
    n_components: int
    parent: npt.NDArray[np.intp]
    children: tuple[tuple[int, ...], ...]
    depth: npt.NDArray[np.intp]
    maxima: FloatArray
    bound: FloatArray
    rules: tuple[Rule | None, ...]
    allow_na: BoolArray
    derivable: BoolArray
    postorder: tuple[int, ...]
    top: tuple[int, ...]
    pos: dict[str, int]

    @property
    def total_slot(self) -> int:
        """Slot of the total."""
        return self.n_nodes + self.n_components


def compile_methodology(m: Methodology) -> Compiled:
    """Compile (and cache on a side table keyed by identity) a methodology."""
    cached = _compiled_cache.get(id(m))
    if cached is not None and cached.methodology is m:
        return cached
    nodes = list(m.nodes())
    pos = {n.id: i for i, n in enumerate(nodes)}
    n_nodes = len(nodes)
    comps = list(m.components)
    for k, c in enumerate(comps):
        pos[c.id] = n_nodes + k
    pos[TOTAL] = n_nodes + len(comps)
    size = n_nodes + len(comps) + 1
    parent = np.full(size, -1, dtype=np.intp)
    depth = np.zeros(size, dtype=np.intp)
    maxima = np.full(size, np.nan)
    children: list[tuple[int, ...]] = [() for _ in range(size)]
    rules: list[Rule | None] = [None] * size
    allow_na = np.zeros(size, dtype=bool)
    derivable = np.zeros(size, dtype=bool)
    for i, n in enumerate(nodes):
        p = m.parent_of(n.id)
        parent[i] = -1 if p is None else pos[p]
        depth[i] = n.id.count(".") + 1
        mx = m.max_points_of(n.id)
        maxima[i] = np.nan if mx is None else mx
        children[i] = tuple(pos[c.id] for c in n.children)
        rules[i] = n.rule
        allow_na[i] = n.allow_na
        derivable[i] = m.children_exhaustive(n.id)
    for k, c in enumerate(comps):
        maxima[n_nodes + k] = np.nan if c.max_points is None else c.max_points
        allow_na[n_nodes + k] = c.allow_na
    total = n_nodes + len(comps)
    # An unknown total maximum stays unknown (NaN): it is never derived from the
    # fields' or components' maxima, so the total's index is unknown too.
    total_max = math.nan if m.total_max is None else m.total_max
    maxima[total] = total_max
    top = tuple(pos[n.id] for n in m.tree)
    children[total] = top
    derivable[total] = m.children_exhaustive(None)
    # The bound for given points: the node's maximum, else the nearest known ancestor's,
    # else none at all (points must still be finite and >= 0).
    top_bound = math.inf if m.total_max is None else m.total_max
    bound = np.full(size, top_bound)
    for i in range(n_nodes):
        up = (
            maxima[i]
            if not math.isnan(maxima[i])
            else bound[parent[i]]
            if parent[i] >= 0
            else top_bound
        )
        bound[i] = up
    for k in range(len(comps)):
        if not math.isnan(maxima[n_nodes + k]):
            bound[n_nodes + k] = maxima[n_nodes + k]
    postorder = tuple(sorted(range(n_nodes), key=lambda i: -depth[i]))
    compiled = Compiled(
        methodology=m,
        slot_ids=tuple(pos),
        n_nodes=n_nodes,
        n_components=len(comps),
        parent=parent,
        children=tuple(children),
        depth=depth,
        maxima=maxima,
        bound=bound,
        rules=tuple(rules),
        allow_na=allow_na,
        derivable=derivable,
        postorder=postorder,
        top=top,
        pos=pos,
    )
    _compiled_cache[id(m)] = compiled
    if len(_compiled_cache) > 256:
        _compiled_cache.pop(next(iter(_compiled_cache)))
    return compiled


_compiled_cache: dict[int, Compiled] = {}


@attrs.frozen(eq=False)
class SheetColumns:
    """A sheet as columns (one row per entry); units and groups indexed."""

    units: tuple[str, ...]
    groups: tuple[str | None, ...]
    unit_idx: npt.NDArray[np.intp]
    node: npt.NDArray[np.object_]
    points: FloatArray
    values: npt.NDArray[np.object_]
    has_value: BoolArray
    na: BoolArray
    self_points: FloatArray
    appraised_points: FloatArray


@attrs.frozen(eq=False)
class BatchResult:
    """Dense results: ``units x slots`` arrays (NaN = unknown)."""

    compiled: Compiled
    units: tuple[str, ...]
    groups: tuple[str | None, ...]
    points: FloatArray
    max_points: FloatArray
    index: FloatArray
    na: BoolArray
    self_points: FloatArray
    appraised_points: FloatArray


class _Problems:
    def __init__(self, collect_all: bool) -> None:
        self.collect_all = collect_all
        self.items: list[ScoreSheetError] = []

    def add(self, err: ScoreSheetError) -> None:
        if not self.collect_all:
            raise err
        self.items.append(err)

    def raise_if_any(self) -> None:
        if len(self.items) == 1:
            raise self.items[0]
        if self.items:
            raise ScoreSheetErrors(f"{len(self.items)} problems in the score sheet", self.items)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def _to_float(v: object) -> float:
    """A number as float; NaN (re-read, and refused, by the rule) when it overflows."""
    try:
        return float(v)  # type: ignore[arg-type]
    except OverflowError:
        return math.nan


def _where(unit: str, node: str) -> str:
    return f"unit {unit!r}, node {node!r}"


def _values_to_points(
    c: Compiled,
    cols: SheetColumns,
    slot: npt.NDArray[np.intp],
    rate_scale: RateScale | None,
    problems: _Problems,
) -> tuple[FloatArray, BoolArray]:
    """Points for entries that carry a value; returns (points, ok mask)."""
    pts = np.full(len(slot), np.nan)
    ok = np.ones(len(slot), dtype=bool)
    rows = np.flatnonzero(cols.has_value & (slot >= 0))  # unknown nodes are reported elsewhere
    if rows.size == 0:
        return pts, ok
    order = rows[np.argsort(slot[rows], kind="stable")]
    boundaries = np.flatnonzero(np.diff(slot[order])) + 1
    for group in np.split(order, boundaries):
        s = int(slot[group[0]])
        rule = c.rules[s] if s < c.n_nodes else None
        node_id = c.slot_ids[s]
        mx = float(c.maxima[s])
        max_points = None if math.isnan(mx) else mx
        if rule is None:
            for r in group:
                problems.add(
                    ScoreSheetError(
                        f"{_where(cols.units[cols.unit_idx[r]], node_id)}: a value "
                        f"({cols.values[r]!r}) was given but the node has no rule in "
                        f"{c.methodology.id}; give points instead",
                        unit=cols.units[cols.unit_idx[r]],
                        node=node_id,
                        value=cols.values[r],
                    )
                )
                ok[r] = False
            continue
        raw = cols.values[group]
        numeric = np.fromiter((_is_number(v) for v in raw), dtype=bool, count=len(group))
        measures = np.full(len(group), np.nan)
        if numeric.any():
            nums = np.array([_to_float(v) for v in raw[numeric]], dtype=np.float64)
            measures[numeric] = rule.measures(nums, max_points=max_points, rate_scale=rate_scale)
        for k in np.flatnonzero(~numeric | np.isnan(measures)):
            r = group[k]
            unit = cols.units[cols.unit_idx[r]]
            try:
                measures[k] = rule.parse(raw[k], max_points=max_points, rate_scale=rate_scale)
            except ScoreSheetError as err:
                problems.add(
                    type(err)(
                        f"{_where(unit, node_id)}: {err}", unit=unit, node=node_id, value=raw[k]
                    )
                )
                ok[r] = False
        good = ~np.isnan(measures)
        if good.any():
            if rule.kind in ("proportional", "deduction") and max_points is None:
                raise AssertionError(
                    "methodology validation guarantees a maximum"
                )  # pragma: no cover
            pts[group[good]] = rule.points(
                measures[good], 0.0 if max_points is None else max_points
            )
    return pts, ok


def _resolve_slots(c: Compiled, cols: SheetColumns, problems: _Problems) -> npt.NDArray[np.intp]:
    slot = np.full(len(cols.node), -1, dtype=np.intp)
    lookup = c.pos
    # dict.get mapped in C: one lookup per entry without a Python-level loop body.
    slot[:] = np.fromiter(
        map(lookup.get, cols.node.tolist(), itertools.repeat(-1)), dtype=np.intp, count=len(slot)
    )
    for r in np.flatnonzero(slot < 0):
        node = cols.node[r]
        unit = cols.units[cols.unit_idx[r]]
        known = ", ".join(c.slot_ids[: min(8, len(c.slot_ids))])
        problems.add(
            UnknownNodeError(
                f"{_where(unit, node)}: {c.methodology.id} has no such node or score "
                f"component (it has {known}{', ...' if len(c.slot_ids) > 8 else ''})",
                unit=unit,
                node=node,
                value=node,
            )
        )
    return slot


def _check_entries(
    c: Compiled,
    cols: SheetColumns,
    slot: npt.NDArray[np.intp],
    pts: FloatArray,
    problems: _Problems,
) -> BoolArray:
    """Range and N/A checks on given points; returns the rows that passed."""
    valid = slot >= 0
    bound = np.where(valid, c.bound[np.maximum(slot, 0)], np.inf)
    bad = np.zeros(len(slot), dtype=bool)
    # Self-assessed and appraised points ride along into the results: same bounds.
    for name in ("points", "self_points", "appraised_points"):
        x = getattr(cols, name)
        out = valid & ~np.isnan(x) & ((x < 0) | (x > bound + 1e-9) | ~np.isfinite(x))
        bad |= out
        for r in np.flatnonzero(out):
            unit, node = cols.units[cols.unit_idx[r]], c.slot_ids[slot[r]]
            limit = (
                f"outside 0-{bound[r]:g}"
                if math.isfinite(bound[r])
                else "is not a finite number >= 0 (no maximum is known here)"
            )
            problems.add(
                PointsOutOfRangeError(
                    f"{_where(unit, node)}: {name} {x[r]:g} {limit}",
                    unit=unit,
                    node=node,
                    value=float(x[r]),
                )
            )
    total = c.total_slot
    na_bad = valid & cols.na & (~c.allow_na[np.maximum(slot, 0)] | (slot == total))
    for r in np.flatnonzero(na_bad):
        unit, node = cols.units[cols.unit_idx[r]], c.slot_ids[slot[r]]
        problems.add(
            NotApplicableError(
                f"{_where(unit, node)}: marked not applicable (na), but "
                f"{c.methodology.id} does not allow N/A here",
                unit=unit,
                node=node,
                value="na",
            )
        )
    ok: BoolArray = valid & ~bad & ~na_bad & ~(cols.has_value & np.isnan(pts))
    return ok


def _check_overlap(
    c: Compiled, units: Sequence[str], present: BoolArray, problems: _Problems
) -> None:
    n = c.n_nodes
    total = c.total_slot
    # An overlap needs a node and one of its ancestors both given (for some unit); when
    # no given column has a given ancestor column, no unit can overlap: skip the rows.
    given_cols: list[bool] = np.any(present, axis=0).tolist()
    if not given_cols[total]:
        given_above = [False] * n  # some ancestor column is given
        for j in range(n):  # pre-order: parents come first
            p = int(c.parent[j])
            given_above[j] = p >= 0 and (given_above[p] or given_cols[p])
        if not any(given_cols[j] and given_above[j] for j in range(n)):
            return
    anc = np.zeros((present.shape[0], n), dtype=bool, order="F")
    present = np.asfortranarray(present)
    for j in range(n):  # pre-order: parents come first
        p = c.parent[j]
        anc[:, j] = (anc[:, p] | present[:, p]) if p >= 0 else present[:, total]
    clash = anc & present[:, :n]
    comp_total = present[:, n:total].any(axis=1) & present[:, total]
    for u_np, j_np in zip(*np.nonzero(clash), strict=True):
        u, j = int(u_np), int(j_np)
        k = int(c.parent[j])
        while k >= 0 and not present[u, k]:
            k = int(c.parent[k])
        above = c.slot_ids[k] if k >= 0 else TOTAL
        problems.add(
            OverlapError(
                f"{_where(units[u], c.slot_ids[j])}: points given both here and for "
                f"{above!r}, which contains it; give one level only",
                unit=units[u],
                node=c.slot_ids[j],
                value=above,
            )
        )
    for u in map(int, np.flatnonzero(comp_total)):
        problems.add(
            OverlapError(
                f"{_where(units[u], TOTAL)}: points given both for the total and for score "
                "components; give one level only",
                unit=units[u],
                node=TOTAL,
            )
        )


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
    """Bottom-up sums. Returns (points, covered, na, lost maximum) per slot.

    The lost maximum is ``None`` when nothing is N/A (then nothing is lost anywhere).
    ``inplace`` sums into ``given`` itself when it is column-major (the caller owns it).
    """
    n = c.n_nodes
    total = c.total_slot
    # Column-major copies: the loop reads and writes one slot (column) at a time.
    pts = given if inplace and given.flags.f_contiguous else np.array(given, order="F")
    covered = np.array(present, order="F")
    track = not _is_view_of(na_given, False) and bool(na_given.any())
    # Nothing N/A: no node can become N/A and no maximum is lost; skip both.
    na = np.array(na_given, order="F") if track else np.broadcast_to(np.False_, given.shape)
    lost = np.asfortranarray(np.where(na_given, c.maxima[np.newaxis, :], 0.0)) if track else None
    # Per-column facts known without looking at rows: whole column covered, no row N/A.
    # A node whose children are all fully covered and N/A-free, with no points of its
    # own, is just the sum of its children: the fast branch below does exactly the
    # general branch's float operations (0 + a + b + ..., in the same order).
    full: list[bool] = np.all(present, axis=0).tolist()
    na_free: list[bool] = (
        [True] * given.shape[1] if not track else np.logical_not(np.any(na_given, axis=0)).tolist()
    )
    own_any: list[bool] = np.any(present, axis=0).tolist()
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
            s = np.zeros(given.shape[0])
            for k in ch:
                s += pts[:, k]
            pts[:, j] = s
            covered[:, j] = True
            if lost is not None:
                lsum = np.zeros(given.shape[0])
                for k in ch:
                    lsum += lost[:, k]
                lost[:, j] = lsum
                na[:, j] = False
            full[j] = na_free[j] = True
            continue
        own = present[:, j]
        s = np.zeros(given.shape[0])
        lsum = np.zeros(given.shape[0])
        any_cov = np.zeros(given.shape[0], dtype=bool)
        all_cov = np.ones(given.shape[0], dtype=bool)
        all_na = np.ones(given.shape[0], dtype=bool)
        for k in ch:  # fixed order: the same float operations for any batch size
            contrib = np.where(na[:, k], 0.0, pts[:, k])
            if missing == "zero":
                contrib = np.where(covered[:, k], contrib, 0.0)
            s = s + contrib
            if lost is not None:
                lsum = lsum + lost[:, k]
            any_cov |= covered[:, k]
            all_cov &= covered[:, k]
            all_na &= na[:, k]
        if not c.derivable[j]:
            # Unlisted children may exist: the listed ones do not determine this node.
            pts[:, j] = np.where(own, pts[:, j], np.nan)
            covered[:, j] = own | any_cov
            if lost is not None:
                lost[:, j] = np.where(own, lost[:, j], np.where(any_cov, lsum, 0.0))
            full[j] = bool(covered[:, j].all())
            na_free[j] = not track or not na[:, j].any()
            if j == total:
                break
            continue
        partial = ~own & any_cov & ~all_cov
        if report is not None and missing == "error":
            for u in np.flatnonzero(partial):
                report(int(u), j, [k for k in ch if not covered[u, k]])
        if missing == "unknown":
            s = np.where(partial, np.nan, s)
        pts[:, j] = np.where(own, pts[:, j], np.where(any_cov, s, np.nan))
        covered[:, j] = own | any_cov
        node_na = ~own & any_cov & all_na
        if lost is not None:
            na[:, j] = np.where(own, na_given[:, j], node_na)
            lost[:, j] = np.where(
                own, lost[:, j], np.where(node_na, c.maxima[j], np.where(any_cov, lsum, 0.0))
            )
        full[j] = bool(covered[:, j].all())
        na_free[j] = not track or not na[:, j].any()
    del n
    return pts, covered, na, lost


def _nan_view(shape: tuple[int, ...]) -> FloatArray:
    """A read-only all-NaN array of ``shape`` that takes no memory."""
    return np.broadcast_to(np.float64(np.nan), shape)


def _is_view_of(a: npt.NDArray[np.generic], value: bool) -> bool:
    """Whether ``a`` is a broadcast view of the single ``value`` (known without a pass)."""
    return a.size > 0 and not any(a.strides) and bool(a.flat[0]) is value


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
        if _is_view_of(na, False):  # nothing N/A: no node sums to 0 by N/A children
            return _nan_view(given.shape)
        summed = np.array([bool(ch) for ch in c.children])  # slots the loop computes
        zero = na & ~tree_only & summed[np.newaxis, :]
        if not zero.any():
            return _nan_view(given.shape)  # shared, read-only: costs no memory
        cache["absent"] = np.where(zero, 0.0, np.nan)
        return cache["absent"]
    return _aggregate(c, given, tree_only, na_given, "unknown", None)[0]


def dense_columns(
    c: Compiled,
    cols: SheetColumns,
    *,
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> DenseSheet:
    """Check every entry and lay a columnar sheet out as dense ``units x slots`` arrays."""
    problems = _Problems(collect_all)
    n_units, size = len(cols.units), len(c.slot_ids)
    slot = _resolve_slots(c, cols, problems)
    value_pts, value_ok = _values_to_points(c, cols, slot, rate_scale, problems)
    entry_pts = np.where(cols.has_value, value_pts, cols.points)
    valid = _check_entries(c, cols, slot, value_pts, problems) & value_ok
    problems.raise_if_any()

    rows = np.flatnonzero(valid)
    u_of, s_of = cols.unit_idx[rows], slot[rows]
    given = np.full((n_units, size), np.nan)
    present = np.zeros((n_units, size), dtype=bool)
    na_given = np.zeros((n_units, size), dtype=bool)
    self_given = np.full((n_units, size), np.nan)
    appr_given = np.full((n_units, size), np.nan)
    given[u_of, s_of] = np.where(cols.na[rows], np.nan, entry_pts[rows])
    present[u_of, s_of] = True
    na_given[u_of, s_of] = cols.na[rows]
    self_given[u_of, s_of] = cols.self_points[rows]
    appr_given[u_of, s_of] = cols.appraised_points[rows]
    return DenseSheet(given, present, na_given, self_given, appr_given)


def score_columns(
    c: Compiled,
    cols: SheetColumns,
    *,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> BatchResult:
    """Score a columnar sheet. Pure: inputs are not modified."""
    dense = dense_columns(c, cols, rate_scale=rate_scale, collect_all=collect_all)
    return score_dense(c, cols.units, cols.groups, dense, missing=missing, collect_all=collect_all)


@attrs.frozen(eq=False)
class DenseSheet:
    """A validated sheet as dense ``units x slots`` arrays (NaN = not given)."""

    given: FloatArray
    present: BoolArray
    na_given: BoolArray
    self_given: FloatArray
    appr_given: FloatArray


def score_dense(
    c: Compiled,
    units: tuple[str, ...],
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

    if c.n_components:
        tree_only = present.copy()
        tree_only[:, n:total] = False
    else:
        tree_only = present  # read only below: no copy needed
    pts, covered, na, lost = _aggregate(
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
    for u in np.flatnonzero(comp_partial):
        gaps = [k for k in range(n, total) if not comp_present[u, k - n]]
        if missing == "error":
            report(int(u), total, gaps)
    comp_known = comp_cov_all | (comp_partial & (missing == "zero"))
    comp_total = np.where(comp_known, comp_sum, np.nan)

    tree_total, tree_cov = pts[:, total].copy(), covered[:, total].copy()
    del covered, tree_only  # units x slots arrays no longer needed
    for u in np.flatnonzero(~tree_cov & ~comp_cov_any):
        if missing == "error":
            problems.add(
                MissingDataError(
                    f"unit {units[u]!r}: no points for any node or score component",
                    unit=units[u],
                )
            )
    both = ~np.isnan(tree_total) & ~np.isnan(comp_total)
    clash = both & (np.abs(tree_total - comp_total) > _CONFLICT_TOL)
    for u in np.flatnonzero(clash):
        problems.add(
            ConflictError(
                f"unit {units[u]!r}: fields add up to {tree_total[u]:.6g} but score components "
                f"add up to {comp_total[u]:.6g}",
                unit=units[u],
                node=TOTAL,
                value=(float(tree_total[u]), float(comp_total[u])),
            )
        )
    problems.raise_if_any()

    use_tree = tree_cov & ~np.isnan(tree_total) | (tree_cov & ~comp_known)
    pts[:, total] = np.where(use_tree, tree_total, comp_total)
    pts[:, comp] = np.where(comp_na, np.nan, given[:, comp])
    if lost is not None:
        na[:, comp] = comp_na

    # In place where possible (same float operations as
    # ``where(~na & (max > 0), pts / max * 100, nan)``): a batch of 10,000 units
    # holds several units x slots arrays at once.
    max_points: FloatArray
    if lost is None:  # nothing N/A: every applicable maximum is the full maximum
        max_points = np.broadcast_to(c.maxima[np.newaxis, :] - 0.0, pts.shape)
    else:
        lost[:, total] = np.where(use_tree | ~comp_cov_any, lost[:, total], comp_lost)
        lost[:, comp] = np.where(comp_na, c.maxima[np.newaxis, comp], 0.0)
        max_points = np.subtract(c.maxima[np.newaxis, :], lost, out=lost)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.divide(pts, max_points)
        index *= 100.0
    if lost is None:  # nothing N/A; the maximum is the same for every unit
        # Points are finite (checked on entry), so only a maximum of 0 or unknown can
        # give a non-finite index, and those columns are NaN as a whole.
        index[:, ~(c.maxima > 0)] = np.nan
    else:
        bad = np.isfinite(index)
        np.logical_not(bad, out=bad)
        bad |= na
        bad |= ~(max_points > 0)
        index[bad] = np.nan
        del bad
        max_points[na] = 0.0
    batch = BatchResult(
        compiled=c,
        units=tuple(units),
        groups=groups,
        points=pts,
        max_points=max_points,
        index=index,
        na=na,
        self_points=self_pts,
        appraised_points=appr_pts,
    )
    return derive_method_components(batch)
