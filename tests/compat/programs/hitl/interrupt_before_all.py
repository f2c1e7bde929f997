"""interrupt_before='*' pauses before every node; each invoke(None) runs one more step."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("load", "clean", "save"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "load")
builder.add_edge("load", "clean")
builder.add_edge("clean", "save")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before="*")

config = {"configurable": {"thread_id": "all"}}
result = graph.invoke({"log": []}, config)
print(result, graph.get_state(config).next)
while graph.get_state(config).next:
    result = graph.invoke(None, config)
    print(result, graph.get_state(config).next)
