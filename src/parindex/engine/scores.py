"""Scoring: (methodology, score sheet) -> points, applicable maximum and index for every
node, every score component and the total.

Index = points / applicable maximum x 100 (chỉ số = điểm đạt được / điểm tối đa x 100),
for the total and for every node (component indices, chỉ số thành phần). Values are
kept at full precision; :func:`parindex.round_half_up` rounds for presentation only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import attrs
import numpy as np
import numpy.typing as npt

from parindex._display import html_of
from parindex._numbers import snap, snap_array
from parindex._text import lookup_key, normalize_key
from parindex.engine.aggregate import score_columns
from parindex.engine.arrays import BatchResult, MissingPolicy, SheetColumns
from parindex.engine.collect import collecting
from parindex.engine.compile import TOTAL, compile_methodology
from parindex.errors import InputFormatError, UnknownUnitError
from parindex.model.methodology import Methodology, check_year, ensure_methodology
from parindex.model.sheet import ScoreSheet, as_sheet, check_declared
from parindex.rules import RateScale

if TYPE_CHECKING:
    import pandas as pd

    from parindex.model.units import UnitResolution

__all__ = ["TOTAL", "NodeScore", "Scores", "UnitResult", "score"]

Status = Literal["scored", "na", "unknown"]


def _opt(x: float) -> float | None:
    return None if math.isnan(x) else snap(float(x))


@attrs.frozen
class NodeScore:
    """Points, applicable maximum and index of one node (or component, or the total).

    ``None`` means the data cannot determine the number. ``status`` is ``scored``,
    ``na`` (not applicable: removed from the maximum) or ``unknown``.

    Example:
        >>> import parindex
        >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> r.unit("Đắk Lắk").nodes["1"]
        NodeScore(node='1', points=5.5, max_points=10.0, index=55.0, status='scored', self_points=None, appraised_points=None)
    """

    node: str
    points: float | None
    max_points: float | None
    index: float | None
    status: Status
    self_points: float | None = None
    appraised_points: float | None = None


@attrs.frozen
class UnitResult:
    """All scores of one unit: the total, every node and every score component.

    Example:
        >>> import parindex
        >>> scores = parindex.score("binhduong-district-2017",
        ...                         parindex.load_sheet("examples/binhduong-district-2017.csv"))
        >>> unit = scores.unit("Huyện Bàu Bàng")
        >>> unit.total.index, unit.components["survey"].points, unit.nodes
        (80.27, 32.82, {})
    """

    unit: str
    group: str | None
    total: NodeScore
    nodes: Mapping[str, NodeScore]
    components: Mapping[str, NodeScore]


@attrs.frozen(eq=False)
class Scores:
    """The result of :func:`score`: every unit, every node.

    Holds dense arrays; :meth:`unit` builds one unit's view on demand and
    :meth:`to_frame` gives a tidy DataFrame.

    Example:
        >>> import parindex
        >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> r.unit("Đắk Lắk").total.index
        75.37
    """

    methodology: Methodology
    batch: BatchResult = attrs.field(repr=False)
    year: int | None = None
    """The evaluation year the methodology was looked up for (``score("province-2023",
    ...)`` gives 2023); :func:`parindex.rank` bands with it. ``None``: not stated."""
    resolution: UnitResolution | None = attrs.field(default=None, repr=False)
    """How the sheet's unit names were resolved to the official names and codes of a
    roster (:func:`parindex.score` does it when the level has one), or ``None``."""

    def unit_code(self, name: str) -> str | None:
        """A unit's official code (mã đơn vị hành chính), when its name was resolved
        against a roster.

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.unit_code("Đắk Lắk"), r.unit_code("ĐẮK LẮK")
            ('66', '66')
        """
        unit = self.position(name)
        if self.resolution is None:
            return None
        return next(
            (r.unit_code for r in self.resolution if r.unit == self.batch.units[unit]), None
        )

    def given_name(self, name: str) -> str:
        """The name a unit was given under in the sheet (its spelling as written).

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([{"unit": "Dak Lak", "node": "total", "points": 70}])
            >>> r = parindex.score("province-2018", sheet)
            >>> r.units, r.given_name("Đắk Lắk")
            (('Đắk Lắk',), 'Dak Lak')
        """
        unit = self.batch.units[self.position(name)]
        if self.resolution is None:
            return unit
        return next((r.given_name for r in self.resolution if r.unit == unit), unit)

    def __repr__(self) -> str:
        year = "" if self.year is None else f", {self.year}"
        return f"<Scores {self.methodology.id}: {len(self)} units{year}>"

    def _repr_html_(self) -> str | None:
        return html_of(self)

    @property
    def units(self) -> tuple[str, ...]:
        """Units, in order of first appearance in the sheet.

        Example:
            >>> import parindex
            >>> r = parindex.score("binhduong-district-2017", parindex.load_sheet("examples/binhduong-district-2017.csv"))
            >>> r.units[:3]
            ('Thành phố Thủ Dầu Một', 'Thị xã Tân Uyên', 'Huyện Bàu Bàng')
        """
        return self.batch.units

    def __len__(self) -> int:
        return len(self.batch.points)  # rows: names left in their array stay there

    def __iter__(self) -> Iterator[UnitResult]:
        for i in range(len(self)):
            yield self._unit_at(i)

    def unit(self, name: str) -> UnitResult:
        """One unit's result.

        Raises:
            UnknownUnitError: the unit is not in the results (a ``KeyError``). Names
                match whatever their Unicode form (NFC or NFD) and spacing.

        Example:
            >>> import parindex
            >>> r = parindex.score("binhduong-district-2017", parindex.load_sheet("examples/binhduong-district-2017.csv"))
            >>> r.unit("Thị xã Tân Uyên").components["survey"].index
            95.0
            >>> r.unit("Tân Uyên")
            Traceback (most recent call last):
            ...
            parindex.errors.UnknownUnitError: unit 'Tân Uyên': not in these results (units: 'Thành phố Thủ Dầu Một', 'Thị xã Tân Uyên', 'Huyện Bàu Bàng', 'Thị xã Thuận An', 'Thị xã Dĩ An', ... (9 in all))
        """
        return self._unit_at(self.position(name))

    def position(self, name: str) -> int:
        """A unit's row in :attr:`units`: by its name as scored, as given in the sheet, or
        any spelling that differs only in letter case and diacritics when exactly one
        unit has it.

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.position("Đắk Lắk"), r.position("dak lak")
            (0, 0)
        """
        units = self.batch.units
        key = normalize_key(name) if isinstance(name, str) else name
        if key in units:
            return units.index(key)
        if isinstance(key, str):
            if self.resolution is not None:
                for r in self.resolution:
                    if r.given_name == key:
                        return units.index(r.unit)
            loose = lookup_key(key)
            hits = [i for i, u in enumerate(units) if lookup_key(u) == loose]
            if self.resolution is not None:
                hits += [
                    units.index(r.unit)
                    for r in self.resolution
                    if lookup_key(r.given_name) == loose and r.unit in units
                ]
            if len(set(hits)) == 1:
                return hits[0]
        raise UnknownUnitError(
            f"unit {name!r}: not in these results (units: {_some(units)})",
            unit=str(name),
            value=name,
        )

    def _node(self, i: int, s: int, index: npt.NDArray[np.float64] | None = None) -> NodeScore:
        """Slot ``s`` of unit ``i``; ``index``: that unit's index row, when at hand."""
        b = self.batch
        na = bool(b.na[i, s])
        pts = _opt(b.points[i, s])
        status: Status = "na" if na else ("scored" if pts is not None else "unknown")
        return NodeScore(
            node=b.compiled.slot_ids[s],
            points=pts,
            max_points=_opt(b.max_points[i, s]),
            index=_opt(b.index_row(i)[s] if index is None else index[s]),
            status=status,
            self_points=_opt(b.self_points[i, s]),
            appraised_points=_opt(b.appraised_points[i, s]),
        )

    def _unit_at(self, i: int) -> UnitResult:
        c = self.batch.compiled
        n, total = c.n_nodes, c.total_slot
        row = self.batch.index_row(i)  # one unit's index: no units x slots matrix
        return UnitResult(
            unit=self.batch.units[i],
            group=self.batch.groups[i],
            total=self._node(i, total, row),
            nodes={c.slot_ids[s]: self._node(i, s, row) for s in range(n)},
            components={c.slot_ids[s]: self._node(i, s, row) for s in range(n, total)},
        )

    def totals(self) -> pd.DataFrame:
        """One row per unit: ``unit, group, points, max_points, par_index`` (``group``
        is ``<NA>`` where a unit has none; ``par_index`` was called ``index``, a name still
        read with a DeprecationWarning until the next release).

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.totals()[["unit", "par_index"]].to_dict("records")
            [{'unit': 'Đắk Lắk', 'par_index': 75.37}]
        """
        return totals_frame(self.batch)

    def to_frame(self, *, wide: bool = False) -> pd.DataFrame:
        """Tidy results: one row per unit and node (``total`` first, then score
        components, then nodes in decision order), with ``points, max_points, par_index,
        status, depth``. ``wide=True`` gives one row per unit with one index column per
        node instead.

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.to_frame().head(3)[["node", "points", "par_index"]].to_dict("records")
            [{'node': 'total', 'points': 75.37, 'par_index': 75.37}, {'node': '1', 'points': 5.5, 'par_index': 55.0}, {'node': '2', 'points': 8.16, 'par_index': 81.6}]
        """
        import pandas as pd

        b = self.batch
        c = b.compiled
        n, total = c.n_nodes, c.total_slot
        order = [total, *range(n, total), *range(n)]
        from parindex.engine.tables import INDEX_COLUMN, ResultFrame, label_column

        if wide:
            frame = pd.DataFrame({"unit": list(b.units), "group": label_column(b.groups)})
            cols = {c.slot_ids[s]: _snap_col(b.index[:, s]) for s in order}
            return pd.concat([frame, pd.DataFrame(cols)], axis=1)
        n_units = len(b.units)
        sl = np.array(order)
        kind = ["total"] + ["component"] * (total - n) + ["node"] * n
        depth = np.concatenate([[0], np.zeros(total - n, dtype=int), c.depth[:n]])
        status = np.where(
            b.na[:, sl], "na", np.where(np.isnan(b.points[:, sl]), "unknown", "scored")
        )
        return ResultFrame(
            {
                "unit": np.repeat(np.array(b.units, dtype=object), len(sl)),
                "group": label_column(np.repeat(np.array(b.groups, dtype=object), len(sl))),
                "node": np.tile(np.array([c.slot_ids[s] for s in order], dtype=object), n_units),
                "kind": np.tile(np.array(kind, dtype=object), n_units),
                "depth": np.tile(depth, n_units),
                "points": _snap_col(b.points[:, sl].ravel()),
                "max_points": _snap_col(b.max_points[:, sl].ravel()),
                INDEX_COLUMN: _snap_col(b.index[:, sl].ravel()),
                "status": status.ravel(),
                "self_points": _snap_col(b.self_points[:, sl].ravel()),
                "appraised_points": _snap_col(b.appraised_points[:, sl].ravel()),
            }
        )


