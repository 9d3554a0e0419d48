"""The random side of :func:`parindex.simulate`: uncertain inputs resolved against a
sheet, their noise drawn in fixed stretches of draws (so that a seed gives the same
numbers whatever the block size), the drawn points, and the rank drivers computed from
sums over the same stretches.

The drivers are computed only when read (:class:`DriverSource`): the drawn points are
drawn again from the generator's saved starting state, which gives the very numbers the
simulation drew, so nothing ``inputs x draws`` is kept for a table nobody may read.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex.engine.arrays import DenseSheet
from parindex.engine.compile import Compiled
from parindex.errors import InputFormatError, UnknownNodeError, UnknownUnitError
from parindex.model.sheet import ScoreSheet
from parindex.model.uncertainty import UncertainInput, Uncertainty
from parindex.rules import Deduction, PercentTiers, Proportional, RateScale

__all__ = [
    "DriverSource",
    "DriverSums",
    "NoiseStream",
    "Prepared",
    "draw_points",
    "driver_table",
    "prepare_inputs",
]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class Prepared:
    """An input resolved against a sheet: slot, units drawn (row positions), base
    figures (points, or measures for ``on="measure"``) and the upper clip.

    Example:
        >>> import numpy as np
        >>> from parindex.model.uncertainty import UncertainInput
        >>> p = Prepared(UncertainInput("2.3", "normal", 0.2), 4, np.array([0, 2]),
        ...              np.array([1.5, 2.0]), 3.0)
        >>> p.units.tolist(), p.upper
        ([0, 2], 3.0)
    """

    spec: UncertainInput
    slot: int
    units: npt.NDArray[np.intp]
    base: FloatArray
    upper: float


def prepare_inputs(
    c: Compiled,
    sheet: ScoreSheet,
    dense: DenseSheet,
    spec: Uncertainty,
    rate_scale: RateScale | None,
) -> list[Prepared]:
    """Resolve every input of ``spec`` against the sheet: the units that gave the node
    (N/A and missing entries are never drawn) and their base figures.

    Example:
        >>> import parindex
        >>> from parindex.engine.checks import dense_columns
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> from parindex.io.uncertainty import uncertainty_from_dict
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> c = compile_methodology(parindex.get_methodology("binhduong-district-2017"))
        >>> dense = dense_columns(c, sheet_columns(sheet))
        >>> spec = uncertainty_from_dict({"inputs": [{"node": "survey", "sd": 1.0}]})
        >>> p = prepare_inputs(c, sheet, dense, spec, None)[0]
        >>> c.slot_ids[p.slot], p.units.size, float(p.base[0])
        ('survey', 9, 32.83)
    """
    m = c.methodology
    units = sheet.units
    out = []
    for item in spec.inputs:
        s = c.pos.get(item.node)
        if s is None or s == c.total_slot:
            raise UnknownNodeError(
                f"uncertainty: {m.id} has no node or score component {item.node!r}",
                node=item.node,
                value=item.node,
            )
        wanted = units if item.units is None else item.units
        for u in wanted:
            if u not in units:
                raise UnknownUnitError(
                    f"uncertainty: node {item.node!r}: no unit {u!r} in the sheet"
                )
        idx = np.array(
            [units.index(u) for u in wanted if dense.present[units.index(u), s]], dtype=np.intp
        )
        idx = idx[~dense.na_given[idx, s]] if idx.size else idx
        upper = float(c.bound[s])
        if item.on == "points":
            out.append(Prepared(item, s, idx, dense.given[idx, s].astype(np.float64), upper))
            continue
        rule = c.rules[s] if s < c.n_nodes else None
        if not isinstance(rule, PercentTiers | Proportional | Deduction):
            raise InputFormatError(
                f"uncertainty: node {item.node!r}: on: measure needs a leaf with a tiers, "
                "proportional or deduction rule"
            )
        mx = None if math.isnan(c.maxima[s]) else float(c.maxima[s])
        base = np.empty(idx.size)
        by_unit = {e.unit: e for e in sheet.entries if e.node == item.node}  # one pass
        for k, u in enumerate(idx):
            entry = by_unit[units[u]]
            if entry.value is None:
                raise InputFormatError(
                    f"uncertainty: unit {units[u]!r}, node {item.node!r}: on: measure needs "
                    "the raw value in the sheet, but points were given"
                )
            base[k] = rule.parse(entry.value, max_points=mx, rate_scale=rate_scale)
        is_rate = isinstance(rule, PercentTiers) or (isinstance(rule, Proportional) and rule.rate)
        out.append(Prepared(item, s, idx, base, 100.0 if is_rate else math.inf))
    return out


def _noise(p: Prepared, rng: np.random.Generator, k: int) -> FloatArray:
    n = p.units.size
    spec = p.spec
    if spec.distribution == "normal":
        return rng.normal(0.0, spec.scale, size=(k, n))
    return rng.uniform(-spec.scale, spec.scale, size=(k, n))


def draw_points(p: Prepared, c: Compiled, noise: FloatArray) -> FloatArray:
    """The drawn points (``draws x units drawn``): base + noise, clipped, through the
    rule for ``on: measure`` (value by value, so any rows of the noise give the same
    points for those rows). A new array: the caller may write into it.

    Example:
        >>> import numpy as np
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.model.uncertainty import UncertainInput
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> p = Prepared(UncertainInput("survey", "normal", 1.0), c.pos["survey"],
        ...              np.array([0]), np.array([29.5]), 30.0)
        >>> draw_points(p, c, np.array([[1.0], [-0.5]])).tolist()
        [[30.0], [29.0]]
    """
    k, n = noise.shape
    x = np.clip(p.base[np.newaxis, :] + noise, 0.0, p.upper)
    if p.spec.on == "points":
        return x
    rule = c.rules[p.slot]
    assert rule is not None
    if isinstance(rule, Deduction):
        x = np.round(x)
    mx = float(c.maxima[p.slot])
    return rule.points(x.ravel(), mx).reshape(k, n)


class NoiseStream:
    """The noise of every input, drawn in fixed stretches of ``stretch`` draws (each
    stretch: every input in turn) and handed out in blocks of any size, so the numbers
    drawn do not depend on the block size.

    Example:
        >>> import numpy as np
        >>> from parindex.model.uncertainty import UncertainInput
        >>> p = Prepared(UncertainInput("a", "normal", 1.0), 0, np.arange(2), np.zeros(2), 9.0)
        >>> whole = NoiseStream([p], np.random.default_rng(3), 5, 2).take(5)[0]
        >>> parts = NoiseStream([p], np.random.default_rng(3), 5, 2)
        >>> bool((np.concatenate([parts.take(3)[0], parts.take(2)[0]]) == whole).all())
        True
    """

    def __init__(
        self, prepared: Sequence[Prepared], rng: np.random.Generator, draws: int, stretch: int
    ) -> None:
        self.prepared, self.rng, self.draws, self.stretch = prepared, rng, draws, stretch
        self.drawn = 0  # draws generated so far
        self.pos = self.have = 0  # draws of the current stretch handed out, and in it
        self.buf: list[FloatArray] = []

    def take(self, k: int) -> list[FloatArray]:
        """The noise of the next ``k`` draws, one (k x units) array an input."""
        parts: list[list[FloatArray]] = [[] for _ in self.prepared]
        while k > 0:
            if self.pos == self.have:  # the stretch is used up: draw the next one
                n = min(self.stretch, self.draws - self.drawn)
                self.buf = [_noise(p, self.rng, n) for p in self.prepared]
                self.drawn, self.pos, self.have = self.drawn + n, 0, n
            m = min(k, self.have - self.pos)
            for part, drawn in zip(parts, self.buf, strict=True):
                part.append(drawn[self.pos : self.pos + m])
            self.pos, k = self.pos + m, k - m
        return [x[0] if len(x) == 1 else np.concatenate(x) for x in parts]


class DriverSums:
    """The sums the drivers are computed from, added up stretch by stretch (the same
    stretches as the noise), so that they do not depend on the block size either.

    Example:
        >>> import numpy as np
        >>> sums = DriverSums(n_inputs=1, n_units=1, draws=3, stretch=2)
        >>> sums.add(np.array([[1.0], [2.0], [3.0]]), np.array([[3.0], [2.0], [1.0]]))
        >>> float(sums.sxy[0, 0]), sums.count.tolist()
        (10.0, [3.0])
    """

    def __init__(self, n_inputs: int, n_units: int, draws: int, stretch: int) -> None:
        self.draws, self.stretch, self.done = draws, stretch, 0
        size = min(stretch, draws)
        self.x, self.r = np.empty((size, n_inputs)), np.empty((size, n_units))
        self.fill = 0
        self.sx, self.sxx = np.zeros(n_inputs), np.zeros(n_inputs)
        self.sy, self.syy = np.zeros(n_units), np.zeros(n_units)
        self.sxy, self.count = np.zeros((n_inputs, n_units)), np.zeros(n_units)

    def add(self, x: FloatArray, r: FloatArray) -> None:
        """Add the drawn points ``x`` (draws x inputs) and ranks ``r`` (draws x units)
        of the next draws."""
        at = 0
        while at < len(x):
            end = min(self.stretch, self.draws - self.done)  # this stretch's length
            m = min(len(x) - at, end - self.fill)
            self.x[self.fill : self.fill + m] = x[at : at + m]
            self.r[self.fill : self.fill + m] = r[at : at + m]
            self.fill, at = self.fill + m, at + m
            if self.fill == end:
                self._flush(end)

    def _flush(self, n: int) -> None:
        x, r = self.x[:n], self.r[:n]
        y = np.nan_to_num(r, nan=0.0)
        self.sx += x.sum(axis=0)
        self.sxx += (x * x).sum(axis=0)
        self.sy += y.sum(axis=0)
        self.syy += (y * y).sum(axis=0)
        self.sxy += x.T @ y
        self.count += (~np.isnan(r)).sum(axis=0)
        self.done, self.fill = self.done + n, 0


def driver_table(
    prepared: Sequence[Prepared], units: tuple[str, ...], n: int, sums: DriverSums
) -> pd.DataFrame:
    """``unit, input_unit, node, correlation, r2`` from the sums over ``n`` draws: the
    Pearson correlation of each input with each unit's rank (NaN pairs left out).

    Example:
        >>> import numpy as np
        >>> from parindex.model.uncertainty import UncertainInput
        >>> p = Prepared(UncertainInput("a", "normal", 1.0), 0, np.array([0]), np.zeros(1), 9.0)
        >>> sums = DriverSums(1, 1, 3, 3)
        >>> sums.add(np.array([[1.0], [2.0], [3.0]]), np.array([[3.0], [2.0], [1.0]]))
        >>> driver_table([p], ("A",), 3, sums).to_dict("records")
        [{'unit': 'A', 'input_unit': 'A', 'node': 'a', 'correlation': -1.0, 'r2': 1.0}]
    """
    sx, sxx, sy, syy, sxy, count = sums.sx, sums.sxx, sums.sy, sums.syy, sums.sxy, sums.count
    labels = [(units[u], p.spec.node) for p in prepared for u in p.units]
    columns = ["unit", "input_unit", "node", "correlation", "r2"]
    if not labels:
        return pd.DataFrame(columns=columns)
    cov = sxy / n - np.outer(sx / n, sy / n)
    var_x = sxx / n - (sx / n) ** 2
    var_y = syy / n - (sy / n) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.sqrt(np.outer(var_x, var_y))
    tiny_x = var_x <= 1e-18
    tiny_y = (var_y <= 1e-18) | (count < n)
    corr[tiny_x, :] = np.nan
    corr[:, tiny_y] = np.nan
    corr = np.clip(corr, -1.0, 1.0)
    keep = ~np.isnan(corr.T)  # units x inputs
    j_idx, i_idx = np.nonzero(keep)
    values = corr.T[keep]
    frame = pd.DataFrame(
        {
            "unit": np.array(units, dtype=object)[j_idx],
            "input_unit": np.array([u for u, _ in labels], dtype=object)[i_idx],
            "node": np.array([nd for _, nd in labels], dtype=object)[i_idx],
            "correlation": np.round(values, 6),
            "r2": np.round(values * values, 6),
        }
    )
    return frame[columns]


@attrs.frozen(eq=False)
class DriverSource:
    """What the rank drivers are computed from when first read: the inputs, a copy of
    the generator as it was before the first draw, and the stretch the noise was drawn
    in. Called with the simulation's ranks, it draws the same points again (from a copy
    of that copy: it can be called again), stretch by stretch, and returns
    :func:`driver_table`.

    Example:
        >>> import copy
        >>> import numpy as np
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.model.uncertainty import UncertainInput
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> p = Prepared(UncertainInput("survey", "normal", 1.0), c.pos["survey"],
        ...              np.array([0]), np.array([20.0]), 30.0)
        >>> rng = np.random.default_rng(1)
        >>> source = DriverSource(c, (p,), ("A", "B"), copy.deepcopy(rng), 4, 4)
        >>> drawn = draw_points(p, c, NoiseStream([p], rng, 4, 4).take(4)[0])[:, 0]
        >>> ranks = np.column_stack([np.argsort(np.argsort(-drawn)) + 1.0, np.ones(4)])
        >>> source(ranks)[["unit", "node", "r2"]].to_dict("records")
        [{'unit': 'A', 'node': 'survey', 'r2': ...}]
    """

    compiled: Compiled
    prepared: tuple[Prepared, ...]
    units: tuple[str, ...]
    start: np.random.Generator = attrs.field(repr=False)
    draws: int
    stretch: int

    def __call__(self, ranks: FloatArray) -> pd.DataFrame:
        n_inputs = sum(p.units.size for p in self.prepared)
        sums = DriverSums(n_inputs, len(self.units), self.draws, self.stretch)
        if n_inputs:
            rng = copy.deepcopy(self.start)
            noise = NoiseStream(self.prepared, rng, self.draws, self.stretch)
            done = 0
            while done < self.draws:
                k = min(self.stretch, self.draws - done)
                drawn = [
                    draw_points(p, self.compiled, z)
                    for p, z in zip(self.prepared, noise.take(k), strict=True)
                ]
                sums.add(np.concatenate(drawn, axis=1), ranks[done : done + k])
                done += k
        return driver_table(self.prepared, self.units, self.draws, sums)
