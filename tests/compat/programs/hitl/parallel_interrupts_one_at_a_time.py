"""Parallel interrupts resumed one id at a time: the other stays pending."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    votes: Annotated[list[str], operator.add]


def voter(name):
    def vote(state: State) -> dict:
        return {"votes": [f"{name}:{interrupt(f'{name} votes?')}"]}

    return vote


builder = StateGraph(State)
for name in ("ann", "ben"):
    builder.add_node(name, voter(name))
    builder.add_edge(START, name)
builder.add_node("count", lambda s: {"votes": [f"total={len(s['votes'])}"]})
builder.add_edge(["ann", "ben"], "count")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "v"}}
pending = {i.value: i.id for i in graph.invoke({"votes": []}, config)["__interrupt__"]}
print(sorted(pending))

result = graph.invoke(Command(resume={pending["ann votes?"]: "yes"}), config)
print("still waiting for", [i.value for i in result["__interrupt__"]])
print("votes so far", result["votes"])

result = graph.invoke(Command(resume={pending["ben votes?"]: "no"}), config)
print(sorted(result["votes"]), "__interrupt__" in result)
