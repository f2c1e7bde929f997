"""InMemorySaver: the StateSnapshot fields after a finished run."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    joke: str


def write(state: State) -> dict:
    return {"joke": f"A joke about {state['topic']}"}


builder = StateGraph(State)
builder.add_node("write", write)
builder.add_edge(START, "write")
builder.add_edge("write", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
print(graph.invoke({"topic": "cats"}, config))
snapshot = graph.get_state(config)
print("values", snapshot.values)
print("next", snapshot.next)
print("tasks", snapshot.tasks)
print("interrupts", snapshot.interrupts)
print("metadata keys", sorted(snapshot.metadata))
print("source", snapshot.metadata["source"], "step", snapshot.metadata["step"])
print("parents", snapshot.metadata["parents"])
print("config keys", sorted(snapshot.config["configurable"]))
print("thread", snapshot.config["configurable"]["thread_id"])
print("ns", repr(snapshot.config["configurable"]["checkpoint_ns"]))
print("created_at type", type(snapshot.created_at).__name__)
print("parent is set", snapshot.parent_config is not None)
