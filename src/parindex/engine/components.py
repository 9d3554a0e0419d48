"""Score components derived from the leaves' assessment methods.

When a methodology is complete, every leaf says how it is assessed (``appraisal`` or
``survey``), and the leaves of each method add up exactly to the declared component of
the same name, a sheet scored at leaf level also determines those components: the
appraisal component is the sum of the appraised leaves, the survey component the sum of
the surveyed ones (N/A leaves leave both the points and the component's maximum).
Anything short of that (a partial tree, a leaf without a method, maxima that do not add
up) leaves the components as the sheet gave them: derived numbers are never guessed.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

from parindex._numbers import CONFLICT_TOLERANCE, TOLERANCE
from parindex.engine.arrays import BatchResult
from parindex.engine.compile import Compiled
from parindex.errors import ConflictError

__all__ = ["derive_method_components", "method_component_leaves"]

_DERIVABLE = ("appraisal", "survey")
_cache: dict[int, tuple[object, dict[int, npt.NDArray[np.intp]]]] = {}


def method_component_leaves(c: Compiled) -> dict[int, npt.NDArray[np.intp]]:
    """Component slot -> the leaf slots whose method it sums ({} when not derivable).

    Example:
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("illustrative-district"))
        >>> survey = method_component_leaves(c)[c.pos["survey"]]
        >>> [c.slot_ids[i] for i in survey]
        ['1.4.2', '2.3', '3.3', '4.3', '7.4']
    """
    hit = _cache.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    m = c.methodology
    out: dict[int, npt.NDArray[np.intp]] = {}
    leaves = [i for i in range(c.n_nodes) if not c.children[i]]
    methods = [m.node(c.slot_ids[i]).method for i in leaves]
    comps = {c.slot_ids[k]: k for k in range(c.n_nodes, c.total_slot)}
    derivable = (
        m.complete
        and leaves
        and all(method is not None for method in methods)
        and set(methods) <= {cid for cid in comps if cid in _DERIVABLE}
    )
    if derivable:
        for cid in _DERIVABLE:
            k = comps.get(cid)
            if k is None:
                continue
            sel = np.array(
                [i for i, mt in zip(leaves, methods, strict=True) if mt == cid], dtype=np.intp
            )
            total = math.fsum(float(x) for x in c.maxima[sel])
            if math.isnan(c.maxima[k]) or abs(total - c.maxima[k]) > TOLERANCE:
                out = {}
                break
            out[k] = sel
    _cache[id(c)] = (c, out)
    if len(_cache) > 256:
        _cache.pop(next(iter(_cache)))
    return out


def derive_method_components(batch: BatchResult) -> BatchResult:
    """Fill in the appraisal and survey components from leaf points where the
    methodology determines them (see module docstring); given component points must
    agree with the leaves (to 1e-6) or :class:`~parindex.errors.ConflictError` is raised.

    Example:
        A methodology without assessment methods on its leaves leaves the batch as it is:

        >>> import parindex
        >>> from parindex.engine.aggregate import score_columns
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> cols = sheet_columns(parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "appraisal", "points": 60},
        ...     {"unit": "A", "node": "survey", "points": 30},
        ... ]))
        >>> batch = score_columns(c, cols)
        >>> derive_method_components(batch) is batch
        True
    """
    c = batch.compiled
    slots = method_component_leaves(c)
    if not slots:
        return batch
    points = np.array(batch.points, copy=True)
    max_points = np.array(batch.max_points, copy=True)
    n_units = points.shape[0]
    changed = False
    for k, sel in slots.items():
        total = np.zeros(n_units)
        lost = np.zeros(n_units)
        for j in sel:  # fixed order: the same float operations for any batch size
            leaf_na = batch.na[:, j]
            total = total + np.where(leaf_na, 0.0, batch.points[:, j])
            lost = lost + np.where(leaf_na, c.maxima[j], 0.0)
        given = batch.points[:, k]
        clash = ~np.isnan(given) & ~np.isnan(total) & (np.abs(given - total) > CONFLICT_TOLERANCE)
        if clash.any():
            u = int(np.flatnonzero(clash)[0])
            cid = c.slot_ids[k]
            raise ConflictError(
                f"unit {batch.units[u]!r}: component {cid!r} was given as {given[u]:.6g} but "
                f"its {cid} leaves add up to {total[u]:.6g}",
                unit=batch.units[u],
                node=cid,
                value=(float(given[u]), float(total[u])),
            )
        use = np.isnan(given) & ~np.isnan(total) & ~batch.na[:, k]
        if not use.any():
            continue
        points[:, k] = np.where(use, total, points[:, k])
        max_points[:, k] = np.where(use, c.maxima[k] - lost, max_points[:, k])
        changed = True
    if not changed:
        return batch
    # The index follows from the new points and maxima (index=None: computed when read),
    # by the formula every other slot's index comes from.
    return attrs.evolve(batch, points=points, max_points=max_points, _index=None)
