"""get_state_history with filter=, limit= and before=."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    count: Annotated[int, operator.add]


builder = StateGraph(State)
builder.add_node("one", lambda s: {"count": 1})
builder.add_node("two", lambda s: {"count": 2})
builder.add_node("three", lambda s: {"count": 3})
builder.add_edge(START, "one")
builder.add_edge("one", "two")
builder.add_edge("two", "three")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "f"}}
graph.invoke({"count": 0}, config)
graph.invoke({"count": 100}, config)

print("all", [s.values["count"] for s in graph.get_state_history(config)])
print("limit 2", [s.metadata["step"] for s in graph.get_state_history(config, limit=2)])
loops = graph.get_state_history(config, filter={"source": "loop"})
print("loop", [(s.metadata["step"], s.values["count"]) for s in loops])
inputs = graph.get_state_history(config, filter={"source": "input"})
print("input", [(s.metadata["step"], s.values) for s in inputs])
print("step 2", [s.values for s in graph.get_state_history(config, filter={"step": 2})])

history = list(graph.get_state_history(config))
middle = history[3].config
print("before", [s.values["count"] for s in graph.get_state_history(config, before=middle)])
older = graph.get_state_history(config, before=middle, limit=1)
print("before+limit", [s.values["count"] for s in older])
