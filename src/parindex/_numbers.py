"""Number handling shared by every layer: snapping float noise and half-up rounding.

Points are computed in float64. Sums of decimal points such as 0.1 + 0.2 carry binary
noise of about 1e-15; :func:`snap` removes it by rounding to ``NOISE_DECIMALS`` places,
far below any published precision (2 decimals). Presentation rounding is half-up, as in
the published tables (87.825 -> 87.83), applied to the snapped value so that a total
whose exact value is 87.825 never shows as 87.82 because its float is 87.82499999.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

NUMBER_PATTERN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
"""A plain decimal number as text (no grouping, no comma): what cells may hold."""

TOLERANCE = 1e-9
"""Two sums of points closer than this are equal (float noise, far below 0.01 points)."""

CONFLICT_TOLERANCE = 1e-6
"""Two figures for one quantity (a field total and the sum of its parts) closer than this
agree; published figures carry 2 decimals, so this only absorbs arithmetic noise."""

NOISE_DECIMALS = 9
"""Values are exact to this many decimals; anything finer is floating-point noise."""


def snap(x: float) -> float:
    """Round away float noise (to ``NOISE_DECIMALS`` places); NaN and inf pass through."""
    if not math.isfinite(x):
        return x
    return float(round(x, NOISE_DECIMALS)) + 0.0  # + 0.0 turns -0.0 into 0.0


def snap_array(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Vectorised :func:`snap`, equal to it value for value (a new array).

    ``np.round`` scales, rounds to an integer and scales back: that is ``round`` but
    where the scaled value's own rounding error reaches a half, where it may round the
    other way, and past 4.5e6 (where the scaled value has no fraction left to round)
    or the float range. Those few values (none in most arrays) are rounded by
    ``round``.

    Example:
        >>> import numpy as np
        >>> from parindex._numbers import snap, snap_array
        >>> x = np.array([0.1 + 0.2, -0.0, 2.675e-9, float("nan")])
        >>> snap_array(x).tolist()[:3], [snap(v) for v in x.tolist()][:3]
        ([0.3, 0.0, 3e-09], [0.3, 0.0, 3e-09])
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape)  # C order: its reshape(-1) below is a view
    with np.errstate(invalid="ignore", over="ignore"):
        np.round(x, NOISE_DECIMALS, out=out)
        out += 0.0  # -0.0 -> 0.0
        scaled = x * _SCALE
        # The product's error is at most half an ulp, under |scaled| * 2**-53: a
        # margin of four times that, measured from the half. NaN stays NaN.
        margin = np.abs(scaled) * 2.0**-51
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= margin
        near_half |= np.abs(x) >= _NO_FRACTION
    if near_half.any():
        at = np.flatnonzero(near_half.ravel())
        out.reshape(-1)[at] = [snap(v) for v in x.ravel()[at].tolist()]  # a view: out is new
    return out


_SCALE = 10.0**NOISE_DECIMALS
_NO_FRACTION = 2.0**52 / _SCALE  # past it, the scaled value holds no fraction (and inf)


def round_half_up(x: float, decimals: int = 2) -> float:
    """Round half away from zero, the way published PAR INDEX tables round.

    Example:
        >>> from parindex import round_half_up
        >>> round_half_up(87.825), round(87.825, 2)
        (87.83, 87.83)
        >>> round_half_up(0.125), round(0.125, 2)
        (0.13, 0.12)
    """
    if not math.isfinite(x):
        return x
    exact = Decimal(repr(snap(x)))
    quantum = Decimal(1).scaleb(-decimals)
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def fraction_to_percent(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Turn fractions (0.8) into percent (80.0) without binary noise: 0.8 * 100 is
    80.00000000000001 in float64, which would fall into the wrong tier. Rounding to 10
    decimals keeps every rate a sheet can state exactly."""
    return np.round(x * 100.0, 10)
