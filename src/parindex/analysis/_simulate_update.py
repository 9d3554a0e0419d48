"""Scoring Monte Carlo draws by updating only what the drawn inputs change.

A draw changes the points of the perturbed nodes, and through them the sums of their
ancestors up to the total (and the score components' sum, when a component is drawn);
every other column, and everything the engine derives from the sheet's shape alone
(coverage, N/A status, the applicable maxima), is the unperturbed sheet's. So the sheet
is scored once (the base), and a block of draws recomputes only the changed columns,
``draws x units`` each, with the engine's own float operations in the engine's order
(``0 + a + b + ...`` over the children, N/A and, under ``missing="zero"``, uncovered
children adding 0), so that every index is bit for bit the one a full rescore gives.

The checks a full rescore makes are made on the changed columns: a sum above its
maximum, fields and score components that disagree, a component given that its
leaves now contradict, and a draw whose total switches between the tree and the
components (a sum becoming unknown). Where any of them fires, the block is rescored in
full (:func:`rescore_block`), which raises the engine's error as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set

import attrs
import numpy as np
import numpy.typing as npt

from parindex._numbers import CONFLICT_TOLERANCE, TOLERANCE
from parindex.analysis._simulate_draws import Prepared
from parindex.engine.aggregate import score_dense
from parindex.engine.arrays import BatchResult, DenseSheet, MissingPolicy, index_of
from parindex.engine.compile import BoolArray, Compiled, FloatArray
from parindex.engine.components import method_component_leaves
from parindex.errors import PointsOutOfRangeError

__all__ = ["UpdatePlan", "rescore_block"]

# A child's contribution to a sum: (child slot, its unperturbed contribution, or None
# when the child changes with the draw; where it adds 0 instead, or None for nowhere).
_Term = tuple[int, FloatArray | None, BoolArray | None]


@attrs.frozen(eq=False)
class _Sum:
    """One sum recomputed per block: ``prefix`` (the unchanged terms before the first
    changed one, added once) plus ``terms`` in order. The sum is the value where
    ``summed`` (``None``: for every unit), ``init`` elsewhere (own points, or NaN)."""

    slot: int
    prefix: FloatArray
    terms: tuple[_Term, ...]
    summed: BoolArray | None
    init: FloatArray

    def value(self, cols: dict[int, FloatArray]) -> FloatArray:
        """The sum, ``k x units``, from the changed columns ``cols``."""
        s: FloatArray | None = None
        for child, fixed, zero in self.terms:
            if fixed is not None:
                term = fixed
            else:
                term = cols[child] if zero is None else np.where(zero, 0.0, cols[child])
            if s is None:
                s = self.prefix + term  # a new array: the block's own
            else:
                np.add(s, term, out=s)
        if s is None:  # nothing changed: the unperturbed value
            s = self.prefix
        return s if self.summed is None else np.where(self.summed, s, self.init)


def _plan_sum(
    slot: int,
    children: Sequence[int],
    column: Callable[[int], FloatArray],
    zero: Callable[[int], BoolArray],
    live: Set[int],
    summed: BoolArray | None,
    init: FloatArray,
) -> _Sum:
    """The sum of ``children`` (``0 + a + b + ...`` in their order, a child adding 0
    where ``zero``), the unchanged terms before the first ``live`` one added now."""
    prefix = np.zeros(len(init))
    terms: list[_Term] = []
    for k in children:
        z = zero(k)
        if k in live:
            terms.append((k, None, z if z.any() else None))
            continue
        fixed = np.where(z, 0.0, column(k)) if z.any() else column(k)
        if terms:
            terms.append((k, fixed, None))
        else:
            prefix = prefix + fixed  # as the engine adds it: once, for every draw
    rows = None if summed is None or summed.all() else summed
    return _Sum(slot, prefix, tuple(terms), rows, init)


@attrs.frozen(eq=False)
class _Check:
    """A summed column's bound as ``check_sums`` sets it (the applicable maximum, else
    the nearest known ancestor's, plus the tolerance), and where it is not applicable."""

    slot: int
    limit: FloatArray
    na: BoolArray | None

    def over(self, col: FloatArray) -> bool:
        """Whether any draw puts ``col`` above the bound."""
        with np.errstate(invalid="ignore"):
            over = col > self.limit  # NaN (unknown) never compares greater
        if self.na is not None:
            over &= ~self.na
        return bool(over.any())


