"""SQLite savers under test: a file, an encrypted file, ``:memory:``, and the async class."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite.aio import AsyncSqliteSaver


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    with SqliteSaver.from_conn_string(str(tmp_path / "checkpoints.db")) as saver:
        yield saver


@contextmanager
def _memory(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    with SqliteSaver.from_conn_string(":memory:") as saver:
        yield saver


@contextmanager
def _encrypted(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    serde = EncryptedSerializer(MsgpackSerializer(), keys={"test": os.urandom(32)})
    saver = SqliteSaver(tmp_path / "sealed.db", serde=serde)
    try:
        yield saver
    finally:
        saver.close()


@contextmanager
def _async(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    saver = AsyncSqliteSaver(str(tmp_path / "async.db"))
    try:
        yield saver
    finally:
        saver.close()


FACTORIES = {
    "sqlite": _sqlite,
    "sqlite-encrypted": _encrypted,
    "sqlite-memory": _memory,
    "sqlite-async": _async,
}
