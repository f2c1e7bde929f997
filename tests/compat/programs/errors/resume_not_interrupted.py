"""Command(resume=...) on threads that are not waiting: new, finished."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")
graph = builder.compile(checkpointer=InMemorySaver())

fresh = {"configurable": {"thread_id": "fresh"}}
try:
    print("fresh thread:", graph.invoke(Command(resume="hi"), fresh))
except Exception as exc:  # noqa: BLE001 - the type is what this program shows
    print("fresh thread:", type(exc).__name__)

done = {"configurable": {"thread_id": "done"}}
graph.invoke({"x": 1}, done)
try:
    print("finished thread:", graph.invoke(Command(resume="hi"), done))
except Exception as exc:  # noqa: BLE001
    print("finished thread:", type(exc).__name__)
print(graph.get_state(done).values)
