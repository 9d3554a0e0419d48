"""Reading rates (tỷ lệ): ``"97%"``, or a bare number on a stated scale, into percent."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np

from parindex._numbers import fraction_to_percent
from parindex.errors import AmbiguousInputError, PointsOutOfRangeError
from parindex.rules.base import FloatArray, _number

__all__ = ["RateScale", "parse_rate", "rate_measures"]

RateScale: TypeAlias = Literal["percent", "fraction"]
"""How a bare number for a rate is read: ``97`` (percent) or ``0.97`` (fraction)."""


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
    invalid or (with no ``rate_scale``) ambiguous.

    Example:
        >>> import numpy as np
        >>> from parindex.rules.rates import rate_measures
        >>> rate_measures(np.array([0.5, 1.5]), "fraction").tolist()
        [50.0, nan]
        >>> rate_measures(np.array([50.0]), None).tolist()
        [nan]
    """
    if rate_scale is None:
        return np.full(values.shape, np.nan)
    if rate_scale == "fraction":
        ok = (values >= 0.0) & (values <= 1.0)
        return np.where(ok, fraction_to_percent(values), np.nan)
    ok = (values >= 0.0) & (values <= 100.0)
    return np.where(ok, values, np.nan)
