"""stream_mode='values': the full state after each step, the input first."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    facts: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("research", lambda s: {"facts": [f"{s['topic']} are animals"]})
builder.add_node("more", lambda s: {"facts": [f"{s['topic']} can swim"]})
builder.add_node("done", lambda s: {"topic": s["topic"].upper()})
builder.add_edge(START, "research")
builder.add_edge("research", "more")
builder.add_edge("more", "done")
builder.add_edge("done", END)
graph = builder.compile()

for chunk in graph.stream({"topic": "otters", "facts": []}, stream_mode="values"):
    print(chunk)
print("---")
for chunk in graph.stream({"topic": "eels", "facts": ["start"]}, stream_mode="values"):
    print(sorted(chunk), len(chunk["facts"]))
