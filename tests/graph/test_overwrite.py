"""``Overwrite``: a write that replaces a reducer key's value for one step (as in LangGraph 1.x)."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.channels.delta import DeltaChannel
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import InvalidUpdateError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, Overwrite


class State(TypedDict, total=False):
    items: Annotated[list[str], operator.add]
    total: Annotated[int, operator.add]
    label: str


def _chain(*nodes: Any) -> StateGraph:
    builder = StateGraph(State)
    previous = START
    for index, node in enumerate(nodes):
        builder.add_node(f"n{index}", node)
        builder.add_edge(previous, f"n{index}")
        previous = f"n{index}"
    return builder


def _parallel(*nodes: Any) -> StateGraph:
    builder = StateGraph(State)
    for index, node in enumerate(nodes):
        builder.add_node(f"n{index}", node)
        builder.add_edge(START, f"n{index}")
    return builder


@pytest.mark.parametrize(
    "write",
    [Overwrite(["new"]), {"__overwrite__": ["new"]}, {"type": "__overwrite__", "value": ["new"]}],
    ids=["object", "dict", "json-form"],
)
def test_an_overwrite_replaces_the_value_in_any_of_its_forms(write: Any) -> None:
    graph = _chain(lambda s: {"items": ["a"]}, lambda s: {"items": write}).compile()
    assert graph.invoke({"items": ["start"]})["items"] == ["new"]


def test_the_next_step_reduces_onto_the_overwritten_value() -> None:
    graph = _chain(lambda s: {"total": Overwrite(10)}, lambda s: {"total": 5}).compile()
    assert graph.invoke({"total": 1})["total"] == 15


def test_two_overwrites_of_one_key_in_one_step_are_an_error_naming_the_key() -> None:
    graph = _parallel(lambda s: {"items": Overwrite(["x"])}, lambda s: {"items": Overwrite(["y"])})
    with pytest.raises(InvalidUpdateError, match=r"'items'.*two Overwrite"):
        graph.compile().invoke({"items": []})


def test_writes_after_an_overwrite_in_its_step_are_ignored_those_before_are_replaced() -> None:
    # Tasks of a step apply in node-name order: n0 (overwrite) then n1.
    graph = _parallel(lambda s: {"items": Overwrite(["x"])}, lambda s: {"items": ["later"]})
    assert graph.compile().invoke({"items": ["s"]})["items"] == ["x"]
    graph = _parallel(lambda s: {"items": ["earlier"]}, lambda s: {"items": Overwrite(["x"])})
    assert graph.compile().invoke({"items": ["s"]})["items"] == ["x"]


def test_a_plain_key_stores_the_overwrite_itself() -> None:
    graph = _chain(lambda s: {"label": Overwrite("v")}).compile()
    assert graph.invoke({})["label"] == Overwrite("v")


def test_update_state_and_command_take_an_overwrite(tmp_path: Path) -> None:
    def route(state: State) -> Command:
        return Command(update={"items": Overwrite(["routed"])})

    with SqliteSaver.from_conn_string(str(tmp_path / "o.db")) as saver:
        graph = _chain(lambda s: {"items": ["a"]}, route).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        assert graph.invoke({"items": ["s"]}, config)["items"] == ["routed"]
        graph.update_state(config, {"items": Overwrite(["edited"])})
        assert graph.get_state(config).values["items"] == ["edited"]


def test_a_saved_overwrite_write_reads_back_in_a_new_process_saver(tmp_path: Path) -> None:
    path = str(tmp_path / "o.db")
    with SqliteSaver.from_conn_string(path) as saver:
        graph = _chain(lambda s: {"items": Overwrite(["kept"])}).compile(checkpointer=saver)
        graph.invoke({"items": ["s"]}, {"configurable": {"thread_id": "t"}})
    with SqliteSaver.from_conn_string(path) as reopened:
        graph = _chain(lambda s: {}).compile(checkpointer=reopened)
        history = list(graph.get_state_history({"configurable": {"thread_id": "t"}}))
        results = [task.result for snapshot in history for task in snapshot.tasks if task.result]
        assert {"items": Overwrite(["kept"])} in results
        assert history[0].values["items"] == ["kept"]


def _extend(items: list[str], batch: list[str]) -> list[str]:
    return [*items, *batch]


class Log(TypedDict, total=False):
    log: Annotated[list[str], DeltaChannel(_extend)]


def test_a_delta_channel_takes_the_overwrite_alone_for_its_step() -> None:
    builder = StateGraph(Log)
    builder.add_node("a", lambda s: {"log": "a"})
    builder.add_node("b", lambda s: {"log": Overwrite(["reset"])})
    builder.add_node("c", lambda s: {"log": "c"})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    assert builder.compile().invoke({"log": "s"})["log"] == ["reset", "c"]