def _coverage(c: Compiled, own: BoolArray) -> list[BoolArray]:
    """Each slot's coverage as the engine's bottom-up pass finds it (own points, or a
    covered child): it depends on which entries are given, never on their values."""
    covered = [own[:, k] for k in range(own.shape[1])]
    for j in (*c.postorder, c.total_slot):
        if c.children[j]:
            any_cov = np.zeros(own.shape[0], dtype=bool)
            for k in c.children[j]:
                any_cov |= covered[k]
            covered[j] = own[:, j] | any_cov
    return covered


def _summed(
    c: Compiled, own: BoolArray, covered: list[BoolArray], missing: MissingPolicy
) -> dict[int, BoolArray]:
    """Node -> the units whose points are the sum of its children (not given, some
    child covered, and under ``missing="unknown"`` every child); nodes that add up
    their children for no unit (not derivable, or given everywhere) are left out."""
    out: dict[int, BoolArray] = {}
    for j in (*c.postorder, c.total_slot):
        ch = c.children[j]
        if not ch or not c.derivable[j]:
            continue
        any_cov = np.zeros(own.shape[0], dtype=bool)
        all_cov = np.ones(own.shape[0], dtype=bool)
        for k in ch:
            any_cov |= covered[k]
            all_cov &= covered[k]
        rows = ~own[:, j] & any_cov
        if missing == "unknown":
            rows &= all_cov  # partly given: unknown whatever the draw
        if rows.any():
            out[j] = rows
    return out


