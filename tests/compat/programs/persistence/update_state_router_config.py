"""update_state(as_node=...) runs the node's conditional edge with the config
given to update_state: its configurable, metadata (plus the thread id), tags
and the default recursion limit."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    x: int


def route(state: State, config) -> str:
    if "langgraph_step" not in config["metadata"]:
        configurable = config["configurable"]
        print("router under update_state:", state)
        print("   keys", sorted(config))
        public = sorted(key for key in configurable if not key.startswith("__"))
        print("   configurable", public, configurable.get("user"))
        print("   metadata", dict(config["metadata"]), "tags", config["tags"])
        print("   recursion_limit", config["recursion_limit"])
    return END if state["x"] > 5 else "again"


builder = StateGraph(State)
builder.add_node("step", lambda state: {"x": state["x"] + 1})
builder.add_node("again", lambda state: {"x": state["x"] + 1})
builder.add_edge(START, "step")
builder.add_conditional_edges("step", route)
builder.add_edge("again", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "r", "user": "ada"}, "metadata": {"run": 1}, "tags": ["t"]}
print(graph.invoke({"x": 0}, config))
graph.update_state(config, {"x": 10}, as_node="step")
print(graph.get_state(config).next)
graph.update_state({"configurable": {"thread_id": "r"}}, {"x": 1}, as_node="step")
print(graph.get_state(config).next)
print(graph.invoke(None, {**config, "recursion_limit": 5}))
