"""update_state(config, None, as_node='__copy__') copies a checkpoint as a fork."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"n": s["n"] + 1})
builder.add_node("dbl", lambda s: {"n": s["n"] * 2})
builder.add_edge(START, "inc")
builder.add_edge("inc", "dbl")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "copy"}}
graph.invoke({"n": 1}, config)
before_dbl = next(s for s in graph.get_state_history(config) if s.next == ("dbl",))
copied = graph.update_state(before_dbl.config, None, as_node="__copy__")
snapshot = graph.get_state(copied)
print(snapshot.values, snapshot.next, snapshot.metadata["source"], snapshot.metadata["step"])
print(graph.invoke(None, copied))
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next, s.values)
