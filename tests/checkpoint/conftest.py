"""Savers under test: every entry of SAVER_FACTORIES runs the whole contract suite.

A factory takes pytest's ``tmp_path`` and returns a context manager that
yields a ready saver and cleans it up afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver

SaverFactory = Callable[[Path], AbstractContextManager[BaseCheckpointSaver]]


@contextmanager
def _memory(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    yield InMemorySaver()


SAVER_FACTORIES: dict[str, SaverFactory] = {
    "memory": _memory,
}


@pytest.fixture(params=sorted(SAVER_FACTORIES))
def saver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    with SAVER_FACTORIES[request.param](tmp_path) as made:
        yield made
