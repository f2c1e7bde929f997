"""SqliteSaver(":memory:"): replay from a checkpoint picked in get_state_history; later nodes run
again.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

calls = {"draft": 0, "polish": 0}


class State(TypedDict):
    text: Annotated[list[str], operator.add]


def draft(state: State) -> dict:
    calls["draft"] += 1
    return {"text": [f"draft{calls['draft']}"]}


def polish(state: State) -> dict:
    calls["polish"] += 1
    return {"text": [f"polish{calls['polish']}"]}


builder = StateGraph(State)
builder.add_node("draft", draft)
builder.add_node("polish", polish)
builder.add_edge(START, "draft")
builder.add_edge("draft", "polish")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "tt"}}
    print(graph.invoke({"text": []}, config))
    history = list(graph.get_state_history(config))
    before_polish = next(s for s in history if s.next == ("polish",))
    print("replay from", before_polish.metadata["step"], before_polish.values)
    for chunk in graph.stream(None, before_polish.config, stream_mode="updates"):
        print(chunk)
    print(calls)
    print(graph.get_state(config).values)
    steps = [
        (s.metadata["step"], s.metadata["source"], s.next) for s in graph.get_state_history(config)
    ]
    print(steps)
    print(graph.get_state(before_polish.config).values == before_polish.values)
