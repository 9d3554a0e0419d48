"""Scoring rules: how a leaf turns a raw value into points (cách tính điểm).

The set of rule kinds is small and closed:

========================  ==========================================================
kind                      meaning
========================  ==========================================================
``tiers``                 :class:`PercentTiers`: tiers on a percentage, each bound
                          explicitly inclusive or exclusive (mức theo tỷ lệ %)
``yes_no``                :class:`YesNo`: done / not done (đạt / không đạt)
``categorical``           :class:`Categorical`: named levels, e.g. on time / late /
                          missing (đúng hạn / chậm / không thực hiện)
``proportional``          :class:`Proportional`: points in proportion to a measure,
                          capped at the maximum (tính theo tỷ lệ)
``deduction``             :class:`Deduction`: a deduction per occurrence, with a
                          floor (điểm trừ)
``points``                :class:`DirectPoints`: the points are entered directly
========================  ==========================================================

Every rule has two halves. ``parse`` reads one raw value (a number, a string such as
``"97%"``, a label) into a float *measure*, refusing anything ambiguous. ``points`` maps
an array of measures to points in one vectorised step; the scorer calls it once per
leaf for all units, so one unit and ten thousand units go through the same arithmetic.

Example:
    >>> import numpy as np
    >>> from parindex.rules import PercentTiers, Tier
    >>> on_time = PercentTiers((
    ...     Tier(points=1.0, lower=100, lower_inclusive=True),
    ...     Tier(points=0.5, lower=80, upper=100),
    ...     Tier(points=0.0, upper=80),
    ... ))
    >>> on_time.parse("97%", max_points=1.0)
    97.0
    >>> on_time.points(np.array([100.0, 97.0, 79.9]), 1.0).tolist()
    [1.0, 0.5, 0.0]
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex._numbers import fraction_to_percent
from parindex.errors import AmbiguousInputError, MethodologyError, PointsOutOfRangeError

__all__ = [
    "Categorical",
    "Deduction",
    "DirectPoints",
    "Level",
    "PercentTiers",
    "Proportional",
    "RateScale",
    "Rule",
    "Tier",
    "YesNo",
    "parse_rate",
    "rule_from_dict",
]

RateScale: TypeAlias = Literal["percent", "fraction"]
"""How a bare number for a rate is read: ``97`` (percent) or ``0.97`` (fraction)."""

FloatArray: TypeAlias = npt.NDArray[np.float64]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _number(raw: object, what: str) -> float:
    """Read a plain number; strings must use a decimal point."""
    if isinstance(raw, bool):
        raise PointsOutOfRangeError(f"{what} must be a number, got the boolean {raw!r}")
    if isinstance(raw, int | float | np.integer | np.floating):
        try:
            value = float(raw)
        except OverflowError:
            raise PointsOutOfRangeError(
                f"{what} ({len(str(raw))} digits) is too large to be a number"
            ) from None
    elif isinstance(raw, str):
        text = raw.strip()
        if "," in text:
            raise AmbiguousInputError(
                f"{what} {raw!r} has a comma, which could be a decimal comma or a "
                "thousands separator; write it with a decimal point (87.82), or read "
                "the file with decimal_comma=True"
            )
        if not _NUMBER.match(text):
            raise PointsOutOfRangeError(f"{what} {raw!r} is not a number")
        value = float(text)
    else:
        raise PointsOutOfRangeError(f"{what} must be a number, got {type(raw).__name__}")
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{what} must be a finite number, got {value!r}")
    return value


def parse_rate(raw: object, rate_scale: RateScale | None = None) -> float:
    """Read a rate and return it in percent (0-100).

    ``"97%"`` is always unambiguous. A bare number is refused unless ``rate_scale``
    says how to read it, because ``97`` and ``0.97`` are both common in sheets.

    Example:
        >>> from parindex.rules import parse_rate
        >>> parse_rate("97.5%"), parse_rate(0.8, "fraction"), parse_rate(80, "percent")
        (97.5, 80.0, 80.0)
        >>> parse_rate(97)
        Traceback (most recent call last):
        ...
        parindex.errors.AmbiguousInputError: bare value 97 for a rate is ambiguous: write "97%", or pass rate_scale="percent" (97 means 97 %) or rate_scale="fraction" (0.97 means 97 %)
    """
    if isinstance(raw, str) and raw.strip().endswith("%"):
        value = _number(raw.strip()[:-1], "rate")
        scale: RateScale = "percent"
    else:
        value = _number(raw, "rate")
        if rate_scale is None:
            shown = f"{value:g}"
            raise AmbiguousInputError(
                f'bare value {shown} for a rate is ambiguous: write "{shown}%", or pass '
                'rate_scale="percent" (97 means 97 %) or rate_scale="fraction" '
                "(0.97 means 97 %)"
            )
        scale = rate_scale
    if scale == "fraction":
        if not 0.0 <= value <= 1.0:
            raise PointsOutOfRangeError(
                f'rate {value:g} is outside 0-1 on the fraction scale (did you mean "{value:g}%"?)'
            )
        return float(fraction_to_percent(np.array([value]))[0])
    if not 0.0 <= value <= 100.0:
        raise PointsOutOfRangeError(f"rate {value:g}% is outside 0-100 %")
    return value


def rate_measures(values: FloatArray, rate_scale: RateScale | None) -> FloatArray:
    """Vectorised :func:`parse_rate` for bare numbers: percent, or NaN where a value is
    invalid or (with no ``rate_scale``) ambiguous."""
    if rate_scale is None:
        return np.full(values.shape, np.nan)
    if rate_scale == "fraction":
        ok = (values >= 0.0) & (values <= 1.0)
        return np.where(ok, fraction_to_percent(values), np.nan)
    ok = (values >= 0.0) & (values <= 100.0)
    return np.where(ok, values, np.nan)


def _tiers(items: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(items)


def _levels(items: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(items)


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check_points(points: float, max_points: float | None, node: str, what: str) -> None:
    if not math.isfinite(points) or points < 0:
        raise MethodologyError(f"node {node}: {what} {points!r} must be >= 0", node=node)
    if max_points is not None and points > max_points + 1e-9:
        raise MethodologyError(
            f"node {node}: {what} {_fmt(points)} exceeds the node maximum {_fmt(max_points)}",
            node=node,
        )


# --------------------------------------------------------------------------- tiers


@attrs.frozen
class Tier:
    """One tier of a :class:`PercentTiers` rule: ``points`` when the measure lies in
    the interval between ``lower`` and ``upper`` (``None`` = unbounded), each bound
    inclusive or exclusive as stated in the decision ("từ 70% đến dưới 90%").

    Example:
        >>> from parindex.rules import Tier
        >>> Tier(points=1.0, lower=70, upper=90, upper_inclusive=True).describe()
        '70 % <= x <= 90 %: 1 points'
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
        return f"{text}: {_fmt(self.points)} points"

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
            '100 % <= x: 3 points; 80 % <= x < 100 %: 2 points; 50 % <= x < 80 %: 1 points; x < 50 %: 0 points'
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


