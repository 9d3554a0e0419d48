"""Tiers on a percentage (mức theo tỷ lệ %): :class:`Tier` and :class:`PercentTiers`."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from parindex._text import points_word
from parindex.errors import MethodologyError
from parindex.rules.base import FloatArray, _check_points, _fmt, _param
from parindex.rules.rates import RateScale, parse_rate, rate_measures

__all__ = ["PercentTiers", "Tier"]


def _tiers(items: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(items)


@attrs.frozen
class Tier:
    """One tier of a :class:`PercentTiers` rule: ``points`` when the measure lies in
    the interval between ``lower`` and ``upper`` (``None`` = unbounded), each bound
    inclusive or exclusive as stated in the decision ("từ 70% đến dưới 90%").

    Example:
        >>> from parindex.rules import Tier
        >>> Tier(points=1.0, lower=70, upper=90, upper_inclusive=True).describe()
        '70 % <= x <= 90 %: 1 point'
    """

    points: float = attrs.field(converter=float)
    lower: float | None = attrs.field(default=None)
    upper: float | None = attrs.field(default=None)
    lower_inclusive: bool = True
    upper_inclusive: bool = False

    def __attrs_post_init__(self) -> None:
        for name in ("points", "lower", "upper"):
            x = getattr(self, name)
            if x is not None and (isinstance(x, bool) or not math.isfinite(x)):
                raise MethodologyError(f"tier {name} must be a finite number, got {x!r}")
        if self.lower is not None and self.upper is not None:
            empty = self.lower > self.upper or (
                self.lower == self.upper and not (self.lower_inclusive and self.upper_inclusive)
            )
            if empty:
                raise MethodologyError(f"tier {self.describe()!r} is empty")

    def contains(self, x: FloatArray) -> npt.NDArray[np.bool_]:
        """Vectorised membership test.

        Example:
            >>> import numpy as np
            >>> from parindex.rules import Tier
            >>> tier = Tier(points=2.0, lower=80.0, upper=100.0)
            >>> tier.contains(np.array([79.9, 80.0, 100.0])).tolist()
            [False, True, False]
        """
        inside = np.ones(x.shape, dtype=bool)
        if self.lower is not None:
            inside &= (x >= self.lower) if self.lower_inclusive else (x > self.lower)
        if self.upper is not None:
            inside &= (x <= self.upper) if self.upper_inclusive else (x < self.upper)
        return inside

    def describe(self) -> str:
        """The tier in words.

        Example:
            >>> from parindex.rules import Tier
            >>> Tier(points=0.0, upper=50.0).describe()
            'x < 50 %: 0 points'
        """
        parts = []
        if self.lower is not None:
            parts.append(f"{_fmt(self.lower)} % {'<=' if self.lower_inclusive else '<'} x")
        if self.upper is not None:
            bound = f"{'<=' if self.upper_inclusive else '<'} {_fmt(self.upper)} %"
            parts.append(bound if parts else f"x {bound}")
        text = " ".join(parts) if parts else "any x"
        return f"{text}: {_fmt(self.points)} {points_word(self.points)}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (the methodology file's keys).

        Example:
            >>> from parindex.rules import Tier
            >>> Tier(points=2.0, lower=80.0, upper=100.0).to_dict()
            {'min_inclusive': 80.0, 'max_exclusive': 100.0, 'points': 2.0}
        """
        out: dict[str, Any] = {}
        if self.lower is not None:
            out["min_inclusive" if self.lower_inclusive else "min_exclusive"] = self.lower
        if self.upper is not None:
            out["max_inclusive" if self.upper_inclusive else "max_exclusive"] = self.upper
        out["points"] = self.points
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tier:
        """Inverse of :meth:`to_dict`.

        Example:
            >>> from parindex.rules import Tier
            >>> Tier.from_dict({"min_inclusive": 80, "max_exclusive": 100, "points": 2}).describe()
            '80 % <= x < 100 %: 2 points'
        """
        allowed = {"min_inclusive", "min_exclusive", "max_inclusive", "max_exclusive", "points"}
        unknown = set(data) - allowed
        if unknown:
            raise MethodologyError(f"tier has unknown keys {sorted(unknown)}")
        if "points" not in data:
            raise MethodologyError("tier has no 'points'")
        if "min_inclusive" in data and "min_exclusive" in data:
            raise MethodologyError("tier gives both min_inclusive and min_exclusive")
        if "max_inclusive" in data and "max_exclusive" in data:
            raise MethodologyError("tier gives both max_inclusive and max_exclusive")
        lower = data.get("min_inclusive", data.get("min_exclusive"))
        upper = data.get("max_inclusive", data.get("max_exclusive"))
        return cls(
            points=_param(data["points"], "tier points"),
            lower=None if lower is None else _param(lower, "tier bound"),
            upper=None if upper is None else _param(upper, "tier bound"),
            lower_inclusive="min_exclusive" not in data,
            upper_inclusive="max_inclusive" in data,
        )


