"""The async saver end to end, and how it behaves across event loops and threads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.errors import InvalidConfigError, ThreadBusyError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt
from tests.checkpoint.postgres._worker import State, chain
from tests.postgres_server import fresh_schema, schema_url
from tests.savers_postgres import background_loop


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def test_pause_resume_and_many_runs_at_once(url: str) -> None:
    def ask(state: State) -> dict[str, list[str]]:
        return {"log": [f"answer:{interrupt('question?')}"]}

    graph = StateGraph(State)
    graph.add_node("first", lambda state: {"log": ["first"]})
    graph.add_node("ask", ask)
    graph.add_edge(START, "first")
    graph.add_edge("first", "ask")

    async def scenario() -> None:
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
            many = [{"configurable": {"thread_id": f"many-{i}"}} for i in range(20)]
            results = await asyncio.gather(*(app.ainvoke({"log": []}, c) for c in many))
            assert all(r["__interrupt__"][0].value == "question?" for r in results)

    asyncio.run(scenario())


def test_a_saver_on_a_background_loop_serves_other_loops_and_threads(url: str) -> None:
    async def open_saver() -> tuple[AsyncExitStack, AsyncPostgresSaver]:
        stack = AsyncExitStack()
        saver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(url))
        await saver.setup()
        return stack, saver

    with background_loop() as loop:
        stack, saver = asyncio.run_coroutine_threadsafe(open_saver(), loop).result(30)
        app = chain(3).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "both"}}
        assert app.invoke({"log": []}, config)["log"] == ["n00", "n01", "n02"]  # sync API
        again = asyncio.run(app.ainvoke({"log": []}, config))  # another loop
        assert again["log"] == ["n00", "n01", "n02"] * 2
        # The sync lock is the same database lock other savers see.
        busy = pytest.raises(ThreadBusyError, match="'both'")
        with (
            PostgresSaver.from_conn_string(url) as other,
            saver.thread_lock("both", 1),
            busy,
            other.thread_lock("both", 0.1),
        ):
            pass
        asyncio.run_coroutine_threadsafe(stack.aclose(), loop).result(30)


def test_sync_methods_on_the_saver_loop_refuse_to_block_it(url: str) -> None:
    async def scenario() -> AsyncPostgresSaver:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            with pytest.raises(InvalidConfigError, match="async API"):
                saver.get_tuple({"configurable": {"thread_id": "x"}})
            return saver

    saver = asyncio.run(scenario())
    # Its loop is gone: a clear error rather than a hang.
    with pytest.raises(InvalidConfigError, match="no longer running"):
        asyncio.run(saver.aget_tuple({"configurable": {"thread_id": "x"}}))


def test_async_durability_runs_filling_the_pool_save_on_their_own_connections(url: str) -> None:
    async def scenario() -> None:
        async with AsyncPostgresSaver.from_conn_string(url, max_size=2, timeout=5) as saver:
            await saver.setup()
            app = chain(20, 2).compile(checkpointer=saver)
            configs = [{"configurable": {"thread_id": f"full-{i}"}} for i in range(2)]
            results = await asyncio.gather(
                *(app.ainvoke({"log": []}, config, durability="async") for config in configs)
            )
            assert [r["log"] for r in results] == [[f"n{i:02d}" for i in range(20)]] * 2
            for config in configs:
                assert len([s async for s in app.aget_state_history(config)]) == 22

    asyncio.run(scenario())


def test_the_async_saver_verifies_and_reseals(postgres_url: str) -> None:
    async def scenario(url: str) -> None:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            app = chain(3).compile(checkpointer=saver)
            config = {"configurable": {"thread_id": "checked"}}
            await app.ainvoke({"log": []}, config)
            report = await saver.averify()
            assert report.ok and report.checked > 0
            assert await saver.areseal() > 0
            assert (await saver.averify()).ok
            assert (await app.aget_state(config)).values == {"log": ["n00", "n01", "n02"]}

    with fresh_schema(postgres_url) as (server, schema):
        asyncio.run(scenario(schema_url(server, schema)))
