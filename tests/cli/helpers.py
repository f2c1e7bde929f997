"""Stores made by running real graphs, and the two ways tests call ``cairn``.

``invoke`` goes through click's CliRunner (same process); ``process`` runs the
installed entry point, ``python -m cairngraph.cli``, as a user's shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.cli import cli
from cairngraph.cli._open import load_graph, open_saver

ROOT = Path(__file__).resolve().parents[2]
JOKES = "examples.tutorial.joke_graph:build_graph"
REVIEW = "tests.cli.graphs:review_graph"
NESTED = "tests.cli.graphs:build_nested"


def fill(saver: BaseCheckpointSaver) -> None:
    """Two joke threads (one of them with a later update), a thread waiting at an
    interrupt, and a thread with subgraph checkpoints."""
    jokes = load_graph(JOKES, saver)
    for thread, topic in (("t1", "cats"), ("t2", "dogs")):
        jokes.invoke({"topic": topic}, {"configurable": {"thread_id": thread}})
    jokes.update_state({"configurable": {"thread_id": "t2"}}, {"joke": "a better joke"})
    review = load_graph(REVIEW, saver)
    review.invoke({"draft": "cats"}, {"configurable": {"thread_id": "r1"}})
    nested = load_graph(NESTED, saver)
    nested.invoke({"topic": "x"}, {"configurable": {"thread_id": "n1"}})


def make_store(url: str) -> str:
    """``url``, filled with :func:`fill`'s threads."""
    with open_saver(url, read_only=False) as saver:
        fill(saver)
    return url


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """``cairn ARGS`` through CliRunner; stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m cairngraph.cli ARGS`` in a real process."""
    environment = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", **(env or {})}
    if "CAIRN_DB" not in (env or {}):
        environment.pop("CAIRN_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "cairngraph.cli", *args],
        cwd=cwd or ROOT,
        env=environment,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )
