"""Streaming a run that interrupts: the updates stream carries an __interrupt__ chunk."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    topic: str
    title: str


def pick_title(state: State) -> dict:
    title = interrupt({"suggestions": [state["topic"].title(), state["topic"].upper()]})
    return {"title": title}


builder = StateGraph(State)
builder.add_node("prepare", lambda s: {"topic": s["topic"].strip()})
builder.add_node("pick_title", pick_title)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "pick_title")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "s"}}
for chunk in graph.stream({"topic": " bees ", "title": ""}, config):
    print(chunk)
for chunk in graph.stream(Command(resume="Bees!"), config):
    print(chunk)
for chunk in graph.stream({"topic": "ants", "title": ""}, config, stream_mode="values"):
    print(chunk)
