"""Group commit on the PostgreSQL stores (``store/_group.py``), and the server's refusals
(``store/postgres/_refusals.py``), against the real server.

Which rows one transaction wrote is read from the server itself: a row's
``xmin`` is the id of the transaction that wrote it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from cairngraph.errors import ReadOnlyStorageError, StorageError, WriteRefusedError
from cairngraph.store._group import GroupCommit
from cairngraph.store.base import PutOp
from cairngraph.store.postgres import PostgresStore
from cairngraph.store.postgres.aio import AsyncPostgresStore
from tests.postgres_server import fresh_schema, schema_url

REFUSE_BAD_KEYS = """
CREATE FUNCTION refuse_bad_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key LIKE 'bad%' THEN
        RAISE EXCEPTION 'keys starting with bad are not allowed here';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_bad_keys BEFORE INSERT OR UPDATE ON cairn_store_items
    FOR EACH ROW EXECUTE FUNCTION refuse_bad_keys();
"""


@pytest.fixture
def url() -> Iterator[str]:
    """A fresh schema's URL, with the store's tables created in it."""
    with fresh_schema() as (server, schema):
        made = schema_url(server, schema)
        with PostgresStore.from_conn_string(made) as store:
            store.setup()
        yield made


def _admin(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _writers(url: str, keys: list[str]) -> dict[str, str]:
    """The transaction that wrote each item of ``keys``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT key, xmin::text FROM cairn_store_items WHERE key = ANY(%s)", (keys,)
        ).fetchall()
    return {key: xmin for key, xmin in rows}


def _values(url: str) -> dict[str, bytes]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT key, body FROM cairn_store_items").fetchall()
    return {key: body for key, body in rows}


# -- async: coroutines of one loop -------------------------------------------------------


def test_concurrent_aputs_share_one_commit_and_are_committed_when_awaited(url: str) -> None:
    keys = [f"k{i}" for i in range(50)]

    async def main() -> dict[str, str]:
        async with AsyncPostgresStore.from_conn_string(url) as store:
            await store.setup()
            await asyncio.gather(*(store.aput(("ns",), key, {"n": key}) for key in keys))
            # Awaited, so committed: another connection sees every row now.
            return _writers(url, keys)

    writers = asyncio.run(main())
    assert sorted(writers) == sorted(keys)
    assert len(set(writers.values())) == 1


def test_a_group_of_batches_keeps_each_batch_and_the_last_put_of_an_item(url: str) -> None:
    async def main() -> None:
        async with AsyncPostgresStore.from_conn_string(url) as store:
            await store.setup()
            await asyncio.gather(
                store.aput(("ns",), "same", {"v": 1}),
                store.abatch([PutOp(("ns",), "a", {"v": 1}), PutOp(("ns",), "b", {"v": 1})]),
                store.aput(("ns",), "same", {"v": 2}),
                store.adelete(("ns",), "a"),
            )
            assert (await store.aget(("ns",), "same")).value == {"v": 2}  # type: ignore[union-attr]
            assert await store.aget(("ns",), "a") is None
            assert (await store.aget(("ns",), "b")).value == {"v": 1}  # type: ignore[union-attr]

    asyncio.run(main())
    assert len(set(_writers(url, ["same", "b"]).values())) == 1


def test_a_refused_row_fails_only_its_caller_in_a_group(url: str) -> None:
    _admin(url, REFUSE_BAD_KEYS)

    async def main() -> list[object]:
        async with AsyncPostgresStore.from_conn_string(url) as store:
            await store.setup()
            return await asyncio.gather(
                store.aput(("ns",), "good1", {"v": 1}),
                store.aput(("users", "ann"), "bad1", {"v": 1}),
                store.aput(("ns",), "good2", {"v": 1}),
                return_exceptions=True,
            )

    first, refused, last = asyncio.run(main())
    assert first is None and last is None
    assert isinstance(refused, WriteRefusedError)
    message = str(refused)
    assert "('users', 'ann')/'bad1'" in message
    assert "keys starting with bad are not allowed here" in message
    assert "refuse_bad_keys()" in message and "cairn_store_items" in message
    assert "nothing of it was written" in message
    assert sorted(_values(url)) == ["good1", "good2"]


