"""add_edge(["a", "b"], "c") waits for both; a plain fan-out runs in one superstep."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_node("d", lambda s: {"log": [f"d after {sorted(s['log'])}"]})
builder.add_edge(START, "a")
builder.add_edge(START, "b")
builder.add_edge("b", "c")
builder.add_edge(["a", "c"], "d")
builder.add_edge("d", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "j"}}
print(graph.invoke({"log": []}, config))
for chunk in graph.stream({"log": []}, {"configurable": {"thread_id": "j2"}}):
    print(chunk)
print([s.metadata["step"] for s in graph.get_state_history(config)])
