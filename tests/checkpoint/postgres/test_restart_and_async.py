"""A server restart in the middle of a run, and the async saver end to end."""

from __future__ import annotations

import asyncio
import operator
import os
import subprocess
import threading
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.errors import StorageError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt
from tests.postgres_server import _as_server_user, _binary, _throwaway, fresh_schema, schema_url


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def _chain(length: int, pause: threading.Event | None = None, at: int = -1) -> Any:
    graph = StateGraph(State)

    def make(index: int) -> Any:
        def node(state: State) -> dict[str, list[str]]:
            if index == at and pause is not None:
                pause.set()
                restarted.wait(30)
            return {"log": [f"n{index}"]}

        return node

    restarted = threading.Event()
    graph.add_node("n0", make(0))
    for index in range(1, length):
        graph.add_node(f"n{index}", make(index))
        graph.add_edge(f"n{index - 1}", f"n{index}")
    graph.add_edge(START, "n0")
    graph.restarted = restarted  # type: ignore[attr-defined]
    return graph


@pytest.mark.skipif(
    not os.path.exists("/usr/lib/postgresql") and not os.environ.get("CI"),
    reason="needs PostgreSQL server binaries to start a server it may restart",
)
def test_server_restart_mid_run_fails_clearly_then_resumes() -> None:
    url = _throwaway()
    data = None
    with __import__("psycopg").connect(url) as conn:
        data = conn.execute("SHOW data_directory").fetchone()[0]
    paused = threading.Event()
    graph = _chain(6, paused, at=3)
    config = {"configurable": {"thread_id": "restart"}}
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        app = graph.compile(checkpointer=saver)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                app.invoke({"log": []}, config)
            except StorageError as error:
                errors.append(error)

        worker = threading.Thread(target=run)
        worker.start()
        assert paused.wait(30)
        subprocess.run(
            _as_server_user([_binary("pg_ctl"), "-D", data, "-m", "fast", "-w", "restart"]),
            check=True,
            # The restarted server inherits pg_ctl's output: give it no pipe to hold open.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        graph.restarted.set()
        worker.join(60)
        assert errors and "unavailable" in str(errors[0]) and "invoke(None" in str(errors[0])
        result = app.invoke(None, config)
        assert result["log"] == [f"n{i}" for i in range(6)]


def test_async_saver_runs_pauses_and_resumes() -> None:
    def ask(state: State) -> dict[str, list[str]]:
        return {"log": [f"answer:{interrupt('question?')}"]}

    graph = StateGraph(State)
    graph.add_node("first", lambda s: {"log": ["first"]})
    graph.add_node("ask", ask)
    graph.add_edge(START, "first")
    graph.add_edge("first", "ask")

    async def scenario(url: str) -> None:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            app = graph.compile(checkpointer=saver)
            config = {"configurable": {"thread_id": "a1"}}
            paused = await app.ainvoke({"log": []}, config)
            assert paused["__interrupt__"][0].value == "question?"
            done = await app.ainvoke(Command(resume="42"), config)
            assert done["log"] == ["first", "answer:42"]
            history = [s async for s in app.aget_state_history(config)]
            assert [s.metadata["step"] for s in history] == [2, 1, 0, -1]
            results = await asyncio.gather(
                *(
                    app.ainvoke({"log": []}, {"configurable": {"thread_id": f"many-{i}"}})
                    for i in range(20)
                )
            )
            assert all(r["__interrupt__"][0].value == "question?" for r in results)

    with fresh_schema() as (server, schema):
        asyncio.run(scenario(schema_url(server, schema)))