def test_a_caller_cancelled_before_its_group_is_written_writes_nothing(url: str) -> None:
    async def main() -> None:
        async with AsyncPostgresStore.from_conn_string(url) as store:
            await store.setup()
            tasks = [
                asyncio.create_task(store.aput(("ns",), key, {"v": 1}))
                for key in ("kept1", "dropped", "kept2")
            ]
            await asyncio.sleep(0)  # each task queued its put; the writer has not run yet
            tasks[1].cancel()
            done = await asyncio.gather(*tasks, return_exceptions=True)
            assert done[0] is None and done[2] is None
            assert isinstance(done[1], asyncio.CancelledError)

    asyncio.run(main())
    assert sorted(_values(url)) == ["kept1", "kept2"]


# -- sync: threads -----------------------------------------------------------------------


@contextmanager
def _row_locked(url: str, key: str) -> Iterator[None]:
    """Hold the row of ``key`` locked from another connection until the block ends."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT 1 FROM cairn_store_items WHERE key = %s FOR UPDATE", (key,))
        yield
        conn.rollback()


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@contextmanager
def _one_connection(url: str) -> Iterator[PostgresStore]:
    """A store on one connection: its threads share it, so their puts are grouped."""
    with psycopg.connect(url, autocommit=True) as conn:
        yield PostgresStore(conn)


def _group(store: PostgresStore) -> GroupCommit:
    assert store._group is not None  # a store on one connection groups its threads' puts
    return store._group


def test_threads_waiting_for_a_write_share_the_next_commit(url: str) -> None:
    with _one_connection(url) as store:
        store.put(("ns",), "blocker", {"v": 0})
        threads = [
            threading.Thread(target=store.put, args=(("ns",), f"t{i}", {"v": i})) for i in range(6)
        ]
        with _row_locked(url, "blocker"):
            first = threading.Thread(target=store.put, args=(("ns",), "blocker", {"v": 1}))
            first.start()  # writes at once, and waits for the row lock
            _wait_for(lambda: _group(store)._writing, "the first put to write")
            for thread in threads:
                thread.start()
            _wait_for(lambda: len(_group(store)._queue) == 6, "six puts to queue")
        for thread in [first, *threads]:
            thread.join(30)
        writers = _writers(url, [f"t{i}" for i in range(6)])
    assert len(writers) == 6
    assert len(set(writers.values())) == 1
    assert writers["t0"] != _writers(url, ["blocker"])["blocker"]


def test_a_refused_row_fails_only_its_thread_in_a_group(url: str) -> None:
    _admin(url, REFUSE_BAD_KEYS)
    errors: dict[str, BaseException] = {}

    def put(key: str) -> None:
        try:
            store.put(("ns",), key, {"v": 1})
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            errors[key] = error

    with _one_connection(url) as store:
        store.put(("ns",), "blocker", {"v": 0})
        threads = [threading.Thread(target=put, args=(key,)) for key in ("t1", "bad", "t2")]
        with _row_locked(url, "blocker"):
            first = threading.Thread(target=put, args=("blocker",))
            first.start()
            _wait_for(lambda: _group(store)._writing, "the first put to write")
            for thread in threads:
                thread.start()
            _wait_for(lambda: len(_group(store)._queue) == 3, "three puts to queue")
        for thread in [first, *threads]:
            thread.join(30)
    assert sorted(errors) == ["bad"]
    assert isinstance(errors["bad"], WriteRefusedError)
    assert "('ns',)/'bad'" in str(errors["bad"])
    assert sorted(_values(url)) == ["blocker", "t1", "t2"]


def test_threads_on_a_pool_write_at_once_on_connections_of_their_own(url: str) -> None:
    """The server merges the flushes of their commits; one writer would only queue them."""
    with PostgresStore.from_conn_string(url) as store:
        store.put(("ns",), "blocker", {"v": 0})
        with _row_locked(url, "blocker"):
            first = threading.Thread(target=store.put, args=(("ns",), "blocker", {"v": 1}))
            first.start()  # waits for the row lock, on its pooled connection
            other = threading.Thread(target=store.put, args=(("ns",), "other", {"v": 1}))
            other.start()
            other.join(30)  # grouped, it would wait behind the blocked put until the end
            assert not other.is_alive() and first.is_alive()
        first.join(30)
    assert sorted(_values(url)) == ["blocker", "other"]


# -- refusals, one at a time ---------------------------------------------------------------


def test_a_trigger_refusing_a_lone_put_is_a_cairngraph_error(url: str) -> None:
    _admin(url, REFUSE_BAD_KEYS)
    with PostgresStore.from_conn_string(url) as store:
        with pytest.raises(WriteRefusedError, match=r"refuse_bad_keys\(\)") as caught:
            store.put(("ns",), "bad", {"v": 1})
        assert "('ns',)/'bad'" in str(caught.value)
        # A batch that also reads is refused the same way, naming its items.
        with pytest.raises(WriteRefusedError, match=r"\('ns',\)/'bad2'"):
            store.batch([PutOp(("ns",), "bad2", {"v": 1}), PutOp(("ns",), "ok", {"v": 1})])
        assert store.get(("ns",), "ok") is None  # the batch was rolled back
        store.put(("ns",), "fine", {"v": 1})
        assert store.get(("ns",), "fine") is not None


def test_a_check_constraint_refusing_a_put_names_the_constraint(url: str) -> None:
    _admin(url, "ALTER TABLE cairn_store_items ADD CONSTRAINT short_keys CHECK (length(key) < 6)")
    with PostgresStore.from_conn_string(url) as store:
        with pytest.raises(WriteRefusedError, match="'short_keys'") as caught:
            store.put(("ns",), "too-long", {"v": 1})
        assert "cairn_store_items" in str(caught.value)
        assert "change or drop it" in str(caught.value)


def test_a_read_only_server_is_a_read_only_storage_error(url: str) -> None:
    read_only = url + "%20-cdefault_transaction_read_only%3Don"
    with PostgresStore.from_conn_string(read_only) as store:
        store.setup()  # the tables are up to date: nothing to write
        with pytest.raises(ReadOnlyStorageError, match="default_transaction_read_only") as caught:
            store.put(("ns",), "k", {"v": 1})
        assert "('ns',)/'k'" in str(caught.value)
        assert store.get(("ns",), "k") is None  # reads still work
    with fresh_schema() as (server, schema):
        empty = schema_url(server, schema) + "%20-cdefault_transaction_read_only%3Don"
        with (
            PostgresStore.from_conn_string(empty) as store,
            pytest.raises(ReadOnlyStorageError, match="cannot write its tables"),
        ):
            store.setup()


def test_a_role_without_insert_is_told_what_to_grant(url: str) -> None:
    role = "cg_reader_" + url.rsplit("%3D", 1)[1][3:]
    schema = url.rsplit("%3D", 1)[1]
    _admin(url, f'CREATE ROLE "{role}" LOGIN')
    try:
        _admin(url, f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        _admin(url, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        as_reader = url.replace("postgres@", f"{role}@", 1)
        with PostgresStore.from_conn_string(as_reader) as store:
            store.setup()  # up to date: only read
            with pytest.raises(StorageError, match="GRANT SELECT, INSERT") as caught:
                store.put(("ns",), "k", {"v": 1})
            assert "('ns',)/'k'" in str(caught.value)
    finally:
        _admin(url, f'DROP OWNED BY "{role}"')
        _admin(url, f'DROP ROLE "{role}"')
