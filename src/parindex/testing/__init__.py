"""Test tooling for parindex users: hypothesis strategies and assertion helpers.

Requires the ``hypothesis`` extra (``pip install "parindex[hypothesis]"``).

Strategies generate valid inputs: methodologies (complete trees with rules on every
leaf, maxima in steps of 0.05 so that float noise is exercised), score sheets for a
methodology (points or raw values, N/A where allowed, optionally partial), and
administrative units. The assertion helpers compare results to published numbers the
way published tables round (half-up to 2 decimals).

Example:
    A downstream property test:

    >>> from hypothesis import given, settings
    >>> import parindex
    >>> from parindex.testing import methodologies, score_sheets
    >>> @settings(max_examples=20, deadline=None)
    ... @given(data=methodologies().flatmap(lambda m: score_sheets(m).map(lambda s: (m, s))))
    ... def test_index_in_range(data):
    ...     m, sheet = data
    ...     for unit in parindex.score(m, sheet):
    ...         assert unit.total.index is None or 0 <= unit.total.index <= 100
    >>> test_index_in_range()
"""

from __future__ import annotations

from parindex.testing.assertions import (
    assert_matches_published,
    assert_no_mutation,
    assert_scores_equal,
)
from parindex.testing.strategies import (
    administrative_units,
    hostile_values,
    invalid_score_sheets,
    leaf_values,
    methodologies,
    rules,
    score_sheets,
    unit_names,
)

__all__ = [
    "administrative_units",
    "assert_matches_published",
    "assert_no_mutation",
    "assert_scores_equal",
    "hostile_values",
    "invalid_score_sheets",
    "leaf_values",
    "methodologies",
    "rules",
    "score_sheets",
    "unit_names",
]
