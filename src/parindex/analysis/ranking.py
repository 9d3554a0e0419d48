"""Ranking and banding (xếp hạng, phân nhóm).

Ranks are computed on the unrounded index by default (snapped to 1e-9 so that float
noise never creates or breaks a tie), optionally on the index rounded half-up to the
published precision. The official tie rule is not published; the policy is a
parameter (default ``min``: 1, 2, 2, 4). ``first`` breaks ties by unit name, so every
policy gives the same ranks whatever the input order.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from parindex._display import html_of
from parindex._numbers import NOISE_DECIMALS, snap_array
from parindex._text import normalize_key, spelling_clash
from parindex.analysis._rank_arrays import group_numbers, order_and_ranks, rank_rows
from parindex.engine.scores import Scores, none_column, totals_frame
from parindex.errors import (
    DuplicateEntryError,
    InputFormatError,
    NoBandsWarning,
    UnknownMethodologyError,
    UnknownUnitError,
)
from parindex.model.methodology import Band, Methodology, TiePolicy

if TYPE_CHECKING:
    import pandas as pd

FloatArray = npt.NDArray[np.float64]

__all__ = ["RankedUnit", "Ranking", "assign_band", "rank", "rank_change", "rank_values"]


def rank_keys(index: FloatArray, precision: int | None) -> FloatArray:
    """The values ranks compare: the index snapped to 1e-9 (``precision=None``) or
    rounded half-up to ``precision`` decimals, as published tables round.

    Example:
        >>> import numpy as np
        >>> from parindex.analysis.ranking import rank_keys
        >>> rank_keys(np.array([0.1 + 0.2, 87.825, np.nan]), None).tolist()
        [0.3, 87.825, nan]
        >>> rank_keys(np.array([87.825, 87.8249]), 2).tolist()
        [87.83, 87.82]
    """
    if precision is None:
        return snap_array(index)
    scale = 10.0**precision
    # Half-up on the snapped value: 87.825 * 100 is 8782.499999999999 in float64, so
    # round the scaled value to the 9 - p places the snapped index really has first (a
    # fixed 6 rounded 87.824999996 up at p=2 and 79.448879755 down at p=8); k / 10**p
    # is then the float nearest the decimal.
    return np.floor(np.round(snap_array(index) * scale, NOISE_DECIMALS - precision) + 0.5) / scale


def rank_matrix(
    keys: FloatArray,
    names: Sequence[str],
    *,
    ties: TiePolicy = "min",
    groups: Sequence[str | None] | None = None,
    ranked: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Rank every row of ``keys`` (``draws x units``; highest first) at once.

    NaN keys and units not ``ranked`` get NaN. Ties follow ``ties`` (``first`` breaks
    them by unit name, as :func:`parindex.analysis.ranking.rank_values` does). The engine of
    :func:`rank` (one row) and of the Monte Carlo (one row per draw).

    Example:
        >>> import numpy as np
        >>> from parindex.analysis.ranking import rank_matrix
        >>> rank_matrix(np.array([[85.0, 85.0, 80.0], [70.0, 90.0, np.nan]]), ["a", "b", "c"]).tolist()
        [[1.0, 1.0, 3.0], [2.0, 1.0, nan]]
    """
    n = keys.shape[1]
    by_name = np.array(sorted(range(n), key=[str(x) for x in names].__getitem__), dtype=np.intp)
    return rank_rows(
        keys,
        by_name,
        group_numbers(groups, n),
        np.ones(n, dtype=bool) if ranked is None else ranked,
        ties,
    )


def band_codes(keys: FloatArray, bands: Sequence[Band]) -> npt.NDArray[np.intp]:
    """Position of each key's band in ``bands`` (-1: none), as :func:`assign_band`."""
    codes = np.full(keys.shape, -1, dtype=np.intp)
    for b, band in reversed(list(enumerate(bands))):
        inside = ~np.isnan(keys)
        if band.lower is not None:
            inside &= keys >= band.lower if band.lower_inclusive else keys > band.lower
        if band.upper is not None:
            inside &= keys <= band.upper if band.upper_inclusive else keys < band.upper
        codes[inside] = b  # reversed: the first matching band wins, as assign_band
    return codes


_TIES = ("min", "dense", "average", "first", "max")


