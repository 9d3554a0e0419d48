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

# One module per rule kind (tiers, choices, proportional, deduction, direct), the
# shared number reading in base and rates, the Rule union and rule_from_dict in kinds.
from parindex.rules.choices import Categorical, Level, YesNo
from parindex.rules.deduction import Deduction
from parindex.rules.direct import DirectPoints
from parindex.rules.kinds import RULE_KINDS as RULE_KINDS
from parindex.rules.kinds import Rule, rule_from_dict
from parindex.rules.kinds import flag_setting as flag_setting
from parindex.rules.proportional import Proportional
from parindex.rules.rates import RateScale, parse_rate
from parindex.rules.rates import rate_measures as rate_measures
from parindex.rules.tiers import PercentTiers, Tier

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
