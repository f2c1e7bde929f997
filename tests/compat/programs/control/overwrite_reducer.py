"""Overwrite: a node replaces a reducer key's value instead of adding to it."""

import operator
from typing import Annotated

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import InvalidUpdateError
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Overwrite
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    notes: Annotated[list[str], operator.add]
    messages: Annotated[list, add_messages]
    title: str


def collect(state: State) -> dict:
    return {"notes": ["first", "second"], "messages": [AIMessage("working", id="a1")]}


def reset(state: State) -> dict:
    return {
        "notes": Overwrite(["summary of " + str(len(state["notes"]))]),
        "messages": Overwrite([AIMessage("fresh context", id="a2")]),
        "title": "done",
    }


def as_json(state: State) -> dict:
    return {"notes": {"__overwrite__": ["from json"]}}


builder = StateGraph(State)
builder.add_node("collect", collect)
builder.add_node("reset", reset)
builder.add_node("as_json", as_json)
builder.add_edge(START, "collect")
builder.add_edge("collect", "reset")
builder.add_edge("reset", "as_json")

with SqliteSaver.from_conn_string(":memory:") as saver:
    for checkpointer in (InMemorySaver(), saver):
        graph = builder.compile(checkpointer=checkpointer)
        config = {"configurable": {"thread_id": "t"}}
        inputs = {"notes": ["start"], "messages": [HumanMessage("hello", id="h1")]}
        for update in graph.stream(inputs, config, stream_mode="updates"):
            print(update)
        state = graph.get_state(config)
        print(state.values["notes"], [m.content for m in state.values["messages"]])
        graph.update_state(config, {"notes": Overwrite(["edited"])})
        print(graph.get_state(config).values["notes"])
        for snapshot in graph.get_state_history(config):
            print(snapshot.metadata["step"], [t.result for t in snapshot.tasks])


def left(state: State) -> dict:
    return {"notes": Overwrite(["left"])}


def right(state: State) -> dict:
    return {"notes": Overwrite(["right"])}


def plain(state: State) -> dict:
    return {"notes": ["plain"]}


both = StateGraph(State)
both.add_node("left", left)
both.add_node("right", right)
both.add_edge(START, "left")
both.add_edge(START, "right")
try:
    both.compile().invoke({"notes": []})
except InvalidUpdateError as error:
    print("two overwrites:", type(error).__name__)

mixed = StateGraph(State)
mixed.add_node("left", left)
mixed.add_node("plain", plain)
mixed.add_edge(START, "left")
mixed.add_edge(START, "plain")
print(mixed.compile().invoke({"notes": ["s"]}))
print(Overwrite(["x"]) == Overwrite(value=["x"]), Overwrite(1).type)
