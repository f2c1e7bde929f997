"""What ``invoke`` returns in LangGraph's corner cases.

- None while no step wrote an output key (LangGraph emits no values chunk then);
  a resumed run has its result from the start;
- interrupts with a result that is not a dict: ``{"__interrupt__": [...]}``;
- ``interrupt_before=[]`` at call time keeps the compiled breakpoints.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidConfigError, MissingThreadIdError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver


class In(TypedDict):
    a: str


class Out(TypedDict):
    b: str


class Both(In, Out):
    pass


def _two_steps() -> StateGraph:
    graph = StateGraph(Both, input_schema=In, output_schema=Out)
    graph.add_node("x", lambda s: {"a": s["a"] + "!"})
    graph.add_node("y", lambda s: {"b": s["a"] + "?"})
    graph.add_edge(START, "x")
    graph.add_edge("x", "y")
    return graph


def test_none_until_an_output_key_is_written(driver: Driver) -> None:
    app = _two_steps().compile(checkpointer=InMemorySaver(), interrupt_before=["y"])
    config = {"configurable": {"thread_id": "t"}}
    assert driver.invoke(app, {"a": "1"}, config) is None
    assert driver.invoke(app, None, config) == {"b": "1!?"}
    nothing = StateGraph(Both, input_schema=In, output_schema=Out)
    nothing.add_node("x", lambda s: {"a": "2"})
    nothing.add_edge(START, "x")
    assert driver.invoke(nothing.compile(), {"a": "1"}) is None
    assert driver.invoke(nothing.compile(), {"a": "1"}, output_keys=["a"]) == {"a": "2"}


def test_a_resumed_run_returns_its_state_even_if_nothing_was_written(driver: Driver) -> None:
    class State(TypedDict, total=False):
        a: str

    def ask(state: State) -> dict[str, Any]:
        interrupt("q")
        return {}

    graph = StateGraph(State)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "r"}}
    paused = driver.invoke(app, {}, config)
    assert [i.value for i in paused["__interrupt__"]] == ["q"]
    assert driver.invoke(app, Command(resume=1), config) == {}


def test_interrupts_of_a_root_state_replace_its_value(driver: Driver) -> None:
    def ask(state: list[str]) -> list[str]:
        return [interrupt("more?")]

    graph = StateGraph(Annotated[list[str], operator.add])
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "root"}}
    paused = driver.invoke(app, ["a"], config)
    assert list(paused) == ["__interrupt__"]
    assert driver.invoke(app, Command(resume="b"), config) == ["a", "b"]


def test_an_empty_breakpoint_list_keeps_the_compiled_ones(driver: Driver) -> None:
    app = _two_steps().compile(checkpointer=InMemorySaver(), interrupt_before=["y"])
    config = {"configurable": {"thread_id": "e"}}
    assert driver.invoke(app, {"a": "1"}, config, interrupt_before=[]) is None
    assert driver.get_state(app, config).next == ("y",)
    other = {"configurable": {"thread_id": "f"}}
    assert driver.invoke(app, {"a": "1"}, other, interrupt_before=["x"]) is None
    assert driver.get_state(app, other).next == ("x",)


def test_a_missing_thread_id_is_caught_as_langgraph_users_catch_it() -> None:
    class Count(TypedDict):
        x: int

    builder = StateGraph(Count)
    builder.add_node("inc", lambda state: {"x": state["x"] + 1})
    builder.add_edge(START, "inc")
    graph = builder.compile(checkpointer=InMemorySaver())

    for config in (None, {"configurable": {"user": "u"}}):
        with pytest.raises(KeyError) as caught:
            graph.invoke({"x": 1}, config)
        assert isinstance(caught.value, MissingThreadIdError)
        assert isinstance(caught.value, InvalidConfigError)  # also a ValueError
        assert str(caught.value).startswith("the config has no thread_id")
    with pytest.raises(ValueError, match="thread_id"):
        graph.get_state({"configurable": {}})
