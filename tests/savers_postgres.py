"""The PostgreSQL saver under test, each test in a fresh schema of the real server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.postgres import PostgresSaver
from tests.postgres_server import fresh_schema, schema_url


@contextmanager
def _postgres(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    with (
        fresh_schema() as (url, schema),
        PostgresSaver.from_conn_string(schema_url(url, schema), max_size=20) as saver,
    ):
        saver.setup()
        yield saver


FACTORIES = {"postgres": _postgres}