# --------------------------------------------------------------------------- yes / no

_YES = frozenset({"yes", "y", "true", "1", "có", "co", "đạt", "dat", "x"})
_NO = frozenset({"no", "n", "false", "0", "không", "khong", "không đạt", "khong dat"})


def _norm_label(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@attrs.frozen
class YesNo:
    """Done or not done (đạt / không đạt): ``yes_points`` (the node maximum when
    ``None``) or ``no_points``.

    Accepts ``True``/``False``, ``1``/``0`` and the words yes/no, có/không, đạt/không đạt.

    Example:
        >>> import numpy as np
        >>> from parindex.rules import YesNo
        >>> rule = YesNo()
        >>> rule.points(np.array([rule.parse("có", max_points=1.0), 0.0]), 1.0).tolist()
        [1.0, 0.0]
    """

    yes_points: float | None = None
    no_points: float = 0.0
    kind: ClassVar[str] = "yes_no"

    def check(self, max_points: float | None, node: str) -> None:
        """Validate the rule against its node's maximum.

        Example:
            >>> from parindex.rules import YesNo
            >>> YesNo().check(None, "1.3.2")
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: node 1.3.2: a yes/no rule without yes_points needs the node maximum
        """
        if self.yes_points is None and max_points is None:
            raise MethodologyError(
                f"node {node}: a yes/no rule without yes_points needs the node maximum",
                node=node,
            )
        if self.yes_points is not None:
            _check_points(self.yes_points, max_points, node, "yes_points")
        _check_points(self.no_points, max_points, node, "no_points")

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read yes (1.0) or no (0.0).

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.3.2").rule
            >>> [rule.parse(answer, max_points=1.0) for answer in ("không", "Đạt", True)]
            [0.0, 1.0, 1.0]
        """
        if isinstance(raw, bool | np.bool_):
            return 1.0 if raw else 0.0
        if isinstance(raw, int | float | np.integer | np.floating) and raw in (0, 1):
            return float(raw)
        if isinstance(raw, str):
            label = _norm_label(raw)
            if label in _YES:
                return 1.0
            if label in _NO:
                return 0.0
        raise PointsOutOfRangeError(f"{raw!r} is not a yes/no answer (use yes/no, có/không, 1/0)")

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.3.2").rule
            >>> rule.measures(np.array([1.0, 0.0, 2.0]), max_points=1.0).tolist()
            [1.0, 0.0, nan]
        """
        return np.where((values == 0.0) | (values == 1.0), values, np.nan)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """Points for each answer.

        Example:
            >>> import numpy as np
            >>> from parindex.rules import YesNo
            >>> YesNo(yes_points=0.5).points(np.array([1.0, 0.0]), 1.0).tolist()
            [0.5, 0.0]
        """
        yes = max_points if self.yes_points is None else self.yes_points
        return np.where(measures >= 0.5, yes, self.no_points).astype(np.float64)

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> from parindex.rules import YesNo
            >>> YesNo().describe(), YesNo(yes_points=0.5).describe()
            ('yes: full points; no: 0 points', 'yes: 0.5 points; no: 0 points')
        """
        yes = "full points" if self.yes_points is None else f"{_fmt(self.yes_points)} points"
        return f"yes: {yes}; no: {_fmt(self.no_points)} points"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> from parindex.rules import YesNo
            >>> YesNo(yes_points=0.5).to_dict()
            {'kind': 'yes_no', 'yes_points': 0.5}
        """
        out: dict[str, Any] = {"kind": self.kind}
        if self.yes_points is not None:
            out["yes_points"] = self.yes_points
        if self.no_points:
            out["no_points"] = self.no_points
        return out


# --------------------------------------------------------------------------- categorical


@attrs.frozen
class Level:
    """One level of a :class:`Categorical` rule: a label (Vietnamese as in the
    decision), the points, and other spellings accepted for it.

    Example:
        >>> from parindex.rules import Level
        >>> Level("đúng hạn", 1.0, aliases=("on time",)).label
        'đúng hạn'
    """

    label: str
    points: float = attrs.field(converter=float)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_strs)


