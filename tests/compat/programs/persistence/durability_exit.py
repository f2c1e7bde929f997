"""durability='exit' saves only the final checkpoint; 'sync' saves every step."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "c")
graph = builder.compile(checkpointer=InMemorySaver())

for mode in ("sync", "async", "exit"):
    config = {"configurable": {"thread_id": mode}}
    print(mode, graph.invoke({"log": []}, config, durability=mode))
    history = list(graph.get_state_history(config))
    print("  ", [(s.metadata["step"], s.metadata["source"], s.next) for s in history])
