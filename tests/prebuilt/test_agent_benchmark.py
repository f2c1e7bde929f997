"""The agent benchmark runs both engines side by side (figures are for people, not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_agent_benchmark_runs_both_engines() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "benchmarks", "--quick", "--only", "agent"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("ReAct")]
    assert len(rows) == 4 and all(row.rstrip().endswith("x") for row in rows)
    assert "CPU time per agent turn" in done.stdout