def _sort_key(t: Tier) -> tuple[float, int]:
    return (-math.inf if t.lower is None else t.lower, 0 if t.lower_inclusive else 1)


@attrs.frozen
class PercentTiers:
    """Points by tiers of a percentage (0-100 %), e.g. the share of dossiers settled on
    time: 100 % -> full points, 80 % to under 100 % -> half, under 80 % -> none.

    The tiers must cover 0-100 % with no gap and no overlap; at every joint exactly one
    side includes the boundary. The measure is a rate, read by :func:`parse_rate`.

    Example:
        >>> from parindex.rules import PercentTiers, Tier
        >>> PercentTiers((Tier(1.0, lower=50), Tier(0.0, upper=40)))
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: tiers leave a gap between 40 % and 50 %
    """

    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)
    kind: ClassVar[str] = "tiers"

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise MethodologyError("a tiers rule needs at least one tier")
        ordered = sorted(self.tiers, key=_sort_key)
        first, last = ordered[0], ordered[-1]
        if first.lower is not None and (
            first.lower > 0 or (first.lower == 0 and not first.lower_inclusive)
        ):
            raise MethodologyError(f"tiers do not cover rates from 0 % up to {_fmt(first.lower)} %")
        if last.upper is not None and (
            last.upper < 100 or (last.upper == 100 and not last.upper_inclusive)
        ):
            raise MethodologyError(f"tiers do not cover rates from {_fmt(last.upper)} % to 100 %")
        for a, b in itertools.pairwise(ordered):
            if a.upper is None or b.lower is None or a.upper > b.lower:
                raise MethodologyError(f"tiers overlap: {a.describe()!r} and {b.describe()!r}")
            if a.upper < b.lower:
                raise MethodologyError(
                    f"tiers leave a gap between {_fmt(a.upper)} % and {_fmt(b.lower)} %"
                )
            if a.upper_inclusive and b.lower_inclusive:
                raise MethodologyError(
                    f"tiers overlap at {_fmt(a.upper)} %: both {a.describe()!r} and "
                    f"{b.describe()!r} include it"
                )
            if not a.upper_inclusive and not b.lower_inclusive:
                raise MethodologyError(f"tiers leave {_fmt(a.upper)} % itself uncovered")

    def check(self, max_points: float | None, node: str) -> None:
        """Validate the rule against its node's maximum.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.check(2.0, "1.1.2")
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: node 1.1.2: tier points 3 exceeds the node maximum 2
        """
        for t in self.tiers:
            _check_points(t.points, max_points, node, "tier points")

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read a rate into percent.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.parse("81.7%", max_points=3.0)
            81.7
            >>> rule.parse(0.817, max_points=3.0, rate_scale="fraction")
            81.7
        """
        return parse_rate(raw, rate_scale)

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.measures(np.array([0.817, 1.2]), max_points=3, rate_scale="fraction").tolist()
            [81.7, nan]
        """
        return rate_measures(values, rate_scale)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """Tier points for each measure (percent).

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.points(np.array([100.0, 81.7, 40.0]), 3.0).tolist()
            [3.0, 2.0, 0.0]
        """
        return np.select(
            [t.contains(measures) for t in self.tiers],
            [np.float64(t.points) for t in self.tiers],
            default=np.nan,
        ).astype(np.float64)

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.describe()
            '100 % <= x: 3 points; 80 % <= x < 100 %: 2 points; 50 % <= x < 80 %: 1 point; x < 50 %: 0 points'
        """
        return "; ".join(t.describe() for t in sorted(self.tiers, key=_sort_key, reverse=True))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> import parindex
            >>> from parindex.rules import rule_from_dict
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.2").rule
            >>> rule.to_dict()["tiers"][1], rule_from_dict(rule.to_dict()) == rule
            ({'min_inclusive': 80.0, 'max_exclusive': 100.0, 'points': 2.0}, True)
        """
        return {"kind": self.kind, "tiers": [t.to_dict() for t in self.tiers]}
