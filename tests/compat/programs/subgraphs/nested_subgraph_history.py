"""The parent's history of a run with a subgraph node; subgraph checkpoints stay separate."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


child = StateGraph(State)
child.add_node("c1", lambda s: {"log": ["c1"]})
child.add_node("c2", lambda s: {"log": ["c2"]})
child.add_edge(START, "c1")
child.add_edge("c1", "c2")

parent = StateGraph(State)
parent.add_node("p1", lambda s: {"log": ["p1"]})
parent.add_node("child", child.compile())
parent.add_edge(START, "p1")
parent.add_edge("p1", "child")
saver = InMemorySaver()
graph = parent.compile(checkpointer=saver)

config = {"configurable": {"thread_id": "n"}}
print(graph.invoke({"log": []}, config))
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next, s.values)
namespaces = sorted(
    {t.config["configurable"]["checkpoint_ns"].split(":")[0] for t in saver.list(config)}
)
print("namespaces listed for the thread", namespaces)
