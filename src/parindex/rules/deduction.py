"""A deduction per occurrence (điểm trừ): :class:`Deduction`."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np

from parindex.errors import MethodologyError, PointsOutOfRangeError
from parindex.rules.base import FloatArray, _check_points, _fmt, _number
from parindex.rules.rates import RateScale

__all__ = ["Deduction"]


@attrs.frozen
class Deduction:
    """Start from the maximum and deduct ``per_occurrence`` for each occurrence
    (điểm trừ), never going below ``floor``.

    Example:
        >>> import numpy as np
        >>> from parindex.rules import Deduction
        >>> Deduction(per_occurrence=0.5).points(np.array([0.0, 1.0, 9.0]), 2.0).tolist()
        [2.0, 1.5, 0.0]
    """

    per_occurrence: float = attrs.field(converter=float)
    floor: float = attrs.field(default=0.0, converter=float)
    kind: ClassVar[str] = "deduction"

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.per_occurrence) and self.per_occurrence > 0):
            raise MethodologyError(
                f"deduction per_occurrence must be > 0, got {self.per_occurrence!r}"
            )

    def check(self, max_points: float | None, node: str) -> None:
        """Validate the rule against its node's maximum.

        Example:
            >>> from parindex.rules import Deduction
            >>> Deduction(per_occurrence=1.0, floor=3.0).check(2.0, "1.2.1")
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: node 1.2.1: deduction floor 3 exceeds the node maximum 2
        """
        if max_points is None:
            raise MethodologyError(
                f"node {node}: a deduction rule needs the node maximum", node=node
            )
        _check_points(self.floor, max_points, node, "deduction floor")

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read a whole, non-negative number of occurrences.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.2.1").rule
            >>> rule.parse("3", max_points=2.0)
            3.0
            >>> rule.parse(1.5, max_points=2.0)
            Traceback (most recent call last):
            ...
            parindex.errors.PointsOutOfRangeError: occurrence count 1.5 must be a whole number >= 0
        """
        value = _number(raw, "occurrence count")
        if value < 0 or value != int(value):
            raise PointsOutOfRangeError(f"occurrence count {value:g} must be a whole number >= 0")
        return value

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.2.1").rule
            >>> rule.measures(np.array([0.0, 1.0, 1.5, -1.0, np.inf]), max_points=2.0).tolist()
            [0.0, 1.0, nan, nan, nan]
        """
        # Infinity equals its own floor: without isfinite it would deduct everything.
        ok = np.isfinite(values) & (values >= 0.0) & (values == np.floor(values))
        return np.where(ok, values, np.nan)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """Points left after the deductions.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.2.1").rule
            >>> rule.points(np.array([0.0, 1.0, 3.0, 9.0]), 2.0).tolist()
            [2.0, 1.5, 0.5, 0.0]
        """
        return np.maximum(self.floor, max_points - self.per_occurrence * measures)

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> from parindex.rules import Deduction
            >>> Deduction(per_occurrence=1.0, floor=0.5).describe()
            'full points minus 1 per occurrence, at least 0.5'
        """
        return (
            f"full points minus {_fmt(self.per_occurrence)} per occurrence, "
            f"at least {_fmt(self.floor)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> from parindex.rules import Deduction
            >>> Deduction(per_occurrence=1.0, floor=0.5).to_dict()
            {'kind': 'deduction', 'per_occurrence': 1.0, 'floor': 0.5}
        """
        out: dict[str, Any] = {"kind": self.kind, "per_occurrence": self.per_occurrence}
        if self.floor:
            out["floor"] = self.floor
        return out
