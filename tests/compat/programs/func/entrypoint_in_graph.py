"""An entrypoint invoked inside a graph node; a renamed task; stream(subgraphs=True)."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.graph import START, StateGraph


@task(name="renamed")
def inc(x: int) -> int:
    return x + 1


@entrypoint()
def inner(x: int) -> int:
    return inc(x).result() * 10


class S(TypedDict):
    x: int


def node(state: S) -> dict:
    return {"x": inner.invoke(state["x"])}


b = StateGraph(S)
b.add_node("node", node)
b.add_edge(START, "node")
app = b.compile(checkpointer=InMemorySaver())
cfg = {"configurable": {"thread_id": "1"}}
for c in app.stream({"x": 1}, cfg, subgraphs=True):
    print((c[0] and "sub") or "root", c[1])
print(app.get_state(cfg).values)
print(inc.__name__)
