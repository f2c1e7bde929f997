"""A static breakpoint resumed with Command(resume=...) instead of None."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    count: int


builder = StateGraph(State)
builder.add_node("before", lambda s: {"count": s["count"] + 1})
builder.add_node("after", lambda s: {"count": s["count"] * 10})
builder.add_edge(START, "before")
builder.add_edge("before", "after")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["after"])

config = {"configurable": {"thread_id": "c"}}
print(graph.invoke({"count": 1}, config))
print(graph.get_state(config).next)
print(graph.invoke(Command(resume="go on"), config))
print(graph.get_state(config).next)
print([s.metadata["step"] for s in graph.get_state_history(config)])
