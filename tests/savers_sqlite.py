"""SQLite savers under test: a file, an encrypted file, ``:memory:``, the async class, and an
encrypted file whose stored values all live in a blob directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.blobs import DirectoryBlobStore
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


@contextmanager
def _blobs(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    """Encrypted, every stored value (any not inline) in a blob directory."""
    serde = EncryptedSerializer(MsgpackSerializer(), keys={"test": os.urandom(32)})
    blobs = DirectoryBlobStore(tmp_path / "blobs")
    with SqliteSaver.from_conn_string(
        str(tmp_path / "blobs.db"), serde=serde, blobs=blobs, blob_threshold=0
    ) as saver:
        yield saver


FACTORIES = {
    "sqlite-blobs": _blobs,
    "sqlite": _sqlite,
    "sqlite-encrypted": _encrypted,
    "sqlite-memory": _memory,
    "sqlite-async": _async,
}
