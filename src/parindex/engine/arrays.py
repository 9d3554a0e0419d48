"""The arrays that pass between the engine's stages: a sheet as columns, a checked
sheet as dense ``units x slots`` arrays, and the dense results."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeAlias, overload

import attrs
import numpy as np
import numpy.typing as npt

from parindex.engine.compile import BoolArray, Compiled, FloatArray

__all__ = [
    "BatchResult",
    "DenseSheet",
    "MissingPolicy",
    "SheetColumns",
    "arrow_stored",
    "index_of",
    "key_name_order",
    "lazy_units",
    "name_order",
    "row_of",
    "unit_array",
    "units_with_array",
]

MissingPolicy: TypeAlias = Literal["error", "zero", "unknown"]


@attrs.frozen(eq=False)
class SheetColumns:
    """A sheet as columns (one row per entry); units and groups indexed.

    Example:
        >>> import parindex
        >>> from parindex.engine.scores import sheet_columns
        >>> cols = sheet_columns(parindex.load_sheet("examples/daklak-2017.csv"))
        >>> cols.units, cols.node[:3].tolist(), cols.points[:3].tolist()
        (('Đắk Lắk',), ['1', '2', '3'], [5.5, 8.16, 14.5])
    """

    units: tuple[str, ...]
    groups: tuple[str | None, ...]
    unit_idx: npt.NDArray[np.intp]
    node: npt.NDArray[np.object_]
    points: FloatArray
    values: npt.NDArray[np.object_]
    has_value: BoolArray
    na: BoolArray
    self_points: FloatArray
    appraised_points: FloatArray


def index_of(points: FloatArray, max_points: FloatArray, na: BoolArray) -> FloatArray:
    """Index = points / applicable maximum x 100, NaN where the node is N/A, its
    maximum is not above 0 or unknown, or the quotient is not finite. Works on
    ``units x slots`` blocks and on single columns alike: one formula, so an index
    computed for one column equals that column of the full matrix, bit for bit.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import index_of
        >>> index_of(np.array([45.0, 3.0, 1.0]), np.array([60.0, 0.0, 2.0]),
        ...          np.array([False, False, True])).tolist()
        [75.0, nan, nan]
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        index: FloatArray = np.divide(points, max_points)
        index *= 100.0
        if _is_false(na) and max_points.size and not max_points.strides[0]:
            # Nothing N/A, one maximum per slot for every unit (a broadcast): points
            # are finite where given (checked on entry, sums bounded by the maxima), so
            # only a maximum of 0 or unknown makes the index NaN, a whole column at a time.
            unusable = ~(max_points[0] > 0)  # per slot (a row), or the one slot's
            if unusable.any():
                index[..., unusable] = np.nan  # a column's index is all NaN
            return index
        bad = np.isfinite(index)
        np.logical_not(bad, out=bad)
        if not _is_false(na):
            bad |= na
        bad |= ~(max_points > 0)
    index[bad] = np.nan
    return index


def _is_false(a: BoolArray) -> bool:
    """Whether ``a`` is a broadcast of one False (known without a pass)."""
    return bool(a.size) and not any(a.strides) and not a.flat[0]


_WHOLE_INDEX_CELLS = 1 << 16
"""Up to this many units x slots, reading one unit's index computes everyone's."""


