"""A node reads config["metadata"]["langgraph_step"] and routes to a fallback before the limit."""

import operator
from typing import Annotated

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    done: bool


def work(state: State, config: RunnableConfig) -> dict:
    meta = config["metadata"]
    print(
        "work",
        meta["langgraph_step"],
        meta["langgraph_node"],
        meta["langgraph_triggers"],
        meta["langgraph_path"],
        repr(meta["langgraph_checkpoint_ns"].split(":")[0]),
    )
    return {"log": [f"step {meta['langgraph_step']}"]}


def route(state: State, config: RunnableConfig) -> str:
    step = config["metadata"]["langgraph_step"]
    limit = config["recursion_limit"]
    return "fallback" if step >= limit - 2 else "work"


def fallback(state: State) -> dict:
    return {"log": ["partial result"], "done": True}


builder = StateGraph(State)
builder.add_node("work", work)
builder.add_node("fallback", fallback)
builder.add_edge(START, "work")
builder.add_conditional_edges("work", route, ["work", "fallback"])
builder.add_edge("fallback", END)
graph = builder.compile()

print(graph.invoke({"log": [], "done": False}, {"recursion_limit": 5}))
try:
    graph.invoke({"log": [], "done": False}, {"recursion_limit": 1})
except GraphRecursionError as error:
    print("GraphRecursionError", isinstance(error, RecursionError))
