"""Uncertainty and sensitivity: Monte Carlo over uncertain inputs (mô phỏng Monte Carlo).

Survey points carry sampling error, appraisal adjustments are discretionary, and a rate
near a tier boundary may land on either side. :func:`simulate` draws those inputs many
times (seeded, reproducible), rescores every draw with the engine's own bottom-up sums
(vectorised across draws: ``draws x units`` rows of the dense ``slots`` array), ranks
each draw, and reports each unit's rank distribution, band probabilities and the inputs
that drive its rank.

Ranking per draw follows :func:`parindex.rank`: the index snapped to 1e-9 (numpy's
round to 9 decimals; or rounded half-up to the policy's precision), within groups when
the policy says so, units listed as unranked left out, and every tie policy (``min``,
``max``, ``dense``, ``average``, and ``first`` = by unit name) computed with a stable
argsort per draw.

Drivers: for every uncertain input (a unit's node) and every unit, the Pearson
correlation across draws between the input's drawn points and the unit's rank number,
and its square, the share of the rank's variance a linear fit on that input explains
(a first-order estimate; inputs are drawn independently). A negative correlation means
more points on the input give a better (smaller) rank.

Bounded work: ``draws x units`` is at most :data:`~parindex.limits.MAX_DRAW_CELLS`
(``max_draw_cells=`` raises it), since every draw's index, rank and band are kept; the
draws are scored in blocks of bounded size. Random numbers are drawn in fixed stretches
of draws and the driver sums added up over the same stretches, whatever the block size,
so a seed gives the same result however the draws are blocked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex._text import normalize_key
from parindex.analysis.ranking import Ranking, band_codes, rank, rank_keys, rank_matrix
from parindex.engine.aggregate import score_dense
from parindex.engine.arrays import DenseSheet, MissingPolicy
from parindex.engine.checks import dense_columns
from parindex.engine.compile import Compiled, compile_methodology
from parindex.engine.scores import Scores, sheet_columns
from parindex.errors import (
    InputFormatError,
    PointsOutOfRangeError,
    UnknownNodeError,
    UnknownUnitError,
)
from parindex.io.uncertainty import uncertainty_from_dict
from parindex.limits import MAX_DRAW_CELLS, MAX_UNITS, check_limit
from parindex.model.methodology import Methodology, TiePolicy, ensure_methodology
from parindex.model.sheet import ScoreSheet
from parindex.model.uncertainty import UncertainInput, Uncertainty
from parindex.rules import Deduction, PercentTiers, Proportional, RateScale

__all__ = ["Simulation", "simulate"]

FloatArray = npt.NDArray[np.float64]

# Cells (draws x units x slots) scored at once: bounds a block's working memory
# (~16 MB an array).
_CELLS_PER_CHUNK = 2_000_000


@attrs.frozen
class _Prepared:
    """An input resolved against a sheet: slot, units drawn, base figures."""

    spec: UncertainInput
    slot: int
    units: npt.NDArray[np.intp]
    base: FloatArray  # points, or measures for on="measure"
    upper: float


def _prepare(
    c: Compiled,
    sheet: ScoreSheet,
    dense: DenseSheet,
    spec: Uncertainty,
    rate_scale: RateScale | None,
) -> list[_Prepared]:
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
            out.append(_Prepared(item, s, idx, dense.given[idx, s].astype(np.float64), upper))
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
        out.append(_Prepared(item, s, idx, base, 100.0 if is_rate else math.inf))
    return out


def _noise(p: _Prepared, rng: np.random.Generator, k: int) -> FloatArray:
    n = p.units.size
    spec = p.spec
    if spec.distribution == "normal":
        return rng.normal(0.0, spec.scale, size=(k, n))
    return rng.uniform(-spec.scale, spec.scale, size=(k, n))


def _draw_points(p: _Prepared, c: Compiled, noise: FloatArray) -> FloatArray:
    """The drawn points: base + noise, clipped, through the rule for ``on: measure``
    (value by value, so any rows of the noise give the same points for those rows)."""
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


class _NoiseStream:
    """The noise of every input, drawn in fixed stretches of ``stretch`` draws (each
    stretch: every input in turn) and handed out in blocks of any size, so the numbers
    drawn do not depend on the block size."""

    def __init__(
        self, prepared: Sequence[_Prepared], rng: np.random.Generator, draws: int, stretch: int
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


class _DriverSums:
    """The sums the drivers are computed from, added up stretch by stretch (the same
    stretches as the noise), so that they do not depend on the block size either."""

    def __init__(self, n_inputs: int, n_units: int, draws: int, stretch: int) -> None:
        self.draws, self.stretch, self.done = draws, stretch, 0
        size = min(stretch, draws)
        self.x, self.r = np.empty((size, n_inputs)), np.empty((size, n_units))
        self.fill = 0
        self.sx, self.sxx = np.zeros(n_inputs), np.zeros(n_inputs)
        self.sy, self.syy = np.zeros(n_units), np.zeros(n_units)
        self.sxy, self.count = np.zeros((n_inputs, n_units)), np.zeros(n_units)

    def add(self, x: FloatArray, r: FloatArray) -> None:
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


@attrs.frozen(eq=False)
class Simulation:
    """The result of :func:`simulate`: every draw's index, rank and band per unit.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> spec = parindex.io.uncertainty.uncertainty_from_dict(
        ...     {"inputs": [{"node": "survey", "distribution": "normal", "sd": 1.0}]})
        >>> sim = parindex.simulate("binhduong-district-2017", sheet, spec, draws=500, seed=1)
        >>> sim.summary()[["unit", "rank", "rank_median"]].head(1).to_dict("records")
        [{'unit': 'Thành phố Thủ Dầu Một', 'rank': 1, 'rank_median': 1.0}]
    """

    methodology: Methodology
    units: tuple[str, ...]
    groups: tuple[str | None, ...]
    uncertainty: Uncertainty
    seed: int | None
    ties: TiePolicy
    base: Ranking = attrs.field(repr=False)
    index: FloatArray = attrs.field(repr=False)
    ranks: FloatArray = attrs.field(repr=False)
    band_codes: npt.NDArray[np.intp] = attrs.field(repr=False)
    band_labels: tuple[str, ...]
    driver_table: pd.DataFrame = attrs.field(repr=False)

    @property
    def draws(self) -> int:
        """Number of draws.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> spec = {"inputs": [{"node": "survey", "sd": 1.0}]}  # normal by default
            >>> parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=1).draws
            200
        """
        return int(self.ranks.shape[0])

    def summary(self) -> pd.DataFrame:
        """One row per unit: the sheet's index and rank, then the rank's median and its
        5th and 95th percentiles over the draws (observed ranks: numpy's
        ``inverted_cdf`` percentiles), the mean index and the most likely band.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> spec = {"inputs": [{"node": "survey", "distribution": "normal", "sd": 1.0}]}
            >>> sim = parindex.simulate("binhduong-district-2017", sheet, spec, draws=500, seed=1)
            >>> sim.summary()[["unit", "rank", "rank_p5", "rank_median", "rank_p95"]].iloc[1].to_dict()
            {'unit': 'Thị xã Tân Uyên', 'rank': 2, 'rank_p5': 2.0, 'rank_median': 2.0, 'rank_p95': 3.0}
        """
        base = self.base.table.set_index("unit")
        rows = []
        probs = self.band_probabilities()
        for j, unit in enumerate(self.units):
            r = self.ranks[:, j]
            r = r[~np.isnan(r)]
            if r.size:
                p5, med, p95 = np.percentile(r, [5, 50, 95], method="inverted_cdf")
            else:
                p5 = med = p95 = np.nan
            row = probs.loc[unit]
            likely = row.idxmax() if row.max() > 0 else None
            rows.append(
                {
                    "unit": unit,
                    "group": self.groups[j],
                    "index": base.loc[unit, "index"],
                    "rank": base.loc[unit, "rank"],
                    "rank_median": float(med),
                    "rank_p5": float(p5),
                    "rank_p95": float(p95),
                    "index_mean": round(float(np.nanmean(self.index[:, j])), 9)
                    if not np.isnan(self.index[:, j]).all()
                    else np.nan,
                    "likely_band": likely,
                    "p_likely_band": float(row.to_numpy().max()) if likely is not None else np.nan,
                }
            )
        out = pd.DataFrame(rows)
        out["rank"] = out["rank"].astype(base["rank"].dtype)
        return out

    def band_probabilities(self) -> pd.DataFrame:
        """Share of draws in each band (columns), by unit (rows); ``None`` = no band.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> spec = parindex.load_uncertainty("examples/uncertainty-district.yaml")
            >>> sim = parindex.simulate("illustrative-district", sheet, spec, draws=500, seed=1)
            >>> sim.band_probabilities().loc["Huyện Minh Họa F"].to_dict()
            {'Xuất sắc': 0.0, 'Tốt': 0.0, 'Khá': 1.0, 'Trung bình': 0.0, 'Yếu': 0.0, '(no band)': 0.0}
        """
        cols = {}
        for b, label in enumerate(self.band_labels):
            cols[label] = (self.band_codes == b).mean(axis=0)
        cols["(no band)"] = (self.band_codes < 0).mean(axis=0)
        return pd.DataFrame(cols, index=pd.Index(self.units, name="unit"))

    def rank_distribution(self, unit: str) -> pd.Series:
        """Probability of each rank for one unit (index: rank).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> spec = {"inputs": [{"node": "survey", "distribution": "normal", "sd": 1.0}]}
            >>> sim = parindex.simulate("binhduong-district-2017", sheet, spec, draws=500, seed=1)
            >>> sim.rank_distribution("Thị xã Tân Uyên").to_dict()
            {1.0: 0.016, 2.0: 0.874, 3.0: 0.104, 4.0: 0.006}
        """
        j = self._unit(unit)
        r = self.ranks[:, j]
        r = r[~np.isnan(r)]
        values, counts = np.unique(r, return_counts=True)
        return pd.Series(counts / self.draws, index=pd.Index(values, name="rank"), name=unit)

    def drivers(self, unit: str | None = None, *, top: int | None = 5) -> pd.DataFrame:
        """Inputs that move ranks most: ``unit, input_unit, node, correlation, r2``,
        strongest first (per unit, or for one unit).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> spec = parindex.load_uncertainty("examples/uncertainty-district.yaml")
            >>> sim = parindex.simulate("illustrative-district", sheet, spec, draws=500, seed=1)
            >>> sim.drivers("Huyện Minh Họa D", top=2)[["node", "r2"]].round(3).to_dict("records")
            [{'node': '2.3', 'r2': 0.114}, {'node': '4.3', 'r2': 0.088}]
        """
        t = self.driver_table
        if unit is not None:
            self._unit(unit)
            t = t[t["unit"] == normalize_key(unit)]
        t = t.sort_values(["unit", "r2"], ascending=[True, False], kind="stable")
        if top is not None:
            t = t.groupby("unit", sort=False).head(top)
        return t.reset_index(drop=True)

    def _unit(self, unit: str) -> int:
        try:
            return self.units.index(normalize_key(unit))
        except ValueError:
            raise UnknownUnitError(f"no unit {unit!r} in this simulation") from None


def simulate(
    methodology: Methodology,
    sheet: ScoreSheet | pd.DataFrame,
    uncertainty: Uncertainty | Mapping[str, Any],
    *,
    draws: int = 1000,
    seed: int | None = None,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    ties: TiePolicy | None = None,
    year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_draw_cells: int = MAX_DRAW_CELLS,
    block_draws: int | None = None,
) -> Simulation:
    """Monte Carlo over uncertain inputs: rank distribution, band probabilities and
    rank drivers for every unit. Seeded (``numpy.random.default_rng(seed)``, ``seed``
    a whole number >= 0 or ``None``) and reproducible; the sheet is not modified.

    ``progress(done, total)`` is called after each block of draws. ``draws x units``
    may be at most ``max_draw_cells`` (:data:`~parindex.limits.MAX_DRAW_CELLS`; the
    result keeps 24 bytes a cell), else :class:`~parindex.errors.LimitExceededError`.
    ``block_draws``: draws scored together (default, and at most: as many as fit the
    working-memory bound); the result does not depend on it.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> spec = {"inputs": [{"node": "survey", "distribution": "normal", "sd": 1.0}]}
        >>> a = parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=7)
        >>> b = parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=7)
        >>> bool((a.ranks == b.ranks).all())
        True
        >>> parindex.simulate("binhduong-district-2017", sheet, spec, draws=10**9)
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: 9000000000 draws x units is more than the limit MAX_DRAW_CELLS = 40000000; pass max_draw_cells= to raise it
    """
    m = ensure_methodology(methodology)
    for name, value, least in (("draws", draws, 1), ("seed", seed, 0)):
        if value is None and name == "seed":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputFormatError(f"{name} must be a whole number >= {least}, got {value!r}")
    if block_draws is not None and (
        isinstance(block_draws, bool) or not isinstance(block_draws, int) or block_draws < 1
    ):
        raise InputFormatError(f"block_draws must be a whole number >= 1, got {block_draws!r}")
    if isinstance(sheet, pd.DataFrame):
        sheet = ScoreSheet.from_frame(sheet)
    # Before anything is scored or allocated: the kept arrays are draws x units.
    check_limit("units", len(sheet.units), "MAX_UNITS", MAX_UNITS)
    check_limit(
        "draws x units",
        draws * len(sheet.units),
        "MAX_DRAW_CELLS",
        max_draw_cells,
        override="max_draw_cells=",
    )
    if not isinstance(uncertainty, Uncertainty):
        uncertainty = uncertainty_from_dict(uncertainty)
    c = compile_methodology(m)
    cols = sheet_columns(sheet)
    dense = dense_columns(c, cols, rate_scale=rate_scale)
    units, groups = cols.units, cols.groups
    base_batch = score_dense(c, units, groups, dense, missing=missing)
    base = rank(Scores(methodology=m, batch=base_batch, year=year), ties=ties)
    policy = m.ranking
    tie = base.ties
    # The units rank() left unranked (matched however the sheet spells them).
    ranked_by_unit = dict(zip(base.table["unit"], base.table["ranked"], strict=True))
    ranked = np.array([bool(ranked_by_unit[u]) for u in units], dtype=bool)
    rank_groups = groups if policy.within_groups else None
    bands = m.bands_for(base.year)
    prepared = _prepare(c, sheet, dense, uncertainty, rate_scale)

    n_units, size = dense.given.shape
    # The stretch of draws the random numbers and driver sums go by: bounded memory,
    # about 20 progress updates on long runs. Blocks are scored at most this many.
    fits = max(1, min(draws, _CELLS_PER_CHUNK // max(1, n_units * size)))
    stretch = min(fits, max(500, -(-draws // 20)))
    block = stretch if block_draws is None else min(block_draws, fits)
    noise = _NoiseStream(prepared, np.random.default_rng(seed), draws, stretch)
    total = c.total_slot
    all_index = np.empty((draws, n_units))
    all_ranks = np.empty((draws, n_units))
    all_bands = np.empty((draws, n_units), dtype=np.intp)
    n_inputs = sum(p.units.size for p in prepared)
    sums = _DriverSums(n_inputs, n_units, draws, stretch)
    done = 0
    while done < draws:
        k = min(block, draws - done)
        # Column-major (draws x units) rows: the engine sums one slot column at a time.
        flat = np.empty((k * n_units, size), order="F")
        for s in range(size):
            flat[:, s] = np.tile(dense.given[:, s], k)
        drawn = []
        for p, p_noise in zip(prepared, noise.take(k), strict=True):
            x = _draw_points(p, c, p_noise)
            rows = (np.arange(k)[:, np.newaxis] * n_units + p.units[np.newaxis, :]).ravel()
            flat[rows, p.slot] = x.ravel()
            drawn.append(x)
        nan_view = np.broadcast_to(np.float64(np.nan), flat.shape)
        chunk_dense = DenseSheet(
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
                chunk_dense,
                missing=missing,
                extras=False,
                inplace=True,
                overlap_checked=True,
            )
        except PointsOutOfRangeError as err:
            # Only an input whose own maximum is unknown (drawn up to its ancestor's
            # bound) can push a sum over a maximum: say so rather than a bare sum.
            raise PointsOutOfRangeError(
                f"a Monte Carlo draw (of draws {done + 1}-{done + k}) went out of range: "
                f"{err}. An uncertain input whose own maximum the methodology does not "
                "know is bounded only by its ancestor's maximum, so its draws plus the "
                "other points can exceed it: state that node's maximum, or narrow its spread",
                unit=err.unit,
                node=err.node,
                value=err.value,
            ) from None
        idx = res.index[:, total].reshape(k, n_units)
        keys = rank_keys(idx, base.precision)
        r = rank_matrix(keys, units, ties=tie, groups=rank_groups, ranked=ranked)
        all_index[done : done + k] = idx
        all_ranks[done : done + k] = r
        all_bands[done : done + k] = band_codes(keys, bands)
        if n_inputs:
            sums.add(np.concatenate(drawn, axis=1), r)
        done += k
        if progress is not None:
            progress(done, draws)

    drivers = _drivers(prepared, units, draws, sums)
    np.round(all_index, 9, out=all_index)
    all_index += 0.0  # -0.0 -> 0.0
    return Simulation(
        methodology=m,
        units=units,
        groups=groups,
        uncertainty=uncertainty,
        seed=seed,
        ties=tie,
        base=base,
        index=all_index,
        ranks=all_ranks,
        band_codes=all_bands,
        band_labels=tuple(b.label for b in bands),
        driver_table=drivers,
    )


def _drivers(
    prepared: Sequence[_Prepared],
    units: tuple[str, ...],
    n: int,
    sums: _DriverSums,
) -> pd.DataFrame:
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
