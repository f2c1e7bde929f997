"""The configs in debug and checkpoints stream payloads, and get_state's: key order as LangGraph prints them."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class S(TypedDict):
    x: int


g = StateGraph(S)
g.add_node("a", lambda s: {"x": 1})
g.add_edge(START, "a")
app = g.compile(checkpointer=InMemorySaver())
for ch in app.stream({"x": 0}, {"configurable": {"thread_id": "1"}}, stream_mode="debug"):
    if ch["type"] == "checkpoint":
        print(ch["payload"]["config"], ch["payload"].get("parent_config"))
for ch in app.stream({"x": 0}, {"configurable": {"thread_id": "1"}}, stream_mode="checkpoints"):
    print(ch["config"], ch["parent_config"])
print(app.get_state({"configurable": {"thread_id": "1"}}).config)
