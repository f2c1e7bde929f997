"""Thread locks: across processes, released when the holder dies, and within one connection."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import psycopg
import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres._common import lock_key
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.errors import ThreadBusyError
from tests.postgres_server import fresh_schema, schema_url

_MY_ADVISORY_LOCKS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
)


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def _holder(url: str, thread: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.checkpoint.postgres._worker", url, "hold", thread],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_another_process_holding_the_thread_is_named_then_its_death_frees_it(url: str) -> None:
    holder = _holder(url, "order-7")
    try:
        with PostgresSaver.from_conn_string(url) as saver:
            busy = pytest.raises(ThreadBusyError, match=r"'order-7'.*lock_timeout")
            with busy, saver.thread_lock("order-7", 0.2):
                pass
            with saver.thread_lock("order-8", 0.2):  # other threads are free
                pass
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            # The server ends the dead session and its locks with it.
            with saver.thread_lock("order-7", 30):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_the_key_is_the_same_in_every_process() -> None:
    code = "from cairngraph.checkpoint.postgres._common import lock_key; print(lock_key('t-1'))"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert int(printed.stdout) == lock_key("t-1")
    assert 0 <= lock_key("t-1") < 2**63 and lock_key("t-1") != lock_key("t-2")


def test_runs_sharing_one_plain_connection_still_exclude_each_other(url: str) -> None:
    # PostgreSQL's session locks are re-entrant: the saver must not rely on them alone.
    with psycopg.connect(url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        entered, release = threading.Event(), threading.Event()

        def hold() -> None:
            with saver.thread_lock("same", 5):
                entered.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        assert entered.wait(10)
        with pytest.raises(ThreadBusyError, match="'same'"), saver.thread_lock("same", 0.1):
            pass
        release.set()
        holder.join()
        with saver.thread_lock("same", 1):
            count = conn.execute(_MY_ADVISORY_LOCKS)
            assert count.fetchone() == (1,)
        count = conn.execute(_MY_ADVISORY_LOCKS)
        assert count.fetchone() == (0,)


def test_async_runs_on_one_plain_connection_exclude_each_other(url: str) -> None:
    async def scenario() -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            saver = AsyncPostgresSaver(conn)
            await saver.setup()
            async with saver.athread_lock("same", 5):
                with pytest.raises(ThreadBusyError, match="'same'"):
                    async with saver.athread_lock("same", 0.1):
                        pass
            async with saver.athread_lock("same", 0.1):
                pass

    asyncio.run(scenario())


def test_a_lock_waits_for_the_holder_to_finish(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        order: list[str] = []
        entered = threading.Event()

        def first() -> None:
            with saver.thread_lock("queue", 5):
                entered.set()
                order.append("first in")
                threading.Event().wait(0.3)
                order.append("first out")

        runner = threading.Thread(target=first)
        runner.start()
        assert entered.wait(10)
        with saver.thread_lock("queue", 30):
            order.append("second in")
        runner.join()
        assert order == ["first in", "first out", "second in"]
