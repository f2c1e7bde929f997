from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from tests.savers import SAVER_FACTORIES


@pytest.fixture(params=sorted(SAVER_FACTORIES))
def saver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    """Each saver of ``tests/savers.py`` in turn, fresh for every test."""
    with SAVER_FACTORIES[request.param](tmp_path) as made:
        yield made
