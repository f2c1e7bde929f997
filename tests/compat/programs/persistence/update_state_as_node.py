"""update_state with as_node decides which node runs next; reducers apply to updates."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    draft: str
    edits: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("write", lambda s: {"draft": "first draft", "edits": ["write"]})
builder.add_node("review", lambda s: {"draft": s["draft"] + " (reviewed)", "edits": ["review"]})
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", END)
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["review"])

config = {"configurable": {"thread_id": "u"}}
print(graph.invoke({"draft": "", "edits": []}, config))
print("next", graph.get_state(config).next)

new_config = graph.update_state(config, {"draft": "human draft", "edits": ["human"]})
print("returned keys", sorted(new_config["configurable"]))
snapshot = graph.get_state(config)
print(snapshot.values, snapshot.next, snapshot.metadata["source"], snapshot.metadata["step"])

graph.update_state(config, {"edits": ["as write"]}, as_node="write")
snapshot = graph.get_state(config)
print(snapshot.values, snapshot.next, snapshot.metadata["source"])

graph.update_state(config, {"draft": "final"}, as_node="review")
snapshot = graph.get_state(config)
print(snapshot.values, snapshot.next)
print(graph.invoke(None, config))
