"""values and updates with subgraphs=True while a subgraph node interrupts, then resume."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    plan: str
    approved: bool


def propose(state: State) -> dict:
    return {"plan": "plan for " + state["plan"]}


def review(state: State) -> dict:
    answer = interrupt({"review": state["plan"]})
    return {"approved": answer == "yes"}


sub = StateGraph(State)
sub.add_node("propose", propose)
sub.add_node("review", review)
sub.add_edge(START, "propose")
sub.add_edge("propose", "review")

builder = StateGraph(State)
builder.add_node("team", sub.compile())
builder.add_node("report", lambda s: {"plan": s["plan"] + (" (ok)" if s["approved"] else " (no)")})
builder.add_edge(START, "team")
builder.add_edge("team", "report")


def show(stream):
    for namespace, mode, chunk in stream:
        print([part.split(":")[0] for part in namespace], mode, chunk)


with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "s"}}
    show(
        graph.stream(
            {"plan": "trip", "approved": False},
            config,
            stream_mode=["values", "updates"],
            subgraphs=True,
        )
    )
    state = graph.get_state(config, subgraphs=True)
    print(state.next, state.tasks[0].state.next, state.tasks[0].state.values)
    show(
        graph.stream(
            Command(resume="yes"), config, stream_mode=["values", "updates"], subgraphs=True
        )
    )
