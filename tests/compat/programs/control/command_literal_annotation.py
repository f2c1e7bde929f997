"""Command[Literal[...]] return annotations declare a node's possible next nodes."""

from typing import Literal, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    text: str
    lang: str


def detect(state: State) -> Command[Literal["english", "french"]]:
    lang = "french" if "bonjour" in state["text"] else "english"
    return Command(update={"lang": lang}, goto=lang)


def english(state: State) -> dict:
    return {"text": state["text"] + " -> hello!"}


def french(state: State) -> dict:
    return {"text": state["text"] + " -> salut !"}


builder = StateGraph(State)
builder.add_node("detect", detect)
builder.add_node("english", english)
builder.add_node("french", french)
builder.add_edge(START, "detect")
graph = builder.compile()

print(graph.invoke({"text": "bonjour", "lang": ""}))
print(graph.invoke({"text": "hi", "lang": ""}))
drawn = graph.get_graph()
print(sorted((e.source, e.target, e.conditional) for e in drawn.edges))