@attrs.frozen(eq=False)
class BatchResult:
    """Dense results: ``units x slots`` arrays (NaN = unknown).

    The index is computed when first read (:attr:`index`), so that scoring for a
    ranking, which needs the total's index only (:meth:`index_column`), never builds
    a ``units x slots`` matrix it does not use: ``_index`` is the index already
    computed, or ``None``. Likewise the unit names may stay in the array they came in
    (:func:`lazy_units`) until :attr:`units` is first read: a ranking table takes them
    from that array, and a million names need not become a million Python strings.

    Example:
        >>> import parindex
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> batch = scores.batch  # one row per unit; 8 fields, then the total
        >>> batch.points.shape, float(batch.points[0, batch.compiled.total_slot])
        ((1, 9), 75.37)
        >>> float(batch.index_column(batch.compiled.total_slot)[0]), batch.index.shape
        (75.37, (1, 9))
    """

    compiled: Compiled
    # Named units in __init__ and attrs.evolve (alias); read through the property.
    _units: Sequence[str] = attrs.field(alias="units")
    groups: tuple[str | None, ...]
    points: FloatArray
    max_points: FloatArray
    # Named _index in __init__ and attrs.evolve too (alias): a copy that slices every
    # array field by its name slices this one alike.
    _index: FloatArray | None = attrs.field(alias="_index")
    na: BoolArray
    self_points: FloatArray
    appraised_points: FloatArray

    @property
    def units(self) -> tuple[str, ...]:
        """The units, in the order of the rows (names made Python strings on first
        access when they came as an array).

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.batch.units
            ('Đắk Lắk',)
        """
        units = self._units
        if not isinstance(units, tuple):
            units = units_with_array(list(units), unit_array(units))
            object.__setattr__(self, "_units", units)  # a cache, as for the index
        return units

    def unit_array(self) -> Any:
        """The array the unit names came in (:func:`unit_array`), or ``None``; never
        makes the names Python strings.

        Example:
            >>> import pandas as pd
            >>> import parindex
            >>> wide = pd.DataFrame({"unit": ["A", "B"], "appraisal": [60.0, 50.0], "survey": [30.0, 20.0]})
            >>> parindex.score_frame("ministry-2022", wide, wide=True).batch.unit_array().tolist()
            ['A', 'B']
        """
        return unit_array(self._units)

    def names(self) -> Sequence[str]:
        """The unit names as they are kept: a tuple, or a sequence over the array they
        came in (:func:`lazy_units`), which stays unread; :attr:`units` makes them a
        tuple of Python strings.

        Example:
            >>> import pandas as pd
            >>> import parindex
            >>> wide = pd.DataFrame({"unit": ["A", "B"], "appraisal": [60.0, 50.0], "survey": [30.0, 20.0]})
            >>> names = parindex.score_frame("ministry-2022", wide, wide=True).batch.names()
            >>> len(names), names[1]
            (2, 'B')
        """
        return self._units

    def name_order(self) -> npt.NDArray[np.intp]:
        """The rows in unit-name order (:func:`name_order`), without making the names
        Python strings when they are still in their array.

        Example:
            >>> import parindex
            >>> r = parindex.score("binhduong-district-2017",
            ...                    parindex.load_sheet("examples/binhduong-district-2017.csv"))
            >>> r.batch.units[int(r.batch.name_order()[0])]
            'Huyện Bàu Bàng'
        """
        return name_order(self._units)

    @property
    def index(self) -> FloatArray:
        """The index of every unit and slot (computed on first access, then kept).

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.batch.index[0, :2].round(9).tolist()  # full precision: 55.00000000000001
            [55.0, 81.6]
        """
        index = self._index
        if index is None:
            index = index_of(self.points, self.max_points, self.na)
            # A cache on a frozen instance: every reader computes the same array, so a
            # race between two threads stores one of two equal arrays.
            object.__setattr__(self, "_index", index)
        return index

    def index_column(self, slot: int) -> FloatArray:
        """The index of one slot for every unit (``index[:, slot]``, bit for bit),
        without building the full matrix when it was not built yet.

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.batch.index_column(0).round(9).tolist()
            [55.0]
        """
        if self._index is not None:
            return self._index[:, slot]
        return index_of(self.points[:, slot], self.max_points[:, slot], self.na[:, slot])

    def index_row(self, unit: int) -> FloatArray:
        """The index of every slot for the unit at position ``unit`` (``index[unit]``,
        bit for bit), without building the full matrix when it was not built yet.

        Example:
            >>> import parindex
            >>> r = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
            >>> r.batch.index_row(0)[:2].round(9).tolist()
            [55.0, 81.6]
        """
        if self._index is not None or self.points.size <= _WHOLE_INDEX_CELLS:
            # A small batch read unit by unit (a result document): one division for
            # all of it is cheaper than one per unit, and takes little memory.
            row: FloatArray = self.index[unit]
            return row
        return index_of(self.points[unit], self.max_points[unit], self.na[unit])


@attrs.frozen(eq=False)
class DenseSheet:
    """A validated sheet as dense ``units x slots`` arrays (NaN = not given).

    ``present`` may be a read-only broadcast of one row (every unit gives the same
    slots, as a complete wide frame does); readers use :func:`row_of` to see that.

    Example:
        >>> import parindex
        >>> from parindex.engine.checks import dense_columns
        >>> from parindex.engine.compile import compile_methodology
        >>> from parindex.engine.scores import sheet_columns
        >>> c = compile_methodology(parindex.get_methodology("province-2017"))
        >>> dense = dense_columns(c, sheet_columns(parindex.load_sheet("examples/daklak-2017.csv")))
        >>> dense.given[0, :3].tolist(), bool(dense.present[0, c.total_slot])
        ([5.5, 8.16, 14.5], False)
    """

    given: FloatArray
    present: BoolArray
    na_given: BoolArray
    self_given: FloatArray
    appr_given: FloatArray


