"""Two parallel nodes interrupt; one Command resumes both with {interrupt.id: value}."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    answers: Annotated[list[str], operator.add]


def ask_color(state: State) -> dict:
    return {"answers": ["color=" + interrupt("favourite color?")]}


def ask_food(state: State) -> dict:
    return {"answers": ["food=" + interrupt("favourite food?")]}


builder = StateGraph(State)
builder.add_node("ask_color", ask_color)
builder.add_node("ask_food", ask_food)
builder.add_edge(START, "ask_color")
builder.add_edge(START, "ask_food")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "p"}}
result = graph.invoke({"answers": []}, config)
interrupts = result["__interrupt__"]
print(sorted(i.value for i in interrupts))
snapshot = graph.get_state(config)
print(snapshot.next, sorted(i.value for i in snapshot.interrupts))

replies = {"favourite color?": "green", "favourite food?": "soup"}
resume = {i.id: replies[i.value] for i in interrupts}
result = graph.invoke(Command(resume=resume), config)
print(sorted(result["answers"]))
print(graph.get_state(config).next)
