"""The baselines parindex is measured against, written as a NumPy or pandas user would.

Each computes the same output as the parindex call it is compared with (the tests in
``run.py`` check that before timing), without parindex's checks: they are floors, not
rivals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex import Methodology

FloatArray = npt.NDArray[np.float64]


def leaf_ids(m: Methodology) -> list[str]:
    """The leaves of ``m`` in decision (pre-)order."""
    return [n.id for n in m.nodes() if n.is_leaf]


# --------------------------------------------------------------------------- batch floor


def numpy_floor(m: Methodology, wide: pd.DataFrame, rate_scale: str = "percent") -> dict[str, Any]:
    """Rule evaluation plus the cheapest tree sum, for the regular benchmark tree
    (fields x criteria x leaves, leaves contiguous in pre-order): each leaf's rule turns
    its column of raw values into points, then three reshape sums give every criterion,
    field and the total, and one division the total's index. No checks, no dense
    ``units x slots`` layout, no matrix product the tree does not need.

    Sums over an inner axis of at most 8 elements are sequential in NumPy, so these
    sums are the engine's own (0 + a + b + ...), bit for bit.
    """
    leaves = [n for n in m.nodes() if n.is_leaf]
    x = wide.iloc[:, 1 : 1 + len(leaves)].to_numpy()
    pts = np.empty(x.shape)
    for i, leaf in enumerate(leaves):
        rule = leaf.rule
        assert rule is not None
        mx = leaf.max_points or 0.0
        measures = rule.measures(x[:, i], max_points=mx, rate_scale=rate_scale)  # type: ignore[arg-type]
        pts[:, i] = rule.points(measures, mx)
    fields = len(m.tree)
    criteria = len(m.tree[0].children)
    per = len(m.tree[0].children[0].children)
    n = len(x)
    crit = pts.reshape(n, fields * criteria, per).sum(axis=2)
    field = crit.reshape(n, fields, criteria).sum(axis=2)
    total = field.sum(axis=1)
    assert m.total_max is not None
    return {"criteria": crit, "fields": field, "total": total, "index": total / m.total_max * 100.0}


# --------------------------------------------------------------------------- pandas floor


def pandas_rank(wide: pd.DataFrame, weights: FloatArray, method: str) -> pd.Series:
    """What a pandas user writes: a weighted sum (``df @ w``), snapped to 9 decimals so
    that float noise neither makes nor breaks a tie, ranked highest first."""
    index = wide.set_index("unit") @ weights
    return index.round(9).rank(method=method, ascending=False)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Monte Carlo


def noise_stretch(draws: int, n_units: int, slots: int) -> int:
    """The stretch of draws :func:`parindex.simulate` draws its random numbers in (each
    stretch: every input in turn), as of this version, so that the NumPy version below
    uses the very same numbers. If simulate changes its rule, run.py says the ranks are
    no longer identical and compares the distributions instead."""
    try:
        from parindex.analysis.simulate import _CELLS_PER_CHUNK as cells
    except ImportError:  # renamed: keep the value of this version
        cells = 2_000_000
    fits = max(1, min(draws, cells // max(1, n_units * slots)))
    return min(fits, max(500, -(-draws // 20)))


def numpy_montecarlo(
    m: Methodology,
    leaf_points: FloatArray,
    uncertain: Sequence[int],
    sd: float,
    draws: int,
    seed: int,
    stretch: int,
    band_lowers: Sequence[float],
    drivers: bool = False,
) -> tuple[FloatArray, npt.NDArray[np.intp], FloatArray | None]:
    """The rank distribution :func:`parindex.simulate` computes, in plain NumPy.

    ``leaf_points`` is ``units x leaves`` (the sheet's points, pre-order), ``uncertain``
    the leaf columns drawn (normal noise of ``sd``, clipped to 0..1 point, every unit).
    Per stretch of draws: noise for each input in turn, the perturbed leaves written
    into a copy of the points, the tree summed by reshapes (the engine's sums, bit for
    bit), the index snapped to 9 decimals, ranks with ``min`` ties (1 + the number of
    units strictly ahead) and bands (lower bounds ``band_lowers``, best band first).
    With ``drivers``, also what simulate reports besides: the Pearson correlation, over
    the draws, of each input (a unit's drawn leaf) with each unit's rank, from sums
    added up stretch by stretch. Returns (ranks, band codes), both ``draws x units``,
    and the correlations (``inputs x units``, inputs leaf by leaf, then unit by unit)
    or ``None``.
    """
    rng = np.random.default_rng(seed)
    n_units, n_leaves = leaf_points.shape
    fields = len(m.tree)
    criteria = len(m.tree[0].children)
    per = len(m.tree[0].children[0].children)
    assert m.total_max is not None
    lowers = np.asarray(band_lowers)[:, np.newaxis, np.newaxis]
    ranks = np.empty((draws, n_units))
    bands = np.empty((draws, n_units), dtype=np.intp)
    n_inputs = len(uncertain) * n_units
    sx, sxx = np.zeros(n_inputs), np.zeros(n_inputs)
    sy, syy = np.zeros(n_units), np.zeros(n_units)
    sxy = np.zeros((n_inputs, n_units))
    done = 0
    while done < draws:
        k = min(stretch, draws - done)
        noise = [rng.normal(0.0, sd, size=(k, n_units)) for _ in uncertain]
        pts = np.empty((k, n_units, n_leaves))
        pts[:] = leaf_points
        for j, z in zip(uncertain, noise, strict=True):
            pts[:, :, j] = np.clip(leaf_points[:, j] + z, 0.0, 1.0)
        crit = pts.reshape(k, n_units, fields * criteria, per).sum(axis=3)
        total = crit.reshape(k, n_units, fields, criteria).sum(axis=3).sum(axis=2)
        keys = np.round(total / m.total_max * 100.0, 9) + 0.0
        r = (keys[:, np.newaxis, :] > keys[:, :, np.newaxis]).sum(axis=2) + 1.0
        ranks[done : done + k] = r
        bands[done : done + k] = (keys[np.newaxis] < lowers).sum(axis=0)
        if drivers:
            x = pts[:, :, list(uncertain)].transpose(0, 2, 1).reshape(k, n_inputs)
            sx += x.sum(axis=0)
            sxx += (x * x).sum(axis=0)
            sy += r.sum(axis=0)
            syy += (r * r).sum(axis=0)
            sxy += np.ascontiguousarray(x.T) @ r  # (a transposed view multiplies slowly)
        done += k
    if not drivers:
        return ranks, bands, None
    cov = sxy / draws - np.outer(sx / draws, sy / draws)
    var_x = sxx / draws - (sx / draws) ** 2
    var_y = syy / draws - (sy / draws) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.clip(cov / np.sqrt(np.outer(var_x, var_y)), -1.0, 1.0)
    corr[var_x <= 1e-18, :] = np.nan
    corr[:, var_y <= 1e-18] = np.nan
    return ranks, bands, corr
