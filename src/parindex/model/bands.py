"""Bands (nhóm / xếp loại) on the index and the ranking policy (xếp hạng).

Band thresholds are data: each shipped methodology lists its bands per evaluation
year, with their sources, in ``parindex/data/methodologies/*.yaml``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal, TypeAlias

import attrs

from parindex.errors import MethodologyError
from parindex.model.parts import _opt_float, _strs, check_label

__all__ = ["Band", "RankingPolicy", "TiePolicy"]

TiePolicy: TypeAlias = Literal["min", "dense", "average", "first", "max"]
"""Tie handling, named as in :meth:`pandas.Series.rank`."""


@attrs.frozen
class Band:
    """A band (nhóm / xếp loại) on the index, e.g. A: 90 <= index, B: 80 <= index < 90.

    Example:
        >>> from parindex import Band
        >>> Band("B", lower=80, upper=90).contains(89.999)
        True
    """

    label: str = attrs.field(validator=check_label)
    lower: float | None = attrs.field(default=None, converter=_opt_float)
    upper: float | None = attrs.field(default=None, converter=_opt_float)
    lower_inclusive: bool = True
    upper_inclusive: bool = False
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        for x in (self.lower, self.upper):
            if x is not None and not math.isfinite(x):
                raise MethodologyError(f"band {self.label!r}: bounds must be finite, got {x!r}")

    @property
    def empty(self) -> bool:
        """Whether no index falls in the band: its lower bound lies above its upper
        bound, or they are equal and one of them is exclusive.

        Example:
            >>> from parindex import Band
            >>> Band("X", lower=90, upper=80).empty, Band("Y", lower=80, upper=80).empty
            (True, True)
            >>> Band("Z", lower=80, upper=80, upper_inclusive=True).empty
            False
        """
        if self.lower is None or self.upper is None:
            return False
        if self.lower == self.upper:
            return not (self.lower_inclusive and self.upper_inclusive)
        return self.lower > self.upper

    def bounds(self) -> str:
        """The bounds as a methodology file writes them, e.g.
        ``'min_inclusive: 90, max_exclusive: 80'``.

        Example:
            >>> from parindex import Band
            >>> Band("X", lower=90, upper=80).bounds()
            'min_inclusive: 90, max_exclusive: 80'
        """
        parts = []
        if self.lower is not None:
            parts.append(
                f"min_{'inclusive' if self.lower_inclusive else 'exclusive'}: {self.lower:g}"
            )
        if self.upper is not None:
            parts.append(
                f"max_{'inclusive' if self.upper_inclusive else 'exclusive'}: {self.upper:g}"
            )
        return ", ".join(parts) or "no bounds"

    def describe(self) -> str:
        """The band in words, e.g. ``'B ≥ 80 < 90'``.

        Example:
            >>> from parindex import Band
            >>> Band("B", lower=80, upper=90).describe(), Band("D", upper=70).describe()
            ('B ≥ 80 < 90', 'D < 70')
        """
        parts = [self.label]
        if self.lower is not None:
            parts.append(f"{'≥' if self.lower_inclusive else '>'} {self.lower:g}")
        if self.upper is not None:
            parts.append(f"{'≤' if self.upper_inclusive else '<'} {self.upper:g}")
        return " ".join(parts)

    def contains(self, index: float) -> bool:
        """Whether ``index`` falls in this band.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> [band.label for band in m.bands_for() if band.contains(81.01)]
            ['Tốt']
        """
        if self.lower is not None and not (
            index >= self.lower if self.lower_inclusive else index > self.lower
        ):
            return False
        return self.upper is None or (
            index <= self.upper if self.upper_inclusive else index < self.upper
        )


def _bands_overlap(a: Band, b: Band) -> bool:
    """Whether some index falls in both bands."""
    lo_a = -math.inf if a.lower is None else a.lower
    lo_b = -math.inf if b.lower is None else b.lower
    hi_a = math.inf if a.upper is None else a.upper
    hi_b = math.inf if b.upper is None else b.upper
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    if lo < hi:
        return True
    if lo > hi:
        return False
    return a.contains(lo) and b.contains(lo)


def _first_overlap(bands: Sequence[Band]) -> tuple[Band, Band] | None:
    """Two bands that overlap (in the order listed), or ``None``; the bands must not be
    empty. O(n log n): sorted by where they start (an inclusive lower bound starts
    before an exclusive one at the same number), if any two bands overlap then two
    neighbours do, since a band starting between them starts before the later one's
    common point and, not being empty, reaches into the earlier one.
    """
    order = sorted(
        range(len(bands)),
        key=lambda i: (
            -math.inf if bands[i].lower is None else bands[i].lower,
            not bands[i].lower_inclusive,
        ),
    )
    for i, j in itertools.pairwise(order):
        if _bands_overlap(bands[i], bands[j]):
            return (bands[i], bands[j]) if i < j else (bands[j], bands[i])
    return None


@attrs.frozen
class RankingPolicy:
    """How units are ranked.

    Attributes:
        ties: tie policy (``min`` = 1, 2, 2, 4 is the default; ``dense`` = 1, 2, 2, 3;
            ``average``; ``first``; ``max``). The official tie rule is not published.
        precision: rank on the index rounded half-up to this many decimals; ``None``
            (default) ranks on the unrounded index (to 1e-9, below which is float noise).
        within_groups: rank separately within each peer group when units have groups.
        unranked: units scored but not ranked (e.g. under 876/QĐ-BNV the Government
            Inspectorate and the Committee for Ethnic Minority Affairs).

    Example:
        >>> from parindex.model.bands import RankingPolicy
        >>> RankingPolicy(ties="dense").ties
        'dense'
    """

    ties: TiePolicy = attrs.field(
        default="min", validator=attrs.validators.in_(("min", "dense", "average", "first", "max"))
    )
    precision: int | None = None
    within_groups: bool = True
    unranked: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    source: str | None = None
