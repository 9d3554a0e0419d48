"""Schemathesis, run against the live service's OpenAPI document with all of its checks
(every operation, valid and invalid requests, undeclared methods, the answers against
their schemas): no failure. A fixed seed and a bounded number of examples make it a
test rather than a search; run ``schemathesis run URL/openapi.json --checks all`` for
a longer one.

One setting: a request its schema accepts may still be refused with 422 (an unknown
methodology id, points above a node's maximum: what a JSON Schema cannot know), so
422 counts as accepting valid data, as Schemathesis's own guidance for this check says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = """\
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "413", "422"]
"""


def test_schemathesis_finds_no_failure(base_url: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    argv = [
        *("--config-file", str(config), "run", f"{base_url}/openapi.json"),
        *("--checks", "all", "--max-examples", "15", "--seed", "17"),
        *("--generation-database", "none", "--workers", "1", "--no-color"),
        *("--request-timeout", "60", "--max-failures", "20"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
        check=False,
    )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    summary = done.stdout.split("SUMMARY")[-1]
    assert " passed" in summary, report
    assert "failed" not in summary, report
