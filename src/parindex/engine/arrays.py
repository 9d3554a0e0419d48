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
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> from parindex.engine.scores import sheet_columns
        >>> cols = sheet_columns(parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "appraisal", "points": 60},
        ...     {"unit": "A", "node": "survey", "points": 30},
        ... ]))
        >>> cols.node.tolist(), cols.points.tolist()
        (['appraisal', 'survey'], [60.0, 30.0])
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
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> from parindex.engine.scores import sheet_columns
        >>> cols = sheet_columns(parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "appraisal", "points": 60},
        ...     {"unit": "A", "node": "survey", "points": 30},
        ... ]))
        >>> from parindex.engine.aggregate import score_columns
        >>> batch = score_columns(c, cols)
        >>> float(batch.points[0, c.total_slot]), float(batch.index[0, c.total_slot])
        (90.0, 90.0)
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
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> from parindex.engine.scores import sheet_columns
        >>> cols = sheet_columns(parindex.ScoreSheet.from_records([
        ...     {"unit": "A", "node": "appraisal", "points": 60},
        ...     {"unit": "A", "node": "survey", "points": 30},
        ... ]))
        >>> from parindex.engine.checks import dense_columns
        >>> dense_columns(c, cols).given[0, c.n_nodes :].tolist()
        [60.0, 30.0, nan]
    """

    given: FloatArray
    present: BoolArray
    na_given: BoolArray
    self_given: FloatArray
    appr_given: FloatArray
