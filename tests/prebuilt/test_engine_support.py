"""What the engine gained for the prebuilt agents, checked on plain graphs."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, NotRequired

from typing_extensions import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.managed import RemainingSteps
from cairngraph.types import Command, Send


class Log(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    name: str


def test_a_node_may_return_a_list_of_commands_and_updates(run: Callable[..., Any]) -> None:
    builder = StateGraph(Log)
    builder.add_node(
        "many",
        lambda s: [Command(update={"name": "n", "log": ["a"]}, goto="after"), {"log": ["b"]}],
    )
    builder.add_node("after", lambda s: {"log": ["after"]})
    builder.add_edge(START, "many")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "list"}}
    assert run(graph, {"log": []}, config) == {"log": ["a", "b", "after"], "name": "n"}
    chunks = list(graph.stream({"log": []}, {"configurable": {"thread_id": "stream"}}))
    assert chunks[0] == {"many": [{"name": "n"}, {"log": ["a"]}, {"log": ["b"]}]}
    history = list(graph.get_state_history({"configurable": {"thread_id": "stream"}}))
    many = next(s for s in history if s.next == ("many",))
    assert many.tasks[0].result == {"name": "n", "log": {"$writes": [["a"], ["b"]]}}


def test_update_state_drops_sends_still_waiting() -> None:
    builder = StateGraph(Log)
    builder.add_node("plan", lambda s: {"log": ["plan"]})
    builder.add_node("work", lambda item: {"log": [f"work {item}"]})
    builder.add_edge(START, "plan")
    builder.add_conditional_edges(
        "plan", lambda s: [Send("work", n) for n in s.get("name", "xy")], ["work"]
    )
    builder.add_edge("work", END)
    graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["work"])
    config = {"configurable": {"thread_id": "sends"}}
    graph.invoke({"log": []}, config)
    assert graph.get_state(config).next == ("work", "work")
    graph.update_state(config, {"name": "z"}, as_node="plan")
    assert graph.get_state(config).next == ("work",)
    assert graph.invoke(None, config)["log"] == ["plan", "work z"]


def test_managed_value_under_not_required() -> None:
    class State(TypedDict):
        log: Annotated[list[str], operator.add]
        remaining_steps: NotRequired[RemainingSteps]

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": [str(s["remaining_steps"])]})
    builder.add_edge(START, "a")
    result = builder.compile().invoke({"log": []}, {"recursion_limit": 7})
    assert result == {"log": ["6"]}
