"""stream_mode=['values', 'updates'] around an interrupt and its resume."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    name: str
    greeting: str


def ask_name(state: State) -> dict:
    return {"name": interrupt("name?")}


builder = StateGraph(State)
builder.add_node("ask_name", ask_name)
builder.add_node("greet", lambda s: {"greeting": f"hello {s['name']}"})
builder.add_edge(START, "ask_name")
builder.add_edge("ask_name", "greet")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "siv"}}
for mode, chunk in graph.stream(
    {"name": "", "greeting": ""}, config, stream_mode=["values", "updates"]
):
    print(mode, chunk)
for mode, chunk in graph.stream(Command(resume="Zoe"), config, stream_mode=["values", "updates"]):
    print(mode, chunk)
