"""Entry checks: every entry of a sheet is resolved to a slot, turned from a value into
points by its rule, checked against its bounds and N/A permission, and laid out as
dense arrays; a node given together with one of its ancestors is an overlap."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from parindex.engine.arrays import DenseSheet, SheetColumns
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

__all__ = ["dense_columns"]


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


def dense_columns(
    c: Compiled,
    cols: SheetColumns,
    *,
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> DenseSheet:
    """Check every entry and lay a columnar sheet out as dense ``units x slots`` arrays.

    Example:
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> from parindex.engine.scores import sheet_columns
        >>> cols = sheet_columns(parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "appraisal", "points": 60},
        ...     {"unit": "A", "node": "survey", "points": 30},
        ... ]))
        >>> dense = dense_columns(c, cols)
        >>> dense.present[0, c.n_nodes :].tolist()
        [True, True, False]
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
