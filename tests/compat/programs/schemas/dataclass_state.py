"""A dataclass as the state schema: nodes read attributes, return dict updates."""

import operator
from dataclasses import dataclass, field
from typing import Annotated

from langgraph.graph import END, START, StateGraph


@dataclass
class State:
    name: str
    greeting: str = ""
    steps: Annotated[list[str], operator.add] = field(default_factory=list)


def greet(state: State) -> dict:
    return {"greeting": f"Hi, {state.name}", "steps": ["greet"]}


def shout(state: State) -> dict:
    return {"greeting": state.greeting.upper(), "steps": ["shout"]}


builder = StateGraph(State)
builder.add_node("greet", greet)
builder.add_node("shout", shout)
builder.add_edge(START, "greet")
builder.add_edge("greet", "shout")
builder.add_edge("shout", END)
graph = builder.compile()

result = graph.invoke({"name": "Rosa"})
print(type(result).__name__, result)
print(graph.invoke(State(name="Ike", steps=["start"])))
for chunk in graph.stream({"name": "Lu"}, stream_mode="updates"):
    print(chunk)
