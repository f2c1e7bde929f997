"""The server restarted under the savers: clear errors, pools that recover, runs that resume.

These tests restart a throwaway server of their own, never the shared one.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.errors import StorageUnavailableError
from cairngraph.graph import START, StateGraph
from tests.checkpoint.postgres._worker import State, chain
from tests.postgres_server import Throwaway, _free_port, binaries_found, fresh_schema, schema_url


@pytest.fixture(scope="module")
def server() -> Iterator[Throwaway]:
    if not binaries_found():
        if os.environ.get("CI"):
            pytest.fail("CI needs PostgreSQL's server binaries (initdb, pg_ctl) for these tests")
        pytest.skip("needs PostgreSQL's server binaries to start a server it may restart")
    made = Throwaway.start()
    yield made
    made.stop()


@pytest.fixture
def url(server: Throwaway) -> Iterator[str]:
    with fresh_schema(server.url) as (address, schema):
        yield schema_url(address, schema)


class RestartInNode:
    """A 6-node chain whose node n03 waits, the first time, while the server restarts."""

    def __init__(self, server: Throwaway) -> None:
        self.server = server
        self.reached, self.restarted = threading.Event(), threading.Event()
        self.graph = StateGraph(State)
        names = [f"n{i:02d}" for i in range(6)]
        for name in names:
            self.graph.add_node(name, self._node(name))
        self.graph.add_edge(START, names[0])
        for left, right in itertools.pairwise(names):
            self.graph.add_edge(left, right)
        self.restarter = threading.Thread(target=self._restart_when_reached)
        self.restarter.start()

    def _node(self, name: str) -> Any:
        def node(state: Any) -> dict[str, list[str]]:
            if name == "n03" and not self.restarted.is_set():
                self.reached.set()
                assert self.restarted.wait(60)
            return {"log": [name]}

        return node

    def _restart_when_reached(self) -> None:
        if self.reached.wait(60):
            self.server.restart()
        self.restarted.set()


def _assert_clear(error: BaseException, server: Throwaway) -> None:
    text = str(error)
    assert f"127.0.0.1:{server.port}/postgres" in text and "unavailable" in text
    assert "invoke(None, config)" in text


def test_sync_run_fails_clearly_then_resumes(server: Throwaway, url: str) -> None:
    scenario = RestartInNode(server)
    config = {"configurable": {"thread_id": "restart"}}
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        app = scenario.graph.compile(checkpointer=saver)
        with pytest.raises(StorageUnavailableError) as caught:
            app.invoke({"log": []}, config)
        scenario.restarter.join()
        _assert_clear(caught.value, server)
        assert app.get_state(config).values["log"] == ["n00", "n01", "n02"]
        assert app.invoke(None, config)["log"] == [f"n{i:02d}" for i in range(6)]


def test_async_run_fails_clearly_then_resumes(server: Throwaway, url: str) -> None:
    scenario = RestartInNode(server)
    config = {"configurable": {"thread_id": "restart"}}

    async def run() -> None:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            app = scenario.graph.compile(checkpointer=saver)
            with pytest.raises(StorageUnavailableError) as caught:
                await app.ainvoke({"log": []}, config)
            _assert_clear(caught.value, server)
            assert (await app.aget_state(config)).values["log"] == ["n00", "n01", "n02"]
            done = await app.ainvoke(None, config)
            assert done["log"] == [f"n{i:02d}" for i in range(6)]

    asyncio.run(run())
    scenario.restarter.join()


def test_pool_recovers_outside_runs(server: Throwaway, url: str) -> None:
    with PostgresSaver.from_conn_string(url, max_size=4) as saver:
        saver.setup()
        app = chain(3).compile(checkpointer=saver)
        configs = [{"configurable": {"thread_id": f"t{i}"}} for i in range(4)]
        for config in configs:  # several pooled connections, all idle afterwards
            app.invoke({"log": []}, config)
        server.restart()  # every one of them is now dead
        assert len(list(saver.list(None))) == 4 * 5
        with saver.thread_lock("t0", 5):
            pass
        for config in configs:
            assert app.invoke(None, config)["log"] == ["n00", "n01", "n02"]


def test_plain_connection_reports_the_server_without_its_password(server: Throwaway) -> None:
    secret_url = server.url.replace("postgres@", "postgres:sekret@")
    with psycopg.connect(secret_url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        server.restart()
        with pytest.raises(StorageUnavailableError) as caught:
            saver.get_tuple({"configurable": {"thread_id": "x"}})
    _assert_clear(caught.value, server)
    assert "sekret" not in str(caught.value)


def test_no_server_at_all_is_a_clear_error() -> None:
    port = _free_port()
    url = f"postgresql://postgres:sekret@127.0.0.1:{port}/app?connect_timeout=2"
    refused = pytest.raises(StorageUnavailableError, match=f"127.0.0.1:{port}/app")
    with refused as caught, PostgresSaver.from_conn_string(url, timeout=1):
        pass
    assert "sekret" not in str(caught.value)
