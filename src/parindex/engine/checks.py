"""Entry and sum checks: every entry of a sheet is resolved to a slot, turned from a value
into points by its rule, checked against its bounds and N/A permission, and laid out as
dense arrays; a node given together with one of its ancestors is an overlap; and, once
points are summed up the tree, no sum may exceed its node's maximum (điểm tối đa)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from parindex._numbers import TOLERANCE
from parindex.engine.arrays import DenseSheet, SheetColumns, row_of
from parindex.engine.compile import TOTAL, BoolArray, Compiled, FloatArray
from parindex.errors import (
    NotApplicableError,
    OverlapError,
    PointsOutOfRangeError,
    ScoreSheetError,
    ScoreSheetErrors,
    UnknownNodeError,
)
from parindex.rules import RateScale

__all__ = ["check_sums", "dense_columns", "is_view_of", "outside_bound"]


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


def is_view_of(a: npt.NDArray[np.generic], value: bool) -> bool:
    """Whether ``a`` is a broadcast view of the single ``value`` (known without a pass).

    Example:
        >>> import numpy as np
        >>> from parindex.engine.checks import is_view_of
        >>> is_view_of(np.broadcast_to(np.False_, (3, 4)), False), is_view_of(np.zeros(2), False)
        (True, False)
    """
    return a.size > 0 and not any(a.strides) and bool(a.flat[0]) is value


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


def outside_bound(x: FloatArray, bound: FloatArray | float) -> BoolArray:
    """Where given points (NaN: not given) are negative, infinite or above ``bound``
    by more than the float tolerance; an infinite bound (no maximum known) still
    refuses infinity.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.checks import outside_bound
        >>> outside_bound(np.array([-1.0, 0.0, 10.0, 10.5, np.nan, np.inf]), 10.0).tolist()
        [True, False, False, True, False, True]
    """
    with np.errstate(invalid="ignore"):
        out: BoolArray = (x < 0) | (x > np.add(bound, TOLERANCE)) | np.isinf(x)
    return out


def _check_entries(
    c: Compiled,
    cols: SheetColumns,
    slot: npt.NDArray[np.intp],
    pts: FloatArray,
    problems: _Problems,
) -> BoolArray:
    """Range and N/A checks on given points (and on the points values give); returns
    the rows that passed."""
    valid = slot >= 0
    bound = np.where(valid, c.bound[np.maximum(slot, 0)], np.inf)
    bad = np.zeros(len(slot), dtype=bool)
    # Self-assessed and appraised points ride along into the results: same bounds. A
    # value's points are bounded by its rule only where the leaf's maximum is known;
    # elsewhere the bound inherited from the nearest known ancestor applies to them too.
    outside: dict[str, tuple[FloatArray, BoolArray]] = {}
    for name in ("points", "self_points", "appraised_points", "value"):
        x = pts if name == "value" else getattr(cols, name)
        out = valid & outside_bound(x, bound)
        if out.any():
            outside[name] = (x, out)
            bad |= out
    # One problem per entry, naming each of its columns out of range: the same 11
    # points given as points and as appraised points are one mistake, not two.
    for r in np.flatnonzero(bad):
        unit, node = cols.units[cols.unit_idx[r]], c.slot_ids[slot[r]]
        limit = (
            f"outside 0-{bound[r]:g}"
            if math.isfinite(bound[r])
            else "is not a finite number >= 0 (no maximum is known here)"
        )
        named = [(name, x[r]) for name, (x, out) in outside.items() if out[r]]
        parts = [
            f"value {cols.values[r]!r} gives {v:g} points," if name == "value" else f"{name} {v:g}"
            for name, v in named
        ]
        first, shown = named[0]
        said = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        problems.add(
            PointsOutOfRangeError(
                f"{_where(unit, node)}: {said} {limit}",
                unit=unit,
                node=node,
                value=cols.values[r] if first == "value" else float(shown),
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
    row = row_of(present)  # the same slots for every unit: that row says it all
    given_cols: list[bool] = (np.any(present, axis=0) if row is None else row).tolist()
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


def _report_order(c: Compiled) -> npt.NDArray[np.intp]:
    """Rank of each slot when reporting sums: deepest nodes first (where the excess
    enters), then the score components, then the total."""
    rank = np.empty(len(c.slot_ids), dtype=np.intp)
    rank[list(c.postorder)] = np.arange(c.n_nodes)
    rank[c.n_nodes :] = np.arange(c.n_nodes, len(c.slot_ids))
    return rank


def _limit_text(c: Compiled, s: int, applicable: float) -> str:
    """What a sum at slot ``s`` was held to: its (applicable) maximum, or the nearest
    known ancestor's."""
    full = float(c.maxima[s])
    if math.isnan(applicable) and not math.isnan(full):
        # A part of unknown maximum is not applicable: only the full maximum is known.
        return f"its maximum {full:g}"
    if math.isnan(applicable):
        k = int(c.parent[s]) if s < c.n_nodes else -1
        while k >= 0 and math.isnan(c.maxima[k]):
            k = int(c.parent[k])
        holder = repr(c.slot_ids[k]) if k >= 0 else "the total"
        return f"{c.bound[s]:g}, the maximum of {holder}, which contains it (its own is unknown)"
    if applicable < full - TOLERANCE:
        return (
            f"its applicable maximum {applicable:g} ({full:g} less {full - applicable:g} "
            "for parts not applicable)"
        )
    return f"its maximum {applicable:g}"