def _check_policy(ties: object, precision: object) -> None:
    if not isinstance(ties, str) or ties not in _TIES:
        raise InputFormatError(f"ties={ties!r} is not one of {', '.join(_TIES)}")
    if precision is not None and (
        isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 9
    ):
        raise InputFormatError(
            f"precision={precision!r} must be a whole number of decimals from 0 to 9, or None"
        )


def assign_band(index: float | None, bands: Sequence[Band]) -> str | None:
    """The label of the band ``index`` falls in, or ``None``.

    Example:
        >>> from parindex import Band
        >>> from parindex.analysis.ranking import assign_band
        >>> bands = [Band("A", lower=90), Band("B", lower=80, upper=90), Band("C", lower=70, upper=80)]
        >>> assign_band(90.0, bands), assign_band(89.99, bands), assign_band(50, bands)
        ('A', 'B', None)
    """
    if index is None:
        return None
    try:
        value = float(index)
    except (TypeError, ValueError):
        if type(index).__name__ == "NAType":  # pandas' NA: unknown, no band
            return None
        raise InputFormatError(f"index {index!r} is not a number") from None
    if value != value:
        return None
    # One implementation for one value and for arrays, so the two never disagree.
    code = int(band_codes(np.array([value]), bands)[0])
    return None if code < 0 else bands[code].label


def rank_values(
    values: Mapping[str, float] | pd.Series,
    *,
    ties: TiePolicy = "min",
    precision: int | None = None,
    groups: Mapping[str, str | None] | None = None,
) -> pd.Series:
    """Rank values (highest first) with an explicit tie policy; returns nullable
    ``Int64`` ranks indexed by unit (``<NA>`` for missing values).

    Useful for published indices, e.g. the 2019 customs index ranks densely:

    Example:
        >>> from parindex.analysis.ranking import rank_values
        >>> rank_values({"a": 85.0, "b": 85.0, "c": 80.0}, ties="dense").tolist()
        [1, 1, 2]
        >>> rank_values({"a": 85.0, "b": 85.0, "c": 80.0}).tolist()
        [1, 1, 3]
    """
    import pandas as pd

    _check_policy(ties, precision)
    try:
        series = (
            pd.Series(values, dtype="float64")
            if not isinstance(values, pd.Series)
            else values.astype("float64")
        )
    except (TypeError, ValueError) as err:
        raise InputFormatError(f"values to rank must be numbers: {err}") from None
    seen: dict[object, object] = {}
    for unit in series.index:
        key = normalize_key(unit) if isinstance(unit, str) else unit
        if key in seen:
            same = "" if seen[key] == unit else " (also in another Unicode form or spacing)"
            raise DuplicateEntryError(
                f"unit {key!r} appears twice{same}", unit=str(key), value=unit
            )
        seen[key] = unit
    clash = spelling_clash([k for k in seen if isinstance(k, str)])
    if clash is not None:
        raise DuplicateEntryError(
            f"units {clash[0]!r} and {clash[1]!r} are one name spelled two ways (letter "
            "case or tone-mark placement)",
            unit=clash[1],
            value=clash,
        )
    values_array = np.asarray(series.to_numpy(), dtype=np.float64)
    infinite = np.flatnonzero(np.isinf(values_array))
    if infinite.size:
        unit = series.index[int(infinite[0])]
        raise InputFormatError(
            f"unit {unit!r}: value {values_array[infinite[0]]} is not a finite number; "
            "give a number, or NaN for a unit without one"
        )
    frame = pd.DataFrame({"key": rank_keys(values_array, precision)}, index=series.index)
    frame["group"] = [None if groups is None else groups.get(str(u)) for u in frame.index]
    # Sorting by unit name first makes "first" deterministic and order-free.
    frame = frame.sort_index(key=lambda idx: idx.map(str))
    method = ties
    grouped = frame.groupby(frame["group"].fillna("\0"), sort=False)["key"]
    ranks = grouped.rank(method=method, ascending=False, na_option="keep")
    if ties != "average":
        ranks = ranks.astype("Int64")
    return ranks.reindex(series.index)


