"""SqliteSaver on a file: paging through history with limit= and before= after a reopen."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    ticks: Annotated[list[int], operator.add]


def build():
    builder = StateGraph(State)
    builder.add_node("tick", lambda s: {"ticks": [len(s["ticks"])]})
    builder.add_edge(START, "tick")
    return builder


config = {"configurable": {"thread_id": "pages"}}
with SqliteSaver.from_conn_string("pages.db") as saver:
    graph = build().compile(checkpointer=saver)
    for _ in range(4):
        graph.invoke({"ticks": []}, config)

with SqliteSaver.from_conn_string("pages.db") as saver:
    graph = build().compile(checkpointer=saver)
    page = list(graph.get_state_history(config, limit=3))
    pages = 0
    while page:
        pages += 1
        print(
            "page",
            pages,
            [(s.metadata["step"], s.metadata["source"], len(s.values["ticks"])) for s in page],
        )
        page = list(graph.get_state_history(config, before=page[-1].config, limit=3))
    print(pages, "pages")
    print(
        [
            s.metadata["step"]
            for s in graph.get_state_history(config, filter={"source": "input"}, limit=2)
        ]
    )
