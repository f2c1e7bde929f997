"""Without langchain-core, cairngraph works and cairngraph.prebuilt says how to get it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "langchain_core" or name.startswith("langchain_core."):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return None

    sys.meta_path.insert(0, Block())
    """
)


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_prebuilt_without_langchain_core_names_the_extra() -> None:
    result = run(
        """
        try:
            import cairngraph.prebuilt
        except ImportError as error:
            print("ImportError:", error)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'cairngraph[agents]'" in result.stdout
    assert "langchain-core" in result.stdout


def test_the_rest_of_cairngraph_runs_without_langchain_core() -> None:
    result = run(
        """
        from typing import TypedDict
        from cairngraph.graph import StateGraph, START
        from cairngraph.types import Command

        class State(TypedDict):
            n: int

        builder = StateGraph(State)
        builder.add_node("a", lambda s: Command(update={"n": s["n"] + 1}))
        builder.add_edge(START, "a")
        print(builder.compile().invoke({"n": 1}))
        print("langchain_core" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["{'n':", "2}", "False"]