@attrs.frozen
class RankedUnit:
    """One row of a ranking (một dòng của bảng xếp hạng): a unit's totals, rank and band.

    ``rank`` is ``None`` for a unit not ranked or whose index is unknown; it is a float
    only under ``ties="average"`` (1.5).

    Example:
        >>> import parindex
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> parindex.rank(scores, year=2017).rows()[0]
        RankedUnit(unit='Đắk Lắk', group=None, points=75.37, max_points=100.0, index=75.37, rank=1, band=None, ranked=True)
    """

    unit: str
    group: str | None
    points: float | None
    max_points: float | None
    index: float | None
    rank: int | float | None
    band: str | None
    ranked: bool


@attrs.frozen(eq=False)
class Ranking:
    """Ranks and bands of scored units (the result of :func:`rank`).

    Kept as arrays over the scores (``order``: the units' positions best first, and
    per row ``rank_array``, ``band_array``, ``ranked_array``); :meth:`rows` gives plain
    records and :meth:`to_frame` a DataFrame, so printing a ranking needs no pandas.

    Example:
        >>> import parindex
        >>> scores = parindex.score("binhduong-district-2017",
        ...                         parindex.load_sheet("examples/binhduong-district-2017.csv"))
        >>> parindex.rank(scores).to_frame()[["unit", "par_index", "rank"]].head(2).to_dict("records")
        [{'unit': 'Thành phố Thủ Dầu Một', 'par_index': 84.58, 'rank': 1}, {'unit': 'Thị xã Tân Uyên', 'par_index': 82.0, 'rank': 2}]
    """

    methodology: Methodology
    scores: Scores = attrs.field(repr=False)
    order: npt.NDArray[np.intp] = attrs.field(repr=False)
    rank_array: FloatArray = attrs.field(repr=False)
    band_array: npt.NDArray[np.object_] = attrs.field(repr=False)
    ranked_array: npt.NDArray[np.bool_] = attrs.field(repr=False)
    ties: TiePolicy
    precision: int | None
    year: int | None

    def __repr__(self) -> str:
        year = "" if self.year is None else f", {self.year}"
        return f"<Ranking {self.methodology.id}: {len(self)} units, ties {self.ties}{year}>"

    def __len__(self) -> int:
        return len(self.order)

    def _repr_html_(self) -> str | None:
        return html_of(self)

    @property
    def units(self) -> tuple[str, ...]:
        """The units, best first (within each group, no group first; then by name).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> parindex.rank(parindex.score("illustrative-district", sheet)).units[:2]
            ('Huyện Minh Họa B', 'Huyện Minh Họa A')
        """
        units = self.scores.units
        return tuple(units[i] for i in self.order.tolist())

    def rows(self) -> tuple[RankedUnit, ...]:
        """Every row as a :class:`RankedUnit`, best first (plain Python values).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> last = parindex.rank(parindex.score("illustrative-district", sheet)).rows()[-1]
            >>> last.unit, last.rank, last.band
            ('Huyện Minh Họa H', 8, 'Trung bình')
        """
        b = self.scores.batch
        t = b.compiled.total_slot
        rows = self.order
        points = snap_array(b.points[rows, t]).tolist()
        maxima = snap_array(b.max_points[rows, t]).tolist()
        index = snap_array(b.index_column(t)[rows]).tolist()
        ranks = self.rank_array.tolist()
        average = self.ties == "average"
        return tuple(
            RankedUnit(
                unit=b.units[i],
                group=b.groups[i],
                points=None if points[k] != points[k] else points[k],
                max_points=None if maxima[k] != maxima[k] else maxima[k],
                index=None if index[k] != index[k] else index[k],
                rank=None if ranks[k] != ranks[k] else (ranks[k] if average else int(ranks[k])),
                band=self.band_array[k],
                ranked=bool(self.ranked_array[k]),
            )
            for k, i in enumerate(rows.tolist())
        )

    def to_frame(self) -> pd.DataFrame:
        """``unit, group, points, max_points, par_index, rank, band, ranked``, best
        first. ``group`` and ``band`` are ``<NA>`` where missing, ``rank`` where unranked;
        ``par_index`` was called ``index`` (still read, with a DeprecationWarning, until
        the next release).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> table = parindex.rank(parindex.score("illustrative-district", sheet)).to_frame()
            >>> table[["unit", "rank", "band"]].tail(2).to_dict("records")
            [{'unit': 'Huyện Minh Họa G', 'rank': 7, 'band': 'Khá'}, {'unit': 'Huyện Minh Họa H', 'rank': 8, 'band': 'Trung bình'}]
        """
        import pandas as pd

        from parindex.engine.tables import label_column

        ranks = self.rank_array
        missing = np.isnan(ranks)
        # Written straight into the column's own array: no temporary of every rank.
        rank_column: pd.api.extensions.ExtensionArray
        if self.ties == "average":
            floats = np.zeros(len(ranks), dtype=np.float64)
            np.copyto(floats, ranks, where=~missing)
            rank_column = pd.arrays.FloatingArray(floats, missing)
        else:
            whole = np.zeros(len(ranks), dtype=np.int64)
            np.copyto(whole, ranks, casting="unsafe", where=~missing)
            rank_column = pd.arrays.IntegerArray(whole, missing)
        return totals_frame(
            self.scores.batch,
            self.order,
            {
                "rank": rank_column,
                # No bands this year: every label is missing (known without a pass).
                "band": (
                    label_column(self.band_array)
                    if self.methodology.bands_for(self.year)
                    else none_column(len(self.band_array))
                ),
                "ranked": self.ranked_array.copy(),
            },
        )

    @property
    def table(self) -> pd.DataFrame:
        """The same as :meth:`to_frame` (built anew on each access).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> len(parindex.rank(parindex.score("illustrative-district", sheet)).table)
            8
        """
        return self.to_frame()

    def rank_of(self, unit: str) -> int | float | None:
        """A unit's rank (``None`` when unranked or its index is unknown).

        Example:
            >>> import parindex
            >>> scores = parindex.score("illustrative-district", parindex.load_sheet("examples/illustrative-districts.csv"))
            >>> parindex.rank(scores).rank_of("Huyện Minh Họa D")
            3
            >>> print(parindex.rank(scores, unranked=["Huyện Minh Họa H"]).rank_of("Huyện Minh Họa H"))
            None
        """
        try:
            at = self.scores.position(unit)  # any spelling Scores.unit accepts
        except UnknownUnitError:
            raise UnknownUnitError(
                f"unit {unit!r}: not in this ranking", unit=str(unit), value=unit
            ) from None
        value = float(self.rank_array[int(np.flatnonzero(self.order == at)[0])])
        if value != value:
            return None
        return value if self.ties == "average" else int(value)


