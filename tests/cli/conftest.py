from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import make_store
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A SQLite file holding the threads of ``helpers.fill``."""
    return make_store(str(tmp_path / "runs.db"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty schema of the test PostgreSQL server, as a URL."""
    with fresh_schema() as (url, schema):
        yield schema_url(url, schema)
