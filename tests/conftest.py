"""Shared test configuration: hypothesis profiles and paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Đắk Lắk's published 2023 score components (tests/golden/daklak-2023-blocks.csv): index
# 87.33, band B under 876/QĐ-BNV's 2023 thresholds.
DAKLAK_2023_CSV = (
    "unit,node,points\nĐắk Lắk,appraisal,57.92\nĐắk Lắk,impact,2.97\n"
    "Đắk Lắk,leader_survey,18.29\nĐắk Lắk,sipas,8.15\n"
)


def fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter on this source tree; its stdout, stripped.

    For what only a fresh process shows (import side effects, entry points), since this
    session has long imported everything. Fails with the child's stderr.
    """
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# Two strengths: "ci" (CI=true, or HYPOTHESIS_PROFILE=ci) runs every property at full
# strength, derandomized; "dev", the default, runs each at a fifth of its examples so a
# local run stays within 3 minutes on 2 cores. Tests that set their own count say
# ``max_examples=examples(N)``: N in CI, a fifth of it (at least 10) here.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """A property's example count under the active profile: ``full`` in CI.

    Example:
        >>> examples(1000) in (1000, 200)
        True
    """
    return full if PROFILE == "ci" else max(10, full // 5)
