"""What-if analysis for one unit (phân tích kịch bản).

:func:`what_if` changes some inputs of a unit on a copy of the sheet, rescores and
ranks, and shows what moved (see :mod:`parindex.analysis.gap` for the way back: how
far a unit is from a target and which changes close the gap).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from parindex.analysis._sheet_edits import find_unit, fmt, with_peers
from parindex.analysis.ranking import RankedUnit, Ranking, rank, rank_change
from parindex.engine.arrays import MissingPolicy
from parindex.engine.scores import Scores, score
from parindex.engine.tables import INDEX_COLUMN
from parindex.errors import InputFormatError
from parindex.model.methodology import Methodology, TiePolicy, ensure_methodology
from parindex.model.sheet import ScoreSheet, as_sheet
from parindex.rules import RateScale

__all__ = ["Change", "WhatIf", "what_if"]

Change = float | int | str | bool | Mapping[str, Any]
"""One change of a what-if: points, a raw value, ``"na"`` or a mapping of entry fields."""


def _entry_fields(unit: str, node: str, change: Change) -> dict[str, Any]:
    """A change as ScoreEntry fields: a number is points, ``"na"`` is not applicable,
    other text or a boolean is a raw value; a mapping names the field itself."""
    if isinstance(change, Mapping):
        allowed = {"points", "value", "na", "self_points", "appraised_points", "note"}
        unknown = set(change) - allowed
        if unknown:
            raise InputFormatError(
                f"unit {unit!r}, node {node!r}: unknown change keys {sorted(unknown)}"
            )
        return dict(change)
    if isinstance(change, str) and change.strip().casefold() == "na":
        return {"na": True}
    if isinstance(change, bool | str):
        return {"value": change}
    if isinstance(change, int | float | np.integer | np.floating):
        return {"points": float(change)}
    raise InputFormatError(
        f"unit {unit!r}, node {node!r}: a change must be points, a value or 'na', got {change!r}"
    )


def _apply(sheet: ScoreSheet, unit: str, changes: Mapping[str, Change]) -> ScoreSheet:
    out = sheet
    for node, change in changes.items():
        out = out.replace(unit, node, **_entry_fields(unit, node, change))
    return out


@attrs.frozen(eq=False)
class WhatIf:
    """The result of :func:`what_if`: scores and ranking before and after the changes.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
        >>> w = parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa D", {"3.2.1": "100%"})
        >>> w.rank_before, w.rank_after
        (3, 3)
        >>> w.diff()[["node", "points_before", "points_after"]].tail(2).to_dict("records")
        [{'node': '3.2', 'points_before': 9.0, 'points_after': 12.0}, {'node': '3.2.1', 'points_before': 3.0, 'points_after': 6.0}]
    """

    unit: str
    changes: Mapping[str, Change]
    before: Scores = attrs.field(repr=False)
    after: Scores = attrs.field(repr=False)
    ranking_before: Ranking = attrs.field(repr=False)
    ranking_after: Ranking = attrs.field(repr=False)

    def _row(self, ranking: Ranking) -> RankedUnit:
        return next(row for row in ranking.rows() if row.unit == self.unit)

    @property
    def rank_before(self) -> int | float | None:
        """The unit's rank before the changes.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> w = parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"survey": 35.0})
            >>> w.rank_before, w.rank_after
            (2, 2)
        """
        return self.ranking_before.rank_of(self.unit)

    @property
    def rank_after(self) -> int | float | None:
        """The unit's rank after the changes.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> changes = {"3.2.1": "100%", "7.2": "100%"}
            >>> parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa D", changes).rank_after
            1
        """
        return self.ranking_after.rank_of(self.unit)

    @property
    def band_before(self) -> str | None:
        """The unit's band before the changes.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> w = parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa F", {"3.1.1": "100%"})
            >>> w.band_before, w.band_after
            ('Khá', 'Tốt')
        """
        return self._row(self.ranking_before).band

    @property
    def band_after(self) -> str | None:
        """The unit's band after the changes.

        Example:
            ``None`` when the methodology has no bands:

            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> print(parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"survey": 35.0}).band_after)
            None
        """
        return self._row(self.ranking_after).band

    def diff(self) -> pd.DataFrame:
        """Every node (total and components first) whose points, applicable maximum,
        index or status moved: before, after and change.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> w = parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"survey": 35.0})
            >>> w.diff()[["node", "points_change", "index_change"]].to_dict("records")
            [{'node': 'total', 'points_change': 1.75, 'index_change': 1.75}, {'node': 'survey', 'points_change': 1.75, 'index_change': 5.0}]
        """
        cols = ["points", "max_points", "index", "status"]
        # The diff keeps its column names (index_before, index_change, ...): no clash.
        a = self.before.to_frame().rename(columns={INDEX_COLUMN: "index"})
        b = self.after.to_frame().rename(columns={INDEX_COLUMN: "index"})
        a = a.loc[a["unit"] == self.unit].set_index("node")
        b = b.loc[b["unit"] == self.unit].set_index("node")
        joined = a[["kind", "depth", *cols]].merge(
            b[cols], left_index=True, right_index=True, suffixes=("_before", "_after")
        )
        moved = np.zeros(len(joined), dtype=bool)
        for c in cols:
            x, y = joined[f"{c}_before"], joined[f"{c}_after"]
            moved |= ~((x == y) | (x.isna() & y.isna())).to_numpy()
        out = joined.loc[moved].reset_index()
        for c in ("points", "index"):
            out[f"{c}_change"] = (out[f"{c}_after"] - out[f"{c}_before"]).round(9)
        return out[
            [
                "node",
                "kind",
                "points_before",
                "points_after",
                "points_change",
                "max_points_before",
                "max_points_after",
                "index_before",
                "index_after",
                "index_change",
                "status_before",
                "status_after",
            ]
        ]

    def rank_changes(self) -> pd.DataFrame:
        """Units whose rank moved (the unit itself and the peers it passed).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> w = parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa D", {"3.2.1": "100%", "7.2": "100%"})
            >>> w.rank_changes()[["unit", "previous_rank", "rank"]].to_dict("records")
            [{'unit': 'Huyện Minh Họa A', 'previous_rank': 2, 'rank': 3}, {'unit': 'Huyện Minh Họa B', 'previous_rank': 1, 'rank': 2}, {'unit': 'Huyện Minh Họa D', 'previous_rank': 3, 'rank': 1}]
        """
        out = rank_change(self.ranking_after, self.ranking_before)
        return out.loc[out["change"].fillna(0) != 0].reset_index(drop=True)

    def headline(self) -> str:
        """One line: index, rank and band before -> after.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa F", {"3.1.1": "100%"}).headline()
            'Huyện Minh Họa F: index 76.25 -> 80.25; rank 6 -> 6; band Khá -> Tốt'
        """
        t0 = self.before.unit(self.unit).total.index
        t1 = self.after.unit(self.unit).total.index
        return (
            f"{self.unit}: index {fmt(t0)} -> {fmt(t1)}; rank {fmt(self.rank_before)} -> "
            f"{fmt(self.rank_after)}; band {fmt(self.band_before)} -> {fmt(self.band_after)}"
        )

    def to_text(self) -> str:
        """A plain-text report (values rounded half-up to 2 decimals).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> changes = {"appraisal": 50.0, "survey": 35.0}
            >>> print(parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", changes).to_text())
            Thị xã Tân Uyên: index 82 -> 85; rank 2 -> 1; band - -> -
            changes: appraisal = 50.0, survey = 35.0
            <BLANKLINE>
            node                        points                 index
            total                     82 -> 85              82 -> 85
            appraisal              48.75 -> 50           75 -> 76.92
            survey                 33.25 -> 35             95 -> 100
            <BLANKLINE>
            peers moved: Thành phố Thủ Dầu Một 1 -> 2
        """
        changes = ", ".join(f"{k} = {v!r}" for k, v in self.changes.items())
        lines = [self.headline(), f"changes: {changes}", ""]
        d = self.diff()
        lines.append(f"{'node':<12}{'points':>22}{'index':>22}")
        for r in d.itertuples(index=False):
            pts = f"{fmt(r.points_before)} -> {fmt(r.points_after)}"
            idx = f"{fmt(r.index_before)} -> {fmt(r.index_after)}"
            lines.append(f"{r.node:<12}{pts:>22}{idx:>22}")
        moved = self.rank_changes()
        others = moved.loc[moved["unit"] != self.unit]
        if len(others):
            lines.append("")
            lines.append(
                "peers moved: "
                + ", ".join(
                    f"{u} {fmt(p)} -> {fmt(n)}"
                    for u, p, n in others[["unit", "previous_rank", "rank"]].itertuples(
                        index=False, name=None
                    )
                )
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self) -> str:
        """An HTML report (for notebooks).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
            >>> html = parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"survey": 35.0}).to_html()
            >>> html.startswith("<p><b>Thị xã Tân Uyên: index 82 -&gt; 83.75"), "<table" in html
            (True, True)
        """
        table = self.diff().to_html(index=False, na_rep="-", float_format=lambda x: f"{x:.2f}")
        return f"<p><b>{html.escape(self.headline())}</b></p>\n{table}"

    def _repr_html_(self) -> str:
        return self.to_html()


def what_if(
    methodology: Methodology,
    sheet: ScoreSheet | pd.DataFrame,
    unit: str,
    changes: Mapping[str, Change],
    *,
    peers: ScoreSheet | pd.DataFrame | None = None,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    ties: TiePolicy | None = None,
    year: int | None = None,
) -> WhatIf:
    """Change some inputs of one unit, rescore and rerank; the sheet is not modified.

    ``changes`` maps node ids to new points (a number), a raw value for the node's
    rule (text such as ``"99%"`` or ``"đúng hạn"``, or a boolean), ``"na"``, or a
    mapping of entry fields (``{"value": 3}`` for a count). The unit is ranked
    against the other units of the sheet and of ``peers``.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/binhduong-district-2017.csv")
        >>> w = parindex.what_if("binhduong-district-2017", sheet, "Thị xã Tân Uyên", {"appraisal": 50.0, "survey": 35.0})
        >>> w.headline()
        'Thị xã Tân Uyên: index 82 -> 85; rank 2 -> 1; band - -> -'
    """
    m = ensure_methodology(methodology)
    sheet = as_sheet(sheet)  # a tidy DataFrame is read as score() reads it
    unit = find_unit(sheet, unit)
    full = with_peers(sheet, None if peers is None else as_sheet(peers))
    changed = _apply(full, unit, changes)
    before = score(m, full, missing=missing, rate_scale=rate_scale)
    after = score(m, changed, missing=missing, rate_scale=rate_scale)
    return WhatIf(
        unit=unit,
        changes=dict(changes),
        before=before,
        after=after,
        ranking_before=rank(before, ties=ties, year=year),
        ranking_after=rank(after, ties=ties, year=year),
    )
