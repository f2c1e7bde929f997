from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.graph.conftest import Driver


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """Each Functional API behaviour test runs through both drivers."""
    yield Driver(request.param)