@attrs.frozen(eq=False)
class UpdatePlan:
    """What a block of draws recomputes, prepared once from the base scoring.

    Example:
        >>> import numpy as np
        >>> import parindex
        >>> from parindex.analysis._simulate_draws import draw_points, prepare_inputs
        >>> from parindex.engine.aggregate import score_dense
        >>> from parindex.engine.checks import dense_columns
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> from parindex.io.uncertainty import uncertainty_from_dict
        >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
        >>> c = compile_methodology(parindex.get_methodology("illustrative-district"))
        >>> cols = sheet_columns(sheet)
        >>> dense = dense_columns(c, cols)
        >>> base = score_dense(c, cols.units, cols.groups, dense)
        >>> spec = uncertainty_from_dict({"inputs": [{"node": "2.3", "sd": 0.2}]})
        >>> prepared = prepare_inputs(c, sheet, dense, spec, None)
        >>> plan = UpdatePlan.build(c, dense, base, prepared, "error")
        >>> [c.slot_ids[s.slot] for s in plan.sums]  # field 2; the total comes last
        ['2']
        >>> noise = np.zeros((3, prepared[0].units.size))  # no noise: the sheet's index
        >>> index = plan.block([draw_points(prepared[0], c, noise)], 3)
        >>> bool((index == base.index_column(c.total_slot)).all())
        True
    """

    n_units: int
    writes: dict[int, tuple[int, ...]]  # drawn slot -> its inputs, in order
    whole: tuple[bool, ...]  # per input: every unit drawn, in order
    units: tuple[npt.NDArray[np.intp], ...]  # per input: the rows drawn
    base: dict[int, FloatArray]  # drawn slot -> its unperturbed column
    sums: tuple[_Sum, ...]  # changed tree nodes that add up a changed child, deepest first
    checks: tuple[_Check, ...]  # the changed summed nodes, the total apart
    tree_total: _Sum
    components: _Sum  # the score components' sum (given, not N/A)
    comp_known: BoolArray
    tree_cov: BoolArray
    use_tree: BoolArray  # the total from the tree (else from the components)
    total_check: _Check
    max_total: FloatArray
    na_total: BoolArray
    derived: tuple[tuple[_Sum, FloatArray, BoolArray | None], ...]  # leaves, given, N/A

    @classmethod
    def build(
        cls,
        c: Compiled,
        dense: DenseSheet,
        base: BatchResult,
        prepared: Sequence[Prepared],
        missing: MissingPolicy,
    ) -> UpdatePlan:
        """The plan for these inputs on the sheet ``dense`` whose scoring is ``base``
        (with the same ``missing`` policy)."""
        n_units = dense.given.shape[0]
        n, total = c.n_nodes, c.total_slot
        own = np.array(dense.present, dtype=bool)
        own[:, n:total] = False  # the tree's own entries: the components sum apart
        covered = _coverage(c, own)
        summed = _summed(c, own, covered, missing)
        na = base.na

        writes: dict[int, list[int]] = {}
        for i, p in enumerate(prepared):
            if p.units.size:
                writes.setdefault(p.slot, []).append(i)
        # Changed: the drawn tree slots, and each parent that adds up a changed child
        # for some unit, up to the total.
        changed: set[int] = set()
        for s in writes:
            j = s
            while j < n:
                changed.add(j)
                j = int(c.parent[j]) if c.parent[j] >= 0 else total
                if j not in summed:
                    break

        def column(k: int) -> FloatArray:  # unperturbed: the tree's sums, else as given
            return np.asarray(base.points[:, k]) if k < n else dense.given[:, k]

        def tree_zero(k: int) -> BoolArray:  # N/A, or uncovered under missing="zero"
            z = np.asarray(na[:, k], dtype=bool)
            return z | ~covered[k] if missing == "zero" else z

        def own_points(j: int) -> FloatArray:
            return np.where(own[:, j], dense.given[:, j], np.nan)

        sums = tuple(
            _plan_sum(j, c.children[j], column, tree_zero, changed, summed[j], own_points(j))
            for j in c.postorder
            if j in summed and any(k in changed for k in c.children[j])
        )
        nobody = np.zeros(n_units, dtype=bool)
        rows, init = summed.get(total, nobody), own_points(total)
        tree_total = _plan_sum(total, c.top, column, tree_zero, changed, rows, init)
        base_tree_total = _plan_sum(total, c.top, column, tree_zero, set(), rows, init).value({})

        def bound(j: int) -> _Check:
            mx = np.asarray(base.max_points[:, j])
            limit = np.where(np.isnan(mx), c.bound[j], mx) + TOLERANCE
            na_j = np.asarray(na[:, j], dtype=bool)
            return _Check(j, limit, na_j if na_j.any() else None)

        comps = range(n, total)
        present = np.asarray(dense.present[:, n:total], dtype=bool)
        cov_all = present.all(axis=1) if c.n_components else nobody
        cov_any = present.any(axis=1) if c.n_components else nobody
        comp_known = np.asarray(cov_all | (cov_any & ~cov_all & (missing == "zero")), dtype=bool)
        components = _plan_sum(
            total,
            comps,
            column,
            lambda k: np.asarray(dense.na_given[:, k] | ~dense.present[:, k], dtype=bool),
            set(writes),
            None,
            np.full(n_units, np.nan),
        )
        tree_cov = covered[total]
        use_tree = tree_cov & ~np.isnan(base_tree_total) | (tree_cov & ~comp_known)

        # Components the leaves determine, given too: a draw may make them disagree.
        derived = []
        for k, sel in method_component_leaves(c).items():
            comp_na = np.asarray(dense.na_given[:, k], dtype=bool)
            given = np.where(comp_na, np.nan, dense.given[:, k])
            if np.isnan(given).all() or not (k in writes or any(int(j) in writes for j in sel)):
                continue
            leaves = _plan_sum(
                k,
                [int(j) for j in sel],
                column,
                lambda j: np.asarray(na[:, j], dtype=bool),
                set(writes),
                None,
                given,
            )
            derived.append((leaves, given, comp_na if comp_na.any() else None))

        return cls(
            n_units=n_units,
            writes={s: tuple(i) for s, i in writes.items()},
            whole=tuple(
                p.units.size == n_units and bool((p.units == np.arange(n_units)).all())
                for p in prepared
            ),
            units=tuple(p.units for p in prepared),
            base={s: column(s) for s in writes},
            sums=sums,
            checks=tuple(bound(j) for j in sorted(changed) if c.children[j]),
            tree_total=tree_total,
            components=components,
            comp_known=comp_known,
            tree_cov=tree_cov,
            use_tree=use_tree,
            total_check=bound(total),
            max_total=np.asarray(base.max_points[:, total]),
            na_total=np.asarray(na[:, total], dtype=bool),
            derived=tuple(derived),
        )

    def _write(
        self, slot: int, col: FloatArray | None, drawn: Sequence[FloatArray], k: int
    ) -> FloatArray:
        """The column of a drawn slot: ``col`` (its sum, a new array) or its unperturbed
        column, with each input's drawn points written in, in order."""
        inputs = self.writes[slot]
        if col is None and len(inputs) == 1 and self.whole[inputs[0]]:
            return drawn[inputs[0]]  # read only from here on: the caller's array
        if col is None:
            col = np.repeat(self.base[slot][np.newaxis], k, axis=0)
        for i in inputs:
            col[:, self.units[i]] = drawn[i]
        return col

    def block(self, drawn: Sequence[FloatArray], k: int) -> FloatArray | None:
        """The total's index (``k x units``) for ``k`` draws of the inputs' points
        (``drawn``, one ``k x units drawn`` array an input; not modified), or ``None``
        where a check fires: then rescore the block in full (:func:`rescore_block`)."""
        cols: dict[int, FloatArray] = {}
        recomputed = {step.slot for step in self.sums}
        for s in self.writes:
            if s not in recomputed:
                cols[s] = self._write(s, None, drawn, k)
        for step in self.sums:
            col = step.value(cols)
            cols[step.slot] = (
                self._write(step.slot, col, drawn, k) if step.slot in self.writes else col
            )
        for check in self.checks:
            if check.over(cols[check.slot]):
                return None
        tree_total = self.tree_total.value(cols)
        comp_total = np.where(self.comp_known, self.components.value(cols), np.nan)
        if tree_total.ndim == 2:
            # A sum turned unknown would switch the total to the components (and
            # change its maximum): the full rescore decides.
            use = self.tree_cov & ~np.isnan(tree_total) | (self.tree_cov & ~self.comp_known)
            if not (use == self.use_tree).all():
                return None
        with np.errstate(invalid="ignore"):
            if (
                self.comp_known.any()
                and (np.abs(tree_total - comp_total) > CONFLICT_TOLERANCE).any()
            ):
                return None  # fields and components disagree (NaN never compares greater)
            for leaves, given, comp_na in self.derived:
                now = cols.get(leaves.slot, given)
                if comp_na is not None and leaves.slot in cols:
                    now = np.where(comp_na, np.nan, now)
                if (np.abs(now - leaves.value(cols)) > CONFLICT_TOLERANCE).any():
                    return None  # a component given that its leaves contradict
        points = np.broadcast_to(np.where(self.use_tree, tree_total, comp_total), (k, self.n_units))
        if self.total_check.over(points):
            return None
        shape = points.shape
        return index_of(
            points, np.broadcast_to(self.max_total, shape), np.broadcast_to(self.na_total, shape)
        )


