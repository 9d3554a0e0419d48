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
from parindex.errors import InputFormatError, UnknownNodeError, UnknownUnitError
from parindex.io.uncertainty import uncertainty_from_dict
from parindex.model.methodology import Methodology, TiePolicy, ensure_methodology
from parindex.model.sheet import ScoreSheet
from parindex.model.uncertainty import UncertainInput, Uncertainty
from parindex.rules import Deduction, PercentTiers, Proportional, RateScale

__all__ = ["Simulation", "simulate"]

FloatArray = npt.NDArray[np.float64]

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
        for k, u in enumerate(idx):
            entry = next(e for e in sheet.entries if e.unit == units[u] and e.node == item.node)
            if entry.value is None:
                raise InputFormatError(
                    f"uncertainty: unit {units[u]!r}, node {item.node!r}: on: measure needs "
                    "the raw value in the sheet, but points were given"
                )
            base[k] = rule.parse(entry.value, max_points=mx, rate_scale=rate_scale)
        is_rate = isinstance(rule, PercentTiers) or (isinstance(rule, Proportional) and rule.rate)
        out.append(_Prepared(item, s, idx, base, 100.0 if is_rate else math.inf))
    return out


def _draw_points(p: _Prepared, c: Compiled, rng: np.random.Generator, k: int) -> FloatArray:
    n = p.units.size
    spec = p.spec
    if spec.distribution == "normal":
        noise = rng.normal(0.0, spec.scale, size=(k, n))
    else:
        noise = rng.uniform(-spec.scale, spec.scale, size=(k, n))
    x = np.clip(p.base[np.newaxis, :] + noise, 0.0, p.upper)
    if spec.on == "points":
        return x
    rule = c.rules[p.slot]
    assert rule is not None
    if isinstance(rule, Deduction):
        x = np.round(x)
    mx = float(c.maxima[p.slot])
    return rule.points(x.ravel(), mx).reshape(k, n)


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
) -> Simulation:
    """Monte Carlo over uncertain inputs: rank distribution, band probabilities and
    rank drivers for every unit. Seeded (``numpy.random.default_rng(seed)``) and
    reproducible; the sheet is not modified.

    ``progress(done, total)`` is called after each chunk of draws.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> spec = {"inputs": [{"node": "survey", "distribution": "normal", "sd": 1.0}]}
        >>> a = parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=7)
        >>> b = parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=7)
        >>> bool((a.ranks == b.ranks).all())
        True
    """
    m = ensure_methodology(methodology)
    if isinstance(sheet, pd.DataFrame):
        sheet = ScoreSheet.from_frame(sheet)
    if not isinstance(uncertainty, Uncertainty):
        uncertainty = uncertainty_from_dict(uncertainty)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise InputFormatError(f"draws must be a whole number >= 1, got {draws!r}")
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
    # Chunks bound memory and give about 20 progress updates on long runs.
    chunk = max(1, min(draws, _CELLS_PER_CHUNK // max(1, n_units * size)))
    chunk = min(chunk, max(500, -(-draws // 20)))
    rng = np.random.default_rng(seed)
    total = c.total_slot
    all_index = np.empty((draws, n_units))
    all_ranks = np.empty((draws, n_units))
    all_bands = np.empty((draws, n_units), dtype=np.intp)
    n_inputs = sum(p.units.size for p in prepared)
    sx = np.zeros(n_inputs)
    sxx = np.zeros(n_inputs)
    sy = np.zeros(n_units)
    syy = np.zeros(n_units)
    sxy = np.zeros((n_inputs, n_units))
    count = np.zeros(n_units)
    done = 0
    while done < draws:
        k = min(chunk, draws - done)
        # Column-major (draws x units) rows: the engine sums one slot column at a time.
        flat = np.empty((k * n_units, size), order="F")
        for s in range(size):
            flat[:, s] = np.tile(dense.given[:, s], k)
        drawn = []
        for p in prepared:
            x = _draw_points(p, c, rng, k)
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
        idx = res.index[:, total].reshape(k, n_units)
        keys = rank_keys(idx, base.precision)
        r = rank_matrix(keys, units, ties=tie, groups=rank_groups, ranked=ranked)
        all_index[done : done + k] = idx
        all_ranks[done : done + k] = r
        all_bands[done : done + k] = band_codes(keys, bands)
        if n_inputs:
            x = np.concatenate(drawn, axis=1)
            y = np.nan_to_num(r, nan=0.0)
            valid = ~np.isnan(r)
            sx += x.sum(axis=0)
            sxx += (x * x).sum(axis=0)
            sy += y.sum(axis=0)
            syy += (y * y).sum(axis=0)
            sxy += x.T @ y
            count += valid.sum(axis=0)
        done += k
        if progress is not None:
            progress(done, draws)

    drivers = _drivers(prepared, units, draws, sx, sxx, sy, syy, sxy, count)
    return Simulation(
        methodology=m,
        units=units,
        groups=groups,
        uncertainty=uncertainty,
        seed=seed,
        ties=tie,
        base=base,
        index=np.round(all_index, 9) + 0.0,
        ranks=all_ranks,
        band_codes=all_bands,
        band_labels=tuple(b.label for b in bands),
        driver_table=drivers,
    )


def _drivers(
    prepared: Sequence[_Prepared],
    units: tuple[str, ...],
    n: int,
    sx: FloatArray,
    sxx: FloatArray,
    sy: FloatArray,
    syy: FloatArray,
    sxy: FloatArray,
    count: FloatArray,
) -> pd.DataFrame:
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