def row_of(a: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """The one row ``a`` repeats when it is a broadcast along its first axis (known
    without a pass over it), else ``None``.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import row_of
        >>> row_of(np.broadcast_to(np.array([True, False]), (3, 2))).tolist(), row_of(np.zeros((3, 2)))
        ([True, False], None)
    """
    if a.ndim == 2 and a.shape[0] and a.strides[0] == 0:
        row: npt.NDArray[Any] = a[0]
        return row
    return None


class _Units(tuple):  # type: ignore[type-arg]
    """Unit names (a plain tuple to every reader) that also keep the array they came
    in, for :func:`unit_array`. Any other tuple of names (a slice, a copy, names
    changed by ``attrs.evolve``) is a plain tuple again, so the array never outlives
    the names it equals."""

    array: Any


def units_with_array(names: Sequence[str], array: Any) -> tuple[str, ...]:
    """``names`` as a tuple that keeps ``array`` (a pandas or NumPy array holding the
    same strings, one per unit, in order) for tables and name sorts: they take from
    it instead of converting every name again.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import unit_array, units_with_array
        >>> units = units_with_array(["A", "B"], np.array(["A", "B"], dtype=object))
        >>> units, unit_array(units).tolist(), unit_array(units[:1])
        (('A', 'B'), ['A', 'B'], None)
    """
    units = _Units(names)
    units.array = array
    return units


class _LazyUnits(Sequence[str]):
    """Unit names still in the array they came in (every name already checked), read
    by position on demand (error messages name a few units, not all)."""

    __slots__ = ("array",)

    def __init__(self, array: Any) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        if isinstance(i, slice):
            return tuple(self.array[i].tolist())
        return str(self.array[i])

    def __iter__(self) -> Iterator[str]:
        return iter(self.array.tolist())


def lazy_units(array: Any) -> Sequence[str]:
    """Unit names left in ``array`` (a pandas or NumPy array of distinct, checked,
    normalised names), for :class:`BatchResult`: made Python strings only when read.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import lazy_units, unit_array
        >>> names = lazy_units(np.array(["A", "B"], dtype=object))
        >>> len(names), names[1], unit_array(names).tolist()
        (2, 'B', ['A', 'B'])
    """
    return _LazyUnits(array)


def unit_array(units: Sequence[str]) -> Any:
    """The array ``units`` keep (:func:`units_with_array`, :func:`lazy_units`), or
    ``None``.

    Example:
        >>> from parindex.engine.arrays import unit_array
        >>> print(unit_array(("A", "B")))
        None
    """
    return getattr(units, "array", None) if type(units) in (_Units, _LazyUnits) else None


def name_order(units: Sequence[str]) -> npt.NDArray[np.intp]:
    """Positions of ``units`` (distinct names) in name order, by code point: sorted in C
    on the array the names kept (:func:`units_with_array`; UTF-8 byte order, as Arrow
    sorts, is code-point order), else by Python's ``sorted``.

    Example:
        >>> from parindex.engine.arrays import name_order
        >>> name_order(("Đắk Lắk", "An Giang", "Bắc Ninh")).tolist()
        [1, 2, 0]
    """
    array = unit_array(units)
    if array is not None:
        return np.asarray(array.argsort(), dtype=np.intp)
    return np.array(sorted(range(len(units)), key=units.__getitem__), dtype=np.intp)


def key_name_order(units: Sequence[str], keys: FloatArray) -> npt.NDArray[np.intp]:
    """Positions of ``units`` (distinct names) sorted by ``keys`` (none NaN), ascending,
    ties by name as :func:`name_order` orders them. One sort in Arrow on both columns
    when the names are still in an Arrow array (a tie is settled by comparing two
    names, not by sorting every name first), else the name order then a stable sort of
    the keys.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import key_name_order
        >>> key_name_order(("Bình Dương", "An Giang", "Cà Mau"), np.array([1.0, 1.0, 0.5])).tolist()
        [2, 1, 0]
    """
    stored = arrow_stored(unit_array(units))
    if stored is not None:
        import pyarrow as pa  # type: ignore[import-untyped]  # present: the array is Arrow's
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        both = pa.record_batch([pa.array(keys), stored], names=["key", "name"])
        order = pc.sort_indices(both, sort_keys=[("key", "ascending"), ("name", "ascending")])
        return np.asarray(order.to_numpy(), dtype=np.intp)
    by_name = name_order(units)
    return by_name[np.argsort(keys[by_name], kind="stable")]


def arrow_stored(array: Any) -> Any:
    """The Arrow array (chunks combined) that ``array``, a pandas array stored in
    Arrow, keeps its values in; ``None`` for any other array (or none), which is then
    read as it is rather than converted.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.arrays import arrow_stored
        >>> print(arrow_stored(np.array(["A"], dtype=object)))
        None
    """
    if not hasattr(array, "__arrow_array__"):
        return None  # a tuple or NumPy array: no pandas import (the CLI runs without it)
    import pandas as pd

    if not isinstance(array, pd.arrays.ArrowExtensionArray):
        return None
    stored = array.__arrow_array__()
    return stored.combine_chunks() if hasattr(stored, "combine_chunks") else stored
