"""SqliteSaver(":memory:"): Command(resume=..., update=...) answers an interrupt and writes state
at once.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    notes: Annotated[list[str], operator.add]
    answer: str


def ask(state: State) -> dict:
    return {"answer": interrupt("color?"), "notes": [f"asked with {len(state['notes'])} notes"]}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ru"}}
    graph.invoke({"notes": ["first"], "answer": ""}, config)
    for chunk in graph.stream(
        Command(resume="blue", update={"notes": ["from resume"]}), config, stream_mode="updates"
    ):
        print(chunk)
    print(graph.get_state(config).values)
    print([(s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)])