def rank(
    scores: Scores,
    *,
    ties: TiePolicy | None = None,
    precision: int | None = None,
    within_groups: bool | None = None,
    unranked: Iterable[str] | None = None,
    year: int | None = None,
) -> Ranking:
    """Rank scored units by index and assign bands.

    Defaults come from the methodology's ranking policy: tie policy, whether groups
    are ranked separately, and units scored but not ranked. Bands are those of
    ``year`` (or of the single evaluation year).

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records([
        ...     {"unit": u, "node": c, "points": p}
        ...     for u, a, s in [("A", 60, 30.1), ("B", 60, 30.1), ("C", 50, 20)]
        ...     for c, p in [("appraisal", a), ("survey", s)]
        ... ])
        >>> table = parindex.rank(parindex.score("ministry-2022", sheet), year=2022).to_frame()
        >>> table[["unit", "rank"]].to_dict("records")
        [{'unit': 'A', 'rank': 1}, {'unit': 'B', 'rank': 1}, {'unit': 'C', 'rank': 3}]
    """
    m = scores.methodology
    policy = m.ranking
    ties = policy.ties if ties is None else ties
    precision = policy.precision if precision is None else precision
    _check_policy(ties, precision)
    within_groups = policy.within_groups if within_groups is None else within_groups
    if isinstance(unranked, str):
        raise InputFormatError(f"unranked must be a list of unit names, got {unranked!r}")
    if year is not None and scores.year is not None and year != scores.year:
        raise UnknownMethodologyError(
            f"these scores are for {scores.year} ({m.id} looked up for that year), not {year}"
        )
    year = scores.year if year is None else year
    batch = scores.batch
    n_units = len(batch.points)
    # Unit names are read only when some are to be left unranked: names still in the
    # array they came in stay there (the order below sorts that array).
    names = policy.unranked if unranked is None else list(unranked)
    # A misspelt name would otherwise leave that unit ranked, silently.
    excluded = _find_units(scores.units, names, required=unranked is not None) if names else []
    ranked = np.ones(n_units, dtype=bool)
    ranked[excluded] = False
    group_codes = group_numbers(batch.groups, n_units)
    keys = rank_keys(batch.index_column(batch.compiled.total_slot), precision)
    order, ranks = order_and_ranks(keys, batch.names(), group_codes, ranked, ties, within_groups)
    band_year = (
        year
        if year is not None
        else (m.evaluation_years[0] if len(m.evaluation_years) == 1 else None)
    )
    bands = m.bands_for(band_year)
    if band_year is None and any(m.bands.values()):
        known = tuple(sorted(y for y, b in m.bands.items() if b))
        warnings.warn(NoBandsWarning(m.id, known), stacklevel=2)
    labels = np.array([None, *(b.label for b in bands)], dtype=object)
    return Ranking(
        methodology=m,
        scores=scores,
        order=order,
        rank_array=ranks,
        band_array=(
            labels[band_codes(keys[order], bands) + 1] if bands else np.full(len(order), None)
        ),
        ranked_array=ranked[order],
        ties=ties,
        precision=precision,
        year=band_year,
    )


