"""The benchmark harness runs (figures are read by people, not asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_harness_runs_both_engines_side_by_side() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "memory"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[-3:] == ["cairngraph", "langgraph", "ratio"]
    rows = [line for line in lines[1:] if line.rstrip().endswith("x")]
    assert len(rows) == 5
    assert "both engines in this one process" in done.stdout


def test_storage_workloads_run_and_print_bytes_by_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "storage"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.rstrip().endswith("x")]
    assert len(rows) == 10  # every storage workload row, list() read three ways
    assert "bytes/step by table, 200 KB workload, SQLite" in done.stdout
    assert "bytes/step by table and blob store, 200 KB workload" in done.stdout
    assert "(blob store)" in done.stdout
