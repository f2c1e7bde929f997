"""checkpointer.delete_thread removes one thread's checkpoints and keeps the others."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    text: str


builder = StateGraph(State)
builder.add_node("echo", lambda s: {"text": s["text"] * 2})
builder.add_edge(START, "echo")
saver = InMemorySaver()
graph = builder.compile(checkpointer=saver)

for thread in ("keep", "drop"):
    graph.invoke({"text": thread}, {"configurable": {"thread_id": thread}})

saver.delete_thread("drop")
for thread in ("keep", "drop"):
    config = {"configurable": {"thread_id": thread}}
    snapshot = graph.get_state(config)
    print(thread, snapshot.values, len(list(graph.get_state_history(config))))

print(graph.invoke({"text": "new"}, {"configurable": {"thread_id": "drop"}}))
print(len(list(graph.get_state_history({"configurable": {"thread_id": "drop"}}))))
