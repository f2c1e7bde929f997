"""get_state_history: newest first, each entry's step, source, next and values."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("plan", "act", "report"):
    builder.add_node(name, lambda state, name=name: {"log": [name]})
builder.add_edge(START, "plan")
builder.add_edge("plan", "act")
builder.add_edge("act", "report")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "h"}}
graph.invoke({"log": ["go"]}, config)

history = list(graph.get_state_history(config))
print(len(history), "checkpoints")
for snapshot in history:
    meta = snapshot.metadata
    print(meta["step"], meta["source"], snapshot.next, snapshot.values)

ids = [s.config["configurable"]["checkpoint_id"] for s in history]
parents = [
    s.parent_config["configurable"]["checkpoint_id"] if s.parent_config else None for s in history
]
print("each parent is the next older:", parents[:-1] == ids[1:], parents[-1])
print("ids newest first sort descending:", ids == sorted(ids, reverse=True))
