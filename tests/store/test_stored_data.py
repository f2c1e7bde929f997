"""What the persistent stores keep on disk: it survives reopening, changed bytes are caught
and named, encryption hides values, migrations refuse a newer schema."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import (
    CorruptDataError,
    DecryptionError,
    InvalidConfigError,
    SchemaVersionError,
)
from cairngraph.store.memory import InMemoryStore
from cairngraph.store.postgres import PostgresStore
from cairngraph.store.sqlite import SqliteStore
from cairngraph.store.sqlite.aio import AsyncSqliteStore
from tests.postgres_server import fresh_schema, schema_url
from tests.store.conftest import Clock

SECRET = "the launch code is 1234"


def _flip(body: bytes) -> bytes:
    changed = bytearray(body)
    changed[-1] ^= 0x01
    return bytes(changed)


def test_sqlite_file_survives_reopening_and_shares_a_file_with_the_saver(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with SqliteSaver.from_conn_string(path) as saver:
        assert saver.list(None) is not None
    with SqliteStore.from_conn_string(path) as store:
        store.setup()
        store.put(("users", "ann"), "prefs", {"theme": "dark"}, ttl=60)
    with SqliteStore.from_conn_string(path) as store:
        item = store.get(("users", "ann"), "prefs")
        assert item is not None and item.value == {"theme": "dark"}
    with SqliteSaver.from_conn_string(path) as saver:  # the saver's tables are untouched
        assert list(saver.list(None)) == []
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"cairn_store_items", "cairn_store_vectors", "cairn_checkpoints"} <= tables


def test_sqlite_changed_byte_is_a_corrupt_data_error_naming_the_item(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore.from_conn_string(path) as store:
        store.put(("users", "ann"), "prefs", {"theme": "dark"})
        store.put(("users", "bo"), "prefs", {"theme": "light"})
    conn = sqlite3.connect(path)
    (body,) = conn.execute("SELECT body FROM cairn_store_items WHERE ns = 'users.ann'").fetchone()
    conn.execute("UPDATE cairn_store_items SET body = ? WHERE ns = 'users.ann'", (_flip(body),))
    conn.commit()
    conn.close()
    with SqliteStore.from_conn_string(path) as store:
        with pytest.raises(CorruptDataError, match=r"'prefs' in namespace \('users', 'ann'\)") as e:
            store.get(("users", "ann"), "prefs")
        assert e.value.table == "cairn_store_items"
        with pytest.raises(CorruptDataError, match="checksum"):
            store.search(("users",))
        item = store.get(("users", "bo"), "prefs")  # the other rows still read
        assert item is not None and item.value == {"theme": "light"}


def test_sqlite_body_moved_to_another_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore.from_conn_string(path) as store:
        store.put(("a",), "admin", {"role": "admin"})
        store.put(("a",), "guest", {"role": "guest"})
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE cairn_store_items SET body = (SELECT body FROM cairn_store_items WHERE key = "
        "'admin') WHERE key = 'guest'"
    )
    conn.commit()
    conn.close()
    with (
        SqliteStore.from_conn_string(path) as store,
        pytest.raises(CorruptDataError, match="guest"),
    ):
        store.get(("a",), "guest")


def test_postgres_changed_byte_is_a_corrupt_data_error_naming_the_item() -> None:
    with fresh_schema() as (url, schema):
        target = schema_url(url, schema)
        with PostgresStore.from_conn_string(target) as store:
            store.setup()
            store.put(("users", "ann"), "prefs", {"theme": "dark"})
        with psycopg.connect(target, autocommit=True) as conn:
            row = conn.execute("SELECT body FROM cairn_store_items").fetchone()
            assert row is not None
            conn.execute("UPDATE cairn_store_items SET body = %s", (_flip(row[0]),))
        expected = r"'prefs' in namespace \('users', 'ann'\)"
        with (
            PostgresStore.from_conn_string(target) as store,
            pytest.raises(CorruptDataError, match=expected),
        ):
            store.get(("users", "ann"), "prefs")


def test_encrypted_values_are_unreadable_on_disk_and_need_the_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    key = os.urandom(32)
    serde = EncryptedSerializer(MsgpackSerializer(), keys={"k1": key})
    with SqliteStore.from_conn_string(path, serde=serde) as store:
        store.put(("vault",), "code", {"text": SECRET})
    assert SECRET.encode() not in path.read_bytes()
    assert b"launch" not in path.read_bytes()
    with SqliteStore.from_conn_string(path, serde=serde) as store:
        item = store.get(("vault",), "code")
        assert item is not None and item.value == {"text": SECRET}
    wrong = EncryptedSerializer(MsgpackSerializer(), keys={"k1": os.urandom(32)})
    with SqliteStore.from_conn_string(path, serde=wrong) as store, pytest.raises(DecryptionError):
        store.get(("vault",), "code")
    with (
        SqliteStore.from_conn_string(path) as store,
        pytest.raises(DecryptionError, match="EncryptedSerializer"),
    ):
        store.get(("vault",), "code")


def test_plaintext_rows_are_refused_by_an_encrypting_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore.from_conn_string(path) as store:
        store.put(("a",), "k", {"v": 1})
    serde = EncryptedSerializer(MsgpackSerializer(), keys={"k1": os.urandom(32)})
    with SqliteStore.from_conn_string(path, serde=serde) as store, pytest.raises(DecryptionError):
        store.get(("a",), "k")


def test_sqlite_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore.from_conn_string(path) as store:
        store.setup()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cairn_store_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with SqliteStore.from_conn_string(path) as store, pytest.raises(SchemaVersionError, match="99"):
        store.setup()


def test_postgres_newer_schema_is_refused_and_setup_is_idempotent() -> None:
    with fresh_schema() as (url, schema):
        target = schema_url(url, schema)
        with PostgresStore.from_conn_string(target) as store:
            store.setup()
            store.setup()
            store.put(("a",), "k", {"v": 1})
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("INSERT INTO cairn_store_schema (version, name) VALUES (99, 'future')")
        with (
            PostgresStore.from_conn_string(target) as store,
            pytest.raises(SchemaVersionError, match="99"),
        ):
            store.setup()


def test_background_sweeper_deletes_expired_items(tmp_path: Path, clock: Clock) -> None:
    with SqliteStore.from_conn_string(
        tmp_path / "s.db", ttl={"sweep_interval_minutes": 1}
    ) as store:
        store.put(("t",), "k", {"v": 1}, ttl=1)
        clock.advance(2)
        future = store.start_ttl_sweeper(sweep_interval_minutes=0.001)
        assert store.start_ttl_sweeper() is future  # one sweeper at a time
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            count = store.conn.execute("SELECT count(*) FROM cairn_store_items").fetchone()[0]
            if count == 0:
                break
            time.sleep(0.02)
        assert count == 0
        assert store.stop_ttl_sweeper(timeout=5)
        assert future.done()


def test_async_sweeper_task(clock: Clock) -> None:
    from cairngraph.store.sqlite.aio import AsyncSqliteStore

    async def run() -> int:
        async with AsyncSqliteStore.from_conn_string(":memory:") as store:
            await store.aput(("t",), "k", {"v": 1}, ttl=1)
            clock.advance(2)
            task = await store.start_ttl_sweeper(sweep_interval_minutes=0.001)
            for _ in range(500):
                if not store.conn.execute("SELECT count(*) FROM cairn_store_items").fetchone()[0]:
                    break
                await asyncio.sleep(0.01)
            assert await store.stop_ttl_sweeper(timeout=5)
            assert task.done()
            return int(store.conn.execute("SELECT count(*) FROM cairn_store_items").fetchone()[0])

    assert asyncio.run(run()) == 0


def test_memory_store_sweeps_too(clock: Clock) -> None:
    store = InMemoryStore()
    store.put(("t",), "k", {"v": 1}, ttl=1)
    clock.advance(2)
    assert store.sweep_ttl() == 1
    assert store.list_namespaces() == []


def test_postgres_encrypted_values_are_unreadable_in_the_table() -> None:
    serde = EncryptedSerializer(MsgpackSerializer(), keys={"k1": os.urandom(32)})
    with fresh_schema() as (url, schema):
        target = schema_url(url, schema)
        with PostgresStore.from_conn_string(target, serde=serde) as store:
            store.put(("vault",), "code", {"text": SECRET})
            item = store.get(("vault",), "code")
            assert item is not None and item.value == {"text": SECRET}
        with psycopg.connect(target, autocommit=True) as conn:
            row = conn.execute("SELECT body FROM cairn_store_items").fetchone()
        assert row is not None and b"launch" not in bytes(row[0])
        with PostgresStore.from_conn_string(target) as store, pytest.raises(DecryptionError):
            store.get(("vault",), "code")


@pytest.mark.parametrize("chosen, pragma", [(None, 1), ("NORMAL", 1), ("FULL", 2)])
def test_sqlite_synchronous_is_the_callers_choice(
    tmp_path: Path, chosen: str | None, pragma: int
) -> None:
    options = {} if chosen is None else {"synchronous": chosen}
    with SqliteStore.from_conn_string(tmp_path / "store.db", **options) as store:  # type: ignore[arg-type]
        store.put(("d",), "k", {"v": 1})
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == pragma
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    async def run() -> int:
        async with AsyncSqliteStore.from_conn_string(tmp_path / "a.db", **options) as store:  # type: ignore[arg-type]
            await store.aput(("d",), "k", {"v": 1})
            return int(store.conn.execute("PRAGMA synchronous").fetchone()[0])

    assert asyncio.run(run()) == pragma


def test_sqlite_synchronous_off_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigError, match=r"'NORMAL'.*'FULL'"):
        SqliteStore(tmp_path / "store.db", synchronous="OFF")  # type: ignore[arg-type]
