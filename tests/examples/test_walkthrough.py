"""The tutorial's "Full Code Walkthrough", with only the import prefix changed, runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples/tutorial/walkthrough.py"


def test_only_the_import_prefix_differs_from_the_tutorial() -> None:
    text = SCRIPT.read_text()
    assert "langgraph" not in text
    imports = [line for line in text.splitlines() if line.startswith("from cairngraph")]
    assert imports == [
        "from cairngraph.graph import StateGraph, START, END",
        "from cairngraph.checkpoint.memory import InMemorySaver",
    ]
    assert "from langchain_groq import ChatGroq" in text


def test_walkthrough_runs_with_langchain_models() -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests/examples/stubs'}"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("{'topic': 'chickens crossing the road', 'joke': 'Why did the")
    assert lines[1] == lines[0]
    assert lines[2].startswith("[StateSnapshot(values=") and lines[2].count("StateSnapshot(") == 4