def rescore_block(
    c: Compiled,
    dense: DenseSheet,
    units: tuple[str, ...],
    groups: tuple[str | None, ...],
    prepared: Sequence[Prepared],
    drawn: Sequence[FloatArray],
    first: int,
    missing: MissingPolicy,
) -> FloatArray:
    """The total's index (``k x units``) for ``k`` draws (``drawn``, one array an
    input), the whole tree rescored: the sheet repeated per draw with the drawn points
    written in. ``first`` is the block's first draw (from 0), for the message of a
    draw that goes out of range.

    Example:
        >>> import numpy as np
        >>> import parindex
        >>> from parindex.analysis._simulate_draws import prepare_inputs
        >>> from parindex.engine.checks import dense_columns
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> from parindex.io.uncertainty import uncertainty_from_dict
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> c = compile_methodology(parindex.get_methodology("binhduong-district-2017"))
        >>> cols = sheet_columns(sheet)
        >>> dense = dense_columns(c, cols)
        >>> spec = uncertainty_from_dict({"inputs": [{"node": "survey", "sd": 1.0}]})
        >>> p = prepare_inputs(c, sheet, dense, spec, None)[0]
        >>> drawn = np.array([p.base + 1.0])  # one draw: one more survey point each
        >>> index = rescore_block(c, dense, cols.units, cols.groups, [p], [drawn], 0, "error")
        >>> float(index[0, 0].round(9))
        85.58
    """
    k = drawn[0].shape[0] if drawn else 0
    n_units, size = dense.given.shape
    # Column-major (draws x units) rows: the engine sums one slot column at a time.
    flat = np.empty((k * n_units, size), order="F")
    for s in range(size):
        flat[:, s] = np.tile(dense.given[:, s], k)
    for p, x in zip(prepared, drawn, strict=True):
        rows = (np.arange(k)[:, np.newaxis] * n_units + p.units[np.newaxis, :]).ravel()
        flat[rows, p.slot] = x.ravel()
    nan_view = np.broadcast_to(np.float64(np.nan), flat.shape)
    chunk = DenseSheet(
        given=flat,
        present=np.tile(dense.present, (k, 1)),
        na_given=np.tile(dense.na_given, (k, 1)),
        self_given=nan_view,
        appr_given=nan_view,
    )
    try:
        res = score_dense(
            c,
            units * k,
            groups * k,
            chunk,
            missing=missing,
            extras=False,
            inplace=True,
            overlap_checked=True,
        )
    except PointsOutOfRangeError as err:
        # Only an input whose own maximum is unknown (drawn up to its ancestor's
        # bound) can push a sum over a maximum: say so rather than a bare sum.
        raise PointsOutOfRangeError(
            f"a Monte Carlo draw (of draws {first + 1}-{first + k}) went out of range: "
            f"{err}. An uncertain input whose own maximum the methodology does not "
            "know is bounded only by its ancestor's maximum, so its draws plus the "
            "other points can exceed it: state that node's maximum, or narrow its spread",
            unit=err.unit,
            node=err.node,
            value=err.value,
        ) from None
    return res.index_column(c.total_slot).reshape(k, n_units)
