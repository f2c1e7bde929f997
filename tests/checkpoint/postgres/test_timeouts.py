"""A statement the server cancels (a timeout, a cancel request) is said for what it is.

Each test blocks cairngraph's statements with a real lock taken on another
connection (``LOCK TABLE ... IN ACCESS EXCLUSIVE MODE``), so the server's
``statement_timeout`` or ``lock_timeout`` really fires, or a real
``pg_cancel_backend`` cancels the waiting statement.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.errors import StorageError, StorageUnavailableError
from cairngraph.graph import START, StateGraph
from tests.checkpoint.postgres._worker import State, chain
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def with_setting(url: str, name: str, value: str) -> str:
    """``url`` whose sessions start with ``SET name = value`` (libpq ``options``)."""
    return url.replace("options=", f"options=-c{name}%3D{value}%20", 1)


@contextmanager
def table_locked(url: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session holds cairn_checkpoints exclusively until the block ends."""
    with psycopg.connect(url) as other:
        other.execute("LOCK TABLE cairn_checkpoints IN ACCESS EXCLUSIVE MODE")
        try:
            yield other
        finally:
            other.rollback()


def _refused(error: BaseException, setting: str) -> None:
    assert isinstance(error, StorageError)
    assert not isinstance(error, StorageUnavailableError)
    message = str(error)
    assert setting in message and "Raise" in message and "unavailable" not in message
    assert "invoke(None, config)" in message


def test_statement_timeout_on_a_plain_connection(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        conn.execute("SET statement_timeout = '150ms'")
        config = {"configurable": {"thread_id": "t"}}
        with table_locked(url), pytest.raises(StorageError) as caught:
            saver.get_tuple(config)
        _refused(caught.value, "statement_timeout")
        assert "ran longer than the server's statement_timeout" in str(caught.value)
        assert "127.0.0.1" in str(caught.value) or "localhost" in str(caught.value)
        # The connection is fine once the lock is gone.
        assert saver.get_tuple(config) is None


def test_a_run_stopped_by_statement_timeout_resumes_once_it_passes(url: str) -> None:
    lock_holder: list[Any] = []

    def slow_neighbour(state: State) -> dict[str, list[str]]:
        if not lock_holder:  # the first time only: a neighbour locks the table mid-run
            other = psycopg.connect(url)
            other.execute("LOCK TABLE cairn_checkpoints IN ACCESS EXCLUSIVE MODE")
            lock_holder.append(other)
        return {"log": ["b"]}

    graph = StateGraph(State)
    graph.add_node("a", lambda state: {"log": ["a"]})
    graph.add_node("b", slow_neighbour)
    graph.add_node("c", lambda state: {"log": ["c"]})
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    timed = with_setting(url, "statement_timeout", "200")
    with PostgresSaver.from_conn_string(timed) as saver:
        saver.setup()
        app = graph.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "mid-run"}}
        with pytest.raises(StorageError) as caught:
            app.invoke({"log": []}, config)
        _refused(caught.value, "statement_timeout")
        lock_holder[0].rollback()
        lock_holder[0].close()
        assert app.get_state(config).next == ("b",)  # b's step was not saved
        assert app.invoke(None, config) == {"log": ["a", "b", "c"]}


def test_lock_timeout_names_lock_timeout(url: str) -> None:
    with PostgresSaver.from_conn_string(with_setting(url, "lock_timeout", "150")) as saver:
        saver.setup()
        app = chain(2).compile(checkpointer=saver)
        with table_locked(url), pytest.raises(StorageError) as caught:
            app.invoke({"log": []}, {"configurable": {"thread_id": "t"}})
        _refused(caught.value, "lock_timeout")
        assert "waited for a lock longer than the server's lock_timeout" in str(caught.value)


def test_a_cancel_request_is_said_to_be_one(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        with table_locked(url) as other:

            def cancel_the_waiting_statement() -> None:
                for _ in range(500):
                    # Only a session waiting for this schema's table: the server may
                    # be running other test sessions meanwhile.
                    found = other.execute(
                        "SELECT pg_cancel_backend(pid) FROM pg_locks WHERE NOT granted "
                        "AND relation = 'cairn_checkpoints'::regclass"
                    ).fetchall()
                    if found:
                        return
                    time.sleep(0.01)

            canceller = threading.Thread(target=cancel_the_waiting_statement)
            canceller.start()
            with pytest.raises(StorageError) as caught:
                saver.get_tuple({"configurable": {"thread_id": "t"}})
            canceller.join()
        assert not isinstance(caught.value, StorageUnavailableError)
        assert "cancel request" in str(caught.value)
        assert saver.get_tuple({"configurable": {"thread_id": "t"}}) is None


def test_the_async_saver_reports_statement_timeout_too(url: str) -> None:
    async def scenario() -> None:
        timed = with_setting(url, "statement_timeout", "150")
        async with AsyncPostgresSaver.from_conn_string(timed) as saver:
            await saver.setup()
            app = chain(2).compile(checkpointer=saver)
            with table_locked(url), pytest.raises(StorageError) as caught:
                await app.ainvoke({"log": []}, {"configurable": {"thread_id": "t"}})
            _refused(caught.value, "statement_timeout")
            result = await app.ainvoke({"log": []}, {"configurable": {"thread_id": "t"}})
            assert result == {"log": ["n00", "n01"]}

    asyncio.run(scenario())
