"""SqliteSaver(":memory:"): two parallel nodes interrupt; one Command resumes both by
interrupt id.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    answers: Annotated[list[str], operator.add]


def ask_name(state: State) -> dict:
    return {"answers": ["name=" + interrupt("name?")]}


def ask_age(state: State) -> dict:
    return {"answers": ["age=" + interrupt("age?")]}


builder = StateGraph(State)
builder.add_node("ask_name", ask_name)
builder.add_node("ask_age", ask_age)
builder.add_node("done", lambda s: {"answers": ["done"]})
builder.add_edge(START, "ask_name")
builder.add_edge(START, "ask_age")
builder.add_edge(["ask_name", "ask_age"], "done")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "pi"}}
    result = graph.invoke({"answers": []}, config)
    asked = sorted(i.value for i in result["__interrupt__"])
    print(asked)
    state = graph.get_state(config)
    print(sorted(state.next), sorted(i.value for i in state.interrupts))
    replies = {"name?": "Ada", "age?": "36"}
    resume = {i.id: replies[i.value] for i in state.interrupts}
    result = graph.invoke(Command(resume=resume), config)
    print(sorted(result["answers"]))
    print(graph.get_state(config).next)
