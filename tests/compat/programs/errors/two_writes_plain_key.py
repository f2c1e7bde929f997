"""Two parallel nodes writing one plain key raise InvalidUpdateError."""

from typing import TypedDict

from langgraph.errors import InvalidUpdateError
from langgraph.graph import START, StateGraph


class State(TypedDict):
    winner: str


builder = StateGraph(State)
builder.add_node("left", lambda s: {"winner": "left"})
builder.add_node("right", lambda s: {"winner": "right"})
builder.add_edge(START, "left")
builder.add_edge(START, "right")
graph = builder.compile()

try:
    graph.invoke({"winner": ""})
except InvalidUpdateError as exc:
    print(type(exc).__name__, "winner" in str(exc))
    print(isinstance(exc, Exception))

seen = []
try:
    for chunk in graph.stream({"winner": ""}):
        seen.append(chunk)
except InvalidUpdateError:
    print("chunks before the error", seen)
