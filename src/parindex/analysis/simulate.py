"""Uncertainty and sensitivity: Monte Carlo over uncertain inputs (mô phỏng Monte Carlo).

Survey points carry sampling error, appraisal adjustments are discretionary, and a rate
near a tier boundary may land on either side. :func:`simulate` draws those inputs many
times (seeded, reproducible), rescores every draw, ranks each draw, and reports each
unit's rank distribution, band probabilities and the inputs that drive its rank.

Rescoring updates only what a draw changes: the sheet is scored once, and each block of
draws recomputes the drawn nodes' columns and their ancestors' sums up to the total
(``draws x units`` each, vectorised across draws), with the engine's own float
operations in its order and every check it makes (sums within their maxima, fields
and score components agreeing; N/A, missing and unknown entries as the engine treats
them), so the indices are bit for bit those of rescoring the whole tree; a block in
which a check fires is rescored in full, which raises the engine's error
(:mod:`parindex.analysis._simulate_update`).

Ranking per draw follows :func:`parindex.rank`: the index snapped to 1e-9 (numpy's
round to 9 decimals; or rounded half-up to the policy's precision), within groups when
the policy says so, units listed as unranked left out, and every tie policy (``min``,
``max``, ``dense``, ``average``, and ``first`` = by unit name) computed with a stable
argsort per draw.

Drivers: for every uncertain input (a unit's node) and every unit, the Pearson
correlation across draws between the input's drawn points and the unit's rank number,
and its square, the share of the rank's variance a linear fit on that input explains
(a first-order estimate; inputs are drawn independently). A negative correlation means
more points on the input give a better (smaller) rank. They are computed when first
read (:attr:`Simulation.driver_table`, :meth:`Simulation.drivers`), from the same
numbers drawn again from the seed's generator: a simulation whose drivers are not read
does not pay for them.

Bounded work: ``draws x units`` is at most :data:`~parindex.limits.MAX_DRAW_CELLS`
(``max_draw_cells=`` raises it), since every draw's index, rank and band are kept; the
draws are scored in blocks of bounded size. Random numbers are drawn in fixed stretches
of draws and the driver sums added up over the same stretches, whatever the block size,
so a seed gives the same result however the draws are blocked.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex._text import normalize_key
from parindex.analysis._simulate_draws import (
    DriverSource,
    NoiseStream,
    draw_points,
    prepare_inputs,
)
from parindex.analysis._simulate_update import UpdatePlan, rescore_block
from parindex.analysis.ranking import Ranking, band_codes, rank, rank_keys, rank_matrix
from parindex.engine.aggregate import score_dense
from parindex.engine.arrays import MissingPolicy
from parindex.engine.checks import dense_columns
from parindex.engine.compile import compile_methodology
from parindex.engine.scores import Scores, sheet_columns
from parindex.engine.tables import INDEX_COLUMN, ResultFrame, label_column
from parindex.errors import InputFormatError, UnknownUnitError
from parindex.io.uncertainty import uncertainty_from_dict
from parindex.limits import MAX_DRAW_CELLS, MAX_UNITS, check_limit
from parindex.model.methodology import Methodology, TiePolicy, ensure_methodology
from parindex.model.sheet import ScoreSheet
from parindex.model.uncertainty import Uncertainty
from parindex.rules import RateScale

__all__ = ["Simulation", "simulate"]

FloatArray = npt.NDArray[np.float64]

# Cells (draws x units x slots) a block would take in full: sets the stretch the noise
# is drawn in (so the random numbers, whatever the update path), and the largest block.
_CELLS_PER_CHUNK = 2_000_000


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
    # The drivers as given, or computed from _driver_source when first read (then kept).
    _driver_table: pd.DataFrame | None = attrs.field(default=None, alias="driver_table", repr=False)
    _driver_source: Callable[[FloatArray], pd.DataFrame] | None = attrs.field(
        default=None, alias="driver_source", repr=False
    )

    @property
    def driver_table(self) -> pd.DataFrame:
        """Every driver: ``unit, input_unit, node, correlation, r2`` (computed on first
        read, from the numbers the simulation drew, then kept; see :meth:`drivers`).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> spec = {"inputs": [{"node": "survey", "sd": 1.0}]}
            >>> sim = parindex.simulate("binhduong-district-2017", sheet, spec, draws=200, seed=1)
            >>> len(sim.driver_table)  # 9 inputs x 8 units (one is last in every draw)
            72
        """
        table = self._driver_table
        if table is None:
            if self._driver_source is None:
                raise InputFormatError("this Simulation was made without its drivers")
            table = self._driver_source(self.ranks)
            # A cache on a frozen instance: every reader computes the same table, so a
            # race between two threads stores one of two equal tables.
            object.__setattr__(self, "_driver_table", table)
        return table

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
        """One row per unit: the sheet's index (``par_index``) and rank, then the rank's median and its
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
                    INDEX_COLUMN: base.loc[unit, INDEX_COLUMN],
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
        out = ResultFrame(rows)
        out["rank"] = out["rank"].astype(base["rank"].dtype)
        for label in ("group", "likely_band"):
            out[label] = label_column(out[label].to_numpy(dtype=object))
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
    rank drivers (computed when first read) for every unit. Seeded (``numpy.random.default_rng(seed)``, ``seed``
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
    return _simulate(
        methodology,
        sheet,
        uncertainty,
        draws=draws,
        seed=seed,
        missing=missing,
        rate_scale=rate_scale,
        ties=ties,
        year=year,
        progress=progress,
        max_draw_cells=max_draw_cells,
        block_draws=block_draws,
        full=False,
    )


def _simulate(
    methodology: Methodology,
    sheet: ScoreSheet | pd.DataFrame,
    uncertainty: Uncertainty | Mapping[str, Any],
    *,
    draws: int,
    seed: int | None,
    missing: MissingPolicy,
    rate_scale: RateScale | None,
    ties: TiePolicy | None,
    year: int | None,
    progress: Callable[[int, int], None] | None,
    max_draw_cells: int,
    block_draws: int | None,
    full: bool,
) -> Simulation:
    """:func:`simulate`; ``full=True`` rescores the whole tree for every block (the
    reference the update path is tested against)."""
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
    prepared = prepare_inputs(c, sheet, dense, uncertainty, rate_scale)
    plan = None if full else UpdatePlan.build(c, dense, base_batch, prepared, missing)

    n_units, size = dense.given.shape
    # The stretch of draws the random numbers and driver sums go by: bounded memory,
    # about 20 progress updates on long runs. Blocks are scored at most this many.
    fits = max(1, min(draws, _CELLS_PER_CHUNK // max(1, n_units * size)))
    stretch = min(fits, max(500, -(-draws // 20)))
    block = stretch if block_draws is None else min(block_draws, fits)
    rng = np.random.default_rng(seed)
    start = copy.deepcopy(rng)  # the drivers draw the same numbers again from here
    noise = NoiseStream(prepared, rng, draws, stretch)
    all_index = np.empty((draws, n_units))
    all_ranks = np.empty((draws, n_units))
    all_bands = np.empty((draws, n_units), dtype=np.intp)
    done = 0
    while done < draws:
        k = min(block, draws - done)
        drawn = [draw_points(p, c, z) for p, z in zip(prepared, noise.take(k), strict=True)]
        idx = None if plan is None else plan.block(drawn, k)
        if idx is None:  # the reference path, or a check fired: the engine decides
            idx = rescore_block(c, dense, units, groups, prepared, drawn, done, missing)
        keys = rank_keys(idx, base.precision)
        all_index[done : done + k] = idx
        all_ranks[done : done + k] = rank_matrix(
            keys, units, ties=tie, groups=rank_groups, ranked=ranked
        )
        all_bands[done : done + k] = band_codes(keys, bands)
        done += k
        if progress is not None:
            progress(done, draws)

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
        driver_source=DriverSource(c, tuple(prepared), units, start, draws, stretch),
    )
