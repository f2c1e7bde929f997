"""SqliteSaver: history with filter, limit and before, and update_state."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    score: Annotated[int, operator.add]


builder = StateGraph(State)
builder.add_node("warm_up", lambda s: {"score": 1})
builder.add_node("play", lambda s: {"score": 10})
builder.add_edge(START, "warm_up")
builder.add_edge("warm_up", "play")

with SqliteSaver.from_conn_string("scores.sqlite") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "game"}}
    graph.invoke({"score": 0}, config)
    graph.update_state(config, {"score": 5}, as_node="play")
    history = list(graph.get_state_history(config))
    print([(s.metadata["step"], s.metadata["source"], s.values["score"]) for s in history])
    print([s.values for s in graph.get_state_history(config, filter={"source": "update"})])
    print([s.metadata["step"] for s in graph.get_state_history(config, limit=2)])
    older = graph.get_state_history(config, before=history[1].config)
    print([s.metadata["step"] for s in older])
    print(graph.get_state(config).values, graph.get_state(config).next)
