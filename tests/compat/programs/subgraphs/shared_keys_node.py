"""A compiled subgraph added as a node, sharing the parent's state keys."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    notes: Annotated[list[str], operator.add]


sub = StateGraph(State)
sub.add_node("research", lambda s: {"notes": [f"research {s['topic']}"]})
sub.add_node("summarize", lambda s: {"notes": [f"summary of {len(s['notes'])} notes"]})
sub.add_edge(START, "research")
sub.add_edge("research", "summarize")
research_team = sub.compile()

builder = StateGraph(State)
builder.add_node("plan", lambda s: {"notes": ["plan"]})
builder.add_node("research_team", research_team)
builder.add_node("write", lambda s: {"notes": ["write"]})
builder.add_edge(START, "plan")
builder.add_edge("plan", "research_team")
builder.add_edge("research_team", "write")
builder.add_edge("write", END)
graph = builder.compile()

print(graph.invoke({"topic": "moss", "notes": []}))
for chunk in graph.stream({"topic": "ferns", "notes": []}):
    print(chunk)