def _some(names: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def totals_frame(
    b: BatchResult,
    order: npt.NDArray[np.intp] | None = None,
    extra: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The totals table (:meth:`Scores.totals`), its rows in ``order`` (default: the
    units' order), with ``extra`` columns (already in that order, and the caller's to
    give away: the table holds them as they are) after them."""

    t = b.compiled.total_slot
    rows = np.arange(len(b.units)) if order is None else order
    # Names that kept their array (a wide frame's column) are taken from it, in C:
    # the same column as building it from the strings, without converting each one.
    from parindex.engine.tables import INDEX_COLUMN, ResultFrame

    names = b.unit_array()
    index = _snapped(b.index_column(t)[rows])  # first: its temporaries meet no column
    columns: dict[str, object] = {
        "unit": object_array(b.units)[rows] if names is None else names.take(rows),
        "group": _group_column(b.groups, rows),
        "points": _snapped(b.points[rows, t]),
        "max_points": _snapped(b.max_points[rows, t]),
        INDEX_COLUMN: index,
    }
    # Every column is a fresh array: the table takes them without copying them again
    # (a million units: no second copy of each column at the peak).
    return ResultFrame(columns | dict(extra or {}), copy=False)


def _group_column(groups: Sequence[str | None], rows: npt.NDArray[np.intp]) -> object:
    from parindex.engine.tables import label_column

    if any(groups):
        return label_column(object_array(groups)[rows])
    return none_column(len(rows))


def none_column(n: int) -> pd.api.extensions.ExtensionArray:
    """A column of ``n`` missing labels (pandas' nullable ``string`` dtype, ``<NA>``),
    built without looking at each (a million units: no temporaries of that length).

    Example:
        >>> from parindex.engine.scores import none_column
        >>> col = none_column(2)
        >>> str(col.dtype), bool(col.isna().all())
        ('string', True)
    """
    import pandas as pd

    dtype = pd.StringDtype()  # what label_column makes: the storage in force now
    if dtype.storage == "pyarrow":
        import pyarrow as pa  # type: ignore[import-untyped]  # present: the dtype stores in it

        # An Arrow array of nulls of the column's own Arrow type: a validity bitmap
        # and nothing else (10,000 units: 0.1 ms, against 0.6 for the take below).
        return dtype.__from_arrow__(pa.nulls(n, _arrow_label_type()))  # type: ignore[attr-defined,no-any-return]
    from parindex.engine.tables import label_column

    # Taken from an empty column, every position missing: no object per row to look at
    # (10,000 units: 0.1 ms instead of 0.7).
    return label_column(()).take(np.full(n, -1, dtype=np.intp), allow_fill=True)


@functools.cache
def _arrow_label_type() -> object:
    """The Arrow type of pandas' Arrow-stored ``string`` arrays (fixed per pandas
    version: read once from an empty one)."""
    import pandas as pd

    return pd.array([], dtype=pd.StringDtype("pyarrow")).__arrow_array__().type


def _snapped(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """:func:`~parindex._numbers.snap_array` of an array the caller owns, in place."""
    x[...] = snap_array(x)
    return x


def object_array(items: Sequence[object]) -> npt.NDArray[np.object_]:
    """``items`` as a 1-d object array, each item one element (``np.array`` would
    unpack nested sequences); gathered by position much faster than a tuple."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _snap_col(x: np.ndarray) -> pd.Series:
    import pandas as pd

    return pd.Series(np.round(x.astype(np.float64), 9) + 0.0, dtype="float64")


def sheet_columns(sheet: ScoreSheet) -> SheetColumns:
    """Columnar form of a sheet for the engine."""
    units = sheet.units
    pos = {u: i for i, u in enumerate(units)}
    groups = tuple(sheet.group_of(u) for u in units)
    entries = sheet.entries

    def floats(name: str) -> np.ndarray:
        return np.array(
            [np.nan if getattr(e, name) is None else getattr(e, name) for e in entries],
            dtype=np.float64,
        )

    values = object_array([e.value for e in entries])
    return SheetColumns(
        units=units,
        groups=groups,
        unit_idx=np.array([pos[e.unit] for e in entries], dtype=np.intp),
        node=np.array([e.node for e in entries], dtype=object),
        points=floats("points"),
        values=values,
        has_value=np.array([e.value is not None for e in entries], dtype=bool),
        na=np.array([e.na for e in entries], dtype=bool),
        self_points=floats("self_points"),
        appraised_points=floats("appraised_points"),
    )


def _check_choice(name: str, value: object, choices: tuple[object, ...]) -> None:
    """Refuse an option outside its choices: a misspelt ``rate_scale`` must not fall
    back silently to another reading."""
    if isinstance(value, bool) or not any(
        value is c or (isinstance(c, str) and value == c) for c in choices
    ):
        shown = ", ".join(repr(c) for c in choices)
        raise InputFormatError(f"{name}={value!r} is not one of {shown}")


def score(
    methodology: Methodology,
    sheet: ScoreSheet | pd.DataFrame,
    *,
    year: int | None = None,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
) -> Scores:
    """Score every unit of a sheet under a methodology. Pure and deterministic.

    Args:
        methodology: a :class:`~parindex.Methodology` (:func:`parindex.score` also
            takes an id / alias / decision number / ``level-year`` key).
        sheet: a :class:`~parindex.ScoreSheet`, or a tidy DataFrame with its columns
            (not modified).
        missing: when a node is only partly given: ``"error"`` (default) raises
            :class:`~parindex.errors.MissingDataError`; ``"zero"`` scores the gaps as 0;
            ``"unknown"`` leaves the node and its ancestors unknown.
        rate_scale: how to read bare numbers for rates (``"percent"``: 97;
            ``"fraction"``: 0.97). By default a bare number for a rate is refused as
            ambiguous; ``"97%"`` is always fine.
        collect_all: report every problem at once as
            :class:`~parindex.errors.ScoreSheetErrors` instead of stopping at the first:
            the cells of a frame that cannot be read and the problems of scoring the
            rest, each with its row (the group's ``failure_cases`` lists them).
        year: the evaluation year, for bands (:attr:`Scores.year`).

    Example:
        >>> import parindex
        >>> sheet = parindex.ScoreSheet.from_records(
        ...     [{"unit": "Đắk Lắk", "node": str(i), "points": p}
        ...      for i, p in enumerate([5.5, 8.16, 14.5, 8.23, 11.12, 5.04, 8.86, 13.96], 1)]
        ... )
        >>> result = parindex.score("province-2017", sheet)
        >>> result.unit("Đắk Lắk").total.index, result.unit("Đắk Lắk").nodes["3"].index
        (75.37, 100.0)
    """
    year = check_year(year)
    _check_choice("missing", missing, ("error", "zero", "unknown"))
    _check_choice("rate_scale", rate_scale, (None, "percent", "fraction"))
    methodology = ensure_methodology(methodology)
    m = methodology

    def run(readable: ScoreSheet) -> Scores:
        check_declared(readable, m)
        batch = score_columns(
            compile_methodology(m),
            sheet_columns(readable),
            missing=missing,
            rate_scale=rate_scale,
            collect_all=collect_all,
        )
        return Scores(methodology=m, batch=batch, year=year)

    return collecting(lambda collect: as_sheet(sheet, collect_all=collect), collect_all, run)
