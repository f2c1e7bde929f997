"""Approve or reject with interrupt() returning a bool; Command(goto=) picks the branch; stream it."""

from typing import Literal

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    action: str
    status: str


def approval(state: State) -> Command[Literal["proceed", "cancel"]]:
    approved = interrupt({"question": "Approve?", "action": state["action"]})
    return Command(goto="proceed" if approved else "cancel", update={"status": "reviewed"})


builder = StateGraph(State)
builder.add_node("approval", approval)
builder.add_node("proceed", lambda s: {"status": f"{s['status']} and approved"})
builder.add_node("cancel", lambda s: {"status": f"{s['status']} and rejected"})
builder.add_edge(START, "approval")
builder.add_edge("proceed", END)
builder.add_edge("cancel", END)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    for thread, answer in (("yes", True), ("no", False)):
        config = {"configurable": {"thread_id": thread}}
        for chunk in graph.stream(
            {"action": f"transfer {thread}", "status": "new"}, config, stream_mode="updates"
        ):
            print(thread, chunk)
        for chunk in graph.stream(
            Command(resume=answer), config, stream_mode=["updates", "values"]
        ):
            print(thread, chunk)
        print(thread, [(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