def _sum_error(
    c: Compiled,
    unit: str,
    s: int,
    row: FloatArray,
    na_row: BoolArray,
    applicable: float,
    name: str,
    from_components: bool,
) -> PointsOutOfRangeError:
    n, total = c.n_nodes, c.total_slot
    if s == total and from_components:
        parts, what = tuple(range(n, total)), "score components"
    else:
        parts, what = c.children[s], ("fields" if s == total else "children")
    given = [k for k in parts if not math.isnan(row[k]) and not na_row[k]]
    shown = ", ".join(f"{c.slot_ids[k]} = {row[k]:g}" for k in given[:8])
    shown += ", ..." if len(given) > 8 else ""
    node = c.slot_ids[s]
    return PointsOutOfRangeError(
        f"{_where(unit, node)}: {name} add up to {row[s]:g}, more than "
        f"{_limit_text(c, s, applicable)}; the sum of the {what} given ({shown})",
        unit=unit,
        node=node,
        value=float(row[s]),
    )


def check_sums(
    c: Compiled,
    units: Sequence[str],
    points: FloatArray,
    max_points: FloatArray,
    na: BoolArray,
    problems: _Problems,
    *,
    name: str = "points",
    from_components: BoolArray | None = None,
    slots: Sequence[int] | None = None,
) -> None:
    """Refuse summed points above their node's maximum (điểm tối đa), at every depth.

    ``points``, ``max_points`` (the applicable maximum, NaN when unknown) and ``na``
    are ``units x slots``. Where a node's maximum is unknown, the nearest known
    ancestor's (``Compiled.bound``) holds. One comparison of the whole matrix against
    the maxima finds the offending cells; messages are built for those only, the
    deepest node of each unit first. ``from_components`` marks the units whose total
    is the sum of their score components (for the message). ``slots``: check those
    only (default: all), e.g. the sums when the entries were bounded already.

    Example:
        >>> import numpy as np
        >>> import parindex
        >>> from parindex.engine.checks import _Problems, check_sums
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> pts = np.full((1, len(c.slot_ids)), np.nan)
        >>> pts[0, :7] = 90.0  # seven fields of unknown maximum, 90 points each
        >>> pts[0, c.total_slot] = 630.0
        >>> check_sums(c, ["A"], pts, np.broadcast_to(c.maxima, pts.shape),
        ...            np.zeros(pts.shape, dtype=bool), _Problems(collect_all=False))
        Traceback (most recent call last):
        ...
        parindex.errors.PointsOutOfRangeError: unit 'A', node 'total': points add up to 630, more than its maximum 100; the sum of the fields given (1 = 90, 2 = 90, 3 = 90, 4 = 90, 5 = 90, 6 = 90, 7 = 90)
    """
    # NaN points (unknown) never compare greater: they pass.
    checked = range(points.shape[1]) if slots is None else slots
    same_maxima = bool(max_points.shape[0]) and not max_points.strides[0]
    has_na = not is_view_of(na, False)
    # Column by column into one reused column: no units x slots temporary adds to the
    # batch's peak memory; offending cells are collected only where a column has one.
    over = np.empty(points.shape[0], dtype=bool)
    found_u: list[npt.NDArray[np.intp]] = []
    found_s: list[int] = []
    with np.errstate(invalid="ignore"):
        for s in checked:
            limit: FloatArray | float
            if same_maxima:  # the same maxima for every unit (nothing N/A): one number
                mx = float(max_points[0, s])
                limit = (float(c.bound[s]) if math.isnan(mx) else mx) + TOLERANCE
            else:  # maxima re-based per unit
                column = max_points[:, s]
                limit = np.where(np.isnan(column), c.bound[s], column) + TOLERANCE
            np.greater(points[:, s], limit, out=over)
            if has_na:
                over &= ~na[:, s]  # not applicable: no points, no maximum
            if over.any():
                found_u.append(np.flatnonzero(over))
                found_s.append(s)
    if not found_u:
        return
    u_of = np.concatenate(found_u)
    s_of = np.repeat(np.array(found_s, dtype=np.intp), [len(u) for u in found_u])
    rank = _report_order(c)
    for k in np.lexsort((rank[s_of], u_of)):
        u, s = int(u_of[k]), int(s_of[k])
        problems.add(
            _sum_error(
                c,
                units[u],
                s,
                points[u],
                na[u],
                float(max_points[u, s]),
                name,
                from_components is not None and bool(from_components[u]),
            )
        )


def dense_columns(
    c: Compiled,
    cols: SheetColumns,
    *,
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> DenseSheet:
    """Check every entry and lay a columnar sheet out as dense ``units x slots`` arrays.

    Example:
        A node marked not applicable is present, with no points:

        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> c = compile_methodology(parindex.get_methodology("illustrative-district"))
        >>> sheet = parindex.ScoreSheet.from_records([{"unit": "A", "node": "1.3.1", "status": "na"}])
        >>> dense = dense_columns(c, sheet_columns(sheet))
        >>> s = c.pos["1.3.1"]
        >>> bool(dense.present[0, s]), bool(dense.na_given[0, s]), float(dense.given[0, s])
        (True, True, nan)
    """
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
