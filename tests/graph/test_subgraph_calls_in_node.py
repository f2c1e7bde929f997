"""A graph invoked inside a node: each call in one task attempt has its own namespace
(``ns``, ``ns|1``, ...), as in LangGraph; a resumed task gets a finished call's saved result
without running it again, and the answer reaches the call that asked."""

from __future__ import annotations

from typing import Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver


class Sub(TypedDict):
    word: str


class State(TypedDict):
    words: list[str]
    out: str


def _sub(calls: list[str]) -> Any:
    def check(state: Sub) -> dict[str, Any]:
        calls.append(state["word"])
        if state["word"] == "ask":
            return {"word": interrupt("what word?")}
        return {"word": state["word"].upper()}

    graph = StateGraph(Sub)
    graph.add_node("check", check)
    graph.add_edge(START, "check")
    return graph.compile()


def test_the_second_call_interrupts_and_is_resumed(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    calls: list[str] = []
    sub = _sub(calls)

    def both(state: State) -> dict[str, Any]:
        return {"words": [sub.invoke({"word": w})["word"] for w in state["words"]]}

    graph = StateGraph(State)
    graph.add_node("both", both)
    graph.add_edge(START, "both")
    app = graph.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "twice"}}
    paused = driver.invoke(app, {"words": ["hi", "ask"], "out": ""}, config)
    assert [i.value for i in paused["__interrupt__"]] == ["what word?"]
    assert driver.invoke(app, Command(resume="given"), config)["words"] == ["HI", "given"]
    assert calls == ["hi", "ask", "ask"]
    namespaces = {
        t.config["configurable"]["checkpoint_ns"].split(":", 1)[0]
        + ("|1" if t.config["configurable"]["checkpoint_ns"].endswith("|1") else "")
        for t in saver.list({"configurable": {"thread_id": "twice"}})
    }
    assert namespaces == {"", "both", "both|1"}


def test_a_node_that_calls_a_subgraph_then_interrupts_resumes(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    calls: list[str] = []
    sub = _sub(calls)

    def node(state: State) -> dict[str, Any]:
        word = sub.invoke({"word": "hi"})["word"]
        return {"out": word + interrupt("ok?")}

    graph = StateGraph(State)
    graph.add_node("node", node)
    graph.add_edge(START, "node")
    app = graph.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "then"}}
    driver.invoke(app, {"words": [], "out": ""}, config)
    assert driver.invoke(app, Command(resume="!"), config)["out"] == "HI!"
    assert calls == ["hi"]
