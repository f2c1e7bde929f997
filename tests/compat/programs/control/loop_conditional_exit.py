"""A loop with a conditional exit, routing back until a condition holds."""

import operator
from typing import Annotated, Literal, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    guesses: Annotated[list[int], operator.add]
    target: int


def guess(state: State) -> dict:
    low = max(state["guesses"], default=0)
    return {"guesses": [low + 3]}


def check(state: State) -> Literal["guess", "__end__"]:
    return END if state["guesses"][-1] >= state["target"] else "guess"


builder = StateGraph(State)
builder.add_node("guess", guess)
builder.add_edge(START, "guess")
builder.add_conditional_edges("guess", check)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "loop"}}
print(graph.invoke({"guesses": [], "target": 10}, config))
print([s.metadata["step"] for s in graph.get_state_history(config)])
config = {"configurable": {"thread_id": "loop-2"}}
for chunk in graph.stream({"guesses": [], "target": 5}, config, stream_mode="updates"):
    print(chunk)
