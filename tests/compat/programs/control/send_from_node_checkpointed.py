"""Send from a node's conditional edge, with a checkpointer: the history shows the tasks."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    numbers: list[int]
    squares: Annotated[list[int], operator.add]


def split(state: State) -> dict:
    return {"numbers": sorted(state["numbers"])}


def fan_out(state: State) -> list[Send]:
    return [Send("square", n) for n in state["numbers"]]


def square(n: int) -> dict:
    return {"squares": [n * n]}


builder = StateGraph(State)
builder.add_node("split", split)
builder.add_node("square", square)
builder.add_edge(START, "split")
builder.add_conditional_edges("split", fan_out, ["square"])
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "sq"}}
print(graph.invoke({"numbers": [3, 1, 2], "squares": []}, config))
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.next, [t.name for t in s.tasks])
