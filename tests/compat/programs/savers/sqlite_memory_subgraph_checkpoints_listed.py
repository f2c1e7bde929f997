"""SqliteSaver(":memory:"): every namespace's checkpoints from list(None), and the config of a
subgraph's snapshot.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("q")]}


inner = StateGraph(State)
inner.add_node("i", lambda s: {"log": ["i"]})
inner.add_node("ask", ask)
inner.add_edge(START, "i")
inner.add_edge("i", "ask")

outer = StateGraph(State)
outer.add_node("sub", inner.compile())
outer.add_edge(START, "sub")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ns"}}
    graph.invoke({"log": []}, config)
    for item in saver.list(None):
        namespace = item.config["configurable"]["checkpoint_ns"].split(":")[0]
        print(
            repr(namespace), item.metadata, len(item.pending_writes), item.parent_config is not None
        )
    sub = graph.get_state(config, subgraphs=True).tasks[0].state
    print(sub.metadata, sub.parent_config is not None)
    print(sorted(sub.config["configurable"]))
    for snap in graph.get_state_history(config):
        print(
            snap.metadata["step"],
            [
                (
                    t.name,
                    t.state["configurable"]["checkpoint_ns"].split(":")[0] if t.state else None,
                )
                for t in snap.tasks
            ],
        )
    graph.invoke(Command(resume="x"), config)
    print(graph.get_state(config).values)