def _find_units(units: Sequence[str], names: Sequence[object], *, required: bool) -> list[int]:
    """Positions of the scored units that ``names`` refer to.

    Names are matched as :class:`~parindex.analysis.names.UnitNames` matches them (case, Unicode form,
    old and new tone placement, prefixes, then diacritics), so that "Uỷ ban Dân tộc"
    in a sheet is the "Ủy ban Dân tộc" a methodology leaves unranked. A name that fits
    several units is an error; one that fits none is an error when ``required``.
    """
    if not names:
        return []
    position = {u: i for i, u in enumerate(units)}
    found: list[int] = []
    loose: list[str] = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise UnknownUnitError(
                f"unit {name!r} (in unranked): not a unit name", unit=str(name), value=name
            )
        hit = position.get(normalize_key(name))
        if hit is None:
            loose.append(name)
        else:
            found.append(hit)
    if loose and units:
        from parindex.analysis.names import UnitNames

        matcher = UnitNames(units)
        for name in loose:
            hits = matcher.candidates(name)
            if len(hits) == 1:
                found.append(position[hits[0]])
            elif hits:
                raise UnknownUnitError(
                    f"unit {name!r} (in unranked) is ambiguous: it could be "
                    f"{', '.join(map(repr, hits))}; write it as one of them",
                    unit=name,
                    value=hits,
                )
            elif required:
                raise _not_scored(name)
    elif loose and required:
        raise _not_scored(loose[0])
    return found


def _not_scored(name: str) -> UnknownUnitError:
    return UnknownUnitError(
        f"unit {name!r} (in unranked): not among the scored units", unit=name, value=name
    )


def rank_change(current: Ranking, previous: Ranking) -> pd.DataFrame:
    """Rank movement between two rankings (e.g. two evaluation years), by unit.

    Columns: ``unit, rank, par_index, previous_rank, previous_index, change,
    index_change``. ``change`` is positive when a unit moved up (rank 5 -> 3 is +2).
    Rows are in order of the units' names (by code point), whichever pandas is installed.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> now = parindex.rank(parindex.score("binhduong-district-2017", sheet))
        >>> parindex.rank_change(now, now)["change"].unique().tolist()
        [0]
    """
    from parindex.engine.tables import INDEX_COLUMN, ResultFrame

    cur = current.table[["unit", "rank", INDEX_COLUMN]]
    prev = previous.table[["unit", "rank", INDEX_COLUMN]].rename(
        columns={"rank": "previous_rank", INDEX_COLUMN: "previous_index"}
    )
    # sort=True: an outer merge sorts its keys on pandas >= 2.2 even without it, and
    # did not always before; asked for, the rows come in one order on every pandas.
    out = ResultFrame(cur.merge(prev, on="unit", how="outer", sort=True))
    out["change"] = (out["previous_rank"] - out["rank"]).astype("Int64")
    out["index_change"] = (out[INDEX_COLUMN] - out["previous_index"]).round(9)
    return out
