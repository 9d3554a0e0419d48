"""Points entered directly (chấm trực tiếp): :class:`DirectPoints`."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

from parindex.errors import PointsOutOfRangeError
from parindex.rules.base import FloatArray, _number
from parindex.rules.rates import RateScale

__all__ = ["DirectPoints"]


@attrs.frozen
class DirectPoints:
    """The points are entered directly (chấm trực tiếp), between 0 and the maximum.

    Example:
        >>> from parindex.rules import DirectPoints
        >>> DirectPoints().parse("0.75", max_points=1.0)
        0.75
    """

    kind: ClassVar[str] = "points"

    def check(self, max_points: float | None, node: str) -> None:
        """Nothing to validate.

        Example:
            Any maximum is accepted, even an unknown one:

            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().check(None, "1.4.2")
        """

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read points.

        Example:
            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().parse("1.5", max_points=2.0)
            1.5
            >>> DirectPoints().parse(2.5, max_points=2.0)
            Traceback (most recent call last):
            ...
            parindex.errors.PointsOutOfRangeError: points 2.5 out of range (maximum 2)
        """
        value = _number(raw, "points")
        if value < 0 or (max_points is not None and value > max_points + 1e-9):
            bound = "" if max_points is None else f" (maximum {max_points:g})"
            raise PointsOutOfRangeError(f"points {value:g} out of range{bound}")
        return value

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            >>> import numpy as np
            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().measures(np.array([1.5, 2.5]), max_points=2.0).tolist()
            [1.5, nan]
            >>> DirectPoints().measures(np.array([1.5, np.inf]), max_points=None).tolist()
            [1.5, nan]
        """
        upper = np.inf if max_points is None else max_points + 1e-9
        ok = np.isfinite(values) & (values >= 0.0) & (values <= upper)
        return np.where(ok, values, np.nan)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """The points as entered.

        Example:
            >>> import numpy as np
            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().points(np.array([1.5, 0.25]), 2.0).tolist()
            [1.5, 0.25]
        """
        return measures.astype(np.float64)

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().describe()
            'points entered directly'
        """
        return "points entered directly"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> from parindex.rules import DirectPoints
            >>> DirectPoints().to_dict()
            {'kind': 'points'}
        """
        return {"kind": self.kind}
