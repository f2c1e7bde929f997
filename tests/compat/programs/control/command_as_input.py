"""invoke(Command(goto=[...])) as the input starts the run at chosen nodes."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "c")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "cmd"}}
print(graph.invoke({"log": ["first"]}, config))
print(graph.invoke(Command(goto=["c"]), config))
print(graph.invoke(Command(goto=["b"], update={"log": ["jump"]}), config))
for s in graph.get_state_history(config, limit=4):
    print(s.metadata["step"], s.metadata["source"], s.next)
