"""Big values by reference: every durable saver with a blob store, encryption on and off.

Values over the threshold live in a real directory (``DirectoryBlobStore``);
the database keeps a 33-byte reference. Checked here: what is stored where,
that a value is read back whole and checked, that the same content is one
object, that retention frees the objects of the rows it removes, and that
what a killed process leaves behind is collected.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cairngraph.checkpoint._blobs import REF_SIZE
from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import BaseCheckpointSaver, Checkpoint
from cairngraph.checkpoint.blobs import BlobStore, DirectoryBlobStore
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres._statements import Op, Query
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.checkpoint.retention import RetentionPolicy
from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from cairngraph.errors import CorruptDataError, InvalidConfigError, MissingBlobStoreError
from tests.postgres_server import fresh_schema, schema_url
from tests.savers_postgres import background_loop

KEY = os.urandom(32)
THRESHOLD = 4096
Opened = Callable[..., AbstractContextManager[BaseCheckpointSaver]]


def _serde(encrypted: bool) -> Any:
    return EncryptedSerializer(MsgpackSerializer(), keys={"k": KEY}) if encrypted else None


@contextmanager
def _sqlite(tmp_path: Path, store: BlobStore, encrypted: bool, **options: Any) -> Iterator[Any]:
    with SqliteSaver.from_conn_string(
        str(tmp_path / "blobs.db"), serde=_serde(encrypted), blobs=store, **options
    ) as saver:
        yield saver


@contextmanager
def _postgres(tmp_path: Path, store: BlobStore, encrypted: bool, **options: Any) -> Iterator[Any]:
    with (
        fresh_schema() as (url, schema),
        PostgresSaver.from_conn_string(
            schema_url(url, schema), serde=_serde(encrypted), blobs=store, **options
        ) as saver,
    ):
        saver.setup()
        yield saver


@contextmanager
def _postgres_async(
    tmp_path: Path, store: BlobStore, encrypted: bool, **options: Any
) -> Iterator[Any]:
    async def open_saver(url: str) -> Any:
        pool = AsyncPostgresSaver.from_conn_string(
            url, serde=_serde(encrypted), blobs=store, **options
        )
        saver = await pool.__aenter__()
        await saver.setup()
        return pool, saver

    with fresh_schema() as (url, schema), background_loop() as loop:
        pool, saver = asyncio.run_coroutine_threadsafe(
            open_saver(schema_url(url, schema)), loop
        ).result(30)
        try:
            yield saver
        finally:
            asyncio.run_coroutine_threadsafe(pool.__aexit__(None, None, None), loop).result(30)


BACKENDS = {
    "sqlite": (_sqlite, False),
    "sqlite-encrypted": (_sqlite, True),
    "postgres": (_postgres, False),
    "postgres-encrypted": (_postgres, True),
    "postgres-async": (_postgres_async, False),
}


@pytest.fixture(params=sorted(BACKENDS))
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, BlobStore]]:
    factory, encrypted = BACKENDS[request.param]
    store = DirectoryBlobStore(tmp_path / "blobs")
    with factory(tmp_path, store, encrypted, blob_threshold=THRESHOLD) as saver:
        saver.encrypted = encrypted
        yield saver, store


# -- helpers ----------------------------------------------------------------------------


def _config(thread: str, checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable = {"thread_id": thread, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _save(saver: Any, thread: str, values: dict[str, Any], parent: Any = None) -> Any:
    """One checkpoint of ``thread`` holding ``values`` (every channel at a new version)."""
    base = 0 if parent is None else len(list(saver.list(_config(thread))))
    versions = {key: base + 1 for key in values}
    checkpoint = Checkpoint(
        id=new_checkpoint_id(),
        ts="2026-01-01T00:00:00+00:00",
        channel_values=values,
        channel_versions=versions,
        versions_seen={},
        updated_channels=tuple(values),
    )
    metadata = {"source": "loop", "step": base, "parents": {}}
    return saver.put(parent or _config(thread), checkpoint, metadata, versions)


def _query(saver: Any, sql: str) -> list[Any]:
    if isinstance(saver, SqliteSaver):
        return saver.conn.execute(sql).fetchall()

    def operation() -> Op:
        return (yield Query(sql, (), "all"))  # type: ignore[no-any-return]

    run = saver._sync if isinstance(saver, AsyncPostgresSaver) else saver._run
    return run(operation)  # type: ignore[no-any-return]


def _bodies(saver: Any) -> list[bytes]:
    return [bytes(body) for (body,) in _query(saver, "SELECT body FROM cairn_values")]


def _names(store: BlobStore) -> set[str]:
    return {info.name for info in store.list()}


def _files(store: DirectoryBlobStore) -> list[Path]:
    return [path for path in store.path.rglob("*") if path.is_file()]


BIG = "big value " * 20_000  # 200 KB


# -- storing and reading ------------------------------------------------------------------


def test_a_big_value_lives_in_the_store_and_reads_back_whole(opened: Any) -> None:
    saver, store = opened
    config = _save(saver, "t", {"big": BIG, "small": "s" * 1000, "tiny": 1})

    loaded = saver.get_tuple(config)
    assert loaded is not None
    assert loaded.checkpoint.channel_values == {"big": BIG, "small": "s" * 1000, "tiny": 1}
    sizes = sorted(len(body) for body in _bodies(saver))
    assert sizes[0] == REF_SIZE  # the big one: a reference
    assert REF_SIZE < sizes[1] < THRESHOLD  # the 1000-byte one stays in its row
    [blob] = _files(store)
    data = blob.read_bytes()
    assert len(data) > 200_000
    # Encrypted in the store when the serializer encrypts; checksummed plaintext otherwise.
    assert (b"big value big value" in data) is not saver.encrypted
    assert saver.verify().ok


def test_the_same_big_value_is_one_object_across_threads(opened: Any) -> None:
    saver, store = opened
    for thread in ("a", "b", "c"):
        _save(saver, thread, {"big": BIG})
    assert len(_names(store)) == 1
    for thread in ("a", "b", "c"):
        assert saver.get_tuple(_config(thread)).checkpoint.channel_values["big"] == BIG


def test_values_under_the_threshold_never_reach_the_store(opened: Any) -> None:
    saver, store = opened
    _save(saver, "t", {"value": "v" * (THRESHOLD - 200)})
    assert _names(store) == set()


def test_a_missing_blob_is_an_error_naming_thread_channel_and_address(opened: Any) -> None:
    saver, store = opened
    config = _save(saver, "t", {"big": BIG})
    [name] = _names(store)
    store.delete([name])

    with pytest.raises(CorruptDataError) as raised:
        saver.get_tuple(config)
    message = str(raised.value)
    assert "thread 't'" in message and "channel 'big'" in message
    assert name.split(".")[0] in message and "missing" in message
    assert raised.value.thread_id == "t"
    report = saver.verify()
    assert len(report.problems) == 1 and name in str(report.problems[0])


def test_a_changed_blob_is_refused(opened: Any) -> None:
    saver, store = opened
    config = _save(saver, "t", {"big": BIG})
    [blob] = _files(store)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 1
    blob.write_bytes(bytes(data))

    with pytest.raises(CorruptDataError, match=r"channel 'big'.*has changed"):
        saver.get_tuple(config)
    assert not saver.verify().ok


# -- freeing ------------------------------------------------------------------------------


def test_prune_and_delete_free_the_objects_of_the_rows_they_remove(opened: Any) -> None:
    saver, store = opened
    parent = None
    for step in range(4):
        parent = _save(saver, "t", {"big": f"{step}" + BIG}, parent)
    _save(saver, "other", {"big": "0" + BIG})  # shares the first step's value
    assert len(_names(store)) == 4

    saver.prune(["t"])
    assert len(_names(store)) == 2  # the latest step's, and the one "other" shares
    assert saver.get_tuple(_config("t")).checkpoint.channel_values["big"] == "3" + BIG
    saver.delete_thread("t")
    assert len(_names(store)) == 1
    assert saver.get_tuple(_config("other")).checkpoint.channel_values["big"] == "0" + BIG
    saver.sweep(RetentionPolicy(ttl=timedelta(days=1)))  # dated 2026-01-01: expired
    assert _names(store) == set()
    assert saver.verify().ok


def test_copy_thread_shares_the_objects(opened: Any) -> None:
    saver, store = opened
    _save(saver, "t", {"big": BIG})
    saver.copy_thread("t", "copy")
    saver.delete_thread("t")
    assert len(_names(store)) == 1
    assert saver.get_tuple(_config("copy")).checkpoint.channel_values["big"] == BIG


def test_the_collector_spares_young_objects_and_rows_in_use(opened: Any) -> None:
    saver, store = opened
    _save(saver, "t", {"big": BIG})
    [name] = _names(store)
    orphan = name.split(".")[0] + "." + "0" * 16  # as a save that never committed leaves
    store.put(orphan, b"left behind")

    assert saver.collect_blobs() == 0  # put just now: perhaps a save in flight
    assert saver.sweep(RetentionPolicy(keep_last=5)).blobs_deleted == 0
    assert saver.collect_blobs(grace=timedelta(0)) == 1
    assert _names(store) == {name}  # the one its row names stays
    assert saver.get_tuple(_config("t")).checkpoint.channel_values["big"] == BIG


def test_reseal_moves_the_objects_to_the_new_seal(tmp_path: Path) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")
    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        config = _save(saver, "t", {"big": BIG})
        [before] = _names(store)
    serde = EncryptedSerializer(keys={"k": KEY}, allow_plaintext=True)
    with SqliteSaver.from_conn_string(
        str(tmp_path / "blobs.db"), serde=serde, blobs=store, blob_threshold=THRESHOLD
    ) as saver:
        saver.reseal()
        [after] = _names(store)
        assert after != before
        assert b"big value" not in _files(store)[0].read_bytes()
        assert saver.get_tuple(config).checkpoint.channel_values["big"] == BIG
        assert saver.verify().ok


def test_the_async_sqlite_saver_stores_by_reference(tmp_path: Path) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")

    async def main() -> Any:
        async with AsyncSqliteSaver.from_conn_string(
            str(tmp_path / "a.db"), blobs=store, blob_threshold=THRESHOLD
        ) as saver:
            config = _save(saver, "t", {"big": BIG})
            loaded = await saver.aget_tuple(config)
            await saver.aprune(["t"], strategy="delete")
            return loaded

    loaded = asyncio.run(main())
    assert loaded.checkpoint.channel_values["big"] == BIG
    assert _names(store) == set()


# -- options --------------------------------------------------------------------------------


def test_bad_options_are_errors(tmp_path: Path) -> None:
    path = str(tmp_path / "x.db")
    with pytest.raises(TypeError):
        SqliteSaver(path, blob=DirectoryBlobStore(tmp_path))  # type: ignore[call-arg]
    with pytest.raises(InvalidConfigError, match="give a blob store"):
        SqliteSaver(path, blobs=str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(InvalidConfigError, match="blob_threshold"):
        SqliteSaver(path, blobs=DirectoryBlobStore(tmp_path), blob_threshold=-1)
    with pytest.raises(InvalidConfigError, match="blob name"):
        DirectoryBlobStore(tmp_path).put("../escape", b"x")


def test_a_saver_without_the_store_says_which_option_is_missing(tmp_path: Path) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")
    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        config = _save(saver, "t", {"big": BIG})
    with (
        SqliteSaver.from_conn_string(str(tmp_path / "blobs.db")) as plain,
        pytest.raises(CorruptDataError, match="blobs="),
    ):
        plain.get_tuple(config)


def test_a_saver_without_the_store_raises_a_typed_error_that_advises_no_restore(
    tmp_path: Path,
) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")
    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        config = _save(saver, "t", {"big": BIG})
    with SqliteSaver.from_conn_string(str(tmp_path / "blobs.db")) as plain:
        with pytest.raises(MissingBlobStoreError) as raised:
            plain.get_tuple(config)
        assert raised.value.thread_id == "t" and raised.value.channel == "big"
        assert "backup" not in str(raised.value) and "intact" in str(raised.value)
        [problem] = plain.verify().problems
        assert isinstance(problem, MissingBlobStoreError) and "backup" not in str(problem)
    # The same read with the store given, its object gone, is plain corruption.
    store.delete(_names(store))
    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        with pytest.raises(CorruptDataError) as gone:
            saver.get_tuple(config)
        assert not isinstance(gone.value, MissingBlobStoreError)
        assert "backup" in str(gone.value)


# -- crashes: a real process killed at each point --------------------------------------------

_CRASHING = textwrap.dedent(
    """
    import os, signal, sys
    from cairngraph.checkpoint.blobs import DirectoryBlobStore
    from cairngraph.checkpoint.sqlite import SqliteSaver
    from tests.checkpoint.test_blobs import BIG, _save

    class Dying(DirectoryBlobStore):
        def put(self, name, data):
            super().put(name, data)
            if sys.argv[2] == "put":
                os.kill(os.getpid(), signal.SIGKILL)  # the blob is durable, the row never

        def delete(self, names):
            if sys.argv[2] == "delete":
                os.kill(os.getpid(), signal.SIGKILL)  # the rows are gone, the blobs not
            super().delete(names)

    with SqliteSaver.from_conn_string(sys.argv[1] + "/blobs.db",
                                      blobs=Dying(sys.argv[1] + "/blobs"),
                                      blob_threshold=4096) as saver:
        if sys.argv[2] == "put":
            _save(saver, "crash", {"big": "crash" + BIG})
        else:
            saver.delete_thread("t")
    """
)


@pytest.mark.parametrize("point", ["put", "delete"])
def test_what_a_killed_process_leaves_is_collected(tmp_path: Path, point: str) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")
    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        _save(saver, "t", {"big": BIG})
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    done = subprocess.run(
        [sys.executable, "-c", _CRASHING, str(tmp_path), point], env=env, timeout=120
    )
    assert done.returncode == -signal.SIGKILL

    with _sqlite(tmp_path, store, False, blob_threshold=THRESHOLD) as saver:
        assert len(_names(store)) == (2 if point == "put" else 1)
        assert saver.verify().ok  # nothing a row names is missing
        assert saver.collect_blobs(grace=timedelta(0)) == 1
        if point == "put":
            assert saver.get_tuple(_config("t")).checkpoint.channel_values["big"] == BIG
            assert len(_names(store)) == 1
        else:
            assert saver.get_tuple(_config("t")) is None
            assert _names(store) == set()
