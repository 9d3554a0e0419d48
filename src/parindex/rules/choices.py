"""Rules that pick among answers: done / not done (:class:`YesNo`) and named levels
(:class:`Categorical`, :class:`Level`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import numpy as np

from parindex._text import points_word
from parindex.errors import InvalidValueError, MethodologyError
from parindex.rules.base import FloatArray, _check_points, _fmt
from parindex.rules.rates import RateScale

__all__ = ["Categorical", "Level", "YesNo"]

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
        raise InvalidValueError(f"{raw!r} is not a yes/no answer (use yes/no, có/không, 1/0)")

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
        yes = (
            "full points"
            if self.yes_points is None
            else f"{_fmt(self.yes_points)} {points_word(self.yes_points)}"
        )
        return f"yes: {yes}; no: {_fmt(self.no_points)} {points_word(self.no_points)}"

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


def _levels(items: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(items)


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


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
        raise InvalidValueError(f"{raw!r} is not one of the levels {labels}")

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
            'đúng hạn: 1 point; chậm: 0.5 points; không ban hành: 0 points'
        """
        return "; ".join(
            f"{lv.label}: {_fmt(lv.points)} {points_word(lv.points)}" for lv in self.levels
        )

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
