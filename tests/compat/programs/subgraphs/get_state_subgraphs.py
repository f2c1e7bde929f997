"""get_state(config, subgraphs=True) shows the paused subgraph's own state."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt


class ParentState(TypedDict):
    query: str
    answer: str


class ChildState(TypedDict):
    query: str
    answer: str
    draft: str


def draft(state: ChildState) -> dict:
    return {"draft": f"draft for {state['query']}"}


def confirm(state: ChildState) -> dict:
    ok = interrupt({"draft": state["draft"]})
    return {"answer": state["draft"] if ok else "rejected"}


child = StateGraph(ChildState)
child.add_node("draft", draft)
child.add_node("confirm", confirm)
child.add_edge(START, "draft")
child.add_edge("draft", "confirm")

parent = StateGraph(ParentState)
parent.add_node("child", child.compile())
parent.add_edge(START, "child")
graph = parent.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "g"}}
graph.invoke({"query": "tides", "answer": ""}, config)
plain = graph.get_state(config)
print("without", plain.next, plain.tasks[0].name, plain.tasks[0].state is not None)
snapshot = graph.get_state(config, subgraphs=True)
sub = snapshot.tasks[0].state
print("parent", snapshot.values, snapshot.next)
print("child", sub.values, sub.next)
print("child ns", sub.config["configurable"]["checkpoint_ns"].split(":")[0])
print("child interrupts", [i.value for i in sub.interrupts])
print("child metadata", sub.metadata["source"], sub.metadata["step"])
