"""Reading a saver directly: get_tuple and list return CheckpointTuples."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")
saver = InMemorySaver()
graph = builder.compile(checkpointer=saver)
config = {"configurable": {"thread_id": "raw"}}
graph.invoke({"x": 1}, config)

latest = saver.get_tuple(config)
print(type(latest).__name__)
print(sorted(latest.config["configurable"]))
print(latest.metadata["source"], latest.metadata["step"])
print(latest.checkpoint["channel_values"].get("x"))
print(latest.parent_config is not None)
for item in saver.list(config):
    print(
        item.metadata["step"],
        item.metadata["source"],
        item.checkpoint["id"] == item.config["configurable"]["checkpoint_id"],
    )
print(len(list(saver.list(config, limit=1))))
print(saver.get_tuple({"configurable": {"thread_id": "missing"}}))
