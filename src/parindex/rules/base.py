"""What the rule kinds share: reading a plain number from a sheet or a methodology
file, formatting it, and checking a rule's points against its node's maximum.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from parindex._numbers import NUMBER_PATTERN
from parindex.errors import (
    AmbiguousInputError,
    InvalidValueError,
    MethodologyError,
    PointsOutOfRangeError,
)

__all__ = ["FloatArray"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


def _number(raw: object, what: str) -> float:
    """Read a plain number; strings must use a decimal point."""
    if isinstance(raw, bool):
        raise InvalidValueError(f"{what} must be a number, got the boolean {raw!r}")
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
        if not NUMBER_PATTERN.fullmatch(text):
            if _non_finite(text):
                raise PointsOutOfRangeError(f"{what} {raw!r} must be a finite number")
            raise InvalidValueError(f"{what} {raw!r} is not a number")
        value = float(text)
    else:
        raise InvalidValueError(f"{what} must be a number, got {type(raw).__name__}")
    if not math.isfinite(value):
        raise PointsOutOfRangeError(f"{what} must be a finite number, got {value!r}")
    return value


def _non_finite(text: str) -> bool:
    """Whether text Python reads as infinity or NaN ("inf", "-Infinity", "nan"), so that
    the message says the same as for a JSON Infinity."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


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
