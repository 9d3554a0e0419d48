"""Points in proportion to a measure (tính theo tỷ lệ): :class:`Proportional`."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np

from parindex.errors import MethodologyError, PointsOutOfRangeError
from parindex.rules.base import FloatArray, _fmt, _number
from parindex.rules.rates import RateScale, parse_rate, rate_measures

__all__ = ["Proportional"]


@attrs.frozen
class Proportional:
    """Points in proportion to a measure, capped at the node maximum:
    ``max_points * min(measure / full_at, 1)``.

    With ``rate=True`` (the default) the measure is a rate in percent and ``full_at``
    is the rate that earns full points (100 by default); with ``rate=False`` it is a
    count (e.g. full points at 10 documents).

    Example:
        >>> import numpy as np
        >>> from parindex.rules import Proportional
        >>> Proportional().points(np.array([91.17]), 10.0).round(3).tolist()
        [9.117]
    """

    full_at: float = attrs.field(default=100.0, converter=float)
    rate: bool = True
    kind: ClassVar[str] = "proportional"

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.full_at) and self.full_at > 0):
            raise MethodologyError(f"proportional full_at must be > 0, got {self.full_at!r}")

    def check(self, max_points: float | None, node: str) -> None:
        """Validate the rule against its node's maximum.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.3.1").rule
            >>> rule.check(None, "1.3.1")
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: node 1.3.1: a proportional rule needs the node maximum
        """
        if max_points is None:
            raise MethodologyError(
                f"node {node}: a proportional rule needs the node maximum", node=node
            )

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read the measure (percent for a rate, a count otherwise).

        Example:
            >>> from parindex.rules import Proportional
            >>> Proportional(full_at=30.0).parse("25.9%", max_points=2.0)
            25.9
            >>> Proportional(full_at=10, rate=False).parse(4, max_points=2.0)
            4.0
        """
        if self.rate:
            return parse_rate(raw, rate_scale)
        value = _number(raw, "measure")
        if value < 0:
            raise PointsOutOfRangeError(f"measure {value:g} must be >= 0")
        return value

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            A count (``rate=False``) may be any number >= 0:

            >>> import numpy as np
            >>> from parindex.rules import Proportional
            >>> Proportional(full_at=10, rate=False).measures(np.array([4.0, -1.0, np.inf]), max_points=2.0).tolist()
            [4.0, nan, nan]
        """
        if self.rate:
            return rate_measures(values, rate_scale)
        return np.where(np.isfinite(values) & (values >= 0.0), values, np.nan)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """Proportional points, capped.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.3.1").rule
            >>> rule.points(np.array([15.0, 25.9, 60.0]), 2.0).round(3).tolist()
            [1.0, 1.727, 2.0]
        """
        return max_points * np.clip(measures / self.full_at, 0.0, 1.0)

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> from parindex.rules import Proportional
            >>> Proportional(full_at=30.0).describe()
            'in proportion to the measure, full points at 30 %'
            >>> Proportional(full_at=10, rate=False).describe()
            'in proportion to the measure, full points at 10'
        """
        unit = " %" if self.rate else ""
        return f"in proportion to the measure, full points at {_fmt(self.full_at)}{unit}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.3.1").rule
            >>> rule.to_dict()
            {'kind': 'proportional', 'full_at': 30.0, 'rate': True}
        """
        return {"kind": self.kind, "full_at": self.full_at, "rate": self.rate}
