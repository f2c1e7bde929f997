"""Node caching: ``add_node(cache_policy=)`` with ``compile(cache=)``, as in LangGraph."""

from __future__ import annotations

import asyncio
import operator
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.cache.base import BaseCache
from cairngraph.cache.memory import InMemoryCache
from cairngraph.cache.sqlite import SqliteCache
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidConfigError
from cairngraph.graph import START, StateGraph
from cairngraph.types import CachePolicy, Command, Send, interrupt
from tests.graph.conftest import Driver


class State(TypedDict):
    x: int
    out: Annotated[list[Any], operator.add]


@pytest.fixture(params=["memory", "sqlite"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCache[Any]]:
    if request.param == "memory":
        yield InMemoryCache()
        return
    with SqliteCache(tmp_path / "cache.db") as sqlite:
        yield sqlite


def counted(calls: list[int]) -> Any:
    def double(state: State) -> dict[str, Any]:
        calls.append(state["x"])
        return {"out": [state["x"] * 2]}

    return double


def one_node(cache: BaseCache[Any], calls: list[int], **policy: Any) -> Any:
    builder = StateGraph(State)
    builder.add_node("double", counted(calls), cache_policy=CachePolicy(**policy))
    builder.add_edge(START, "double")
    return builder.compile(cache=cache)


def test_same_input_is_a_hit_and_reported_cached(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []
    app = one_node(cache, calls)
    first = driver.stream(app, {"x": 1, "out": []}, stream_mode="updates")
    second = driver.stream(app, {"x": 1, "out": []}, stream_mode="updates")
    other = driver.invoke(app, {"x": 2, "out": []})
    assert first == [{"double": {"out": [2]}}]
    assert second == [{"double": {"out": [2]}, "__metadata__": {"cached": True}}]
    assert other == {"x": 2, "out": [4]}
    assert calls == [1, 2]


def test_key_func_groups_inputs(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []
    app = one_node(cache, calls, key_func=lambda state: str(state["x"] % 2))
    results = [driver.invoke(app, {"x": x, "out": []})["out"] for x in (1, 3, 2)]
    assert results == [[2], [2], [4]]
    assert calls == [1, 2]


def test_entries_live_in_langgraph_namespace(cache: BaseCache[Any]) -> None:
    calls: list[int] = []
    app = one_node(cache, calls)
    app.invoke({"x": 1, "out": []})
    namespace = ("__pregel_ns_writes", f"{__name__}.counted.<locals>.double", "double")
    assert app.spec.nodes["double"].cache.namespace == namespace
    cache.clear([namespace])
    app.invoke({"x": 1, "out": []})
    assert calls == [1, 1]


def test_ttl_expires(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []
    app = one_node(cache, calls, ttl=0.2)
    driver.invoke(app, {"x": 1, "out": []})
    driver.invoke(app, {"x": 1, "out": []})
    time.sleep(0.3)
    assert driver.invoke(app, {"x": 1, "out": []}) == {"x": 1, "out": [2]}
    assert calls == [1, 1]


def test_clear_cache(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []
    app = one_node(cache, calls)
    driver.invoke(app, {"x": 1, "out": []})
    app.clear_cache(["other"])
    driver.invoke(app, {"x": 1, "out": []})
    app.clear_cache()
    driver.invoke(app, {"x": 1, "out": []})
    asyncio.run(app.aclear_cache(["double"]))
    driver.invoke(app, {"x": 1, "out": []})
    assert calls == [1, 1, 1]


def test_clear_cache_without_a_cache_raises() -> None:
    builder = StateGraph(State)
    builder.add_node("double", counted([]))
    builder.add_edge(START, "double")
    with pytest.raises(InvalidConfigError, match="No cache is set"):
        builder.compile().clear_cache()


def test_policy_without_graph_cache_runs_every_time(driver: Driver) -> None:
    calls: list[int] = []
    builder = StateGraph(State)
    builder.add_node("double", counted(calls), cache_policy=CachePolicy())
    builder.add_edge(START, "double")
    app = builder.compile()
    for _ in range(2):
        driver.invoke(app, {"x": 1, "out": []})
    assert calls == [1, 1]


def test_failures_are_not_cached(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []

    def flaky(state: State) -> dict[str, Any]:
        calls.append(state["x"])
        if len(calls) < 3:
            raise ValueError("not yet")
        return {"out": ["ok"]}

    builder = StateGraph(State)
    builder.add_node("flaky", flaky, cache_policy=CachePolicy())
    builder.add_edge(START, "flaky")
    app = builder.compile(cache=cache)
    for _ in range(2):
        with pytest.raises(ValueError, match="not yet"):
            driver.invoke(app, {"x": 1, "out": []})
    assert driver.invoke(app, {"x": 1, "out": []}) == {"x": 1, "out": ["ok"]}
    assert driver.invoke(app, {"x": 1, "out": []}) == {"x": 1, "out": ["ok"]}
    assert calls == [1, 1, 1]


def test_interrupts_are_not_cached_the_resumed_result_is(
    cache: BaseCache[Any], driver: Driver
) -> None:
    calls: list[str] = []

    def ask(state: State) -> dict[str, Any]:
        calls.append("ask")
        return {"out": [interrupt("name?")]}

    builder = StateGraph(State)
    builder.add_node("ask", ask, cache_policy=CachePolicy())
    builder.add_edge(START, "ask")
    app = builder.compile(cache=cache, checkpointer=InMemorySaver())
    first = {"configurable": {"thread_id": "1"}}
    assert "__interrupt__" in driver.invoke(app, {"x": 1, "out": []}, first)
    second = {"configurable": {"thread_id": "2"}}
    assert "__interrupt__" in driver.invoke(app, {"x": 1, "out": []}, second)
    assert driver.invoke(app, Command(resume="Ada"), first) == {"x": 1, "out": ["Ada"]}
    third = {"configurable": {"thread_id": "3"}}
    assert driver.invoke(app, {"x": 1, "out": []}, third) == {"x": 1, "out": ["Ada"]}
    assert calls == ["ask", "ask", "ask"]


def test_with_checkpointer_hits_are_saved(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []
    builder = StateGraph(State)
    builder.add_node("double", counted(calls), cache_policy=CachePolicy())
    builder.add_node("plain", lambda state: {"out": ["plain"]})
    builder.add_edge(START, "double")
    builder.add_edge(START, "plain")
    app = builder.compile(cache=cache, checkpointer=InMemorySaver())
    for thread in ("a", "b"):
        config = {"configurable": {"thread_id": thread}}
        assert driver.invoke(app, {"x": 3, "out": []}, config) == {"x": 3, "out": [6, "plain"]}
        assert driver.get_state(app, config).values == {"x": 3, "out": [6, "plain"]}
    assert calls == [3]


def test_sends_with_the_same_input(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[int] = []

    def fan(state: State) -> list[Send]:
        return [Send("double", {"x": x, "out": []}) for x in (1, 2)]

    builder = StateGraph(State)
    builder.add_node("double", counted(calls), cache_policy=CachePolicy())
    builder.add_conditional_edges(START, fan)
    app = builder.compile(cache=cache)
    assert driver.invoke(app, {"x": 0, "out": []}) == {"x": 0, "out": [2, 4]}
    chunks = driver.stream(app, {"x": 0, "out": []}, stream_mode="updates")
    assert chunks == [
        {"double": {"out": [2]}, "__metadata__": {"cached": True}},
        {"double": {"out": [4]}, "__metadata__": {"cached": True}},
    ]
    assert sorted(calls) == [1, 2]


def test_command_routing_is_replayed(cache: BaseCache[Any], driver: Driver) -> None:
    calls: list[str] = []

    def route(state: State) -> Command[Any]:
        calls.append("route")
        return Command(update={"out": ["routed"]}, goto="after")

    builder = StateGraph(State)
    builder.add_node("route", route, cache_policy=CachePolicy(), destinations=("after",))
    builder.add_node("after", lambda state: {"out": ["after"]})
    builder.add_edge(START, "route")
    app = builder.compile(cache=cache)
    for _ in range(2):
        assert driver.invoke(app, {"x": 0, "out": []}) == {"x": 0, "out": ["routed", "after"]}
    assert calls == ["route"]


def test_async_node_is_cached(cache: BaseCache[Any]) -> None:
    calls: list[int] = []

    async def slow(state: State) -> dict[str, Any]:
        calls.append(state["x"])
        return {"out": [state["x"]]}

    builder = StateGraph(State)
    builder.add_node("slow", slow, cache_policy=CachePolicy())
    builder.add_edge(START, "slow")
    app = builder.compile(cache=cache)

    async def run() -> list[Any]:
        await app.ainvoke({"x": 7, "out": []})
        return [chunk async for chunk in app.astream({"x": 7, "out": []}, stream_mode="updates")]

    assert asyncio.run(run()) == [{"slow": {"out": [7]}, "__metadata__": {"cached": True}}]
    assert calls == [7]
    # As in LangGraph, a coroutine function's entries live under "__dynamic__".
    assert app.spec.nodes["slow"].cache.namespace == ("__pregel_ns_writes", "__dynamic__", "slow")


def test_sqlite_cache_survives_reopen(tmp_path: Path) -> None:
    calls: list[int] = []
    path = tmp_path / "kept.db"
    with SqliteCache(path) as first:
        one_node(first, calls).invoke({"x": 4, "out": []})
    with SqliteCache(path) as second:
        assert one_node(second, calls).invoke({"x": 4, "out": []}) == {"x": 4, "out": [8]}
    assert calls == [4]


def test_compile_rejects_what_is_not_a_cache() -> None:
    builder = StateGraph(State)
    builder.add_node("double", counted([]))
    builder.add_edge(START, "double")
    with pytest.raises(InvalidConfigError, match="not a cache"):
        builder.compile(cache={})
