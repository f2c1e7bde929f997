"""SqliteSaver(":memory:"): get_state_history with filter=, before= and limit=, across two runs."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: Annotated[int, operator.add]


builder = StateGraph(State)
builder.add_node("a", lambda s: {"n": 1})
builder.add_node("b", lambda s: {"n": 10})
builder.add_edge(START, "a")
builder.add_edge("a", "b")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "hist"}}
    graph.invoke({"n": 0}, config)
    graph.invoke({"n": 100}, {**config, "metadata": {"user": "ann"}})
    every = list(graph.get_state_history(config))
    print([(s.metadata["step"], s.metadata["source"], s.values["n"]) for s in every])
    print([s.metadata["step"] for s in graph.get_state_history(config, filter={"source": "input"})])
    print([s.metadata["step"] for s in graph.get_state_history(config, filter={"step": 2})])
    print([s.metadata["step"] for s in graph.get_state_history(config, limit=2)])
    pivot = every[3]
    print(
        "before",
        pivot.metadata["step"],
        [s.metadata["step"] for s in graph.get_state_history(config, before=pivot.config)],
    )
    print(
        [s.metadata["step"] for s in graph.get_state_history(config, before=pivot.config, limit=1)]
    )
    print(
        [
            s.metadata["step"]
            for s in graph.get_state_history(config, filter={"source": "loop"}, limit=3)
        ]
    )
    print(list(graph.get_state_history(config, filter={"source": "nothing"})))
    tagged = list(graph.get_state_history(config, filter={"user": "ann"}))
    print([(s.metadata["step"], s.metadata["user"]) for s in tagged])
