"""get_state with a checkpoint_id in the config returns that older snapshot."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int


builder = StateGraph(State)
builder.add_node("add_one", lambda s: {"n": s["n"] + 1})
builder.add_node("square", lambda s: {"n": s["n"] ** 2})
builder.add_edge(START, "add_one")
builder.add_edge("add_one", "square")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "c"}}
graph.invoke({"n": 3}, config)
history = list(graph.get_state_history(config))
for snapshot in history:
    checkpoint_id = snapshot.config["configurable"]["checkpoint_id"]
    old = graph.get_state({"configurable": {"thread_id": "c", "checkpoint_id": checkpoint_id}})
    same = old.config["configurable"]["checkpoint_id"] == checkpoint_id
    print(old.metadata["step"], old.values, old.next, same)

print(history[0].config == graph.get_state(config).config)
print(history[-1].parent_config)
