"""A multi-agent style handoff loop with Command(goto=...) and a turn counter."""

from typing import Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    turn: int
    transcript: list[str]


def alice(state: State) -> Command[Literal["bob", "__end__"]]:
    line = f"alice {state['turn']}"
    goto = END if state["turn"] >= 4 else "bob"
    return Command(
        goto=goto, update={"turn": state["turn"] + 1, "transcript": [*state["transcript"], line]}
    )


def bob(state: State) -> Command[Literal["alice"]]:
    line = f"bob {state['turn']}"
    return Command(
        goto="alice", update={"turn": state["turn"] + 1, "transcript": [*state["transcript"], line]}
    )


builder = StateGraph(State)
builder.add_node("alice", alice)
builder.add_node("bob", bob)
builder.add_edge(START, "alice")
graph = builder.compile()

print(graph.invoke({"turn": 0, "transcript": []}))
for chunk in graph.stream({"turn": 3, "transcript": []}, stream_mode="updates"):
    print(chunk)
