"""setup() from many processes, a newer schema refused, each way to hand over a connection."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres._schema import LATEST
from cairngraph.errors import SchemaVersionError, StorageError
from tests.checkpoint.postgres._worker import chain
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    return {name for (name,) in rows}


def test_setup_from_many_processes_at_once(url: str) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.checkpoint.postgres._worker", url, "setup"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    codes = [worker.wait(timeout=60) for worker in workers]
    assert codes == [0] * 6, [worker.stderr.read() for worker in workers if worker.stderr]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM cairn_schema").fetchone() == (LATEST,)
    tables = _tables(url)
    assert {"cairn_checkpoints", "cairn_writes", "cairn_values", "cairn_refs"} <= tables
    # A new database gets no (empty) tables of the format-1 layout.
    assert not {name for name in tables if name.startswith("cairn_v1_")}


def test_setup_again_changes_nothing(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        app = chain(2).compile(checkpointer=saver)
        app.invoke({"log": []}, {"configurable": {"thread_id": "kept"}})
        saver.setup()
        assert app.get_state({"configurable": {"thread_id": "kept"}}).values == {
            "log": ["n00", "n01"]
        }


def test_newer_schema_is_refused_untouched(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO cairn_schema (version, name) VALUES (999, 'future')")
    before = _tables(url)
    refused = pytest.raises(SchemaVersionError, match=r"newer cairngraph.*nothing was changed")
    with PostgresSaver.from_conn_string(url) as saver, refused:
        saver.setup()
    assert _tables(url) == before


def test_forgetting_setup_is_a_clear_error(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(2).compile(checkpointer=saver)
        with pytest.raises(StorageError, match=r"call saver\.setup\(\)"):
            app.invoke({"log": []}, {"configurable": {"thread_id": "t"}})


def test_saver_over_a_plain_connection(url: str) -> None:
    config = {"configurable": {"thread_id": "plain"}}
    with psycopg.connect(url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        app = chain(3).compile(checkpointer=saver)
        assert app.invoke({"log": []}, config)["log"] == ["n00", "n01", "n02"]
        assert len(list(app.get_state_history(config))) == 5
    with psycopg.connect(url) as conn:  # not in autocommit: each operation is a transaction
        app = chain(3).compile(checkpointer=PostgresSaver(conn))
        assert app.get_state(config).values["log"] == ["n00", "n01", "n02"]
        app.invoke({"log": []}, {"configurable": {"thread_id": "plain-2"}})
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (10,)


def test_saver_over_a_pool_the_caller_made(url: str) -> None:
    # Not in autocommit, as psycopg_pool makes them by default.
    with ConnectionPool(url, min_size=1, max_size=4) as pool:
        saver = PostgresSaver(pool)
        saver.setup()
        app = chain(3).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "pooled"}}
        assert app.invoke({"log": []}, config)["log"] == ["n00", "n01", "n02"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (5,)


def test_async_durability_runs_filling_the_pool_save_on_their_own_connections(url: str) -> None:
    # Each run holds one of the pool's two connections; its background writer must
    # save through that connection, not wait for a third that never comes.
    from concurrent.futures import ThreadPoolExecutor

    with PostgresSaver.from_conn_string(url, max_size=2, timeout=5) as saver:
        saver.setup()
        app = chain(20, 2).compile(checkpointer=saver)

        def run(index: int) -> list[str]:
            config = {"configurable": {"thread_id": f"full-{index}"}}
            return list(app.invoke({"log": []}, config, durability="async")["log"])

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, range(2)))
        assert results == [[f"n{i:02d}" for i in range(20)]] * 2
        for index in range(2):
            config = {"configurable": {"thread_id": f"full-{index}"}}
            assert len(list(app.get_state_history(config))) == 22


def test_a_format_1_database_is_migrated_and_its_old_tables_kept_apart(url: str) -> None:
    from cairngraph.checkpoint.postgres._schema import MIGRATIONS

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE cairn_schema (version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for statement in MIGRATIONS[0].statements:
            conn.execute(statement)
        conn.execute("INSERT INTO cairn_schema (version, name) VALUES (1, 'format 1')")
        conn.execute(
            "INSERT INTO cairn_checkpoints (thread_id, ns, checkpoint_id, record, meta_type, "
            "meta) VALUES ('old', '', '1', '\\x00', 'msgpack', '\\x00')"
        )
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        assert saver.get_tuple({"configurable": {"thread_id": "old"}}) is None
        app = chain(2).compile(checkpointer=saver)
        app.invoke({"log": []}, {"configurable": {"thread_id": "new"}})
        assert saver.verify().ok
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT max(version) FROM cairn_schema").fetchone() == (LATEST,)
        assert conn.execute("SELECT thread_id FROM cairn_v1_checkpoints").fetchall() == [("old",)]
    assert {"cairn_v1_blobs", "cairn_v1_writes", "cairn_values", "cairn_refs"} <= _tables(url)
