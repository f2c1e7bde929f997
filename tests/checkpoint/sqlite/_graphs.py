"""A small graph that pauses at an interrupt, shared by the SQLite tests."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt


class State(TypedDict, total=False):
    log: Annotated[list[str], lambda left, right: left + right]


def _ask(state: State) -> dict[str, list[str]]:
    return {"log": [f"answer:{interrupt('question?')}"]}


def build() -> Any:
    """first → ask (interrupts) → last."""
    graph = StateGraph(State)
    graph.add_node("first", lambda state: {"log": ["first"]})
    graph.add_node("ask", _ask)
    graph.add_node("last", lambda state: {"log": ["last"]})
    graph.add_edge(START, "first")
    graph.add_edge("first", "ask")
    graph.add_edge("ask", "last")
    return graph


def run_pause_resume(saver: BaseCheckpointSaver, thread: str = "1") -> None:
    """A graph on ``saver`` runs, pauses at its interrupt and resumes to the end."""
    app = build().compile(checkpointer=saver)
    config = {"configurable": {"thread_id": thread}}
    app.invoke({"log": []}, config)
    paused = app.get_state(config)
    assert paused.next == ("ask",)
    assert [i.value for i in paused.interrupts] == ["question?"]
    app.invoke(Command(resume="42"), config)
    assert app.get_state(config).values == {"log": ["first", "answer:42", "last"]}
    assert app.get_state(config).next == ()
