"""Stores for the inspector's tests: real SQLite files filled by running real graphs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph.compiled import CompiledStateGraph
from tests.inspector.flows import fill


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[SqliteSaver, CompiledStateGraph, Path]]:
    path = tmp_path / "runs.db"
    saver = SqliteSaver(path)
    app = fill(saver)
    try:
        yield saver, app, path
    finally:
        saver.close()
