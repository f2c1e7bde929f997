"""Send: fan out one task per subject, then reduce the jokes."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class OverallState(TypedDict):
    subjects: list[str]
    jokes: Annotated[list[str], operator.add]
    best: str


class JokeState(TypedDict):
    subject: str


def continue_to_jokes(state: OverallState) -> list[Send]:
    return [Send("generate_joke", {"subject": s}) for s in state["subjects"]]


def generate_joke(state: JokeState) -> dict:
    return {"jokes": [f"Joke about {state['subject']}"]}


def best_joke(state: OverallState) -> dict:
    return {"best": max(state["jokes"], key=len)}


builder = StateGraph(OverallState)
builder.add_node("generate_joke", generate_joke)
builder.add_node("best_joke", best_joke)
builder.add_conditional_edges(START, continue_to_jokes, ["generate_joke"])
builder.add_edge("generate_joke", "best_joke")
builder.add_edge("best_joke", END)
graph = builder.compile()

print(graph.invoke({"subjects": ["lions", "elephants", "owls"], "jokes": []}))
for chunk in graph.stream({"subjects": ["cats", "dogs"], "jokes": []}):
    print(chunk)
