"""What-if and gap analysis for one unit (phân tích kịch bản, khoảng cách).

Kept for imports written before the split: :mod:`parindex.analysis.what_if` holds
:func:`what_if`, :mod:`parindex.analysis.gap` holds :func:`gap`.

Example:
    >>> from parindex.analysis import gap, scenarios
    >>> scenarios.Gap is gap.Gap
    True
"""

from __future__ import annotations

from parindex.analysis.gap import Gap, PlanStep, gap
from parindex.analysis.what_if import Change, WhatIf, what_if

__all__ = ["Change", "Gap", "PlanStep", "WhatIf", "gap", "what_if"]