@attrs.frozen
class Categorical:
    """Points by named level, e.g. plan issued on time / late / not issued
    (ban hành đúng hạn / chậm / không ban hành) -> 1 / 0.5 / 0.

    Labels match regardless of case, Unicode form and spacing.

    Example:
        >>> from parindex.rules import Categorical, Level
        >>> rule = Categorical((Level("on time", 1), Level("late", 0.5), Level("missing", 0)))
        >>> rule.parse("Late", max_points=1.0)
        1.0
    """

    levels: tuple[Level, ...] = attrs.field(converter=_levels)
    kind: ClassVar[str] = "categorical"

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            raise MethodologyError("a categorical rule needs at least one level")
        seen: set[str] = set()
        for level in self.levels:
            for name in (level.label, *level.aliases):
                key = _norm_label(name)
                if key in seen:
                    raise MethodologyError(f"categorical label {name!r} is used twice")
                seen.add(key)

    def check(self, max_points: float | None, node: str) -> None:
        """Validate the rule against its node's maximum.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> rule.check(0.5, "1.1.1")
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: node 1.1.1: points of level 'đúng hạn' 1 exceeds the node maximum 0.5
        """
        for level in self.levels:
            _check_points(level.points, max_points, node, f"points of level {level.label!r}")

    def parse(
        self, raw: object, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> float:
        """Read a label into the index of its level.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> rule.parse("Chậm", max_points=1.0), rule.parse("late", max_points=1.0)
            (1.0, 1.0)
        """
        if isinstance(raw, str):
            key = _norm_label(raw)
            for i, level in enumerate(self.levels):
                if key in {_norm_label(n) for n in (level.label, *level.aliases)}:
                    return float(i)
        labels = ", ".join(repr(level.label) for level in self.levels)
        raise PointsOutOfRangeError(f"{raw!r} is not one of the levels {labels}")

    def measures(
        self, values: FloatArray, *, max_points: float | None, rate_scale: RateScale | None = None
    ) -> FloatArray:
        """Vectorised parse of numeric values; NaN marks an invalid value.

        Example:
            A number is never a level (levels are labels), so every numeric value is invalid:

            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> rule.measures(np.array([0.0, 1.0]), max_points=1.0).tolist()
            [nan, nan]
        """
        return np.full(values.shape, np.nan)

    def points(self, measures: FloatArray, max_points: float) -> FloatArray:
        """Points of each level index.

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> late = rule.parse("chậm", max_points=1.0)
            >>> rule.points(np.array([0.0, late]), 1.0).tolist()
            [1.0, 0.5]
        """
        table = np.array([level.points for level in self.levels], dtype=np.float64)
        return table[measures.astype(np.intp)]

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> rule.describe()
            'đúng hạn: 1 points; chậm: 0.5 points; không ban hành: 0 points'
        """
        return "; ".join(f"{lv.label}: {_fmt(lv.points)} points" for lv in self.levels)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form.

        Example:
            >>> import parindex
            >>> rule = parindex.get_methodology("illustrative-district").node("1.1.1").rule
            >>> rule.to_dict()["levels"][1]
            {'label': 'chậm', 'points': 0.5, 'aliases': ['late']}
        """
        levels: list[dict[str, Any]] = []
        for lv in self.levels:
            item: dict[str, Any] = {"label": lv.label, "points": lv.points}
            if lv.aliases:
                item["aliases"] = list(lv.aliases)
            levels.append(item)
        return {"kind": self.kind, "levels": levels}


# --------------------------------------------------------------------------- proportional


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
            >>> Proportional(full_at=10, rate=False).measures(np.array([4.0, -1.0]), max_points=2.0).tolist()
            [4.0, nan]
        """
        if self.rate:
            return rate_measures(values, rate_scale)
        return np.where(values >= 0.0, values, np.nan)

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


# --------------------------------------------------------------------------- deduction


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
            >>> rule.measures(np.array([0.0, 1.0, 1.5, -1.0]), max_points=2.0).tolist()
            [0.0, 1.0, nan, nan]
        """
        return np.where((values >= 0.0) & (values == np.floor(values)), values, np.nan)

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


# --------------------------------------------------------------------------- direct points


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
        """
        upper = np.inf if max_points is None else max_points + 1e-9
        return np.where((values >= 0.0) & (values <= upper), values, np.nan)

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


Rule: TypeAlias = PercentTiers | YesNo | Categorical | Proportional | Deduction | DirectPoints
"""Any of the rule kinds."""

RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (PercentTiers, YesNo, Categorical, Proportional, Deduction, DirectPoints)
}


def _param(x: object, what: str) -> float:
    """A number in a methodology file: a real, finite number (not a boolean, not text)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise MethodologyError(f"{what} must be a number, got {x!r}")
    try:
        value = float(x)
    except OverflowError:
        raise MethodologyError(f"{what} is too large") from None
    if not math.isfinite(value):
        raise MethodologyError(f"{what} must be a finite number, got {x!r}")
    return value


def _flag(x: object, what: str, default: bool) -> bool:
    """A yes/no setting: ``true`` or ``false`` (the text "false" is truthy in Python)."""
    if x is None:
        return default
    if not isinstance(x, bool):
        raise MethodologyError(f"{what} must be true or false, got {x!r}")
    return x


def _level(data: object) -> Level:
    if not isinstance(data, Mapping):
        raise MethodologyError(f"a level must be a mapping, got {data!r}")
    unknown = set(data) - {"label", "points", "aliases"}
    if unknown:
        raise MethodologyError(f"level has unknown keys {sorted(map(str, unknown))}")
    label, aliases = data.get("label"), data.get("aliases", [])
    if not isinstance(label, str) or not label.strip():
        raise MethodologyError(f"a level label must be text, got {label!r}")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise MethodologyError(f"level {label!r}: aliases must be a list of text, got {aliases!r}")
    if "points" not in data:
        raise MethodologyError(f"level {label!r} has no 'points'")
    return Level(label, _param(data["points"], f"points of level {label!r}"), tuple(aliases))


def _only(data: Mapping[str, Any], allowed: set[str], kind: str) -> None:
    unknown = set(data) - allowed - {"kind"}
    if unknown:
        raise MethodologyError(f"rule {kind!r} has unknown keys {sorted(unknown)}")


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a rule from its plain-data form (as in methodology files).

    Example:
        >>> from parindex.rules import rule_from_dict
        >>> rule_from_dict({"kind": "deduction", "per_occurrence": 0.25})
        Deduction(per_occurrence=0.25, floor=0.0)
        >>> rule_from_dict({"kind": "lottery"})
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: unknown rule kind 'lottery' (known: categorical, deduction, points, proportional, tiers, yes_no)
    """
    if not isinstance(data, Mapping):
        raise MethodologyError(f"a rule must be a mapping, got {type(data).__name__}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        raise MethodologyError(
            f"unknown rule kind {kind!r} (known: {', '.join(sorted(RULE_KINDS))})"
        )
    try:
        if kind == "tiers":
            _only(data, {"tiers"}, kind)
            tiers = data.get("tiers")
            if not isinstance(tiers, list):
                raise MethodologyError("a tiers rule needs a list 'tiers'")
            for t in tiers:
                if not isinstance(t, Mapping):
                    raise MethodologyError(f"a tier must be a mapping, got {t!r}")
            return PercentTiers(tuple(Tier.from_dict(t) for t in tiers))
        if kind == "yes_no":
            _only(data, {"yes_points", "no_points"}, kind)
            yes = data.get("yes_points")
            return YesNo(
                None if yes is None else _param(yes, "yes_points"),
                _param(data.get("no_points", 0.0), "no_points"),
            )
        if kind == "categorical":
            _only(data, {"levels"}, kind)
            levels = data.get("levels")
            if not isinstance(levels, list):
                raise MethodologyError("a categorical rule needs a list 'levels'")
            return Categorical(tuple(_level(lv) for lv in levels))
        if kind == "proportional":
            _only(data, {"full_at", "rate"}, kind)
            return Proportional(
                _param(data.get("full_at", 100.0), "full_at"),
                _flag(data.get("rate"), "proportional rate", True),
            )
        if kind == "deduction":
            _only(data, {"per_occurrence", "floor"}, kind)
            if "per_occurrence" not in data:
                raise MethodologyError("a deduction rule needs 'per_occurrence'")
            return Deduction(
                _param(data["per_occurrence"], "per_occurrence"),
                _param(data.get("floor", 0.0), "deduction floor"),
            )
        _only(data, set(), kind)
        return DirectPoints()
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, MethodologyError):
            raise
        raise MethodologyError(f"malformed {kind!r} rule: {err}") from err
