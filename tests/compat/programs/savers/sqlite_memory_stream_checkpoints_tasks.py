"""SqliteSaver(":memory:"): the checkpoints and tasks stream modes, and an interrupt in them."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    name: str
    greeting: str


def ask(state: State) -> dict:
    return {"name": interrupt("who?")}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_node("greet", lambda s: {"greeting": f"hello {s['name']}"})
builder.add_edge(START, "ask")
builder.add_edge("ask", "greet")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ct"}}
    for mode, chunk in graph.stream(
        {"name": "", "greeting": ""}, config, stream_mode=["checkpoints", "tasks"]
    ):
        if mode == "checkpoints":
            print(
                "checkpoint",
                chunk["metadata"]["step"],
                chunk["metadata"]["source"],
                chunk["values"],
                chunk["next"],
            )
            print("  tasks", [(t["name"], t["interrupts"]) for t in chunk["tasks"]])
            print("  parent", chunk["parent_config"] is not None)
        elif "result" in chunk:
            print("result", chunk["name"], chunk["result"], chunk["error"], chunk["interrupts"])
        else:
            print("start", chunk["name"], chunk["input"], chunk["triggers"])
    for mode, chunk in graph.stream(
        Command(resume="Ada"), config, stream_mode=["checkpoints", "tasks"]
    ):
        if mode == "checkpoints":
            print("checkpoint", chunk["metadata"]["step"], chunk["values"], chunk["next"])
        elif "result" in chunk:
            print("result", chunk["name"], chunk["result"])
        else:
            print("start", chunk["name"], chunk["input"])
