"""The arrays that pass between the engine's stages: a sheet as columns, a checked
sheet as dense ``units x slots`` arrays, and the dense results."""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex.engine.compile import BoolArray, Compiled, FloatArray

__all__ = ["BatchResult", "DenseSheet", "MissingPolicy", "SheetColumns"]

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


@attrs.frozen(eq=False)
class BatchResult:
    """Dense results: ``units x slots`` arrays (NaN = unknown).

    Example:
        >>> import parindex
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> batch = scores.batch  # one row per unit; 8 fields, then the total
        >>> batch.points.shape, float(batch.points[0, batch.compiled.total_slot])
        ((1, 9), 75.37)
    """

    compiled: Compiled
    units: tuple[str, ...]
    groups: tuple[str | None, ...]
    points: FloatArray
    max_points: FloatArray
    index: FloatArray
    na: BoolArray
    self_points: FloatArray
    appraised_points: FloatArray


@attrs.frozen(eq=False)
class DenseSheet:
    """A validated sheet as dense ``units x slots`` arrays (NaN = not given).

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
