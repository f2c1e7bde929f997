"""SqliteSaver(":memory:"): static breakpoints from compile() and from invoke()."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("plan", "act", "report"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "plan")
builder.add_edge("plan", "act")
builder.add_edge("act", "report")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver, interrupt_before=["act"], interrupt_after=["act"])
    config = {"configurable": {"thread_id": "bp"}}
    print(graph.invoke({"log": ["start"]}, config))
    print("next", graph.get_state(config).next)
    print(graph.invoke(None, config))
    print("next", graph.get_state(config).next)
    print(graph.invoke(None, config))
    print("next", graph.get_state(config).next)

    plain = builder.compile(checkpointer=saver)
    other = {"configurable": {"thread_id": "bp-runtime"}}
    for chunk in plain.stream({"log": []}, other, interrupt_after=["plan"], stream_mode="updates"):
        print(chunk)
    print("next", plain.get_state(other).next)
    for chunk in plain.stream(None, other, stream_mode="updates"):
        print(chunk)
