"""Ranking and banding (xếp hạng, phân nhóm).

Ranks are computed on the unrounded index by default (snapped to 1e-9 so that float
noise never creates or breaks a tie), optionally on the index rounded half-up to the
published precision. The official tie rule is not published; the policy is a
parameter (default ``min``: 1, 2, 2, 4). ``first`` breaks ties by unit name, so every
policy gives the same ranks whatever the input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from parindex._model import Band, Methodology, TiePolicy
from parindex._numbers import round_half_up, snap
from parindex._scoring import Scores
from parindex._sheet import normalize_key
from parindex.errors import DuplicateEntryError, InputFormatError, UnknownUnitError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Ranking", "assign_band", "rank", "rank_change", "rank_values"]


def _key(index: pd.Series, precision: int | None) -> pd.Series:
    import pandas as pd

    if precision is None:
        return index.map(lambda x: snap(float(x)) if pd.notna(x) else np.nan).astype("float64")
    return index.map(
        lambda x: round_half_up(float(x), precision) if pd.notna(x) else np.nan
    ).astype("float64")


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
        >>> from parindex import Band, assign_band
        >>> bands = [Band("A", lower=90), Band("B", lower=80, upper=90), Band("C", lower=70, upper=80)]
        >>> assign_band(90.0, bands), assign_band(89.99, bands), assign_band(50, bands)
        ('A', 'B', None)
    """
    import pandas as pd

    if index is None or pd.isna(index):
        return None
    for band in bands:
        if band.contains(float(index)):
            return band.label
    return None


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
        >>> from parindex import rank_values
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
    key = _key(series, precision)
    frame = pd.DataFrame({"key": key})
    frame["group"] = [None if groups is None else groups.get(str(u)) for u in frame.index]
    # Sorting by unit name first makes "first" deterministic and order-free.
    frame = frame.sort_index(key=lambda idx: idx.map(str))
    method = ties
    grouped = frame.groupby(frame["group"].fillna("\0"), sort=False)["key"]
    ranks = grouped.rank(method=method, ascending=False, na_option="keep")
    if ties != "average":
        ranks = ranks.astype("Int64")
    return ranks.reindex(series.index)


@attrs.frozen(eq=False)
class Ranking:
    """Ranks and bands of scored units (the result of :func:`rank`).

    Example:
        >>> import parindex
        >>> scores = parindex.score("binhduong-district-2017",
        ...                         parindex.ScoreSheet.read("examples/binhduong-district-2017.csv"))
        >>> parindex.rank(scores).to_frame()[["unit", "index", "rank"]].head(2).to_dict("records")
        [{'unit': 'Thành phố Thủ Dầu Một', 'index': 84.58, 'rank': 1}, {'unit': 'Thị xã Tân Uyên', 'index': 82.0, 'rank': 2}]
    """

    methodology: Methodology
    table: pd.DataFrame = attrs.field(repr=False)
    ties: TiePolicy
    precision: int | None
    year: int | None

    def __repr__(self) -> str:
        year = "" if self.year is None else f", {self.year}"
        return f"<Ranking {self.methodology.id}: {len(self.table)} units, ties {self.ties}{year}>"

    def _repr_html_(self) -> str:
        from parindex._display import ranking_html

        return ranking_html(self)

    def to_frame(self) -> pd.DataFrame:
        """``unit, group, points, max_points, index, rank, band, ranked``, best first (a copy)."""
        return self.table.copy()

    def rank_of(self, unit: str) -> int | None:
        """A unit's rank (``None`` when unranked or its index is unknown)."""
        import pandas as pd

        key = normalize_key(unit) if isinstance(unit, str) else unit
        row = self.table.loc[self.table["unit"] == key, "rank"]
        if row.empty:
            raise UnknownUnitError(
                f"unit {unit!r}: not in this ranking", unit=str(unit), value=unit
            )
        value = row.iloc[0]
        return None if pd.isna(value) else int(value)


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
    import pandas as pd

    m = scores.methodology
    policy = m.ranking
    ties = policy.ties if ties is None else ties
    precision = policy.precision if precision is None else precision
    _check_policy(ties, precision)
    within_groups = policy.within_groups if within_groups is None else within_groups
    table = scores.totals()
    if unranked is None:
        excluded = {normalize_key(u) for u in policy.unranked}
    else:
        if isinstance(unranked, str):
            raise InputFormatError(f"unranked must be a list of unit names, got {unranked!r}")
        excluded = set()
        for u in unranked:
            if not isinstance(u, str) or normalize_key(u) not in set(table["unit"]):
                # A misspelt name would otherwise leave that unit ranked, silently.
                raise UnknownUnitError(
                    f"unit {u!r} (in unranked): not among the scored units",
                    unit=str(u),
                    value=u,
                )
            excluded.add(normalize_key(u))
    ranked = ~table["unit"].isin(excluded)
    groups = dict(zip(table["unit"], table["group"], strict=True)) if within_groups else None
    values = pd.Series(table["index"].to_numpy(), index=table["unit"])
    ranks = rank_values(values[ranked.to_numpy()], ties=ties, precision=precision, groups=groups)
    table["rank"] = pd.array(
        [ranks.get(u, pd.NA) for u in table["unit"]],
        dtype="Float64" if ties == "average" else "Int64",
    )
    band_year = (
        year
        if year is not None
        else (m.evaluation_years[0] if len(m.evaluation_years) == 1 else None)
    )
    bands = m.bands_for(band_year)
    keys = _key(table["index"], precision)
    table["band"] = [assign_band(k, bands) for k in keys]
    table["ranked"] = ranked.to_numpy()
    order = table.assign(_g=table["group"].fillna(""), _k=-keys.fillna(-np.inf), _u=table["unit"])
    table = table.loc[order.sort_values(["_g", "_k", "_u"]).index].reset_index(drop=True)
    return Ranking(methodology=m, table=table, ties=ties, precision=precision, year=band_year)


def rank_change(current: Ranking, previous: Ranking) -> pd.DataFrame:
    """Rank movement between two rankings (e.g. two evaluation years), by unit.

    ``change`` is positive when a unit moved up (rank 5 -> 3 is +2).

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.read("examples/binhduong-district-2017.csv")
        >>> now = parindex.rank(parindex.score("binhduong-district-2017", sheet))
        >>> parindex.rank_change(now, now)["change"].unique().tolist()
        [0]
    """
    cur = current.table[["unit", "rank", "index"]]
    prev = previous.table[["unit", "rank", "index"]].rename(
        columns={"rank": "previous_rank", "index": "previous_index"}
    )
    out = cur.merge(prev, on="unit", how="outer", sort=False)
    out["change"] = (out["previous_rank"] - out["rank"]).astype("Int64")
    out["index_change"] = (out["index"] - out["previous_index"]).round(9)
    return out
