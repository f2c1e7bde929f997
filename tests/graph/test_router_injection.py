"""A conditional edge's function takes config, runtime, writer, store like a node does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidConfigError
from cairngraph.graph import END, START, StateGraph
from cairngraph.runtime import Runtime
from cairngraph.types import StreamWriter
from tests.graph.conftest import Driver


class State(TypedDict):
    n: int


@dataclass
class Context:
    limit: int


def test_router_reads_the_step_from_its_config(driver: Driver) -> None:
    seen: list[tuple[str, int]] = []

    def route(state: State, config: Any) -> str:
        metadata = config["metadata"]
        seen.append((metadata["langgraph_node"], metadata["langgraph_step"]))
        return END if metadata["langgraph_step"] >= 3 else "work"

    graph = StateGraph(State)
    graph.add_node("work", lambda s: {"n": s["n"] + 1})
    graph.add_edge(START, "work")
    graph.add_conditional_edges("work", route, ["work", END])
    result = driver.invoke(graph.compile(), {"n": 0})
    assert result == {"n": 3}
    assert seen == [("work", 1), ("work", 2), ("work", 3)]


def test_router_after_start_reads_the_runtime_context_and_writer(driver: Driver) -> None:
    def route(state: State, runtime: Runtime[Context], writer: StreamWriter) -> str:
        writer({"routing with limit": runtime.context.limit})
        return "big" if runtime.context.limit > 5 else "small"

    graph = StateGraph(State, context_schema=Context)
    graph.add_node("big", lambda s: {"n": 100})
    graph.add_node("small", lambda s: {"n": 1})
    graph.add_conditional_edges(START, route, ["big", "small"])
    app = graph.compile()
    assert driver.invoke(app, {"n": 0}, context=Context(limit=9)) == {"n": 100}
    chunks = driver.stream(
        app, {"n": 0}, context=Context(limit=2), stream_mode=["custom", "values"]
    )
    assert ("custom", {"routing with limit": 2}) in chunks
    assert chunks[-1] == ("values", {"n": 1})


def test_update_state_runs_a_config_router_and_refuses_a_runtime_one() -> None:
    calls: list[str] = []

    def by_config(state: State, config: Any) -> str:
        calls.append("by_config")
        return END

    def by_runtime(state: State, runtime: Runtime[Context]) -> str:
        return END

    for router in (by_config, by_runtime):
        graph = StateGraph(State)
        graph.add_node("a", lambda s: {"n": s["n"] + 1})
        graph.add_edge(START, "a")
        graph.add_conditional_edges("a", router)
        app = graph.compile(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": router.__name__}}
        app.invoke({"n": 0}, config, context=Context(limit=1))
        if router is by_config:
            app.update_state(config, {"n": 5}, as_node="a")
            assert app.get_state(config).values == {"n": 5}
        else:
            with pytest.raises(InvalidConfigError, match="update_state"):
                app.update_state(config, {"n": 5}, as_node="a")
    assert calls == ["by_config", "by_config"]


class RouterView(TypedDict):
    n: int


def test_router_reads_the_state_through_its_annotated_schema(driver: Driver) -> None:
    class Both(TypedDict):
        n: int
        label: str

    seen: list[list[str]] = []

    def route(state: RouterView) -> str:
        seen.append(sorted(state))
        return "big" if state["n"] > 5 else END

    graph = StateGraph(Both)
    graph.add_node("grade", lambda s: {"label": "graded"})
    graph.add_node("big", lambda s: {"label": s["label"] + " big"})
    graph.add_edge(START, "grade")
    graph.add_conditional_edges("grade", route, ["big", END])
    app = graph.compile()
    assert driver.invoke(app, {"n": 9, "label": ""}) == {"n": 9, "label": "graded big"}
    assert driver.invoke(app, {"n": 1, "label": ""}) == {"n": 1, "label": "graded"}
    assert seen == [["n"], ["n"]]


def test_update_state_gives_a_router_the_callers_config(driver: Driver) -> None:
    """As LangGraph: the config given to update_state, with the thread id in its
    metadata, its tags and the default recursion limit; outside it, none is left."""
    seen: list[Any] = []

    def route(state: State, config: Any) -> str:
        if "langgraph_step" not in config["metadata"]:
            seen.append(config)
        return END

    graph = StateGraph(State)
    graph.add_node("a", lambda s: {"n": s["n"] + 1})
    graph.add_edge(START, "a")
    graph.add_conditional_edges("a", route)
    app = graph.compile(checkpointer=InMemorySaver())
    config = {
        "configurable": {"thread_id": "t", "user": "ada"},
        "metadata": {"run": 1},
        "tags": ["x"],
    }
    driver.invoke(app, {"n": 0}, config)
    driver.update_state(app, config, {"n": 5}, as_node="a")
    assert seen == [
        {
            "tags": ["x"],
            "metadata": {"run": 1, "thread_id": "t"},
            "callbacks": None,
            "recursion_limit": 10007,
            "configurable": {"thread_id": "t", "user": "ada"},
        }
    ]
    from cairngraph.engine._context import updating_config

    assert updating_config() is None
