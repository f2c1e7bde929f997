"""``python -m benchmarks.inspector`` runs on a small store (its figures are read by people)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--threads", "30", "--steps", "40", "--repeats", "1"]


def test_the_inspector_benchmark_fetches_every_page() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.inspector", *SMALL],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith(("thread", "timeline"))]
    assert len(rows) == 7, done.stdout
    lines = done.stdout.splitlines()
    assert sum(line.startswith(("step page", "subgraph")) for line in lines) == 6, done.stdout
    assert "30 threads + 1 thread of 40 steps" in done.stdout
